//! The `anova` operation: one-way ANOVA and Kruskal-Wallis across the groups of a column.

use serde::Deserialize;
use statbox_sdk::{Input, Output, PluginError, Value, json};

use crate::anova::{kruskal, one_way};
use crate::columns::split_by_group;
use crate::ttest::{mean, var};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    column: String,
    group: String,
    #[serde(default = "crate::params::default_alpha")]
    alpha: f64,
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["column", "group"],
        "properties": {
            "column": {"type": "string", "description": "Numeric column compared across groups"},
            "group": {"type": "string", "description": "Column whose labels define the groups"},
            "alpha": {"type": "number", "default": 0.05, "description": "Significance level of the verdicts"}
        }
    })
}

/// `anova` result: `{"column", "group", "groups": [{"name", "n", "mean", "std", "median"}],
/// "anova": {"f", "df_between", "df_within", "p_value", "eta_squared", "significant"},
/// "kruskal": {"h", "df", "p_value", "significant"}, "alpha", "warnings"}`.
pub fn run(input: &Input) -> Result<Output, PluginError> {
    let p: Params = input.params()?;
    crate::params::check_probability("alpha", p.alpha)?;
    crate::columns::numeric_columns(input, Some(std::slice::from_ref(&p.column)), "anova")?;
    let mut warnings = Vec::new();
    let mut groups = split_by_group(input, &p.column, &p.group)?;
    let empty: Vec<String> = groups.iter().filter(|(_, v)| v.is_empty()).map(|(l, _)| format!("'{l}'")).collect();
    if !empty.is_empty() {
        warnings.push(format!("Group(s) {} have no values of '{}' and were left out", empty.join(", "), p.column));
    }
    groups.retain(|(_, v)| !v.is_empty());
    if groups.len() < 2 {
        return Err(PluginError::invalid_data(format!(
            "ANOVA needs at least 2 groups with values; '{}' has {}",
            p.group,
            groups.len()
        )));
    }
    let total: usize = groups.iter().map(|(_, v)| v.len()).sum();
    if total <= groups.len() {
        return Err(PluginError::invalid_data(format!(
            "ANOVA needs more values than groups: {total} values in {} groups",
            groups.len()
        )));
    }
    let small: Vec<String> = groups.iter().filter(|(_, v)| v.len() < 2).map(|(l, _)| format!("'{l}'")).collect();
    if !small.is_empty() {
        warnings.push(format!("Group(s) {} have a single value", small.join(", ")));
    }
    let slices: Vec<&[f64]> = groups.iter().map(|(_, v)| v.as_slice()).collect();
    let a = one_way(&slices);
    let k = kruskal(&slices);
    let summaries: Vec<Value> = groups
        .iter()
        .map(|(name, v)| {
            let mut sorted = v.clone();
            crate::sort::sort_floats(&mut sorted);
            json!({
                "name": name,
                "n": v.len(),
                "mean": mean(v),
                "std": if v.len() > 1 { var(v).sqrt() } else { f64::NAN },
                "median": crate::describe::quantile_sorted(&sorted, 0.5),
            })
        })
        .collect();
    Output::json(&json!({
        "column": p.column,
        "group": p.group,
        "groups": summaries,
        "anova": {
            "f": a.f, "df_between": a.df_between, "df_within": a.df_within, "p_value": a.p_value,
            "eta_squared": a.eta_squared, "significant": a.p_value < p.alpha,
        },
        "kruskal": {"h": k.h, "df": k.df, "p_value": k.p_value, "significant": k.p_value < p.alpha},
        "alpha": p.alpha,
        "warnings": warnings,
    }))
}
