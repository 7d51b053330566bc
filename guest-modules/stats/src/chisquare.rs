//! Chi-squared tests as scipy computes them: independence on a contingency table
//! (`chi2_contingency`, Yates' correction when dof = 1 unless disabled) with Cramér's V
//! (`contingency.association`, from the uncorrected statistic), and goodness of fit
//! (`chisquare`).

use crate::distributions::chi2_sf;

#[derive(Debug, Clone, PartialEq)]
pub struct Independence {
    pub statistic: f64,
    pub dof: usize,
    pub p_value: f64,
    pub expected: Vec<Vec<f64>>,
    pub cramers_v: f64,
    /// Cells whose expected count is below 5.
    pub low_expected: usize,
}

/// Expected counts under independence: row total × column total / n.
fn expected_counts(table: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64) {
    let n: f64 = table.iter().flatten().sum();
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..table[0].len()).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    (rows.iter().map(|ri| cols.iter().map(|cj| ri * cj / n).collect()).collect(), n)
}

fn statistic(observed: &[Vec<f64>], expected: &[Vec<f64>]) -> f64 {
    observed.iter().flatten().zip(expected.iter().flatten()).map(|(o, e)| (o - e) * (o - e) / e).sum()
}

/// Test of independence of a contingency table with at least 2 rows and 2 columns and no
/// empty row or column.
pub fn independence(table: &[Vec<f64>], correction: bool) -> Independence {
    let (expected, n) = expected_counts(table);
    let (r, c) = (table.len(), table[0].len());
    let dof = (r - 1) * (c - 1);
    let uncorrected = statistic(table, &expected);
    let stat = if dof == 1 && correction {
        let adjusted: Vec<Vec<f64>> = table
            .iter()
            .zip(&expected)
            .map(|(orow, erow)| {
                orow.iter()
                    .zip(erow)
                    .map(|(o, e)| {
                        let diff = e - o;
                        o + diff.signum() * diff.abs().min(0.5) * f64::from(u8::from(diff != 0.0))
                    })
                    .collect()
            })
            .collect();
        statistic(&adjusted, &expected)
    } else {
        uncorrected
    };
    let low_expected = expected.iter().flatten().filter(|e| **e < 5.0).count();
    let k = (r.min(c) - 1) as f64;
    Independence {
        statistic: stat,
        dof,
        p_value: chi2_sf(stat, dof as f64),
        expected,
        cramers_v: (uncorrected / (n * k)).sqrt(),
        low_expected,
    }
}

/// Goodness of fit of observed counts to expected counts (same total).
pub fn goodness_of_fit(observed: &[f64], expected: &[f64]) -> (f64, f64) {
    let stat: f64 = observed.iter().zip(expected).map(|(o, e)| (o - e) * (o - e) / e).sum();
    (stat, chi2_sf(stat, observed.len() as f64 - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::close;

    const REL: f64 = 1e-10;

    #[test]
    fn matches_scipy() {
        // scipy.stats.chi2_contingency([[12, 5], [7, 14]])
        let t = independence(&[vec![12.0, 5.0], vec![7.0, 14.0]], true);
        assert_eq!(t.dof, 1);
        assert!(close(t.statistic, 3.831932773109244, REL), "{}", t.statistic);
        assert!(close(t.p_value, 0.05028491606049412, REL), "{}", t.p_value);
        // scipy.stats.chisquare([18, 22, 20, 40], [25, 25, 25, 25])
        let (s, p) = goodness_of_fit(&[18.0, 22.0, 20.0, 40.0], &[25.0; 4]);
        assert!(close(s, 12.32, REL) && close(p, 0.006363629995195269, REL), "{s} {p}");
    }
}
