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

pub fn correlate(method: Method, x: &[f64], y: &[f64]) -> Correlation {
    match method {
        Method::Pearson => pearson(x, y),
        Method::Spearman => spearman(x, y),
        Method::Kendall => kendall(x, y),
    }
}

fn pearson_r(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    // Constant input: r is undefined (scipy returns nan with a warning).
    let constant = |v: &[f64]| v.iter().all(|&a| a == v[0]);
    if constant(x) || constant(y) {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

pub fn pearson(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len();
    if n < 2 {
        return Correlation { r: None, p: None, n };
    }
    let r = pearson_r(x, y);
    Correlation { r, p: r.map(|r| pearson_p(r, n)), n }
}

pub fn spearman(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len();
    if n < 2 {
        return Correlation { r: None, p: None, n };
    }
    let r = pearson_r(&average_ranks(x), &average_ranks(y));
    let p = r.and_then(|r| {
        let df = n as f64 - 2.0;
        if df <= 0.0 {
            return None;
        }
        let t = r * (df / ((r + 1.0) * (1.0 - r))).max(0.0).sqrt();
        Some(t_two_sided(t, df))
    });
    Correlation { r, p, n }
}

/// Counts pairs i < j with v[i] > v[j] (strictly), sorting `v`.
fn strict_inversions(v: &mut [f64], buf: &mut Vec<f64>) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = strict_inversions(&mut v[..mid], buf) + strict_inversions(&mut v[mid..], buf);
    buf.clear();
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[i] <= v[j] {
            buf.push(v[i]);
            i += 1;
        } else {
            // v[i..mid] are all > v[j].
            count += (mid - i) as u64;
            buf.push(v[j]);
            j += 1;
        }
    }
    buf.extend_from_slice(&v[i..mid]);
    buf.extend_from_slice(&v[j..n]);
    v.copy_from_slice(buf);
    count
}

/// Σ t(t-1)/2, Σ t(t-1)(t-2), Σ t(t-1)(2t+5) over groups of equal values of sorted data.
fn tie_terms(sorted: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (mut t0, mut t1, mut t2) = (0.0, 0.0, 0.0);
    let mut run = 0f64;
    let mut last: Option<f64> = None;
    let mut flush = |run: f64| {
        if run > 1.0 {
            t0 += run * (run - 1.0) / 2.0;
            t1 += run * (run - 1.0) * (run - 2.0);
            t2 += run * (run - 1.0) * (2.0 * run + 5.0);
        }
    };
    for v in sorted {
        if Some(v) == last {
            run += 1.0;
        } else {
            flush(run);
            run = 1.0;
            last = Some(v);
        }
    }
    flush(run);
    (t0, t1, t2)
}

pub fn kendall(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len();
    if n < 2 {
        return Correlation { r: None, p: None, n };
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let (xtie, x0, x1) = tie_terms(idx.iter().map(|&i| x[i]));
    // Joint ties: runs of equal (x, y) in the (x, y)-sorted order.
    let mut ntie = 0.0;
    let mut run = 1.0;
    for w in idx.windows(2) {
        if x[w[0]] == x[w[1]] && y[w[0]] == y[w[1]] {
            run += 1.0;
        } else {
            ntie += run * (run - 1.0) / 2.0;
            run = 1.0;
        }
    }
    ntie += run * (run - 1.0) / 2.0;

    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let dis = strict_inversions(&mut ys, &mut Vec::with_capacity(n)) as f64;
    let (ytie, y0, y1) = tie_terms(ys.iter().copied());

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

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn inversions_are_counted_strictly() {
        let mut v = vec![3.0, 1.0, 2.0, 2.0, 0.0];
        assert_eq!(strict_inversions(&mut v, &mut Vec::new()), 7);
        assert_eq!(v, vec![0.0, 1.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn small_exact_kendall() {
        // scipy.stats.kendalltau([1,2,3,4,5], [2,1,4,3,5]) -> tau 0.6, p 0.2333333333333333
        let c = kendall(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!(close(c.r.unwrap(), 0.6, 1e-12));
        assert!(close(c.p.unwrap(), 0.2333333333333333, 1e-12), "{:?}", c.p);
    }

    #[test]
    fn constant_columns_are_undefined() {
        let c = pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]);
        assert_eq!((c.r, c.p), (None, None));
        assert_eq!(kendall(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).r, None);
    }
}
