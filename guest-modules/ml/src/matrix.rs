//! A dense row-major matrix of f64 and the few linear-algebra routines the models need.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn from_rows(rows: &[Vec<f64>]) -> Self {
        let cols = rows.first().map_or(0, Vec::len);
        Matrix { rows: rows.len(), cols, data: rows.iter().flatten().copied().collect() }
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    #[inline]
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// The rows at `indices`, in that order (repeats allowed).
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix { rows: indices.len(), cols: self.cols, data }
    }

    /// Column `j` as a vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows).map(|i| self.get(i, j)).collect()
    }

    /// Per-column means.
    pub fn column_means(&self) -> Vec<f64> {
        let mut m = vec![0.0; self.cols];
        for i in 0..self.rows {
            for (acc, x) in m.iter_mut().zip(self.row(i)) {
                *acc += x;
            }
        }
        let n = self.rows.max(1) as f64;
        m.iter_mut().for_each(|v| *v /= n);
        m
    }
}

/// Dot product with four independent partial sums, so the compiler can vectorise it (a
/// single running sum forces one addition at a time).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let chunks = n / 4;
    for c in 0..chunks {
        for l in 0..4 {
            acc[l] += a[c * 4 + l] * b[c * 4 + l];
        }
    }
    let mut tail = 0.0;
    for i in chunks * 4..n {
        tail += a[i] * b[i];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// [`dot`] for f32, eight partial sums.
#[inline]
pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let chunks = n / 8;
    for c in 0..chunks {
        for l in 0..8 {
            acc[l] += a[c * 8 + l] * b[c * 8 + l];
        }
    }
    let mut tail = 0.0;
    for i in chunks * 8..n {
        tail += a[i] * b[i];
    }
    acc.iter().sum::<f32>() + tail
}

/// Solves `A x = b` for a symmetric positive-definite `A` (n×n, row-major) by Cholesky.
/// `None` when a pivot falls below `rel_pivot` times its diagonal entry: `A` is singular,
/// or too ill-conditioned for the accuracy the caller needs.
pub fn cholesky_solve(a: &[f64], b: &[f64], n: usize, rel_pivot: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                // Relative pivot check: a pivot lost to rounding means a singular matrix.
                if s <= a[i * n + i].abs() * rel_pivot || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * n + i];
    }
    Some(x)
}

/// `(XᵀX + ridge·I, Xᵀy)` from the columns of `x`: one vectorised dot product per entry.
pub fn gram(x: &Matrix, y: &[f64], ridge: f64) -> (Vec<f64>, Vec<f64>) {
    let p = x.cols;
    let cols: Vec<Vec<f64>> = (0..p).map(|j| x.column(j)).collect();
    let mut g = vec![0.0; p * p];
    for a in 0..p {
        for b in 0..=a {
            let v = dot(&cols[a], &cols[b]);
            g[a * p + b] = v;
            g[b * p + a] = v;
        }
        g[a * p + a] += ridge;
    }
    let xty = cols.iter().map(|c| dot(c, y)).collect();
    (g, xty)
}

/// Least squares `min ||X w - y||` by Householder QR with column pivoting; columns whose
/// pivot is below `rcond` times the largest get weight 0 (a minimum-rank solution, close
/// to numpy's `lstsq` on rank-deficient designs such as duplicated polynomial terms).
pub fn least_squares(x: &Matrix, y: &[f64]) -> Vec<f64> {
    let (m, n) = (x.rows, x.cols);
    // Column-major copy: Householder works on columns.
    let mut a: Vec<Vec<f64>> = (0..n).map(|j| x.column(j)).collect();
    let mut b = y.to_vec();
    let mut perm: Vec<usize> = (0..n).collect();
    let mut norms: Vec<f64> = a.iter().map(|c| dot(c, c)).collect();
    let steps = m.min(n);
    let mut rank = 0;
    let mut r_diag = vec![0.0; steps];
    let mut first_pivot = 0.0;
    for k in 0..steps {
        let (p, _) =
            norms.iter().enumerate().skip(k).fold((k, -1.0), |best, (j, &v)| if v > best.1 { (j, v) } else { best });
        a.swap(k, p);
        norms.swap(k, p);
        perm.swap(k, p);
        let col = &mut a[k];
        let alpha = col[k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if k == 0 {
            first_pivot = alpha;
        }
        if alpha <= first_pivot * 1e-10 || alpha == 0.0 {
            break;
        }
        let sign = if col[k] >= 0.0 { 1.0 } else { -1.0 };
        let mut v: Vec<f64> = col[k..].to_vec();
        v[0] += sign * alpha;
        let vnorm2 = dot(&v, &v);
        r_diag[k] = -sign * alpha;
        rank = k + 1;
        for c in a.iter_mut().skip(k) {
            let s = 2.0 * dot(&v, &c[k..]) / vnorm2;
            for (ci, vi) in c[k..].iter_mut().zip(&v) {
                *ci -= s * vi;
            }
        }
        let s = 2.0 * dot(&v, &b[k..]) / vnorm2;
        for (bi, vi) in b[k..].iter_mut().zip(&v) {
            *bi -= s * vi;
        }
        for (j, norm) in norms.iter_mut().enumerate().skip(k + 1) {
            *norm = a[j][k + 1..].iter().map(|v| v * v).sum();
        }
    }
    let mut w_perm = vec![0.0; n];
    for i in (0..rank).rev() {
        let mut s = b[i];
        for j in i + 1..rank {
            s -= a[j][i] * w_perm[j];
        }
        w_perm[i] = s / r_diag[i];
    }
    let mut w = vec![0.0; n];
    for (k, &j) in perm.iter().enumerate() {
        w[j] = w_perm[k];
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_exact_coefficients() {
        let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 1.0], vec![0.0, 5.0], vec![2.0, 2.0]]);
        let y: Vec<f64> = (0..4).map(|i| 2.0 * x.get(i, 0) - 3.0 * x.get(i, 1)).collect();
        let w = least_squares(&x, &y);
        assert!((w[0] - 2.0).abs() < 1e-12 && (w[1] + 3.0).abs() < 1e-12, "{w:?}");
    }

    #[test]
    fn cholesky_solves_spd_and_refuses_singular() {
        let x = cholesky_solve(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0], 2, 1e-12).unwrap();
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!(cholesky_solve(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0], 2, 1e-12).is_none());
    }
}
