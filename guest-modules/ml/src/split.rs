//! Train/test splits and k-fold cross-validation, stratified for classification, seeded by
//! `random_state`.

use crate::rng::Rng;

/// Row indices of the train and test parts. `strata`, when given, holds each row's class:
/// every class is split in the same proportion (largest remainders), as
/// `train_test_split(stratify=y)` does.
pub fn train_test(n: usize, test_size: f64, strata: Option<&[usize]>, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let n_test = ((n as f64) * test_size).ceil() as usize;
    if n_test == 0 {
        return ((0..n).collect(), Vec::new());
    }
    let mut test = Vec::with_capacity(n_test);
    let mut train = Vec::with_capacity(n - n_test);
    match strata {
        None => {
            let mut all: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut all);
            test.extend_from_slice(&all[..n_test]);
            train.extend_from_slice(&all[n_test..]);
        }
        Some(y) => {
            let groups = group_rows(y);
            // Largest-remainder allocation of the test rows to classes.
            let exact: Vec<f64> = groups.iter().map(|g| g.len() as f64 * n_test as f64 / n as f64).collect();
            let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
            let mut order: Vec<usize> = (0..groups.len()).collect();
            order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
            let mut left = n_test - take.iter().sum::<usize>();
            for &g in &order {
                if left == 0 {
                    break;
                }
                if take[g] < groups[g].len() {
                    take[g] += 1;
                    left -= 1;
                }
            }
            for (g, rows) in groups.into_iter().enumerate() {
                let mut rows = rows;
                rng.shuffle(&mut rows);
                test.extend_from_slice(&rows[..take[g]]);
                train.extend_from_slice(&rows[take[g]..]);
            }
        }
    }
    rng.shuffle(&mut train);
    test.sort_unstable();
    (train, test)
}

/// `k` folds of `0..n`: each entry is (train rows, validation rows). Stratified folds deal
/// each class's shuffled rows round-robin, so every fold has each class in proportion.
pub fn k_fold(n: usize, k: usize, strata: Option<&[usize]>, seed: u64) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00);
    let mut fold_of = vec![0usize; n];
    match strata {
        None => {
            let mut all: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut all);
            for (pos, &i) in all.iter().enumerate() {
                fold_of[i] = pos % k;
            }
        }
        Some(y) => {
            let mut next = 0;
            for mut rows in group_rows(y) {
                rng.shuffle(&mut rows);
                for i in rows {
                    fold_of[i] = next % k;
                    next += 1;
                }
            }
        }
    }
    (0..k)
        .map(|f| {
            let train = (0..n).filter(|&i| fold_of[i] != f).collect();
            let valid = (0..n).filter(|&i| fold_of[i] == f).collect();
            (train, valid)
        })
        .collect()
}

fn group_rows(y: &[usize]) -> Vec<Vec<usize>> {
    let classes = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut groups = vec![Vec::new(); classes];
    for (i, &c) in y.iter().enumerate() {
        groups[c].push(i);
    }
    groups.retain(|g| !g.is_empty());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_proportions() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let (train, test) = train_test(100, 0.2, Some(&y), 42);
        assert_eq!(test.len(), 20);
        assert_eq!(train.len(), 80);
        assert_eq!(test.iter().filter(|&&i| y[i] == 1).count(), 5);
        let folds = k_fold(100, 5, Some(&y), 42);
        for (tr, va) in &folds {
            assert_eq!(tr.len() + va.len(), 100);
            assert_eq!(va.iter().filter(|&&i| y[i] == 1).count(), 5);
        }
    }
}
