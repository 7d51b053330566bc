//! `GaussianNB(var_smoothing)`: per-class means and variances (plus `var_smoothing` times
//! the largest feature variance), class priors from frequencies.

use serde::{Deserialize, Serialize};

use crate::matrix::Matrix;
use crate::metrics::Scores;
use crate::models::logistic::softmax;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianNb {
    pub classes: usize,
    pub prior: Vec<f64>,
    pub mean: Vec<Vec<f64>>,
    pub var: Vec<Vec<f64>>,
}

pub fn fit(x: &Matrix, y: &[usize], classes: usize, var_smoothing: f64) -> GaussianNb {
    let p = x.cols;
    let overall = variances(x, &(0..x.rows).collect::<Vec<_>>());
    let epsilon = var_smoothing * overall.iter().fold(0.0f64, |a, &b| a.max(b));
    let mut prior = Vec::with_capacity(classes);
    let mut mean = Vec::with_capacity(classes);
    let mut var = Vec::with_capacity(classes);
    for c in 0..classes {
        let rows: Vec<usize> = (0..x.rows).filter(|&i| y[i] == c).collect();
        prior.push(rows.len() as f64 / x.rows as f64);
        let sub = x.select_rows(&rows);
        mean.push(if rows.is_empty() { vec![0.0; p] } else { sub.column_means() });
        var.push(variances(x, &rows).into_iter().map(|v| v + epsilon).collect());
    }
    GaussianNb { classes, prior, mean, var }
}

fn variances(x: &Matrix, rows: &[usize]) -> Vec<f64> {
    let sub = x.select_rows(rows);
    let m = sub.column_means();
    let n = rows.len().max(1) as f64;
    let mut v = vec![0.0; x.cols];
    for i in 0..sub.rows {
        for (j, val) in sub.row(i).iter().enumerate() {
            v[j] += (val - m[j]).powi(2);
        }
    }
    v.iter_mut().for_each(|a| *a /= n);
    v
}

impl GaussianNb {
    pub fn predict_proba(&self, x: &Matrix) -> Scores {
        let mut data = Vec::with_capacity(x.rows * self.classes);
        for i in 0..x.rows {
            let row = x.row(i);
            let joint: Vec<f64> = (0..self.classes)
                .map(|c| {
                    let mut ll = self.prior[c].ln();
                    for (j, v) in row.iter().enumerate() {
                        let var = self.var[c][j];
                        ll -= 0.5 * (std::f64::consts::TAU * var).ln() + (v - self.mean[c][j]).powi(2) / (2.0 * var);
                    }
                    ll
                })
                .collect();
            data.extend(softmax(&joint));
        }
        Scores { classes: self.classes, data }
    }
}
