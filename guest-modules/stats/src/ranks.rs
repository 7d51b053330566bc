//! Ranking helpers shared by rank-based statistics (Spearman, Kendall, Mann-Whitney,
//! Kruskal-Wallis).

/// Average ranks (1-based), ties sharing the mean of their positions: scipy's
/// `rankdata(method="average")`.
pub fn average_ranks(xs: &[f64]) -> Vec<f64> {
    // (value, index) pairs sort faster than indices compared through the slice.
    let mut order: Vec<(f64, u32)> = xs.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        // Positions i..j (0-based) share rank mean(i+1 ..= j).
        let rank = (i + j + 1) as f64 / 2.0;
        for &(_, k) in &order[i..j] {
            ranks[k as usize] = rank;
        }
        i = j;
    }
    ranks
}

/// Sizes of the groups of equal values (only groups of 2 or more).
pub fn tie_groups(xs: &[f64]) -> Vec<u64> {
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut groups = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        if j - i > 1 {
            groups.push((j - i) as u64);
        }
        i = j;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_average_rank() {
        // scipy.stats.rankdata([10, 20, 10, 30, 20, 20]) -> [1.5, 4., 1.5, 6., 4., 4.]
        assert_eq!(average_ranks(&[10.0, 20.0, 10.0, 30.0, 20.0, 20.0]), vec![1.5, 4.0, 1.5, 6.0, 4.0, 4.0]);
        assert_eq!(tie_groups(&[10.0, 20.0, 10.0, 30.0, 20.0, 20.0]), vec![2, 3]);
    }
}
