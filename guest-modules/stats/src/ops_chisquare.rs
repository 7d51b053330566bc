//! The `chisquare` operation: independence of two categorical columns, or goodness of fit
//! of one column to given proportions.

use std::collections::BTreeMap;

use serde::Deserialize;
use statbox_sdk::{Input, Output, PluginError, Value, json};

use crate::chisquare::{goodness_of_fit, independence};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Independence: the two categorical columns.
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    /// Goodness of fit: the column and the expected proportions per label.
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    proportions: Option<BTreeMap<String, f64>>,
    #[serde(default = "default_true")]
    correction: bool,
    #[serde(default = "crate::params::default_alpha")]
    alpha: f64,
}

fn default_true() -> bool {
    true
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "x": {"type": "string", "description": "Independence test: first categorical column"},
            "y": {"type": "string", "description": "Independence test: second categorical column"},
            "column": {"type": "string", "description": "Goodness of fit: the categorical column"},
            "proportions": {"type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
                            "description": "Goodness of fit: expected share of each label (normalised; default: equal)"},
            "correction": {"type": "boolean", "default": true, "description": "Yates' continuity correction for 2x2 tables"},
            "alpha": {"type": "number", "default": 0.05}
        }
    })
}

/// `chisquare` result, independence: `{"test": "independence", "x", "y", "rows": [labels],
/// "columns": [labels], "observed": [[..]], "expected": [[..]], "statistic", "dof", "p_value",
/// "cramers_v", "significant", "alpha", "correction", "warnings"}`; goodness of fit:
/// `{"test": "goodness-of-fit", "column", "categories": [{"label", "observed", "expected"}],
/// "statistic", "dof", "p_value", "significant", "alpha", "warnings"}`.
pub fn run(input: &Input) -> Result<Output, PluginError> {
    let p: Params = input.params()?;
    crate::params::check_probability("alpha", p.alpha)?;
    match (&p.x, &p.y, &p.column) {
        (Some(x), Some(y), None) => independence_test(input, x, y, &p),
        (None, None, Some(column)) => fit_test(input, column, &p),
        _ => Err(PluginError::invalid_params(
            "Give x and y (two categorical columns) for a test of independence, or column (and optionally proportions) for goodness of fit",
        )),
    }
}

fn independence_test(input: &Input, x: &str, y: &str, p: &Params) -> Result<Output, PluginError> {
    let a = input.data.categorical(x)?;
    let b = input.data.categorical(y)?;
    let mut table = vec![vec![0.0; b.labels.len()]; a.labels.len()];
    for (ca, cb) in a.codes.iter().zip(&b.codes) {
        if let (Some(i), Some(j)) = (ca, cb) {
            table[*i as usize][*j as usize] += 1.0;
        }
    }
    // Labels seen only on rows where the other column is missing leave empty lines.
    let keep_rows: Vec<usize> = (0..table.len()).filter(|&i| table[i].iter().sum::<f64>() > 0.0).collect();
    let keep_cols: Vec<usize> =
        (0..b.labels.len()).filter(|&j| table.iter().map(|r| r[j]).sum::<f64>() > 0.0).collect();
    if keep_rows.len() < 2 || keep_cols.len() < 2 {
        return Err(PluginError::invalid_data(format!(
            "A test of independence needs at least 2 categories in each column; '{x}' has {}, '{y}' has {}",
            keep_rows.len(),
            keep_cols.len()
        )));
    }
    let observed: Vec<Vec<f64>> = keep_rows.iter().map(|&i| keep_cols.iter().map(|&j| table[i][j]).collect()).collect();
    let r = independence(&observed, p.correction);
    let mut warnings = Vec::new();
    if r.low_expected > 0 {
        warnings.push(format!(
            "{} of {} cells have an expected count below 5; the chi-squared approximation may be poor",
            r.low_expected,
            observed.len() * observed[0].len()
        ));
    }
    Output::json(&json!({
        "test": "independence",
        "x": x,
        "y": y,
        "rows": keep_rows.iter().map(|&i| &a.labels[i]).collect::<Vec<_>>(),
        "columns": keep_cols.iter().map(|&j| &b.labels[j]).collect::<Vec<_>>(),
        "observed": observed,
        "expected": r.expected,
        "statistic": r.statistic,
        "dof": r.dof,
        "p_value": r.p_value,
        "cramers_v": r.cramers_v,
        "significant": r.p_value < p.alpha,
        "alpha": p.alpha,
        "correction": p.correction && r.dof == 1,
        "warnings": warnings,
    }))
}

fn fit_test(input: &Input, column: &str, p: &Params) -> Result<Output, PluginError> {
    let c = input.data.categorical(column)?;
    let mut counts = vec![0.0; c.labels.len()];
    for code in c.codes.iter().flatten() {
        counts[*code as usize] += 1.0;
    }
    let n: f64 = counts.iter().sum();
    if c.labels.len() < 2 {
        return Err(PluginError::invalid_data(format!(
            "Goodness of fit needs at least 2 categories; '{column}' has {}",
            c.labels.len()
        )));
    }
    let weights: Vec<f64> = match &p.proportions {
        None => vec![1.0; c.labels.len()],
        Some(map) => {
            let unknown: Vec<&String> = map.keys().filter(|k| !c.labels.contains(k)).collect();
            if !unknown.is_empty() {
                return Err(PluginError::not_found(format!(
                    "proportions name labels not in '{column}': {:?}. Labels: {}",
                    unknown,
                    c.labels.join(", ")
                )));
            }
            let missing: Vec<&String> = c.labels.iter().filter(|l| !map.contains_key(*l)).collect();
            if !missing.is_empty() {
                return Err(PluginError::invalid_params(format!(
                    "proportions must give every label of '{column}'; missing: {missing:?}"
                )));
            }
            if let Some((k, v)) = map.iter().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
                return Err(PluginError::invalid_params(format!("proportion of '{k}' must be positive, got {v}")));
            }
            c.labels.iter().map(|l| map[l]).collect()
        }
    };
    let total: f64 = weights.iter().sum();
    let expected: Vec<f64> = weights.iter().map(|w| w / total * n).collect();
    let (stat, pv) = goodness_of_fit(&counts, &expected);
    let low = expected.iter().filter(|e| **e < 5.0).count();
    let warnings: Vec<String> = if low > 0 {
        vec![format!("{low} categories have an expected count below 5; the chi-squared approximation may be poor")]
    } else {
        Vec::new()
    };
    let categories: Vec<Value> = c
        .labels
        .iter()
        .zip(counts.iter().zip(&expected))
        .map(|(l, (o, e))| json!({"label": l, "observed": o, "expected": e}))
        .collect();
    Output::json(&json!({
        "test": "goodness-of-fit",
        "column": column,
        "categories": categories,
        "statistic": stat,
        "dof": c.labels.len() - 1,
        "p_value": pv,
        "significant": pv < p.alpha,
        "alpha": p.alpha,
        "warnings": warnings,
    }))
}
