//! One-way ANOVA (scipy.stats.f_oneway) and the Kruskal-Wallis H test (scipy.stats.kruskal,
//! tie-corrected).

use crate::distributions::{chi2_sf, f_sf};
use crate::ranks::{average_ranks, tie_groups};
use crate::ttest::mean;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anova {
    pub f: f64,
    pub df_between: f64,
    pub df_within: f64,
    pub p_value: f64,
    /// SS_between / SS_total.
    pub eta_squared: f64,
}

/// One-way ANOVA over groups (each non-empty; at least two groups).
pub fn one_way(groups: &[&[f64]]) -> Anova {
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let k = groups.len() as f64;
    let grand = mean(&all);
    let ss_between: f64 = groups.iter().map(|g| g.len() as f64 * (mean(g) - grand).powi(2)).sum();
    let ss_within: f64 = groups
        .iter()
        .map(|g| {
            let m = mean(g);
            g.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
        })
        .sum();
    let (dfb, dfw) = (k - 1.0, n - k);
    let f = (ss_between / dfb) / (ss_within / dfw);
    let p = if f.is_nan() { f64::NAN } else { f_sf(f, dfb, dfw) };
    let total = ss_between + ss_within;
    Anova {
        f,
        df_between: dfb,
        df_within: dfw,
        p_value: p,
        eta_squared: if total > 0.0 { ss_between / total } else { f64::NAN },
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kruskal {
    pub h: f64,
    pub df: f64,
    pub p_value: f64,
}

/// Kruskal-Wallis H over groups, with scipy's tie correction.
pub fn kruskal(groups: &[&[f64]]) -> Kruskal {
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let ranks = average_ranks(&all);
    let mut start = 0;
    let mut sum = 0.0;
    for g in groups {
        let r: f64 = ranks[start..start + g.len()].iter().sum();
        sum += r * r / g.len() as f64;
        start += g.len();
    }
    let mut h = 12.0 / (n * (n + 1.0)) * sum - 3.0 * (n + 1.0);
    let ties: f64 = tie_groups(&all).iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
    let correction = 1.0 - ties / (n.powi(3) - n);
    h /= correction;
    let df = groups.len() as f64 - 1.0;
    Kruskal { h, df, p_value: if h.is_nan() { f64::NAN } else { chi2_sf(h, df) } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::close;

    const REL: f64 = 1e-10;

    #[test]
    fn matches_scipy() {
        let a: &[f64] = &[4.2, 4.8, 5.1, 4.9];
        let b: &[f64] = &[5.9, 6.1, 5.5, 6.3, 5.8];
        let c: &[f64] = &[4.9, 5.2, 5.0];
        // scipy.stats.f_oneway(a, b, c), scipy.stats.kruskal(a, b, c)
        let an = one_way(&[a, b, c]);
        assert!(close(an.f, 17.40584040092523, REL), "{}", an.f);
        assert!(close(an.p_value, 0.0008071173359175559, REL), "{}", an.p_value);
        let kw = kruskal(&[a, b, c]);
        assert!(close(kw.h, 8.656871345029245, REL), "{}", kw.h);
        assert!(close(kw.p_value, 0.013188161966225473, REL), "{}", kw.p_value);
    }
}
