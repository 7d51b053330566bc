//! L-BFGS with a backtracking (Armijo) line search, for smooth convex objectives such as
//! penalised logistic regression.

use crate::matrix::dot;

pub struct LbfgsResult {
    pub x: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Minimises `f`, which returns the value and writes the gradient. Stops when the largest
/// gradient component is below `gtol` (scipy's `pgtol`, as scikit-learn uses it) or after
/// `max_iter` iterations.
pub fn lbfgs(mut f: impl FnMut(&[f64], &mut [f64]) -> f64, x0: Vec<f64>, max_iter: usize, gtol: f64) -> LbfgsResult {
    const MEMORY: usize = 10;
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho_hist: Vec<f64> = Vec::new();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for iter in 0..max_iter {
        if g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < gtol {
            return LbfgsResult { x, iterations: iter, converged: true };
        }
        // Two-loop recursion: d = −H g.
        let mut q = g.clone();
        let mut alphas = vec![0.0; s_hist.len()];
        for k in (0..s_hist.len()).rev() {
            alphas[k] = rho_hist[k] * dot(&s_hist[k], &q);
            for (qi, yi) in q.iter_mut().zip(&y_hist[k]) {
                *qi -= alphas[k] * yi;
            }
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / g.iter().map(|v| v.abs()).sum::<f64>().max(1.0),
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for k in 0..s_hist.len() {
            let beta = rho_hist[k] * dot(&y_hist[k], &q);
            for (qi, si) in q.iter_mut().zip(&s_hist[k]) {
                *qi += (alphas[k] - beta) * si;
            }
        }
        let mut d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (curvature lost to rounding): restart from steepest descent.
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
        }
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            let f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                let sy = dot(&s, &y);
                if sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
                    if s_hist.len() == MEMORY {
                        s_hist.remove(0);
                        y_hist.remove(0);
                        rho_hist.remove(0);
                    }
                    s_hist.push(s);
                    y_hist.push(y);
                    rho_hist.push(1.0 / sy);
                }
                let improvement = fx - f_new;
                std::mem::swap(&mut x, &mut x_new);
                std::mem::swap(&mut g, &mut g_new);
                fx = f_new;
                accepted = true;
                // scipy's factr criterion: a relative decrease at machine precision.
                if improvement <= f64::EPSILON * 10.0 * fx.abs().max(improvement.abs()).max(1.0) {
                    return LbfgsResult { x, iterations: iter + 1, converged: true };
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return LbfgsResult { x, iterations: iter + 1, converged: true };
        }
    }
    let converged = g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < gtol;
    LbfgsResult { x, iterations: max_iter, converged }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_quadratic() {
        let r = lbfgs(
            |x, g| {
                g[0] = 2.0 * (x[0] - 3.0);
                g[1] = 20.0 * (x[1] + 1.0);
                (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
            },
            vec![0.0, 0.0],
            100,
            1e-10,
        );
        assert!(r.converged);
        assert!((r.x[0] - 3.0).abs() < 1e-8 && (r.x[1] + 1.0).abs() < 1e-8);
    }
}
