//! Pearson, Spearman and Kendall (tau-b) correlation with scipy's p-values.
//!
//! - Pearson: r from centred data; p from the exact null distribution of r,
//!   Beta(n/2-1, n/2-1) on [-1, 1] (scipy.stats.pearsonr).
//! - Spearman: Pearson's r of average ranks; p from Student's t with n-2 degrees of freedom
//!   (scipy.stats.spearmanr).
//! - Kendall tau-b in O(n log n) (discordant pairs by merge-sort inversion count); p exact
//!   when there are no ties and n <= 33, else the asymptotic normal approximation with the
//!   tie-corrected variance (scipy.stats.kendalltau, method="auto").

use serde::{Deserialize, Serialize};

use crate::distributions::{normal_sf, pearson_p, t_two_sided};
use crate::ranks::average_ranks;
use crate::sort::radix_sort_u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    #[default]
    Pearson,
    Spearman,
    Kendall,
}

impl Method {
    pub const ALL: [&'static str; 3] = ["pearson", "spearman", "kendall"];
}

/// Coefficient and two-sided p-value of one pair; `None` where undefined (a constant
/// column, too few observations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    pub r: Option<f64>,
    pub p: Option<f64>,
    pub n: usize,
}

/// Per-column work that every pair of a correlation matrix shares, done once per column:
/// centred values (Pearson) or centred average ranks (Spearman) with their norm, or dense
/// integer ranks with tie terms (Kendall). Built from gap-free values.
pub struct Prepared {
    n: usize,
    constant: bool,
    centred: Vec<f64>,
    norm: f64,
    dense: Vec<u32>,
    ties: TieTerms,
}

/// Σ t(t-1)/2, Σ t(t-1)(t-2), Σ t(t-1)(2t+5) over groups of t equal values.
#[derive(Debug, Clone, Copy, Default)]
struct TieTerms(f64, f64, f64);

/// Dense ranks 0, 1, 2, ... (equal values share one) and the tie terms.
fn dense_ranks(values: &[f64]) -> (Vec<u32>, TieTerms) {
    let mut order: Vec<(f64, u32)> = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0u32; values.len()];
    let mut ties = TieTerms::default();
    let (mut rank, mut i) = (0u32, 0usize);
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        for &(_, idx) in &order[i..j] {
            ranks[idx as usize] = rank;
        }
        let t = (j - i) as f64;
        if t > 1.0 {
            ties.0 += t * (t - 1.0) / 2.0;
            ties.1 += t * (t - 1.0) * (t - 2.0);
            ties.2 += t * (t - 1.0) * (2.0 * t + 5.0);
        }
        rank += 1;
        i = j;
    }
    (ranks, ties)
}

fn centre(values: &[f64]) -> (Vec<f64>, f64) {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let centred: Vec<f64> = values.iter().map(|v| v - mean).collect();
    let norm = centred.iter().map(|c| c * c).sum::<f64>().sqrt();
    (centred, norm)
}

/// Prepares one gap-free column for `method`.
pub fn prepare(method: Method, values: &[f64]) -> Prepared {
    let n = values.len();
    let constant = values.iter().all(|&v| v == values[0]);
    let mut p = Prepared { n, constant, centred: Vec::new(), norm: 0.0, dense: Vec::new(), ties: TieTerms::default() };
    if n == 0 || constant {
        return p;
    }
    match method {
        Method::Pearson => (p.centred, p.norm) = centre(values),
        Method::Spearman => (p.centred, p.norm) = centre(&average_ranks(values)),
        Method::Kendall => (p.dense, p.ties) = dense_ranks(values),
    }
    p
}

/// Correlation of two prepared columns of equal length.
pub fn correlate_prepared(method: Method, a: &Prepared, b: &Prepared) -> Correlation {
    let n = a.n.min(b.n);
    if n < 2 || a.constant || b.constant {
        return Correlation { r: None, p: None, n };
    }
    match method {
        Method::Pearson => {
            let r = dot_r(a, b);
            Correlation { r: Some(r), p: Some(pearson_p(r, n)), n }
        }
        Method::Spearman => {
            let r = dot_r(a, b);
            let df = n as f64 - 2.0;
            let p = (df > 0.0).then(|| {
                let t = r * (df / ((r + 1.0) * (1.0 - r))).max(0.0).sqrt();
                t_two_sided(t, df)
            });
            Correlation { r: Some(r), p, n }
        }
        Method::Kendall => kendall_dense(a, b),
    }
}

fn dot_r(a: &Prepared, b: &Prepared) -> f64 {
    let dot: f64 = a.centred.iter().zip(&b.centred).map(|(x, y)| x * y).sum();
    (dot / (a.norm * b.norm)).clamp(-1.0, 1.0)
}

/// Correlation of two columns without gaps (the rows where both are present).
pub fn correlate(method: Method, x: &[f64], y: &[f64]) -> Correlation {
    correlate_prepared(method, &prepare(method, x), &prepare(method, y))
}

/// Counts pairs i < j with v[i] > v[j] (strictly), for values below `m`, with a Fenwick
/// tree: O(n log m) in plain loops, no recursion.
fn strict_inversions(v: &[u32], m: usize) -> u64 {
    let mut tree = vec![0u32; m + 1];
    let mut inversions = 0u64;
    for (seen, &y) in v.iter().enumerate() {
        // How many of the `seen` earlier values are <= y.
        let mut i = y as usize + 1;
        let mut at_most = 0u64;
        while i > 0 {
            at_most += u64::from(tree[i]);
            i &= i - 1;
        }
        inversions += seen as u64 - at_most;
        let mut i = y as usize + 1;
        while i <= m {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    inversions
}

/// Kendall's tau-b from dense ranks: sort rows by (x, y), count discordant pairs as
/// strict inversions of y, joint ties as runs of equal (x, y).
fn kendall_dense(a: &Prepared, b: &Prepared) -> Correlation {
    let n = a.n;
    // Dense ranks are below n, so (x, y) packs into 2 * bits(n) bits.
    let bits = usize::BITS - n.leading_zeros();
    let mut keys: Vec<u64> =
        a.dense.iter().zip(&b.dense).map(|(&x, &y)| (u64::from(x) << bits) | u64::from(y)).collect();
    if 2 * bits <= 44 {
        radix_sort_u64::<44>(&mut keys);
    } else {
        radix_sort_u64::<64>(&mut keys);
    }
    let mut ntie = 0.0;
    let mut run = 1.0;
    for w in keys.windows(2) {
        if w[0] == w[1] {
            run += 1.0;
        } else {
            ntie += run * (run - 1.0) / 2.0;
            run = 1.0;
        }
    }
    ntie += run * (run - 1.0) / 2.0;
    let low = (1u64 << bits) - 1;
    let ys: Vec<u32> = keys.iter().map(|k| (*k & low) as u32).collect();
    let dis = strict_inversions(&ys, n) as f64;

    let TieTerms(xtie, x0, x1) = a.ties;
    let TieTerms(ytie, y0, y1) = b.ties;
    let nf = n as f64;
    let tot = nf * (nf - 1.0) / 2.0;
    if xtie == tot || ytie == tot {
        return Correlation { r: None, p: None, n };
    }
    let con_minus_dis = tot - xtie - ytie + ntie - 2.0 * dis;
    let tau = (con_minus_dis / (tot - xtie).sqrt() / (tot - ytie).sqrt()).clamp(-1.0, 1.0);

    let p = if xtie == 0.0 && ytie == 0.0 && (n <= 33 || dis.min(tot - dis) <= 1.0) {
        kendall_exact_p(n, dis.min(tot - dis) as usize)
    } else {
        let m = nf * (nf - 1.0);
        let var = (m * (2.0 * nf + 5.0) - x1 - y1) / 18.0 + (2.0 * xtie * ytie) / m + x0 * y0 / (9.0 * m * (nf - 2.0));
        let z = con_minus_dis / var.sqrt();
        (2.0 * normal_sf(z.abs())).min(1.0)
    };
    Correlation { r: Some(tau), p: Some(p), n }
}

/// Two-sided exact p-value of Kendall's tau without ties: twice the probability of at
/// most `c` discordant pairs among n! equally likely orderings (scipy's
/// `_kendall_p_exact`).
fn kendall_exact_p(n: usize, c: usize) -> f64 {
    let tot = n * (n - 1) / 2;
    if n <= 2 {
        return 1.0;
    }
    let factorial = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
    if c == 0 {
        return if n < 171 { 2.0 / factorial(n) } else { 0.0 };
    }
    if c == 1 {
        return if n < 172 { 2.0 / factorial(n - 1) } else { 0.0 };
    }
    if 4 * c == 2 * tot {
        return 1.0;
    }
    // new[k] = number of permutations of j elements with k inversions (k <= c), scaled
    // by 1/j! as it goes for large n.
    let scaled = n >= 171;
    let mut new = vec![0.0f64; c + 1];
    new[0] = 1.0;
    new[1] = 1.0;
    for j in 3..=n {
        let mut acc = 0.0;
        for v in new.iter_mut() {
            acc += *v;
            *v = if scaled { acc / j as f64 } else { acc };
        }
        if j <= c {
            let prev = new.clone();
            for k in j..=c {
                new[k] -= prev[k - j];
            }
        }
    }
    let sum: f64 = new.iter().sum();
    let prob = if scaled { sum } else { 2.0 * sum / factorial(n) };
    prob.clamp(0.0, 1.0)
}

/// Strength of |r|: < 0.2 very weak, < 0.4 weak, < 0.6 moderate, < 0.8 strong, else very
/// strong.
pub fn strength(r: f64) -> &'static str {
    match r.abs() {
        a if a < 0.2 => "very weak",
        a if a < 0.4 => "weak",
        a if a < 0.6 => "moderate",
        a if a < 0.8 => "strong",
        _ => "very strong",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::close;

    #[test]
    fn inversions_are_counted_strictly() {
        assert_eq!(strict_inversions(&[3, 1, 2, 2, 0], 4), 7);
    }

    #[test]
    fn small_exact_kendall() {
        // scipy.stats.kendalltau([1,2,3,4,5], [2,1,4,3,5]) -> tau 0.6, p 0.2333333333333333
        let c = correlate(Method::Kendall, &[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!(close(c.r.unwrap(), 0.6, 1e-12));
        assert!(close(c.p.unwrap(), 0.2333333333333333, 1e-12), "{:?}", c.p);
    }

    #[test]
    fn constant_columns_are_undefined() {
        let c = correlate(Method::Pearson, &[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]);
        assert_eq!((c.r, c.p), (None, None));
        assert_eq!(correlate(Method::Kendall, &[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).r, None);
    }
}
