//! Hyperparameters checked against `[models.hyperparameters.<type>]` in the configuration
//! before a plugin runs: unknown names and out-of-range values are refused with the
//! allowed names or range in the message.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::params::ParamError;

/// One hyperparameter's declaration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HyperSpec {
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Whole numbers only.
    #[serde(default)]
    pub integer: bool,
    /// Random search draws log-uniformly.
    #[serde(default)]
    pub log: bool,
    #[serde(default)]
    pub choices: Option<Vec<String>>,
    /// Values `tune` tries on a grid when no space is given.
    #[serde(default)]
    pub search: Option<Vec<Value>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Model type → hyperparameter name → declaration.
pub type HyperTable = BTreeMap<String, BTreeMap<String, HyperSpec>>;

impl HyperSpec {
    fn range_text(&self) -> String {
        match (self.min, self.max, &self.choices) {
            (_, _, Some(c)) => format!("one of {}", c.join(", ")),
            (Some(lo), Some(hi), _) => format!("between {lo} and {hi}"),
            (Some(lo), None, _) => format!("at least {lo}"),
            (None, Some(hi), _) => format!("at most {hi}"),
            _ => "any value".into(),
        }
    }

    fn check(&self, model: &str, name: &str, value: &Value) -> Result<(), ParamError> {
        let bad = || {
            ParamError(format!(
                "Hyperparameter '{name}' of {model} must be {}{}, got {value}",
                if self.integer { "a whole number " } else { "" },
                self.range_text()
            ))
        };
        match value {
            Value::Number(n) => {
                let x = n.as_f64().ok_or_else(bad)?;
                if self.integer && x.fract() != 0.0 {
                    return Err(bad());
                }
                if self.min.is_some_and(|lo| x < lo) || self.max.is_some_and(|hi| x > hi) {
                    return Err(bad());
                }
                if self.choices.is_some() {
                    return Err(bad());
                }
            }
            Value::String(s) => {
                if let Some(choices) = &self.choices
                    && !choices.iter().any(|c| c == s)
                {
                    return Err(bad());
                }
                // A range with no choices: numbers only, unless the plugin accepts words
                // too (gamma="scale"); those specs declare no range.
                if self.choices.is_none() && (self.min.is_some() || self.max.is_some()) {
                    return Err(bad());
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.check(model, name, item)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Checks `given` for `model` (when the table declares it); returns it unchanged.
pub fn check(table: &HyperTable, model: &str, given: &Map<String, Value>) -> Result<(), ParamError> {
    let Some(specs) = table.get(model) else { return Ok(()) };
    for (name, value) in given {
        let Some(spec) = specs.get(name) else {
            let allowed: Vec<&str> = specs.keys().map(String::as_str).collect();
            return Err(ParamError(format!(
                "Unknown hyperparameter '{name}' for {model}. Allowed: {}",
                if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
            )));
        };
        spec.check(model, name, value)?;
    }
    Ok(())
}

/// `given` plus the configured `default` of every hyperparameter it leaves out, so an
/// operator's defaults in the config are the ones that train.
pub fn with_defaults(table: &HyperTable, model: &str, given: &Map<String, Value>) -> Map<String, Value> {
    let mut out = given.clone();
    if let Some(specs) = table.get(model) {
        for (name, spec) in specs {
            if let Some(d) = &spec.default {
                out.entry(name.clone()).or_insert_with(|| d.clone());
            }
        }
    }
    out
}

/// The search space `tune` uses when none is given: each declared `search` list.
pub fn default_space(table: &HyperTable, model: &str) -> Map<String, Value> {
    table
        .get(model)
        .map(|specs| specs.iter().filter_map(|(name, s)| s.search.as_ref().map(|v| (name.clone(), json!(v)))).collect())
        .unwrap_or_default()
}

/// Checks every value of a search space, so no candidate escapes the configured ranges.
pub fn check_space(table: &HyperTable, model: &str, space: &Map<String, Value>) -> Result<(), ParamError> {
    let Some(specs) = table.get(model) else { return Ok(()) };
    for (name, dim) in space {
        let Some(spec) = specs.get(name) else {
            return check(table, model, &Map::from_iter([(name.clone(), Value::Null)]));
        };
        match dim {
            Value::Array(values) => {
                for v in values {
                    spec.check(model, name, v)?;
                }
            }
            Value::Object(range) => {
                for bound in ["min", "max"] {
                    if let Some(v) = range.get(bound) {
                        spec.check(model, name, v)?;
                    }
                }
            }
            other => spec.check(model, name, other)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> HyperTable {
        let toml = r#"
[random_forest]
n_estimators = { default = 100, min = 10, max = 500, integer = true, search = [50, 100] }
max_features = {}
[svm]
kernel = { choices = ["linear", "rbf"] }
"#;
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn names_and_ranges_are_enforced() {
        let t = table();
        let given = |v: Value| v.as_object().unwrap().clone();
        assert!(check(&t, "random_forest", &given(json!({"n_estimators": 200, "max_features": "sqrt"}))).is_ok());
        assert_eq!(
            check(&t, "random_forest", &given(json!({"n_estimators": 5000}))).unwrap_err().0,
            "Hyperparameter 'n_estimators' of random_forest must be a whole number between 10 and 500, got 5000"
        );
        assert_eq!(
            check(&t, "random_forest", &given(json!({"n_trees": 5}))).unwrap_err().0,
            "Unknown hyperparameter 'n_trees' for random_forest. Allowed: max_features, n_estimators"
        );
        assert!(check(&t, "svm", &given(json!({"kernel": "cubic"}))).unwrap_err().0.contains("one of linear, rbf"));
        assert_eq!(default_space(&t, "random_forest"), given(json!({"n_estimators": [50, 100]})));
        assert_eq!(
            with_defaults(&t, "random_forest", &given(json!({"max_features": "sqrt"}))),
            given(json!({"n_estimators": 100, "max_features": "sqrt"}))
        );
        assert!(check_space(&t, "random_forest", &given(json!({"n_estimators": {"min": 1, "max": 50}}))).is_err());
    }
}
