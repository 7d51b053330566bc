//! The `ttest` operation.

use serde::Deserialize;
use statbox_sdk::{Input, Output, PluginError, Value, json};

use crate::columns::{finite_values, require_count, two_independent_samples};
use crate::ttest::{self, Alternative};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Test {
    OneSample,
    #[default]
    Independent,
    Paired,
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
    equal_var: bool,
    #[serde(default)]
    alternative: Alternative,
    #[serde(default = "crate::params::default_confidence")]
    confidence: f64,
    #[serde(default = "crate::params::default_alpha")]
    alpha: f64,
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["column"],
        "properties": {
            "test": {"enum": ["one-sample", "independent", "paired"], "default": "independent",
                     "description": "one-sample: mean of column vs popmean; independent: two groups; paired: column vs column2 row by row"},
            "column": {"type": "string", "description": "Numeric column tested"},
            "column2": {"type": "string", "description": "Second numeric column (paired, or independent samples from two columns)"},
            "group": {"type": "string", "description": "Column whose labels split `column` into two independent groups"},
            "groups": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                       "description": "The two labels of `group` to compare, when it has more than two"},
            "popmean": {"type": "number", "default": 0, "description": "Hypothesised mean (one-sample)"},
            "equal_var": {"type": "boolean", "default": false, "description": "Student's test (true) or Welch's (false, default)"},
            "alternative": {"enum": ["two-sided", "less", "greater"], "default": "two-sided"},
            "confidence": {"type": "number", "default": 0.95, "description": "Level of the confidence interval"},
            "alpha": {"type": "number", "default": 0.05, "description": "Significance level for the verdict"}
        }
    })
}

/// |d| < 0.2 negligible, < 0.5 small, < 0.8 medium, else large (Cohen's conventions).
fn effect_size(d: f64) -> &'static str {
    match d.abs() {
        a if a < 0.2 => "negligible",
        a if a < 0.5 => "small",
        a if a < 0.8 => "medium",
        _ => "large",
    }
}

fn sample(name: &str, x: &[f64]) -> Value {
    json!({"name": name, "n": x.len(), "mean": ttest::mean(x), "std": if x.len() > 1 { ttest::var(x).sqrt() } else { f64::NAN }})
}

/// `ttest` result: `{"test": "one-sample"|"student"|"welch"|"paired", "alternative",
/// "statistic", "df", "p_value", "alpha", "significant", "mean_difference",
/// "standard_error", "confidence", "ci": [low, high] — of the mean for one-sample, of the
/// mean difference otherwise (null for an infinite end of a one-sided interval),
/// "cohens_d", "effect_size", "samples": [{"name", "n", "mean", "std"}], "popmean"}`.
pub fn run(input: &Input) -> Result<Output, PluginError> {
    let p: Params = input.params()?;
    crate::params::check_probability("confidence", p.confidence)?;
    crate::params::check_probability("alpha", p.alpha)?;
    crate::columns::numeric_columns(input, Some(std::slice::from_ref(&p.column)), "ttest")?;
    let what = "The t-test";
    let (kind, result, samples) = match p.test {
        Test::OneSample => {
            let x = finite_values(input, &p.column)?;
            require_count(what, &format!("'{}'", p.column), x.len(), 2)?;
            let r = ttest::one_sample(&x, p.popmean, p.alternative, p.confidence);
            ("one-sample", r, vec![sample(&p.column, &x)])
        }
        Test::Paired => {
            let other = p.column2.as_deref().ok_or_else(|| {
                PluginError::invalid_params("A paired t-test needs column2: the second measurement of each row")
            })?;
            crate::columns::numeric_columns(input, Some(&[other.to_string()]), "ttest")?;
            let (a, b): (Vec<f64>, Vec<f64>) = input
                .data
                .numeric(&p.column)?
                .into_iter()
                .zip(input.data.numeric(other)?)
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .unzip();
            require_count(what, "complete pairs", a.len(), 2)?;
            let r = ttest::paired(&a, &b, p.alternative, p.confidence);
            ("paired", r, vec![sample(&p.column, &a), sample(other, &b)])
        }
        Test::Independent => {
            let (na, a, nb, b) = two_independent_samples(
                input,
                &p.column,
                p.column2.as_deref(),
                p.group.as_deref(),
                p.groups.as_deref(),
                "ttest",
                "An independent t-test",
                "a t-test",
            )?;
            require_count(what, &format!("'{na}'"), a.len(), 2)?;
            require_count(what, &format!("'{nb}'"), b.len(), 2)?;
            let r = ttest::independent(&a, &b, p.equal_var, p.alternative, p.confidence);
            (if p.equal_var { "student" } else { "welch" }, r, vec![sample(&na, &a), sample(&nb, &b)])
        }
    };
    Output::json(&json!({
        "test": kind,
        "alternative": p.alternative,
        "statistic": result.statistic,
        "df": result.df,
        "p_value": result.p_value,
        "alpha": p.alpha,
        "significant": result.p_value < p.alpha,
        "mean_difference": result.difference,
        "standard_error": result.standard_error,
        "confidence": p.confidence,
        "ci": [result.ci_low, result.ci_high],
        "cohens_d": result.cohens_d,
        "effect_size": effect_size(result.cohens_d),
        "samples": samples,
        "popmean": (p.test == Test::OneSample).then_some(p.popmean),
    }))
}
