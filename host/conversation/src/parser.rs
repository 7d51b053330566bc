//! A deterministic parser for plain-language requests.
//!
//! Each request is matched against a small set of phrasings (keywords, then the columns
//! after "for", "of", "in", "between", ...). Columns are resolved against the table
//! case-insensitively, with "did you mean" for typos. The result carries a confidence:
//! 1.0 for commands, 0.9 for a phrasing matched with every column resolved, lower when the
//! request was only recognised by a loose keyword — callers ask for confirmation below
//! [`CONFIRM_BELOW`] instead of guessing.

use serde_json::{Map, Value, json};
use statbox_engine::resolve_columns;
use statbox_runtime::ColumnInfo;

/// Confidence under which a front end should confirm before running.
pub const CONFIRM_BELOW: f64 = 0.75;

#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Run a template with these params.
    Analysis { template: String, params: Map<String, Value> },
    /// Compare a numeric column across the groups of another: a t-test for two groups, an
    /// ANOVA for more (decided once the group count is known).
    CompareGroups { column: String, group: String },
    /// Start training; the target when the request named one.
    Train { target: Option<String> },
    /// Predict with a stored model, when one was named.
    Predict { model: Option<String> },
    /// A slash command other than /run: `/help`, `/train`, ... with its argument text.
    Command { name: String, args: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub intent: Intent,
    pub confidence: f64,
    /// What was understood, in words, for confirmations: "correlation of sales, profit".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Nothing recognisable; show [`examples`].
    NotUnderstood,
    /// A data request before any table was loaded.
    NeedsData,
    /// Columns that do not resolve; the message names them and suggests close ones.
    Columns(String),
}

/// Requests to show when a message is not understood.
pub fn examples() -> &'static [&'static str] {
    &[
        "Calculate statistics for sales",
        "What is the mean of sales?",
        "Show correlation between sales and profit",
        "Show correlation matrix",
        "Is sales normally distributed?",
        "Compare price between groups of region",
        "Are region and churn independent?",
        "Find outliers in price",
        "Check data quality",
        "Train a model to predict price",
        "Use model m20261123-014810-596598 to make predictions",
        "/run descriptive columns=sales",
    ]
}

/// Statistic words and the names `descriptive` knows them by.
const STATISTICS: &[(&str, &str)] = &[
    ("mean", "mean"),
    ("average", "mean"),
    ("median", "median"),
    ("standard deviation", "std"),
    ("std", "std"),
    ("variance", "var"),
    ("var", "var"),
    ("minimum", "min"),
    ("min", "min"),
    ("maximum", "max"),
    ("max", "max"),
    ("sum", "sum"),
    ("total", "sum"),
    ("count", "count"),
    ("skewness", "skewness"),
    ("skew", "skewness"),
    ("kurtosis", "kurtosis"),
    ("range", "range"),
    ("iqr", "iqr"),
    ("mode", "mode"),
];

/// Parses one message. `columns` is the loaded table's columns, `None` before any data.
pub fn parse(text: &str, columns: Option<&[ColumnInfo]>) -> Result<Parsed, ParseError> {
    let raw = text.trim();
    if let Some(rest) = raw.strip_prefix('/') {
        return Ok(command(rest));
    }
    let t = normalise(raw);
    if t.is_empty() {
        return Err(ParseError::NotUnderstood);
    }
    // Model requests need no table.
    if let Some(p) = predict(&t) {
        return Ok(p);
    }
    if let Some(target) = train_target(&t) {
        let target = match (target, columns) {
            (Some(name), Some(cols)) => Some(resolve_one(&name, cols)?),
            (name, _) => name,
        };
        let summary = match &target {
            Some(n) => format!("train a model to predict {n}"),
            None => "train a model".into(),
        };
        return Ok(Parsed { intent: Intent::Train { target }, confidence: 0.9, summary });
    }
    let analysis = analysis(&t);
    let Some((kind, confidence)) = analysis else { return Err(ParseError::NotUnderstood) };
    let Some(cols) = columns else { return Err(ParseError::NeedsData) };
    build(kind, confidence, cols)
}

fn normalise(text: &str) -> String {
    let lower = text.to_lowercase();
    let trimmed = lower.trim().trim_end_matches(['?', '.', '!']).trim();
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A slash command; `/run` params are validated by the template when it runs.
fn command(rest: &str) -> Parsed {
    let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = name.trim().to_lowercase();
    // `/cmd@botname` from Telegram groups.
    let name = name.split('@').next().unwrap_or_default().to_string();
    if name == "run" {
        let mut words = args.split_whitespace();
        if let Some(template) = words.next() {
            let mut params = Map::new();
            for pair in words {
                if let Some((k, v)) = pair.split_once('=') {
                    params.insert(k.to_string(), Value::String(v.to_string()));
                }
            }
            return Parsed {
                summary: format!("run {template}"),
                intent: Intent::Analysis { template: template.to_string(), params },
                confidence: 1.0,
            };
        }
    }
    Parsed {
        summary: format!("/{name}"),
        intent: Intent::Command { name, args: args.trim().to_string() },
        confidence: 1.0,
    }
}

fn predict(t: &str) -> Option<Parsed> {
    let mentions_predict = t.contains("prediction") || t.starts_with("predict with");
    let model = t.split_whitespace().skip_while(|w| *w != "model").nth(1).map(str::to_string);
    if mentions_predict && (t.contains("model") || t.starts_with("make predictions")) {
        let model = model.filter(|m| !matches!(m.as_str(), "to" | "for" | "and"));
        let summary = match &model {
            Some(m) => format!("predict with model {m}"),
            None => "predict with a stored model".into(),
        };
        return Some(Parsed { intent: Intent::Predict { model }, confidence: 0.9, summary });
    }
    None
}

/// `Some(target)` when the message asks to train; the target if named.
fn train_target(t: &str) -> Option<Option<String>> {
    let asks = t.starts_with("train") || t.contains("build a model") || t.contains("fit a model");
    if !asks {
        return None;
    }
    let target = ["to predict ", "predicting ", "for predicting ", "target "]
        .iter()
        .find_map(|k| t.split_once(k).map(|(_, rest)| rest.trim().to_string()))
        .filter(|s| !s.is_empty());
    Some(target)
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Describe { columns: Vec<String>, statistics: Vec<&'static str> },
    Correlation { columns: Vec<String> },
    Normality { columns: Vec<String> },
    Compare { column: String, group: String },
    Independence { a: String, b: String },
    Outliers { columns: Vec<String> },
    Quality,
}

/// Splits "age, income and sales" into names; "all columns" / "all" / "everything" mean
/// every column (empty).
fn names(list: &str) -> Vec<String> {
    let list = list.trim();
    if matches!(list, "all" | "all columns" | "everything" | "every column" | "the data" | "my data" | "data") {
        return Vec::new();
    }
    list.replace(" and ", ",")
        .replace('&', ",")
        .split(',')
        .map(|s| s.trim().trim_start_matches("the ").trim().to_string())
        .filter(|s| !s.is_empty() && s != "columns" && s != "all columns")
        .collect()
}

fn after<'a>(t: &'a str, keys: &[&str]) -> Option<&'a str> {
    keys.iter().filter_map(|k| t.find(k).map(|i| &t[i + k.len()..])).next()
}

fn analysis(t: &str) -> Option<(Kind, f64)> {
    if t.contains("quality") {
        return Some((Kind::Quality, 0.9));
    }
    if t.contains("correlat") {
        let columns = match after(t, &["between ", "of ", "for "]) {
            Some(rest) if !rest.starts_with("all") => names(rest),
            _ => Vec::new(),
        };
        return Some((Kind::Correlation { columns }, 0.9));
    }
    if t.contains("normally distributed") || t.contains("normal distribution") || t.contains("normality") {
        let columns = if let Some(rest) = t.strip_prefix("is ").or_else(|| t.strip_prefix("are ")) {
            let subject =
                rest.split(" normally").next().unwrap_or_default().split(" a normal").next().unwrap_or_default();
            names(subject)
        } else {
            after(t, &[" of ", " for ", " in "]).map(names).unwrap_or_default()
        };
        return Some((Kind::Normality { columns }, 0.9));
    }
    if let Some(rest) = t.strip_prefix("compare ") {
        for sep in
            [" between groups of ", " across groups of ", " between ", " across ", " by ", " per ", " grouped by "]
        {
            if let Some((column, group)) = rest.split_once(sep) {
                let group = group.trim_start_matches("groups of ").trim_start_matches("the ").trim().to_string();
                return Some((Kind::Compare { column: column.trim().to_string(), group }, 0.9));
            }
        }
    }
    if t.contains("independent") || t.contains("independence") || t.contains("associated") {
        let body = t
            .trim_start_matches("are ")
            .trim_start_matches("is ")
            .replace(" independent", "")
            .replace(" associated", "")
            .replace("independence of ", "")
            .replace("independence between ", "")
            .replace("test ", "");
        let parts = names(&body);
        if parts.len() == 2 {
            return Some((Kind::Independence { a: parts[0].clone(), b: parts[1].clone() }, 0.9));
        }
    }
    if t.contains("outlier") || t.contains("anomal") {
        let columns = after(t, &[" in ", " of ", " for "]).map(names).unwrap_or_default();
        return Some((Kind::Outliers { columns }, 0.9));
    }
    // Statistics: named ones ("mean and std of sales") or all ("statistics for sales").
    let statistics: Vec<&'static str> = {
        let mut found: Vec<(usize, &'static str)> = Vec::new();
        for (word, name) in STATISTICS {
            if let Some(pos) = find_word(t, word)
                && !found.iter().any(|(_, n)| n == name)
            {
                found.push((pos, name));
            }
        }
        found.sort();
        found.into_iter().map(|(_, n)| n).collect()
    };
    let descriptive = t.contains("statistic")
        || t.contains("describe")
        || t.contains("summary")
        || t.contains("summarize")
        || t.contains("summarise");
    if descriptive || !statistics.is_empty() {
        let columns = after(t, &[" for ", " of ", " in ", "describe "]).map(names).unwrap_or_default();
        // A lone statistic word with no phrasing around it ("sales mean") is a guess.
        let confident = descriptive
            || t.starts_with("what")
            || t.starts_with("calculate")
            || t.starts_with("compute")
            || t.starts_with("show")
            || t.starts_with("get");
        let statistics = if descriptive && statistics.iter().all(|s| *s == "count") { Vec::new() } else { statistics };
        return Some((Kind::Describe { columns, statistics }, if confident { 0.9 } else { 0.6 }));
    }
    None
}

fn find_word(t: &str, word: &str) -> Option<usize> {
    let bytes = t.as_bytes();
    let mut start = 0;
    while let Some(i) = t[start..].find(word) {
        let pos = start + i;
        let end = pos + word.len();
        let left = pos == 0 || !bytes[pos - 1].is_ascii_alphanumeric();
        let right = end == t.len() || !bytes[end].is_ascii_alphanumeric();
        if left && right {
            return Some(pos);
        }
        start = pos + 1;
    }
    None
}

fn resolve(names: &[String], cols: &[ColumnInfo]) -> Result<Vec<String>, ParseError> {
    resolve_columns(names, cols).map_err(|e| ParseError::Columns(e.0))
}

fn resolve_one(name: &str, cols: &[ColumnInfo]) -> Result<String, ParseError> {
    resolve(&[name.to_string()], cols).map(|mut v| v.remove(0))
}

fn build(kind: Kind, confidence: f64, cols: &[ColumnInfo]) -> Result<Parsed, ParseError> {
    let list = |v: &[String]| if v.is_empty() { "all columns".to_string() } else { v.join(", ") };
    let analysis = |template: &str, params: Value, summary: String| Parsed {
        intent: Intent::Analysis { template: template.into(), params: params.as_object().cloned().unwrap_or_default() },
        confidence,
        summary,
    };
    Ok(match kind {
        Kind::Quality => analysis("quality", json!({}), "data quality report".into()),
        Kind::Correlation { columns } => {
            let columns = resolve(&columns, cols)?;
            let summary = format!("correlation of {}", list(&columns));
            let params = if columns.is_empty() { json!({}) } else { json!({"columns": columns}) };
            analysis("correlation", params, summary)
        }
        Kind::Normality { columns } => {
            let columns = resolve(&columns, cols)?;
            let summary = format!("normality of {}", list(&columns));
            let params = if columns.is_empty() { json!({}) } else { json!({"columns": columns}) };
            analysis("normality", params, summary)
        }
        Kind::Outliers { columns } => {
            let columns = resolve(&columns, cols)?;
            let summary = format!("outliers in {}", list(&columns));
            let params = if columns.is_empty() { json!({}) } else { json!({"columns": columns}) };
            analysis("outliers", params, summary)
        }
        Kind::Describe { columns, statistics } => {
            let columns = resolve(&columns, cols)?;
            let mut params = Map::new();
            if !columns.is_empty() {
                params.insert("columns".into(), json!(columns));
            }
            if !statistics.is_empty() {
                params.insert("statistics".into(), json!(statistics));
            }
            let what = if statistics.is_empty() { "descriptive statistics".to_string() } else { statistics.join(", ") };
            Parsed {
                summary: format!("{what} of {}", list(&columns)),
                intent: Intent::Analysis { template: "descriptive".into(), params },
                confidence,
            }
        }
        Kind::Compare { column, group } => {
            let column = resolve_one(&column, cols)?;
            let group = resolve_one(&group, cols)?;
            Parsed {
                summary: format!("compare {column} between the groups of {group}"),
                intent: Intent::CompareGroups { column, group },
                confidence,
            }
        }
        Kind::Independence { a, b } => {
            let resolved = resolve(&[a, b], cols)?;
            let summary = format!("independence of {} and {}", resolved[0], resolved[1]);
            analysis("chisquare", json!({"x": resolved[0], "y": resolved[1]}), summary)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use statbox_runtime::ColumnKind;

    fn cols() -> Vec<ColumnInfo> {
        [
            ("sales", ColumnKind::Numeric),
            ("Profit", ColumnKind::Numeric),
            ("age", ColumnKind::Numeric),
            ("income", ColumnKind::Numeric),
            ("price", ColumnKind::Numeric),
            ("region", ColumnKind::Categorical),
            ("churn", ColumnKind::Categorical),
            ("customer age", ColumnKind::Numeric),
        ]
        .iter()
        .map(|(n, k)| ColumnInfo { name: n.to_string(), kind: *k, rows: 10, nulls: 0 })
        .collect()
    }

    fn analysis_of(text: &str) -> (String, Value, f64) {
        match parse(text, Some(&cols())) {
            Ok(Parsed { intent: Intent::Analysis { template, params }, confidence, .. }) => {
                (template, Value::Object(params), confidence)
            }
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_seed_request_parses() {
        let cases: [(&str, &str, Value); 10] = [
            ("Calculate statistics for sales", "descriptive", json!({"columns": ["sales"]})),
            ("What is the mean of sales?", "descriptive", json!({"columns": ["sales"], "statistics": ["mean"]})),
            ("Calculate mean and std for all columns", "descriptive", json!({"statistics": ["mean", "std"]})),
            ("Get descriptive statistics for age, income", "descriptive", json!({"columns": ["age", "income"]})),
            ("Show correlation between sales and profit", "correlation", json!({"columns": ["sales", "Profit"]})),
            ("Show correlation matrix", "correlation", json!({})),
            ("Is sales normally distributed?", "normality", json!({"columns": ["sales"]})),
            ("Are region and churn independent?", "chisquare", json!({"x": "region", "y": "churn"})),
            ("Find outliers in price", "outliers", json!({"columns": ["price"]})),
            ("Check data quality", "quality", json!({})),
        ];
        for (text, template, params) in cases {
            let (t, p, c) = analysis_of(text);
            assert_eq!((t.as_str(), &p), (template, &params), "{text}");
            assert!(c >= CONFIRM_BELOW, "{text}: confidence {c}");
        }
        assert_eq!(
            parse("Compare price between groups of region", Some(&cols())).unwrap().intent,
            Intent::CompareGroups { column: "price".into(), group: "region".into() }
        );
        assert_eq!(
            parse("Train a model to predict price", Some(&cols())).unwrap().intent,
            Intent::Train { target: Some("price".into()) }
        );
        assert_eq!(
            parse("Use model m20261123-014810-596598 to make predictions", None).unwrap().intent,
            Intent::Predict { model: Some("m20261123-014810-596598".into()) }
        );
        let (t, p, c) = analysis_of("/run descriptive columns=sales");
        assert_eq!((t.as_str(), p, c), ("descriptive", json!({"columns": "sales"}), 1.0));
    }

    #[test]
    fn columns_match_case_insensitively_with_did_you_mean() {
        let (_, p, _) = analysis_of("show correlation between SALES and profit");
        assert_eq!(p, json!({"columns": ["sales", "Profit"]}));
        let (_, p, _) = analysis_of("calculate statistics for customer age");
        assert_eq!(p, json!({"columns": ["customer age"]}));
        match parse("find outliers in prise", Some(&cols())) {
            Err(ParseError::Columns(m)) => assert!(m.contains("Did you mean 'price'?"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_text_no_data_and_low_confidence() {
        assert_eq!(parse("hello there", Some(&cols())), Err(ParseError::NotUnderstood));
        assert_eq!(parse("", Some(&cols())), Err(ParseError::NotUnderstood));
        assert_eq!(parse("Show correlation matrix", None), Err(ParseError::NeedsData));
        // A bare statistic word is recognised but not trusted.
        let (_, p, c) = analysis_of("sales median");
        assert_eq!(p, json!({"statistics": ["median"]}));
        assert!(c < CONFIRM_BELOW);
        assert!(examples().len() >= 10);
        assert_eq!(
            parse("/help@statbox_bot", None).unwrap().intent,
            Intent::Command { name: "help".into(), args: String::new() }
        );
    }
}
