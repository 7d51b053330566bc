//! Mann-Whitney U and Wilcoxon signed-rank tests, with scipy's `method="auto"` choices:
//!
//! - Mann-Whitney (`scipy.stats.mannwhitneyu`): exact null distribution when either sample
//!   has at most 8 values and there are no ties; otherwise the normal approximation with
//!   tie correction and continuity correction.
//! - Wilcoxon (`scipy.stats.wilcoxon`, zeros dropped, no continuity correction): exact
//!   when n ≤ 50 with no ties and no zeros; with ties or zeros and n ≤ 13, the exact
//!   permutation distribution over all 2^n sign flips (what scipy's permutation test
//!   enumerates); otherwise the normal approximation with tie correction.

use crate::distributions::normal_sf;
use crate::ranks::{average_ranks, tie_groups};
use crate::ttest::Alternative;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankTest {
    /// U of the first sample (Mann-Whitney); min(W+, W-) two-sided or W+ one-sided
    /// (Wilcoxon), as scipy reports them.
    pub statistic: f64,
    pub p_value: f64,
    /// "exact", "permutation" or "asymptotic".
    pub method: &'static str,
}

/// Counts of U = 0..=n1*n2 over all C(n1+n2, n1) arrangements: the coefficients of the
/// Gaussian binomial [n1+n2 choose n1]_q.
fn mwu_counts(n1: usize, n2: usize) -> Vec<f64> {
    let max = n1 * n2;
    let mut c = vec![0.0; max + 1];
    c[0] = 1.0;
    for i in 1..=n1 {
        let s = n2 + i;
        for k in (s..=max).rev() {
            c[k] -= c[k - s];
        }
        for k in i..=max {
            c[k] += c[k - i];
        }
    }
    c
}

pub fn mann_whitney(x: &[f64], y: &[f64], alt: Alternative) -> RankTest {
    let (n1, n2) = (x.len(), y.len());
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let ranks = average_ranks(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let (u, factor) = match alt {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let ties = tie_groups(&all);
    let (p, method) = if (n1 > 8 && n2 > 8) || !ties.is_empty() {
        let n = (n1 + n2) as f64;
        let tie_term: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
        let s = ((n1 * n2) as f64 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let z = (u - (n1 * n2) as f64 / 2.0 - 0.5) / s;
        (normal_sf(z), "asymptotic")
    } else {
        let counts = mwu_counts(n1, n2);
        let total: f64 = counts.iter().sum();
        let from = u.round() as usize;
        (counts[from.min(counts.len())..].iter().sum::<f64>() / total, "exact")
    };
    RankTest { statistic: u1, p_value: (p * factor).clamp(0.0, 1.0), method }
}

/// Wilcoxon signed-rank test of the differences `d` (x - y, or one sample against 0).
pub fn wilcoxon(d: &[f64], alt: Alternative) -> RankTest {
    let total_len = d.len();
    let zeros = d.iter().filter(|v| **v == 0.0).count();
    let nz: Vec<f64> = d.iter().copied().filter(|v| *v != 0.0).collect();
    let count = nz.len();
    let abs: Vec<f64> = nz.iter().map(|v| v.abs()).collect();
    let ranks = average_ranks(&abs);
    let r_plus: f64 = nz.iter().zip(&ranks).filter(|(v, _)| **v > 0.0).map(|(_, r)| r).sum();
    let r_minus: f64 = nz.iter().zip(&ranks).filter(|(v, _)| **v < 0.0).map(|(_, r)| r).sum();
    let ties = tie_groups(&abs);
    let statistic = if alt == Alternative::TwoSided { r_plus.min(r_minus) } else { r_plus };

    let asymptotic = || {
        let c = count as f64;
        let mn = c * (c + 1.0) * 0.25;
        let tie_correct: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
        let se = ((c * (c + 1.0) * (2.0 * c + 1.0) - tie_correct / 2.0) / 24.0).sqrt();
        let z = (r_plus - mn) / se;
        match alt {
            Alternative::TwoSided => (2.0 * normal_sf(z.abs())).min(1.0),
            Alternative::Greater => normal_sf(z),
            Alternative::Less => normal_sf(-z),
        }
    };
    let (p, method) = if total_len > 50 {
        (asymptotic(), "asymptotic")
    } else if ties.is_empty() && zeros == 0 {
        // Counts of W+ = 0..=n(n+1)/2 over the 2^n sign patterns.
        let max = count * (count + 1) / 2;
        let mut c = vec![0.0; max + 1];
        c[0] = 1.0;
        for i in 1..=count {
            for k in (i..=max).rev() {
                c[k] += c[k - i];
            }
        }
        let total: f64 = c.iter().sum();
        let cdf = |k: f64| c[..=(k.ceil() as usize).min(max)].iter().sum::<f64>() / total;
        let sf = |k: f64| c[(k.floor() as usize).min(max + 1)..].iter().sum::<f64>() / total;
        let p = match alt {
            Alternative::Less => cdf(r_plus),
            Alternative::Greater => sf(r_plus),
            Alternative::TwoSided => (2.0 * sf(r_plus).min(cdf(r_plus))).min(1.0),
        };
        (p, "exact")
    } else if total_len <= 13 {
        // Every sign flip of the non-zero differences; zeros contribute to neither sum.
        let gamma = (f64::EPSILON * r_plus).abs();
        let (mut le, mut ge, mut n) = (0u32, 0u32, 0u32);
        for mask in 0u32..(1 << count) {
            let w: f64 = ranks.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| r).sum();
            le += u32::from(w <= r_plus + gamma);
            ge += u32::from(w >= r_plus - gamma);
            n += 1;
        }
        // Zeros double the patterns without changing W+.
        let (less, greater) = (f64::from(le) / f64::from(n), f64::from(ge) / f64::from(n));
        let p = match alt {
            Alternative::Less => less,
            Alternative::Greater => greater,
            Alternative::TwoSided => (2.0 * less.min(greater)).min(1.0),
        };
        (p, "permutation")
    } else {
        (asymptotic(), "asymptotic")
    };
    RankTest { statistic, p_value: p, method }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::close;

    const REL: f64 = 1e-10;

    #[test]
    fn matches_scipy() {
        // scipy.stats.mannwhitneyu([1.2, 3.4, 2.2, 5.1], [4.4, 6.1, 5.5, 7.2, 3.9])
        let r = mann_whitney(&[1.2, 3.4, 2.2, 5.1], &[4.4, 6.1, 5.5, 7.2, 3.9], Alternative::TwoSided);
        assert_eq!((r.statistic, r.method), (2.0, "exact"));
        assert!(close(r.p_value, 0.06349206349206349, REL), "{}", r.p_value);
        // scipy.stats.wilcoxon([0.5, -1.2, 2.3, 3.1, 1.7, -0.4, 2.8, 1.1])
        let w = wilcoxon(&[0.5, -1.2, 2.3, 3.1, 1.7, -0.4, 2.8, 1.1], Alternative::TwoSided);
        assert_eq!((w.statistic, w.method), (5.0, "exact"));
        assert!(close(w.p_value, 0.078125, REL), "{}", w.p_value);
    }
}
