//! `LogisticRegression(C, max_iter)` with scikit-learn's lbfgs formulation: L2 penalty on
//! the weights (not the intercept), a sigmoid for two classes and a multinomial softmax for
//! more.

use serde::{Deserialize, Serialize};

use crate::matrix::{Matrix, dot};
use crate::metrics::Scores;
use crate::optimize::lbfgs;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub classes: usize,
    /// One row per class (a single row, the positive class, for two classes) of
    /// `features` weights followed by the intercept.
    pub weights: Vec<Vec<f64>>,
    pub iterations: usize,
    pub converged: bool,
}

pub fn fit(x: &Matrix, y: &[usize], classes: usize, c: f64, max_iter: usize) -> LogisticModel {
    let p = x.cols;
    let rows = if classes == 2 { 1 } else { classes };
    let width = p + 1;
    let n = x.rows as f64;
    // Objective scaled by 1/n (same minimiser as C·Σloss + ½‖w‖²), for conditioning.
    let reg = 1.0 / (c * n);
    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        let mut z = vec![0.0; rows];
        for i in 0..x.rows {
            let r = x.row(i);
            for (k, zk) in z.iter_mut().enumerate() {
                let w = &theta[k * width..(k + 1) * width];
                *zk = dot(&w[..p], r) + w[p];
            }
            let residuals: Vec<f64> = if rows == 1 {
                let t = if y[i] == 1 { 1.0 } else { 0.0 };
                // log(1 + e^z) − t·z, computed without overflow.
                loss += softplus(z[0]) - t * z[0];
                vec![sigmoid(z[0]) - t]
            } else {
                let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let sum: f64 = z.iter().map(|v| (v - m).exp()).sum();
                let lse = m + sum.ln();
                loss += lse - z[y[i]];
                z.iter().enumerate().map(|(k, v)| (v - lse).exp() - if k == y[i] { 1.0 } else { 0.0 }).collect()
            };
            for (k, res) in residuals.iter().enumerate() {
                let g = &mut grad[k * width..(k + 1) * width];
                for (gj, xj) in g[..p].iter_mut().zip(r) {
                    *gj += res * xj;
                }
                g[p] += res;
            }
        }
        let mut penalty = 0.0;
        for k in 0..rows {
            for j in 0..p {
                let w = theta[k * width + j];
                penalty += w * w;
                grad[k * width + j] = grad[k * width + j] / n + reg * w;
            }
            grad[k * width + p] /= n;
        }
        loss / n + 0.5 * reg * penalty
    };
    let result = lbfgs(objective, vec![0.0; rows * width], max_iter, 1e-4 / n);
    let weights = result.x.chunks(width).map(<[f64]>::to_vec).collect();
    LogisticModel { classes, weights, iterations: result.iterations, converged: result.converged }
}

impl LogisticModel {
    /// Class probabilities.
    pub fn predict_proba(&self, x: &Matrix) -> Scores {
        let p = x.cols;
        let mut data = Vec::with_capacity(x.rows * self.classes);
        for i in 0..x.rows {
            let r = x.row(i);
            let z: Vec<f64> = self.weights.iter().map(|w| dot(&w[..p], r) + w[p]).collect();
            if self.classes == 2 {
                let p1 = sigmoid(z[0]);
                data.extend([1.0 - p1, p1]);
            } else {
                data.extend(softmax(&z));
            }
        }
        Scores { classes: self.classes, data }
    }
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { z.exp() / (1.0 + z.exp()) }
}

fn softplus(z: f64) -> f64 {
    if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() }
}

pub fn softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}
