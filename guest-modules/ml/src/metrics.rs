//! Model metrics with scikit-learn's definitions (`sklearn.metrics`).

use serde::Serialize;

/// Regression metrics: `mean_squared_error`, its root, `mean_absolute_error`, `r2_score`,
/// `explained_variance_score`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct RegressionMetrics {
    pub mse: f64,
    pub rmse: f64,
    pub mae: f64,
    pub r2: f64,
    pub explained_variance: f64,
}

pub fn regression(y: &[f64], pred: &[f64]) -> RegressionMetrics {
    let n = y.len().max(1) as f64;
    let mean_y = y.iter().sum::<f64>() / n;
    let mse = y.iter().zip(pred).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / n;
    let mae = y.iter().zip(pred).map(|(a, b)| (a - b).abs()).sum::<f64>() / n;
    let ss_tot = y.iter().map(|a| (a - mean_y).powi(2)).sum::<f64>();
    let resid: Vec<f64> = y.iter().zip(pred).map(|(a, b)| a - b).collect();
    let mean_r = resid.iter().sum::<f64>() / n;
    let var_r = resid.iter().map(|r| (r - mean_r).powi(2)).sum::<f64>();
    // sklearn: a constant y scores 1 when predicted perfectly, else 0.
    let ratio = |num: f64| {
        if ss_tot == 0.0 { if num == 0.0 { 1.0 } else { 0.0 } } else { 1.0 - num / ss_tot }
    };
    RegressionMetrics { mse, rmse: mse.sqrt(), mae, r2: ratio(mse * n), explained_variance: ratio(var_r) }
}

/// Classification metrics. Binary problems score the positive class (the second of the
/// sorted labels, scikit-learn's `pos_label=1`); multiclass ones average per class weighted
/// by support. `zero_division=0`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassificationMetrics {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Binary: from the positive-class score; multiclass: one-vs-rest, macro average.
    /// `None` when the model gives no scores or a class is absent from `y`.
    pub roc_auc: Option<f64>,
    /// `confusion_matrix[true][predicted]`, classes in label order.
    pub confusion_matrix: Vec<Vec<u64>>,
}

/// `y` and `pred` are class indices in `0..classes`. `scores`, when given, holds per row
/// the probability (or decision value) of each class (binary: one column suffices, the
/// positive class's).
pub fn classification(y: &[usize], pred: &[usize], classes: usize, scores: Option<&Scores>) -> ClassificationMetrics {
    let mut cm = vec![vec![0u64; classes]; classes];
    for (&t, &p) in y.iter().zip(pred) {
        cm[t][p] += 1;
    }
    let n = y.len().max(1) as f64;
    let correct: u64 = (0..classes).map(|k| cm[k][k]).sum();
    let per_class = |k: usize| {
        let tp = cm[k][k] as f64;
        let predicted: f64 = (0..classes).map(|t| cm[t][k] as f64).sum();
        let actual: f64 = cm[k].iter().sum::<u64>() as f64;
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if actual > 0.0 { tp / actual } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        (precision, recall, f1, actual)
    };
    let (precision, recall, f1) = if classes == 2 {
        let (p, r, f, _) = per_class(1);
        (p, r, f)
    } else {
        let mut acc = (0.0, 0.0, 0.0);
        for k in 0..classes {
            let (p, r, f, support) = per_class(k);
            acc.0 += p * support / n;
            acc.1 += r * support / n;
            acc.2 += f * support / n;
        }
        acc
    };
    let roc_auc = scores.and_then(|s| {
        if classes == 2 {
            let positive: Vec<bool> = y.iter().map(|&t| t == 1).collect();
            roc_auc(&positive, &s.column(1))
        } else {
            let mut total = 0.0;
            for k in 0..classes {
                let positive: Vec<bool> = y.iter().map(|&t| t == k).collect();
                total += roc_auc(&positive, &s.column(k))?;
            }
            Some(total / classes as f64)
        }
    });
    ClassificationMetrics { accuracy: correct as f64 / n, precision, recall, f1, roc_auc, confusion_matrix: cm }
}

/// Per-row class scores, row-major `rows × classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub classes: usize,
    pub data: Vec<f64>,
}

impl Scores {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.classes..(i + 1) * self.classes]
    }

    pub fn rows(&self) -> usize {
        self.data.len() / self.classes.max(1)
    }

    pub fn column(&self, k: usize) -> Vec<f64> {
        (0..self.rows()).map(|i| self.data[i * self.classes + k]).collect()
    }

    /// The class with the highest score per row (the first on ties, as numpy's argmax).
    pub fn argmax(&self) -> Vec<usize> {
        (0..self.rows())
            .map(|i| {
                let r = self.row(i);
                let mut best = 0;
                for k in 1..r.len() {
                    if r[k] > r[best] {
                        best = k;
                    }
                }
                best
            })
            .collect()
    }
}

/// Area under the ROC curve from scores, ties counted half (the Mann-Whitney statistic,
/// equal to `roc_auc_score`). `None` when only one class is present.
pub fn roc_auc(positive: &[bool], score: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let n_pos = positive.iter().filter(|&&p| p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return None;
    }
    // Sum of the positives' mid-ranks.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += order[i..=j].iter().filter(|&&k| positive[k]).count() as f64 * mid;
        i = j + 1;
    }
    Some((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        let auc = roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert!((auc - 0.75).abs() < 1e-12);
        assert_eq!(roc_auc(&[true, false], &[0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[true, true], &[0.5, 0.1]), None);
    }

    #[test]
    fn r2_of_perfect_and_mean_predictions() {
        let y = [1.0, 2.0, 3.0];
        assert_eq!(regression(&y, &y).r2, 1.0);
        assert!(regression(&y, &[2.0, 2.0, 2.0]).r2.abs() < 1e-15);
    }
}
