//! `SVC(C, kernel, gamma)`: the C-SVM dual solved by SMO with libsvm's second-order working
//! set selection (Fan, Chen & Lin 2005), one-vs-one for more than two classes, prediction
//! by vote (ties to the lower class, as libsvm).

use serde::{Deserialize, Serialize};

use crate::matrix::{Matrix, dot};
use crate::metrics::Scores;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kernel {
    Linear,
    Rbf { gamma: f64 },
    Poly { gamma: f64, degree: i32, coef0: f64 },
    Sigmoid { gamma: f64, coef0: f64 },
}

impl Kernel {
    #[inline]
    pub fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        match *self {
            Kernel::Linear => dot(a, b),
            Kernel::Rbf { gamma } => {
                let d2: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
                (-gamma * d2).exp()
            }
            Kernel::Poly { gamma, degree, coef0 } => (gamma * dot(a, b) + coef0).powi(degree),
            Kernel::Sigmoid { gamma, coef0 } => (gamma * dot(a, b) + coef0).tanh(),
        }
    }
}

/// One binary machine: `decision(x) = Σ coef_i K(sv_i, x) − rho`, positive for `positive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinarySvm {
    pub positive: usize,
    pub negative: usize,
    pub support_vectors: Matrix,
    pub coef: Vec<f64>,
    pub rho: f64,
    /// SMO iterations used.
    #[serde(default)]
    pub iterations: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Svm {
    pub classes: usize,
    pub kernel: Kernel,
    pub machines: Vec<BinarySvm>,
}

/// Cache budget for kernel rows, in f32s (256 MiB): the whole matrix up to ~8,000 rows.
const CACHE_FLOATS: usize = 64 << 20;

pub fn fit(
    x: &Matrix,
    y: &[usize],
    classes: usize,
    c: f64,
    kernel: Kernel,
    max_iter: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Svm {
    let mut machines = Vec::new();
    let pairs: Vec<(usize, usize)> = (0..classes).flat_map(|a| (a + 1..classes).map(move |b| (a, b))).collect();
    for (done, &(a, b)) in pairs.iter().enumerate() {
        let idx: Vec<usize> = (0..x.rows).filter(|&i| y[i] == a || y[i] == b).collect();
        let sub = x.select_rows(&idx);
        // The higher class index is +1 so a binary decision > 0 means class 1 (scikit-learn).
        let labels: Vec<f64> = idx.iter().map(|&i| if y[i] == b { 1.0 } else { -1.0 }).collect();
        let (alpha, rho, iterations) = smo(&sub, &labels, c, kernel, max_iter);
        let sv: Vec<usize> = (0..idx.len()).filter(|&i| alpha[i] > 0.0).collect();
        machines.push(BinarySvm {
            positive: b,
            negative: a,
            support_vectors: sub.select_rows(&sv),
            coef: sv.iter().map(|&i| alpha[i] * labels[i]).collect(),
            rho,
            iterations,
        });
        progress(done + 1, pairs.len());
    }
    Svm { classes, kernel, machines }
}

/// Rows of `Q_ij = y_i y_j K(x_i, x_j)` computed on demand and kept (f32, as libsvm)
/// within [`CACHE_FLOATS`]; the oldest row is dropped when full.
struct KernelCache<'a> {
    x: &'a Matrix,
    y: &'a [f64],
    kernel: Kernel,
    norms: Vec<f64>,
    rows: Vec<Option<std::rc::Rc<[f32]>>>,
    order: std::collections::VecDeque<usize>,
    capacity: usize,
}

impl KernelCache<'_> {
    fn row(&mut self, i: usize) -> std::rc::Rc<[f32]> {
        if let Some(r) = &self.rows[i] {
            return r.clone();
        }
        let n = self.x.rows;
        let xi = self.x.row(i);
        let yi = self.y[i];
        let r: std::rc::Rc<[f32]> = match self.kernel {
            // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b: one dot product per entry.
            Kernel::Rbf { gamma } => (0..n)
                .map(|j| {
                    let d2 = (self.norms[i] + self.norms[j] - 2.0 * dot(xi, self.x.row(j))).max(0.0);
                    (yi * self.y[j] * (-gamma * d2).exp()) as f32
                })
                .collect(),
            k => (0..n).map(|j| (yi * self.y[j] * k.eval(xi, self.x.row(j))) as f32).collect(),
        };
        if self.order.len() >= self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.rows[old] = None;
        }
        self.rows[i] = Some(r.clone());
        self.order.push_back(i);
        r
    }
}

fn smo(x: &Matrix, y: &[f64], c: f64, kernel: Kernel, max_iter: usize) -> (Vec<f64>, f64, usize) {
    const EPS: f64 = 1e-3;
    const TAU: f64 = 1e-12;
    let n = x.rows;
    let mut alpha = vec![0.0; n];
    let mut grad = vec![-1.0; n];
    let diag: Vec<f64> = (0..n).map(|i| kernel.eval(x.row(i), x.row(i))).collect();
    let mut cache = KernelCache {
        x,
        y,
        kernel,
        norms: (0..n).map(|i| dot(x.row(i), x.row(i))).collect(),
        rows: vec![None; n],
        order: Default::default(),
        capacity: (CACHE_FLOATS / n.max(1)).max(2),
    };
    let in_up = |a: f64, yi: f64| (yi > 0.0 && a < c) || (yi < 0.0 && a > 0.0);
    let in_low = |a: f64, yi: f64| (yi > 0.0 && a > 0.0) || (yi < 0.0 && a < c);
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        let mut g_max = f64::NEG_INFINITY;
        let mut i_sel = usize::MAX;
        for t in 0..n {
            if in_up(alpha[t], y[t]) && -y[t] * grad[t] >= g_max {
                g_max = -y[t] * grad[t];
                i_sel = t;
            }
        }
        if i_sel == usize::MAX {
            break;
        }
        let qi = cache.row(i_sel);
        let mut g_min = f64::INFINITY;
        let mut j_sel = usize::MAX;
        let mut best = f64::INFINITY;
        for t in 0..n {
            if !in_low(alpha[t], y[t]) {
                continue;
            }
            let v = -y[t] * grad[t];
            g_min = g_min.min(v);
            let b = g_max - v;
            if b > 0.0 {
                let a = diag[i_sel] + diag[t] - 2.0 * y[i_sel] * y[t] * f64::from(qi[t]);
                let a = if a > 0.0 { a } else { TAU };
                if -(b * b) / a <= best {
                    best = -(b * b) / a;
                    j_sel = t;
                }
            }
        }
        if g_max - g_min < EPS || j_sel == usize::MAX {
            break;
        }
        let (i, j) = (i_sel, j_sel);
        let qj = cache.row(j);
        let (old_i, old_j) = (alpha[i], alpha[j]);
        // libsvm's two-variable update with clipping to the box.
        if y[i] != y[j] {
            let quad = (diag[i] + diag[j] + 2.0 * f64::from(qi[j])).max(TAU);
            let delta = (-grad[i] - grad[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > 0.0 {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = c - diff;
                }
            } else if alpha[j] > c {
                alpha[j] = c;
                alpha[i] = c + diff;
            }
        } else {
            let quad = (diag[i] + diag[j] - 2.0 * f64::from(qi[j])).max(TAU);
            let delta = (grad[i] - grad[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > c {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = sum - c;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > c {
                if alpha[j] > c {
                    alpha[j] = c;
                    alpha[i] = sum - c;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (di, dj) = (alpha[i] - old_i, alpha[j] - old_j);
        for t in 0..n {
            grad[t] += f64::from(qi[t]) * di + f64::from(qj[t]) * dj;
        }
    }
    // rho: mean of y·G over free vectors, else the middle of the feasible interval.
    let (mut sum, mut count) = (0.0, 0usize);
    let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
    for t in 0..n {
        let yg = y[t] * grad[t];
        if alpha[t] > 0.0 && alpha[t] < c {
            sum += yg;
            count += 1;
        } else if (alpha[t] >= c && y[t] < 0.0) || (alpha[t] <= 0.0 && y[t] > 0.0) {
            ub = ub.min(yg);
        } else {
            lb = lb.max(yg);
        }
    }
    let rho = if count > 0 { sum / count as f64 } else { (ub + lb) / 2.0 };
    (alpha, rho, iterations)
}

impl BinarySvm {
    /// `Σ coef_k K(sv_k, row) − rho`. For the RBF kernel `sv_norms` (‖sv_k‖², from
    /// [`BinarySvm::sv_norms`]) and `row_norm` turn each distance into one dot product.
    pub fn decision(&self, kernel: &Kernel, row: &[f64], sv_norms: &[f64], row_norm: f64) -> f64 {
        let mut s = -self.rho;
        match *kernel {
            Kernel::Rbf { gamma } => {
                for (k, coef) in self.coef.iter().enumerate() {
                    let d2 = (sv_norms[k] + row_norm - 2.0 * dot(self.support_vectors.row(k), row)).max(0.0);
                    s += coef * (-gamma * d2).exp();
                }
            }
            _ => {
                for (k, coef) in self.coef.iter().enumerate() {
                    s += coef * kernel.eval(self.support_vectors.row(k), row);
                }
            }
        }
        s
    }

    pub fn sv_norms(&self) -> Vec<f64> {
        (0..self.support_vectors.rows).map(|k| dot(self.support_vectors.row(k), self.support_vectors.row(k))).collect()
    }
}

impl Svm {
    /// Per-row class scores: the decision value for two classes ([−d, d]); vote counts
    /// plus a confidence below 1/3 for more (scikit-learn's ovr decision function).
    pub fn scores(&self, x: &Matrix) -> Scores {
        let k = self.classes;
        let mut data = Vec::with_capacity(x.rows * k);
        let norms: Vec<Vec<f64>> = self.machines.iter().map(BinarySvm::sv_norms).collect();
        for i in 0..x.rows {
            let row = x.row(i);
            let row_norm = dot(row, row);
            if k == 2 {
                let d = self.machines[0].decision(&self.kernel, row, &norms[0], row_norm);
                data.extend([-d, d]);
                continue;
            }
            let mut votes = vec![0.0; k];
            let mut confidence = vec![0.0; k];
            for (m, sv_norms) in self.machines.iter().zip(&norms) {
                let d = m.decision(&self.kernel, row, sv_norms, row_norm);
                let winner = if d > 0.0 { m.positive } else { m.negative };
                votes[winner] += 1.0;
                confidence[m.positive] += d;
                confidence[m.negative] -= d;
            }
            for c in 0..k {
                let conf = confidence[c] / (3.0 * (confidence[c].abs() + 1.0));
                data.push(votes[c] + conf);
            }
        }
        Scores { classes: k, data }
    }
}
