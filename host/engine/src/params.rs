//! Template parameters: declaration and validation, before anything runs.
//!
//! Values may arrive typed (JSON from `--params` or an API) or as text (`--param k=v`, a
//! chat message); text is coerced to the declared type. Column names are checked against
//! the table and matched case-insensitively.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use statbox_runtime::ColumnInfo;

/// The type of a template parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    String,
    Integer,
    Number,
    Boolean,
    /// One of `choices`.
    Choice,
    /// One column name of the table.
    Column,
    /// A list of column names of the table.
    Columns,
    /// A list of strings; each one of `choices` when those are given.
    Strings,
    /// Positive numbers by label: a JSON object, or text like `north:2, south:1`.
    Weights,
    /// A JSON object, or text: JSON, or `key=value` pairs separated by commas or spaces
    /// (`C=0.5 kernel=linear`); each value is read as JSON when it parses, else as text.
    Object,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub choices: Option<Vec<String>>,
}

/// A parameter problem, phrased for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

impl ParamSpec {
    /// An optional parameter with no default, range or choices.
    pub fn new(name: &str, kind: ParamKind) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            kind,
            description: String::new(),
            required: false,
            default: None,
            min: None,
            max: None,
            choices: None,
        }
    }

    /// Checks the declaration itself (at template load).
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.kind == ParamKind::Choice && self.choices.as_ref().is_none_or(|c| c.is_empty()) {
            return Err("type 'choice' needs a non-empty 'choices' list".into());
        }
        if let Some(d) = &self.default {
            self.coerce(d.clone(), &[]).map_err(|e| format!("default: {e}"))?;
        }
        Ok(())
    }

    /// One-line usage, e.g. `missing=drop|mean|median (default drop)`.
    pub fn usage(&self) -> String {
        let ty = match (self.kind, &self.choices) {
            (ParamKind::Choice, Some(c)) => c.join("|"),
            (k, _) => format!("{k:?}").to_lowercase(),
        };
        let mut s = format!("{}=<{ty}>", self.name);
        if let (Some(lo), Some(hi)) = (self.min, self.max) {
            s.push_str(&format!(" in [{lo}, {hi}]"));
        }
        if self.required {
            s.push_str(" (required)");
        } else if let Some(d) = &self.default {
            s.push_str(&format!(" (default {})", compact(d)));
        }
        s
    }

    fn coerce(&self, value: Value, columns: &[ColumnInfo]) -> Result<Value, ParamError> {
        let name = &self.name;
        let bad = |what: &str| ParamError(format!("Parameter '{name}' must be {what}, got {}", compact(&value)));
        let v = match self.kind {
            ParamKind::String => match &value {
                Value::String(_) => value.clone(),
                Value::Number(n) => Value::String(n.to_string()),
                _ => return Err(bad("text")),
            },
            ParamKind::Integer => {
                let n = match &value {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| bad("a whole number"))?;
                self.check_range(n as f64)?;
                Value::from(n)
            }
            ParamKind::Number => {
                let n = match &value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
                    _ => None,
                }
                .ok_or_else(|| bad("a number"))?;
                self.check_range(n)?;
                Value::from(n)
            }
            ParamKind::Boolean => match &value {
                Value::Bool(_) => value.clone(),
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" | "on" => Value::Bool(true),
                    "false" | "no" | "0" | "off" => Value::Bool(false),
                    _ => return Err(bad("true or false")),
                },
                _ => return Err(bad("true or false")),
            },
            ParamKind::Choice => {
                let choices = self.choices.as_deref().unwrap_or(&[]);
                let s = value.as_str().ok_or_else(|| bad(&format!("one of {}", choices.join(", "))))?;
                let hit = choices.iter().find(|c| c.eq_ignore_ascii_case(s.trim()));
                Value::String(
                    hit.ok_or_else(|| {
                        ParamError(format!("Parameter '{name}' must be one of {}, got '{s}'", choices.join(", ")))
                    })?
                    .clone(),
                )
            }
            ParamKind::Column => {
                let s = value.as_str().ok_or_else(|| bad("a column name"))?;
                Value::String(resolve_column(s, columns)?)
            }
            ParamKind::Weights => {
                let pairs: Vec<(String, Value)> = match &value {
                    Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    Value::String(s) => s
                        .split(',')
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| {
                            let (k, v) =
                                p.rsplit_once(':').ok_or_else(|| bad("label:weight pairs like north:2, south:1"))?;
                            Ok((k.trim().to_string(), Value::String(v.trim().to_string())))
                        })
                        .collect::<Result<_, ParamError>>()?,
                    _ => return Err(bad("label:weight pairs like north:2, south:1")),
                };
                let mut out = Map::new();
                for (k, v) in pairs {
                    let w = match &v {
                        Value::Number(n) => n.as_f64(),
                        Value::String(s) => s.parse::<f64>().ok(),
                        _ => None,
                    }
                    .filter(|w| w.is_finite() && *w > 0.0)
                    .ok_or_else(|| {
                        ParamError(format!("Parameter '{name}': weight of '{k}' must be a positive number"))
                    })?;
                    out.insert(k, Value::from(w));
                }
                Value::Object(out)
            }
            ParamKind::Object => match &value {
                Value::Object(_) => value.clone(),
                Value::String(s) if s.trim().starts_with('{') => serde_json::from_str::<Map<String, Value>>(s)
                    .map(Value::Object)
                    .map_err(|e| ParamError(format!("Parameter '{name}' is not a valid JSON object: {e}")))?,
                Value::String(s) => {
                    Value::Object(parse_pairs(s).map_err(|e| ParamError(format!("Parameter '{name}': {e}")))?)
                }
                _ => return Err(bad("an object like {\"C\": 0.5} or C=0.5")),
            },
            ParamKind::Columns | ParamKind::Strings => {
                let items: Vec<String> = match &value {
                    Value::String(s) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(|s| s.trim().to_string()).ok_or_else(|| bad("a list of names")))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(bad("a list of names")),
                };
                let items = match (self.kind, self.choices.as_deref()) {
                    (ParamKind::Columns, _) => resolve_columns(&items, columns)?,
                    (_, Some(choices)) => items
                        .iter()
                        .map(|item| {
                            choices.iter().find(|c| c.eq_ignore_ascii_case(item)).cloned().ok_or_else(|| {
                                ParamError(format!("Parameter '{name}': '{item}' is not one of {}", choices.join(", ")))
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    _ => items,
                };
                Value::from(items)
            }
        };
        Ok(v)
    }

    fn check_range(&self, n: f64) -> Result<(), ParamError> {
        let below = self.min.is_some_and(|lo| n < lo);
        let above = self.max.is_some_and(|hi| n > hi);
        if below || above {
            let range = match (self.min, self.max) {
                (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                (Some(lo), None) => format!("at least {lo}"),
                (None, Some(hi)) => format!("at most {hi}"),
                (None, None) => unreachable!("checked above"),
            };
            return Err(ParamError(format!("Parameter '{}' must be {range}, got {n}", self.name)));
        }
        Ok(())
    }
}

/// `a=1, b=[64,32] c=linear` → {"a": 1, "b": [64, 32], "c": "linear"}. Pairs are split
/// on commas and spaces outside brackets.
pub fn parse_pairs(text: &str) -> Result<Map<String, Value>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut cur) = (0i32, String::new());
    for ch in text.chars() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            _ => {}
        }
        if (ch == ',' || ch.is_whitespace()) && depth == 0 {
            if !cur.trim().is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            cur.clear();
        } else {
            cur.push(ch);
        }
    }
    if !cur.trim().is_empty() {
        parts.push(cur);
    }
    let mut out = Map::new();
    for part in parts {
        let (k, v) = part.split_once('=').ok_or_else(|| format!("'{part}' is not key=value"))?;
        let v = v.trim();
        let value = serde_json::from_str::<Value>(v).unwrap_or_else(|_| Value::String(v.to_string()));
        out.insert(k.trim().to_string(), value);
    }
    Ok(out)
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 { format!("{}…", &s[..s.char_indices().nth(60).map_or(s.len(), |(i, _)| i)]) } else { s }
}

/// The table's spelling of `name`: exact, else the unique case-insensitive match.
fn match_column(name: &str, columns: &[ColumnInfo]) -> Option<String> {
    if columns.iter().any(|c| c.name == name) {
        return Some(name.to_string());
    }
    let folded: Vec<&ColumnInfo> = columns.iter().filter(|c| c.name.eq_ignore_ascii_case(name)).collect();
    (folded.len() == 1).then(|| folded[0].name.clone())
}

/// The closest column name, if one is close enough to be a likely typo.
fn closest_column<'a>(name: &str, columns: &'a [ColumnInfo]) -> Option<&'a str> {
    columns
        .iter()
        .map(|c| (edit_distance(&c.name.to_lowercase(), &name.to_lowercase()), c.name.as_str()))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Resolves column names against the table (exact, else case-insensitive). Every name
/// that does not resolve is reported at once:
/// "Columns not found: ['proft']. Did you mean 'profit'? Available: sales, profit".
pub fn resolve_columns(names: &[String], columns: &[ColumnInfo]) -> Result<Vec<String>, ParamError> {
    let mut resolved = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for name in names {
        match match_column(name, columns) {
            Some(real) => resolved.push(real),
            None => missing.push(name.as_str()),
        }
    }
    if missing.is_empty() {
        return Ok(resolved);
    }
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let suggestions: Vec<String> = missing
        .iter()
        .filter_map(|m| closest_column(m, columns).map(|c| (m, c)))
        .map(|(m, c)| if missing.len() == 1 { format!("'{c}'") } else { format!("'{c}' for '{m}'") })
        .collect();
    let hint =
        if suggestions.is_empty() { String::new() } else { format!(" Did you mean {}?", suggestions.join(", ")) };
    let available: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    Err(ParamError(format!("Columns not found: [{}].{hint} Available: {}", quoted.join(", "), available.join(", "))))
}

/// One column name; see [`resolve_columns`].
pub fn resolve_column(name: &str, columns: &[ColumnInfo]) -> Result<String, ParamError> {
    resolve_columns(&[name.to_string()], columns).map(|mut v| v.remove(0))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Validates `given` against the declared params: unknown names, types, ranges, choices,
/// columns; fills defaults. Returns the params object to hand to the plugin.
pub fn validate(
    specs: &[ParamSpec],
    given: Map<String, Value>,
    columns: &[ColumnInfo],
) -> Result<Map<String, Value>, ParamError> {
    for key in given.keys() {
        if !specs.iter().any(|s| &s.name == key) {
            let accepted: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            return Err(ParamError(format!(
                "Unknown parameter '{key}'. Accepted: {}",
                if accepted.is_empty() { "none".to_string() } else { accepted.join(", ") }
            )));
        }
    }
    let mut out = Map::new();
    for spec in specs {
        match given.get(&spec.name) {
            Some(v) if !v.is_null() => {
                out.insert(spec.name.clone(), spec.coerce(v.clone(), columns)?);
            }
            _ if spec.required => {
                return Err(ParamError(format!("Parameter '{}' is required: {}", spec.name, spec.usage())));
            }
            _ => {
                if let Some(d) = &spec.default {
                    out.insert(spec.name.clone(), spec.coerce(d.clone(), columns)?);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use statbox_runtime::ColumnKind;

    fn cols() -> Vec<ColumnInfo> {
        ["Sales", "profit", "region"]
            .iter()
            .map(|n| ColumnInfo { name: n.to_string(), kind: ColumnKind::Numeric, rows: 3, nulls: 0 })
            .collect()
    }

    fn spec(name: &str, kind: ParamKind) -> ParamSpec {
        ParamSpec::new(name, kind)
    }

    #[test]
    fn text_values_are_coerced() {
        let specs = vec![
            spec("columns", ParamKind::Columns),
            ParamSpec { min: Some(1.0), max: Some(10.0), ..spec("k", ParamKind::Integer) },
            spec("flag", ParamKind::Boolean),
            ParamSpec {
                choices: Some(vec!["drop".into(), "mean".into()]),
                default: Some(json!("drop")),
                ..spec("missing", ParamKind::Choice)
            },
        ];
        let given = json!({"columns": "sales, PROFIT", "k": "5", "flag": "yes"}).as_object().unwrap().clone();
        let out = validate(&specs, given, &cols()).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"columns": ["Sales", "profit"], "k": 5, "flag": true, "missing": "drop"})
        );
    }

    #[test]
    fn weights_from_text_or_json() {
        let specs = vec![spec("w", ParamKind::Weights)];
        let out = validate(&specs, json!({"w": "north:2, south: 0.5"}).as_object().unwrap().clone(), &cols()).unwrap();
        assert_eq!(Value::Object(out), json!({"w": {"north": 2.0, "south": 0.5}}));
        let err = validate(&specs, json!({"w": {"a": -1}}).as_object().unwrap().clone(), &cols()).unwrap_err();
        assert_eq!(err.0, "Parameter 'w': weight of 'a' must be a positive number");
    }

    #[test]
    fn string_lists_can_be_restricted_to_choices() {
        let specs =
            vec![ParamSpec { choices: Some(vec!["normal".into(), "gamma".into()]), ..spec("d", ParamKind::Strings) }];
        let run = |v: Value| validate(&specs, v.as_object().unwrap().clone(), &cols());
        assert_eq!(Value::Object(run(json!({"d": "Gamma, normal"})).unwrap()), json!({"d": ["gamma", "normal"]}));
        assert_eq!(run(json!({"d": ["beta"]})).unwrap_err().0, "Parameter 'd': 'beta' is not one of normal, gamma");
    }

    #[test]
    fn objects_from_json_or_pairs() {
        let specs = vec![spec("h", ParamKind::Object)];
        let run = |v: Value| validate(&specs, v.as_object().unwrap().clone(), &cols());
        assert_eq!(
            Value::Object(run(json!({"h": "C=0.5, kernel=linear hidden_layers=[64, 32]"})).unwrap()),
            json!({"h": {"C": 0.5, "kernel": "linear", "hidden_layers": [64, 32]}})
        );
        assert_eq!(Value::Object(run(json!({"h": "{\"a\": 1}"})).unwrap()), json!({"h": {"a": 1}}));
        assert!(run(json!({"h": "oops"})).unwrap_err().0.contains("not key=value"));
    }

    #[test]
    fn problems_are_explained() {
        let specs = vec![
            ParamSpec { min: Some(1.0), max: Some(10.0), ..spec("k", ParamKind::Integer) },
            spec("col", ParamKind::Column),
        ];
        let err = |v: Value| validate(&specs, v.as_object().unwrap().clone(), &cols()).unwrap_err().0;
        assert_eq!(err(json!({"k": 11})), "Parameter 'k' must be between 1 and 10, got 11");
        assert_eq!(err(json!({"k": "many"})), "Parameter 'k' must be a whole number, got \"many\"");
        assert_eq!(err(json!({"kk": 1})), "Unknown parameter 'kk'. Accepted: k, col");
        assert_eq!(
            err(json!({"col": "proft"})),
            "Columns not found: ['proft']. Did you mean 'profit'? Available: Sales, profit, region"
        );
        let required = vec![ParamSpec { required: true, ..spec("target", ParamKind::Column) }];
        assert_eq!(
            validate(&required, Map::new(), &cols()).unwrap_err().0,
            "Parameter 'target' is required: target=<column> (required)"
        );
    }
}
