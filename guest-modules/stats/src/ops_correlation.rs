//! The `correlation` operation.

use serde::{Deserialize, Serialize};
use statbox_sdk::{Input, Output, PluginError, Value, json};

use crate::correlation::{Method, correlate, correlate_prepared, prepare, strength};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Each pair uses the rows where both values are present (pandas' `DataFrame.corr`).
    #[default]
    Pairwise,
    /// Only rows where every selected column is present.
    Drop,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    columns: Option<Vec<String>>,
    #[serde(default)]
    method: Method,
    #[serde(default)]
    missing: Missing,
    #[serde(default = "crate::params::default_alpha")]
    alpha: f64,
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "columns": {"type": "array", "items": {"type": "string"}, "minItems": 2,
                        "description": "Numeric columns to correlate (default: all numeric columns)"},
            "method": {"enum": Method::ALL, "default": "pearson",
                       "description": "pearson (linear), spearman (rank, monotonic) or kendall (tau-b, rank)"},
            "missing": {"enum": ["pairwise", "drop"], "default": "pairwise",
                        "description": "pairwise: each pair uses rows where both are present; drop: only rows complete in every column"},
            "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.05,
                      "description": "Significance level for the list of significant pairs"}
        }
    })
}

#[derive(Serialize, Clone)]
struct Pair {
    x: String,
    y: String,
    r: Option<f64>,
    p: Option<f64>,
    n: usize,
    strength: Option<&'static str>,
    direction: Option<&'static str>,
    significant: bool,
}

/// `correlation` result: `{"method", "missing", "alpha", "columns", "matrix" (r, null where
/// undefined), "p_values", "n", "pairs" (sorted by |r|, strongest first), "significant_pairs",
/// "strongest", "warnings"}`. Strength of |r|: < 0.2 very weak, < 0.4 weak, < 0.6
/// moderate, < 0.8 strong, else very strong.
pub fn run(input: &Input) -> Result<Output, PluginError> {
    let p: Params = input.params()?;
    crate::params::check_probability("alpha", p.alpha)?;
    let names = crate::columns::numeric_columns(input, p.columns.as_deref(), "correlation")?;
    if names.len() < 2 {
        return Err(PluginError::invalid_data(format!(
            "correlation needs at least 2 numeric columns, got {}{}",
            names.len(),
            if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) }
        )));
    }
    let mut warnings = Vec::new();
    let mut data: Vec<Vec<f64>> = Vec::with_capacity(names.len());
    for name in &names {
        let mut v = input.data.numeric(name)?;
        let inf = v.iter().filter(|x| x.is_infinite()).count();
        if inf > 0 {
            warnings.push(format!("Column '{name}': {inf} infinite value(s) were treated as missing"));
            v.iter_mut().filter(|x| x.is_infinite()).for_each(|x| *x = f64::NAN);
        }
        data.push(v);
    }
    if p.missing == Missing::Drop {
        let rows = data[0].len();
        let keep: Vec<bool> = (0..rows).map(|r| data.iter().all(|c| !c[r].is_nan())).collect();
        let dropped = keep.iter().filter(|k| !**k).count();
        if dropped > 0 {
            warnings.push(format!("{dropped} row(s) with a missing value were dropped"));
        }
        for c in &mut data {
            *c = c.iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect();
        }
    }

    let k = names.len();
    let mut matrix = vec![vec![None; k]; k];
    let mut p_values = vec![vec![None; k]; k];
    let mut counts = vec![vec![0usize; k]; k];
    let mut pairs = Vec::new();
    let total = (k * (k - 1) / 2) as u64;
    // Columns without gaps are ranked / centred once and shared by all their pairs.
    let prepared: Vec<_> = data.iter().map(|c| c.iter().all(|v| !v.is_nan()).then(|| prepare(p.method, c))).collect();
    for i in 0..k {
        let present = data[i].iter().filter(|v| !v.is_nan()).count();
        counts[i][i] = present;
        let constant = {
            let mut vals = data[i].iter().filter(|v| !v.is_nan());
            let first = vals.next();
            first.is_none() || vals.all(|v| Some(v) == first)
        };
        matrix[i][i] = (!constant).then_some(1.0);
        if constant {
            warnings.push(format!("Column '{}' is constant; its correlations are undefined", names[i]));
        }
        for j in (i + 1)..k {
            statbox_sdk::progress(pairs.len() as u64, total, &format!("{} ~ {}", names[i], names[j]));
            let c = match (&prepared[i], &prepared[j]) {
                (Some(a), Some(b)) => correlate_prepared(p.method, a, b),
                _ => {
                    let (x, y): (Vec<f64>, Vec<f64>) = data[i]
                        .iter()
                        .zip(&data[j])
                        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                        .map(|(a, b)| (*a, *b))
                        .unzip();
                    correlate(p.method, &x, &y)
                }
            };
            if c.n < 3 {
                warnings.push(format!(
                    "'{}' and '{}' share only {} complete row(s); at least 3 are needed for a p-value",
                    names[i], names[j], c.n
                ));
            }
            matrix[i][j] = c.r;
            matrix[j][i] = c.r;
            p_values[i][j] = c.p;
            p_values[j][i] = c.p;
            counts[i][j] = c.n;
            counts[j][i] = c.n;
            pairs.push(Pair {
                x: names[i].clone(),
                y: names[j].clone(),
                r: c.r,
                p: c.p,
                n: c.n,
                strength: c.r.map(strength),
                direction: c.r.map(|r| {
                    if r > 0.0 {
                        "positive"
                    } else if r < 0.0 {
                        "negative"
                    } else {
                        "none"
                    }
                }),
                significant: c.p.is_some_and(|pv| pv < p.alpha),
            });
        }
    }
    statbox_sdk::progress(total, total, "done");
    pairs.sort_by(|a, b| {
        let key = |p: &Pair| p.r.map_or(-1.0, f64::abs);
        key(b).total_cmp(&key(a))
    });
    let significant: Vec<Pair> = pairs.iter().filter(|p| p.significant).cloned().collect();
    let strongest = pairs.iter().find(|p| p.r.is_some()).cloned();
    let title = format!("{} correlation", capitalise(method_name(p.method)));
    let svg = crate::svg::heatmap(&title, &names, &matrix);
    Ok(Output::json(&json!({
        "method": p.method,
        "missing": p.missing,
        "alpha": p.alpha,
        "columns": names,
        "matrix": matrix,
        "p_values": p_values,
        "n": counts,
        "pairs": pairs,
        "significant_pairs": significant,
        "strongest": strongest,
        "warnings": warnings,
    }))?
    .with_figure(title, svg))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Pearson => "pearson",
        Method::Spearman => "spearman",
        Method::Kendall => "kendall",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
