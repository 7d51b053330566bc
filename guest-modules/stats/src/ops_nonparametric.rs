//! The `nonparametric` operation: Mann-Whitney U (two independent samples) and the
//! Wilcoxon signed-rank test (paired samples, or one sample against a value).

use serde::Deserialize;
use statbox_sdk::{Input, Output, PluginError, Value, json};

use crate::columns::{finite_values, numeric_columns, require_count, two_independent_samples};
use crate::nonparametric::{mann_whitney, wilcoxon};
use crate::ttest::Alternative;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Test {
    #[default]
    MannWhitney,
    Wilcoxon,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    test: Test,
    column: String,
    #[serde(default)]
    column2: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    popmean: f64,
    #[serde(default)]
    alternative: Alternative,
    #[serde(default = "crate::params::default_alpha")]
    alpha: f64,
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["column"],
        "properties": {
            "test": {"enum": ["mann-whitney", "wilcoxon"], "default": "mann-whitney",
                     "description": "mann-whitney: two independent samples; wilcoxon: column vs column2 row by row, or column vs popmean"},
            "column": {"type": "string"},
            "column2": {"type": "string"},
            "group": {"type": "string", "description": "Mann-Whitney: column whose labels split `column` into two groups"},
            "groups": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
            "popmean": {"type": "number", "default": 0, "description": "Wilcoxon without column2: the value the median is tested against"},
            "alternative": {"enum": ["two-sided", "less", "greater"], "default": "two-sided"},
            "alpha": {"type": "number", "default": 0.05}
        }
    })
}

/// `nonparametric` result: `{"test": "mann-whitney"|"wilcoxon", "method": "exact"|
/// "permutation"|"asymptotic", "alternative", "statistic", "p_value", "alpha",
/// "significant", "samples": [{"name", "n", "median"}]}`.
pub fn run(input: &Input) -> Result<Output, PluginError> {
    let p: Params = input.params()?;
    crate::params::check_probability("alpha", p.alpha)?;
    numeric_columns(input, Some(std::slice::from_ref(&p.column)), "nonparametric")?;
    let (name, result, samples) = match p.test {
        Test::MannWhitney => {
            let (na, a, nb, b) = two_independent_samples(
                input,
                &p.column,
                p.column2.as_deref(),
                p.group.as_deref(),
                p.groups.as_deref(),
                "nonparametric",
                "The Mann-Whitney test",
                "the Mann-Whitney test",
            )?;
            require_count("The Mann-Whitney test", &format!("'{na}'"), a.len(), 1)?;
            require_count("The Mann-Whitney test", &format!("'{nb}'"), b.len(), 1)?;
            let r = mann_whitney(&a, &b, p.alternative);
            ("mann-whitney", r, vec![summary(&na, &a), summary(&nb, &b)])
        }
        Test::Wilcoxon => {
            let (d, samples) = match &p.column2 {
                Some(other) => {
                    numeric_columns(input, Some(std::slice::from_ref(other)), "nonparametric")?;
                    let (a, b): (Vec<f64>, Vec<f64>) = input
                        .data
                        .numeric(&p.column)?
                        .into_iter()
                        .zip(input.data.numeric(other)?)
                        .filter(|(a, b)| a.is_finite() && b.is_finite())
                        .unzip();
                    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
                    (d, vec![summary(&p.column, &a), summary(other, &b)])
                }
                None => {
                    let x = finite_values(input, &p.column)?;
                    (x.iter().map(|v| v - p.popmean).collect(), vec![summary(&p.column, &x)])
                }
            };
            let nonzero = d.iter().filter(|v| **v != 0.0).count();
            require_count("The Wilcoxon test", "non-zero differences", nonzero, 1)?;
            ("wilcoxon", wilcoxon(&d, p.alternative), samples)
        }
    };
    Output::json(&json!({
        "test": name,
        "method": result.method,
        "alternative": p.alternative,
        "statistic": result.statistic,
        "p_value": result.p_value,
        "alpha": p.alpha,
        "significant": result.p_value < p.alpha,
        "samples": samples,
    }))
}

fn summary(name: &str, x: &[f64]) -> Value {
    let mut sorted = x.to_vec();
    crate::sort::sort_floats(&mut sorted);
    let median = if sorted.is_empty() { f64::NAN } else { crate::describe::quantile_sorted(&sorted, 0.5) };
    json!({"name": name, "n": x.len(), "median": median})
}
