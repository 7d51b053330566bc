//! Linear regression family: ordinary least squares, ridge (closed form), lasso and
//! elastic net (cyclic coordinate descent, scikit-learn's objective), and polynomial
//! features followed by least squares. All fit an unpenalised intercept by centring.

use serde::{Deserialize, Serialize};

use crate::matrix::{Matrix, cholesky_solve, dot, gram, least_squares};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Coordinate-descent sweeps used (lasso / elastic net), for the result.
    #[serde(default)]
    pub iterations: Option<usize>,
}

impl LinearModel {
    pub fn predict(&self, x: &Matrix) -> Vec<f64> {
        (0..x.rows).map(|i| dot(x.row(i), &self.coef) + self.intercept).collect()
    }
}

fn centred(x: &Matrix, y: &[f64]) -> (Matrix, Vec<f64>, Vec<f64>, f64) {
    let means = x.column_means();
    let y_mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
    let mut xc = x.clone();
    for i in 0..xc.rows {
        for (v, m) in xc.row_mut(i).iter_mut().zip(&means) {
            *v -= m;
        }
    }
    let yc = y.iter().map(|v| v - y_mean).collect();
    (xc, yc, means, y_mean)
}

fn with_intercept(coef: Vec<f64>, means: &[f64], y_mean: f64, iterations: Option<usize>) -> LinearModel {
    let intercept = y_mean - dot(&coef, means);
    LinearModel { coef, intercept, iterations }
}

/// `LinearRegression()`: the normal equations by Cholesky when the design is well
/// conditioned (every column keeps over 1e-6 of its variance after projecting out the
/// others, so the squared condition costs at most ~6 of 16 digits), else least squares by
/// pivoted QR (rank-deficient designs get a minimum-rank solution instead of failing).
pub fn fit_ols(x: &Matrix, y: &[f64]) -> LinearModel {
    let (xc, yc, means, y_mean) = centred(x, y);
    let (g, xty) = gram(&xc, &yc, 0.0);
    let coef = cholesky_solve(&g, &xty, xc.cols, 1e-6).unwrap_or_else(|| least_squares(&xc, &yc));
    with_intercept(coef, &means, y_mean, None)
}

/// `Ridge(alpha)`: `(XᵀX + αI) w = Xᵀy` on centred data, as scikit-learn's cholesky solver.
pub fn fit_ridge(x: &Matrix, y: &[f64], alpha: f64) -> LinearModel {
    let (xc, yc, means, y_mean) = centred(x, y);
    let (g, xty) = gram(&xc, &yc, alpha);
    let coef = cholesky_solve(&g, &xty, xc.cols, 1e-12).unwrap_or_else(|| least_squares(&xc, &yc));
    with_intercept(coef, &means, y_mean, None)
}

/// `ElasticNet(alpha, l1_ratio)` (lasso is `l1_ratio = 1`): minimises
/// `1/(2n)·‖y − Xw‖² + α·ρ·‖w‖₁ + α·(1−ρ)/2·‖w‖²` by cyclic coordinate descent with
/// scikit-learn's stopping rule: when the largest coefficient change is below `tol` times
/// the largest coefficient, the duality gap is checked and must be below `tol·‖y‖²`.
pub fn fit_elastic_net(x: &Matrix, y: &[f64], alpha: f64, l1_ratio: f64, max_iter: usize, tol: f64) -> LinearModel {
    let (xc, yc, means, y_mean) = centred(x, y);
    let (n, p) = (xc.rows, xc.cols);
    let cols: Vec<Vec<f64>> = (0..p).map(|j| xc.column(j)).collect();
    let norms: Vec<f64> = cols.iter().map(|c| dot(c, c)).collect();
    let l1 = alpha * l1_ratio * n as f64;
    let l2 = alpha * (1.0 - l1_ratio) * n as f64;
    let mut w = vec![0.0; p];
    let mut resid = yc.clone();
    let gap_tol = tol * dot(&yc, &yc);
    let mut sweeps = 0;
    for it in 0..max_iter {
        sweeps += 1;
        let (mut max_change, mut max_w) = (0.0f64, 0.0f64);
        for j in 0..p {
            if norms[j] == 0.0 {
                continue;
            }
            let old = w[j];
            let rho = dot(&cols[j], &resid) + norms[j] * old;
            let new = soft_threshold(rho, l1) / (norms[j] + l2);
            if new != old {
                let d = new - old;
                for (r, xv) in resid.iter_mut().zip(&cols[j]) {
                    *r -= d * xv;
                }
                w[j] = new;
            }
            max_change = max_change.max((new - old).abs());
            max_w = max_w.max(new.abs());
        }
        let settled = max_w == 0.0 || max_change / max_w < tol || it + 1 == max_iter;
        if settled && duality_gap(&cols, &resid, &yc, &w, l1, l2) < gap_tol {
            break;
        }
    }
    with_intercept(w, &means, y_mean, Some(sweeps))
}

/// The elastic-net duality gap (scikit-learn's `enet_coordinate_descent`).
fn duality_gap(cols: &[Vec<f64>], resid: &[f64], y: &[f64], w: &[f64], l1: f64, l2: f64) -> f64 {
    let dual_norm = cols.iter().zip(w).map(|(c, wj)| (dot(c, resid) - l2 * wj).abs()).fold(0.0, f64::max);
    let r_norm2 = dot(resid, resid);
    let w_norm2 = dot(w, w);
    let (constant, mut gap) = if dual_norm > l1 {
        let c = l1 / dual_norm;
        (c, 0.5 * (r_norm2 + r_norm2 * c * c))
    } else {
        (1.0, r_norm2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    gap += l1 * l1_norm - constant * dot(resid, y) + 0.5 * l2 * (1.0 + constant * constant) * w_norm2;
    gap
}

fn soft_threshold(v: f64, t: f64) -> f64 {
    if v > t {
        v - t
    } else if v < -t {
        v + t
    } else {
        0.0
    }
}

/// `PolynomialFeatures(degree, include_bias=False)` followed by least squares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolynomialModel {
    pub degree: usize,
    pub n_features: usize,
    pub linear: LinearModel,
}

impl PolynomialModel {
    pub fn fit(x: &Matrix, y: &[f64], degree: usize) -> PolynomialModel {
        let expanded = expand(x, degree);
        PolynomialModel { degree, n_features: x.cols, linear: fit_ols(&expanded, y) }
    }

    pub fn predict(&self, x: &Matrix) -> Vec<f64> {
        self.linear.predict(&expand(x, self.degree))
    }
}

/// The monomials of degree 1..=degree in scikit-learn's order: for each degree, the
/// combinations with replacement of feature indices in lexicographic order.
pub fn monomials(n_features: usize, degree: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for d in 1..=degree {
        let mut combo = vec![0usize; d];
        loop {
            out.push(combo.clone());
            // Next combination with replacement.
            let mut k = d;
            while k > 0 && combo[k - 1] == n_features - 1 {
                k -= 1;
            }
            if k == 0 {
                break;
            }
            combo[k - 1] += 1;
            let v = combo[k - 1];
            for c in combo.iter_mut().skip(k) {
                *c = v;
            }
        }
    }
    out
}

/// Number of polynomial terms without building them (for limits checks).
pub fn monomial_count(n_features: usize, degree: usize) -> usize {
    // Σ_{d=1..degree} C(n + d − 1, d)
    let mut total = 0usize;
    for d in 1..=degree {
        let mut c: u128 = 1;
        for i in 0..d {
            c = c * (n_features + i) as u128 / (i + 1) as u128;
        }
        total = total.saturating_add(c.min(usize::MAX as u128) as usize);
    }
    total
}

fn expand(x: &Matrix, degree: usize) -> Matrix {
    if x.cols == 0 {
        return x.clone();
    }
    let terms = monomials(x.cols, degree);
    let mut out = Matrix::zeros(x.rows, terms.len());
    for i in 0..x.rows {
        let r = x.row(i);
        let o = out.row_mut(i);
        for (t, term) in terms.iter().enumerate() {
            o[t] = term.iter().map(|&j| r[j]).product();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monomials_follow_sklearn_order() {
        let m = monomials(2, 2);
        assert_eq!(m, vec![vec![0], vec![1], vec![0, 0], vec![0, 1], vec![1, 1]]);
        assert_eq!(monomial_count(2, 2), 5);
        assert_eq!(monomial_count(10, 3), monomials(10, 3).len());
    }

    #[test]
    fn lasso_zeroes_a_useless_feature() {
        let x = Matrix::from_rows(&(0..50).map(|i| vec![i as f64, ((i * 7) % 11) as f64]).collect::<Vec<_>>());
        let y: Vec<f64> = (0..50).map(|i| 3.0 * i as f64).collect();
        let m = fit_elastic_net(&x, &y, 1.0, 1.0, 1000, 1e-6);
        assert_eq!(m.coef[1], 0.0);
        assert!((m.coef[0] - 3.0).abs() < 0.01, "{:?}", m.coef);
    }
}
