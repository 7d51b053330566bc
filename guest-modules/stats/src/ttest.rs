//! Student's and Welch's t-tests as scipy computes them (`ttest_1samp`, `ttest_ind`,
//! `ttest_rel`), with Cohen's d and the confidence interval of the mean difference.

use serde::Serialize;

use crate::distributions::{t_isf, t_sf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    #[default]
    TwoSided,
    Less,
    Greater,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    /// Estimated difference: mean - popmean, mean1 - mean2, or mean of differences.
    pub difference: f64,
    pub standard_error: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub cohens_d: f64,
}

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance, ddof = 1.
pub fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

fn p_value(t: f64, df: f64, alt: Alternative) -> f64 {
    match alt {
        Alternative::TwoSided => (2.0 * t_sf(t.abs(), df)).min(1.0),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    }
}

fn interval(diff: f64, se: f64, df: f64, alt: Alternative, level: f64) -> (f64, f64) {
    match alt {
        Alternative::TwoSided => {
            let q = t_isf((1.0 - level) / 2.0, df);
            (diff - q * se, diff + q * se)
        }
        Alternative::Less => (f64::NEG_INFINITY, diff + t_isf(1.0 - level, df) * se),
        Alternative::Greater => (diff - t_isf(1.0 - level, df) * se, f64::INFINITY),
    }
}

/// t, p, interval and effect size from the estimated difference, its standard error and
/// degrees of freedom; `sd` scales Cohen's d, `ci_shift` moves the interval (one-sample:
/// onto the mean itself).
fn test_result(diff: f64, se: f64, df: f64, sd: f64, ci_shift: f64, alt: Alternative, level: f64) -> TTest {
    let t = diff / se;
    let (ci_low, ci_high) = interval(diff + ci_shift, se, df, alt, level);
    TTest {
        statistic: t,
        df,
        p_value: p_value(t, df, alt),
        difference: diff,
        standard_error: se,
        ci_low,
        ci_high,
        cohens_d: diff / sd,
    }
}

/// One-sample t-test of mean(x) = popmean. Needs at least 2 values. The interval is of
/// the mean itself, as scipy's `confidence_interval()` gives it.
pub fn one_sample(x: &[f64], popmean: f64, alt: Alternative, level: f64) -> TTest {
    let n = x.len() as f64;
    let diff = mean(x) - popmean;
    let sd = var(x).sqrt();
    let se = sd / n.sqrt();
    test_result(diff, se, n - 1.0, sd, popmean, alt, level)
}

/// Two independent samples: Student's test (`equal_var`) or Welch's. Cohen's d uses the
/// pooled standard deviation in both cases.
pub fn independent(a: &[f64], b: &[f64], equal_var: bool, alt: Alternative, level: f64) -> TTest {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (v1, v2) = (var(a), var(b));
    let diff = mean(a) - mean(b);
    let pooled = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0);
    let (se, df) = if equal_var {
        ((pooled * (1.0 / n1 + 1.0 / n2)).sqrt(), n1 + n2 - 2.0)
    } else {
        let (q1, q2) = (v1 / n1, v2 / n2);
        ((q1 + q2).sqrt(), (q1 + q2).powi(2) / (q1 * q1 / (n1 - 1.0) + q2 * q2 / (n2 - 1.0)))
    };
    test_result(diff, se, df, pooled.sqrt(), 0.0, alt, level)
}

/// Paired samples: the one-sample test of the differences a - b against 0 (Cohen's d_z).
pub fn paired(a: &[f64], b: &[f64], alt: Alternative, level: f64) -> TTest {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    one_sample(&d, 0.0, alt, level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::close;

    #[test]
    fn matches_scipy() {
        let a = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3];
        let b = [4.1, 4.5, 5.0, 4.8, 4.2, 4.9];
        // scipy.stats.ttest_ind(a, b, equal_var=False)
        let w = independent(&a, &b, false, Alternative::TwoSided, 0.95);
        assert!(close(w.statistic, 4.0403159754187845, 1e-12), "{}", w.statistic);
        assert!(close(w.df, 10.94308265104855, 1e-12), "{}", w.df);
        assert!(close(w.p_value, 0.0019677572913089467, 1e-9), "{}", w.p_value);
        // scipy .confidence_interval(0.95)
        assert!(close(w.ci_low, 0.43648585377236016, 1e-9), "{}", w.ci_low);
        assert!(close(w.ci_high, 1.4825617652752592, 1e-9), "{}", w.ci_high);
    }
}
