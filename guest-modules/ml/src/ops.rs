//! The plugin operations: `train`, `tune`, `predict` and `catalog`, adapting the pipeline
//! to the dataset resource and artifacts.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use statbox_sdk::{ColumnInfo, ColumnKind, Input, Output, PluginError};

use crate::error::MlError;
use crate::models::{ModelKind, Predicted, Task, resolve_params};
use crate::pipeline::{self, Balance, ModelArtifact, Settings, TargetColumn, TrainData, Trained};
use crate::preprocess::{FeatureSpec, Missing, RawColumn, RawFeatures, Scaling};
use crate::search::{self, Strategy};

/// Media type of the model artifact (JSON, see [`ModelArtifact`]).
pub const MODEL_MEDIA_TYPE: &str = "application/vnd.statbox.model+json";
pub const MODEL_ARTIFACT: &str = "model";

fn d_test_size() -> f64 {
    0.2
}
fn d_seed() -> u64 {
    42
}
fn d_min_samples() -> usize {
    10
}
fn d_max_categories() -> usize {
    50
}
fn d_model() -> String {
    "auto".into()
}
fn d_true() -> bool {
    true
}
fn d_n_iter() -> usize {
    10
}
fn d_max_candidates() -> usize {
    100
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainParams {
    pub target: String,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default = "d_model")]
    pub model: String,
    #[serde(default)]
    pub hyperparameters: Map<String, Value>,
    #[serde(default)]
    pub task: Option<Task>,
    #[serde(default = "d_test_size")]
    pub test_size: f64,
    #[serde(default)]
    pub cv: usize,
    #[serde(default = "d_seed")]
    pub random_state: u64,
    #[serde(default)]
    pub missing: Missing,
    #[serde(default)]
    pub fill_value: f64,
    #[serde(default)]
    pub scaling: Scaling,
    #[serde(default)]
    pub remove_outliers: bool,
    #[serde(default)]
    pub balance: Balance,
    /// A column marking each row `train` or `test` (a predefined split).
    #[serde(default)]
    pub split_column: Option<String>,
    #[serde(default = "d_min_samples")]
    pub min_training_samples: usize,
    #[serde(default)]
    pub drop_missing_target: bool,
    #[serde(default = "d_true")]
    pub importance: bool,
    /// With `features` left out, categorical columns with more categories are skipped.
    #[serde(default = "d_max_categories")]
    pub max_categories: usize,
    /// `auto`: the types to try (default: every type suited to the task but networks).
    #[serde(default)]
    pub candidates: Vec<String>,
    /// `tune`: grid or random.
    #[serde(default)]
    pub search: Strategy,
    /// `tune`: hyperparameter → list of values, or {min, max, log, integer, steps}.
    #[serde(default)]
    pub space: Map<String, Value>,
    #[serde(default = "d_n_iter")]
    pub n_iter: usize,
    #[serde(default = "d_max_candidates")]
    pub max_candidates: usize,
}

pub fn train_schema() -> Value {
    json!({
        "type": "object",
        "required": ["target"],
        "properties": {
            "target": {"type": "string", "description": "Column to predict"},
            "features": {"type": "array", "items": {"type": "string"}, "description": "Feature columns (default: all usable)"},
            "model": {"type": "string", "description": "Model type, or auto"},
            "hyperparameters": {"type": "object"},
            "task": {"enum": ["regression", "classification"]},
            "test_size": {"type": "number", "minimum": 0, "maximum": 0.9},
            "cv": {"type": "integer", "minimum": 0, "maximum": 20},
            "random_state": {"type": "integer", "minimum": 0},
            "missing": {"enum": ["mean", "median", "drop", "zero", "constant"]},
            "fill_value": {"type": "number"},
            "scaling": {"enum": ["standard", "minmax", "robust", "none"]},
            "remove_outliers": {"type": "boolean"},
            "balance": {"enum": ["none", "undersample", "oversample"]},
            "split_column": {"type": "string"},
            "min_training_samples": {"type": "integer", "minimum": 2},
            "drop_missing_target": {"type": "boolean"},
            "importance": {"type": "boolean"},
            "max_categories": {"type": "integer", "minimum": 2},
            "candidates": {"type": "array", "items": {"type": "string"}},
            "search": {"enum": ["grid", "random"]},
            "space": {"type": "object"},
            "n_iter": {"type": "integer", "minimum": 1},
            "max_candidates": {"type": "integer", "minimum": 1}
        }
    })
}

fn to_plugin(e: MlError) -> PluginError {
    match e {
        MlError::InvalidParams { message, hint } => {
            let err = PluginError::invalid_params(message);
            match hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        }
        MlError::InvalidData { message, hint } => {
            let err = PluginError::invalid_data(message);
            match hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        }
    }
}

fn find_column<'a>(columns: &'a [ColumnInfo], name: &str, role: &str) -> Result<&'a ColumnInfo, PluginError> {
    columns.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        PluginError::not_found(format!("The {role} column '{name}' is not in the table. Columns: {}", names.join(", ")))
    })
}

fn read_labels(input: &Input, name: &str) -> Result<Vec<Option<String>>, PluginError> {
    let cat = input.data.categorical(name)?;
    Ok(cat.codes.iter().map(|c| c.map(|k| cat.labels[k as usize].clone())).collect())
}

/// A column named like an id (`id`, `index`, `customer_id`, ...) holding distinct whole
/// numbers is a row identifier, not a feature.
fn is_row_id(name: &str, values: &[f64]) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let id_like = matches!(n.as_str(), "id" | "index" | "idx" | "row" | "row_id" | "rowid" | "#" | "key")
        || n.ends_with("_id")
        || n.ends_with(" id");
    if !id_like || values.iter().any(|v| !v.is_finite() || v.fract() != 0.0) {
        return false;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.windows(2).all(|w| w[0] != w[1])
}

struct Selected {
    data: TrainData,
    skipped: Vec<Value>,
}

fn read_training_data(input: &Input, p: &TrainParams, task: Task) -> Result<Selected, PluginError> {
    let columns = input.data.columns();
    let target_info = find_column(&columns, &p.target, "target")?;
    let rows = input.data.row_count() as usize;
    let target = match (task, target_info.kind) {
        (Task::Regression, ColumnKind::Numeric | ColumnKind::Boolean) => {
            TargetColumn::Numeric(input.data.numeric(&p.target)?)
        }
        (Task::Classification, ColumnKind::Numeric | ColumnKind::Boolean) => {
            TargetColumn::Numeric(input.data.numeric(&p.target)?)
        }
        _ => TargetColumn::Labels(read_labels(input, &p.target)?),
    };
    let test_rows = match &p.split_column {
        Some(s) => {
            find_column(&columns, s, "split")?;
            let labels = read_labels(input, s)?;
            let mut flags = Vec::with_capacity(rows);
            for (i, l) in labels.iter().enumerate() {
                let l = l.as_deref().unwrap_or("").trim().to_ascii_lowercase();
                flags.push(match l.as_str() {
                    "test" | "true" | "1" => true,
                    "train" | "false" | "0" => false,
                    _ => {
                        return Err(PluginError::invalid_data(format!(
                            "Split column '{s}' row {}: '{l}' is neither train nor test",
                            i + 1
                        )));
                    }
                });
            }
            Some(flags)
        }
        None => None,
    };
    let mut names = Vec::new();
    let mut raw = Vec::new();
    let mut skipped = Vec::new();
    let excluded = |n: &str| n == p.target || Some(n) == p.split_column.as_deref();
    if p.features.is_empty() {
        for c in columns.iter().filter(|c| !excluded(&c.name)) {
            match c.kind {
                ColumnKind::Numeric | ColumnKind::Boolean => {
                    let v = input.data.numeric(&c.name)?;
                    if is_row_id(&c.name, &v) {
                        skipped
                            .push(json!({"column": c.name, "reason": "row id (id-like name, distinct whole numbers)"}));
                        continue;
                    }
                    names.push(c.name.clone());
                    raw.push(RawColumn::Numeric(v));
                }
                ColumnKind::Categorical => {
                    let v = read_labels(input, &c.name)?;
                    let mut distinct: Vec<&String> = v.iter().flatten().collect();
                    distinct.sort();
                    distinct.dedup();
                    if distinct.len() > p.max_categories {
                        skipped.push(json!({"column": c.name, "reason": format!("{} categories (max_categories={})", distinct.len(), p.max_categories)}));
                        continue;
                    }
                    names.push(c.name.clone());
                    raw.push(RawColumn::Categorical(v));
                }
                ColumnKind::Datetime | ColumnKind::Text => {
                    skipped.push(json!({"column": c.name, "reason": format!("{} column", kind_name(c.kind))}));
                }
            }
        }
    } else {
        for f in &p.features {
            if excluded(f) {
                return Err(PluginError::invalid_params(format!(
                    "'{f}' is the target (or split column) and cannot also be a feature"
                )));
            }
            let c = find_column(&columns, f, "feature")?;
            match c.kind {
                ColumnKind::Numeric | ColumnKind::Boolean => raw.push(RawColumn::Numeric(input.data.numeric(f)?)),
                ColumnKind::Categorical => raw.push(RawColumn::Categorical(read_labels(input, f)?)),
                ColumnKind::Datetime | ColumnKind::Text => {
                    return Err(PluginError::invalid_data(format!(
                        "Feature '{f}' is a {} column; models take numeric and categorical features",
                        kind_name(c.kind)
                    ))
                    .with_hint("Leave it out, or derive a numeric column from it first"));
                }
            }
            names.push(f.clone());
        }
    }
    if names.is_empty() {
        return Err(PluginError::invalid_data("No usable feature columns (numeric or categorical) besides the target")
            .with_hint("Name features with features=a,b or add numeric columns"));
    }
    Ok(Selected {
        data: TrainData {
            features: RawFeatures { names, columns: raw, rows },
            target_name: p.target.clone(),
            target,
            test_rows,
        },
        skipped,
    })
}

fn kind_name(k: ColumnKind) -> &'static str {
    match k {
        ColumnKind::Numeric => "numeric",
        ColumnKind::Categorical => "categorical",
        ColumnKind::Boolean => "boolean",
        ColumnKind::Datetime => "datetime",
        ColumnKind::Text => "text",
    }
}

/// The task from, in order: the `task` param, a type that supports only one, the target.
fn infer_task(input: &Input, p: &TrainParams, kind: Option<ModelKind>) -> Result<Task, PluginError> {
    if let Some(t) = p.task {
        return Ok(t);
    }
    if let Some(t) = kind.and_then(ModelKind::only_task) {
        return Ok(t);
    }
    let columns = input.data.columns();
    let info = find_column(&columns, &p.target, "target")?;
    Ok(match info.kind {
        ColumnKind::Numeric => {
            let v = input.data.numeric(&p.target)?;
            let mut distinct: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            if distinct.len() > 10 || distinct.iter().any(|x| x.fract() != 0.0) {
                Task::Regression
            } else {
                Task::Classification
            }
        }
        _ => Task::Classification,
    })
}

fn parse_kind(name: &str) -> Result<ModelKind, PluginError> {
    ModelKind::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
        PluginError::invalid_params(format!("Unknown model type '{name}'. Types: {}, or auto", names.join(", ")))
    })
}

fn settings_of(p: &TrainParams, task: Task) -> Result<Settings, PluginError> {
    if !(0.0..=0.9).contains(&p.test_size) {
        return Err(PluginError::invalid_params(format!("test_size must be in [0, 0.9], got {}", p.test_size)));
    }
    if p.cv == 1 || p.cv > 20 {
        return Err(PluginError::invalid_params(format!("cv must be 0 (none) or 2 to 20 folds, got {}", p.cv)));
    }
    Ok(Settings {
        task,
        test_size: p.test_size,
        cv: p.cv,
        random_state: p.random_state,
        missing: p.missing,
        fill_value: p.fill_value,
        scaling: p.scaling,
        remove_outliers: p.remove_outliers,
        balance: p.balance,
        min_training_samples: p.min_training_samples.max(2),
        drop_missing_target: p.drop_missing_target,
        importance: p.importance,
    })
}

fn report_progress(done: u64, total: u64, message: &str) {
    statbox_sdk::progress(done, total, message);
}

fn finish(trained: Trained, skipped: Vec<Value>) -> Result<Output, PluginError> {
    let mut report = trained.report;
    report["skipped_columns"] = json!(skipped);
    let bytes = serde_json::to_vec(&trained.artifact)
        .map_err(|e| PluginError::internal(format!("could not serialise the model: {e}")))?;
    report["model_bytes"] = json!(bytes.len());
    Ok(Output::json(&report)?.with_artifact(MODEL_ARTIFACT, MODEL_MEDIA_TYPE, bytes))
}

/// What `train` and `tune` share before fitting: the task (checked against the model
/// type), the settings, and the data read from the table.
struct Prepared {
    task: Task,
    settings: Settings,
    selected: Selected,
}

fn prepare(input: &Input, p: &TrainParams, kind: Option<ModelKind>) -> Result<Prepared, PluginError> {
    let task = infer_task(input, p, kind)?;
    if let Some(k) = kind
        && !k.supports(task)
    {
        let (other, this) = match task {
            Task::Regression => ("classification", "regression"),
            Task::Classification => ("regression", "classification"),
        };
        let types: Vec<&str> = ModelKind::ALL.iter().filter(|k| k.supports(task)).map(|k| k.name()).collect();
        return Err(PluginError::invalid_params(format!("'{}' is a {other} model but the task is {this}", k.name()))
            .with_hint(format!("Types for {this}: {}", types.join(", "))));
    }
    let settings = settings_of(p, task)?;
    let selected = read_training_data(input, p, task)?;
    Ok(Prepared { task, settings, selected })
}

/// `train`: one model type (or `auto`) on the table; returns the report (documented in the
/// README) and the model artifact.
pub fn train(input: &Input) -> Result<Output, PluginError> {
    let p: TrainParams = input.params()?;
    let auto = p.model.trim().eq_ignore_ascii_case("auto");
    let kind = if auto { None } else { Some(parse_kind(&p.model)?) };
    let Prepared { task, settings, selected } = prepare(input, &p, kind)?;
    let mut progress = report_progress;
    let trained = match kind {
        Some(k) => {
            let params = resolve_params(k, &Value::Object(p.hyperparameters.clone()))
                .map_err(|e| PluginError::invalid_params(format!("Invalid {e}")))?;
            pipeline::train(k, &params, &selected.data, &settings, &mut progress)
        }
        None => {
            let candidates: Vec<ModelKind> = if p.candidates.is_empty() {
                search::default_candidates(task, selected.data.features.rows)
            } else {
                p.candidates.iter().map(|c| parse_kind(c)).collect::<Result<_, _>>()?
            };
            search::auto(&candidates, &selected.data, &settings, &mut progress)
        }
    }
    .map_err(to_plugin)?;
    finish(trained, selected.skipped)
}

/// `tune`: grid or random search with cross-validation; the best configuration is trained
/// and returned as `train` does, with the search table under `search`.
pub fn tune(input: &Input) -> Result<Output, PluginError> {
    let p: TrainParams = input.params()?;
    let kind = parse_kind(&p.model)?;
    let Prepared { settings, selected, .. } = prepare(input, &p, Some(kind))?;
    let trained = search::tune(
        kind,
        &p.hyperparameters,
        &p.space,
        p.search,
        p.n_iter,
        p.max_candidates,
        &selected.data,
        &settings,
        &mut report_progress,
    )
    .map_err(to_plugin)?;
    finish(trained, selected.skipped)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictParams {
    #[serde(default = "d_preview")]
    preview_rows: usize,
}

fn d_preview() -> usize {
    10
}

pub fn predict_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"preview_rows": {"type": "integer", "minimum": 0, "maximum": 1000}}
    })
}

/// Parses a model artifact, refusing anything that is not one.
pub fn parse_artifact(bytes: &[u8]) -> Result<ModelArtifact, PluginError> {
    let artifact: ModelArtifact = serde_json::from_slice(bytes).map_err(|e| {
        PluginError::invalid_data(format!("The model artifact is not a statbox model: {e}"))
            .with_hint("Train the model again with this version of statbox")
    })?;
    if artifact.format != pipeline::ARTIFACT_FORMAT || artifact.version != pipeline::ARTIFACT_VERSION {
        return Err(PluginError::invalid_data(format!(
            "The model artifact has format {} v{}; this plugin reads {} v{}",
            artifact.format,
            artifact.version,
            pipeline::ARTIFACT_FORMAT,
            pipeline::ARTIFACT_VERSION
        )));
    }
    Ok(artifact)
}

/// `predict`: applies a trained model (artifact `model`) to the table.
pub fn predict(input: &Input) -> Result<Output, PluginError> {
    let p: PredictParams = input.params()?;
    let artifact = parse_artifact(&input.artifact(MODEL_ARTIFACT)?.bytes)?;
    let columns = input.data.columns();
    let rows = input.data.row_count() as usize;
    let missing: Vec<&str> = artifact
        .preprocessor
        .features
        .iter()
        .map(FeatureSpec::name)
        .filter(|n| !columns.iter().any(|c| c.name == *n))
        .collect();
    if !missing.is_empty() {
        return Err(PluginError::invalid_data(format!(
            "The data lacks the model's feature column(s): {}",
            missing.join(", ")
        ))
        .with_hint(format!(
            "The model was trained on: {}",
            artifact.preprocessor.features.iter().map(FeatureSpec::name).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut raw = Vec::new();
    let mut names = Vec::new();
    for spec in &artifact.preprocessor.features {
        let name = spec.name();
        raw.push(match spec {
            FeatureSpec::Numeric { .. } => RawColumn::Numeric(input.data.numeric(name).map_err(|e| {
                PluginError::invalid_data(format!("Feature '{name}' was numeric in training: {}", e.message))
            })?),
            FeatureSpec::Categorical { .. } => RawColumn::Categorical(read_labels(input, name)?),
        });
        names.push(name.to_string());
    }
    let ignored: Vec<&str> = columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !names.iter().any(|f| f == n) && *n != artifact.target)
        .collect();
    let features = RawFeatures { names, columns: raw, rows };
    // With missing=drop, rows with a missing feature get no prediction rather than a guess.
    let skip: Vec<bool> =
        if artifact.preprocessor.missing == Missing::Drop { features.rows_with_missing() } else { vec![false; rows] };
    let encoded = artifact.preprocessor.transform(&features);
    let predicted = artifact.model.predict(&encoded.x);
    let not_predicted = skip.iter().filter(|&&s| s).count();
    let mut result = json!({
        "model_type": artifact.model_type.name(),
        "task": artifact.task,
        "target": artifact.target,
        "rows": rows,
        "predicted_rows": rows - not_predicted,
        "rows_not_predicted": not_predicted,
        "ignored_columns": ignored,
        "unseen_categories": encoded.unseen.iter().map(|(n, c)| (n.clone(), json!(c))).collect::<Map<_, _>>(),
    });
    let (predictions, probabilities, summary) = match &predicted {
        Predicted::Values(v) => {
            let preds: Vec<Value> = v.iter().zip(&skip).map(|(x, s)| if *s { Value::Null } else { json!(x) }).collect();
            let kept: Vec<f64> = v.iter().zip(&skip).filter(|(_, s)| !**s).map(|(x, _)| *x).collect();
            (preds, Value::Null, value_summary(&kept))
        }
        Predicted::Classes { classes, scores, probabilities } => {
            let preds: Vec<Value> = classes
                .iter()
                .zip(&skip)
                .map(|(c, s)| if *s { Value::Null } else { json!(artifact.classes[*c]) })
                .collect();
            let probs = if *probabilities {
                let mut m = Map::new();
                for (k, label) in artifact.classes.iter().enumerate() {
                    let col: Vec<Value> =
                        (0..rows).map(|i| if skip[i] { Value::Null } else { json!(scores.row(i)[k]) }).collect();
                    m.insert(label.clone(), Value::Array(col));
                }
                Value::Object(m)
            } else {
                Value::Null
            };
            let mut counts = Map::new();
            for label in &artifact.classes {
                counts.insert(label.clone(), json!(0));
            }
            for (c, s) in classes.iter().zip(&skip) {
                if !s {
                    let e = counts.entry(artifact.classes[*c].clone()).or_insert(json!(0));
                    *e = json!(e.as_u64().unwrap_or(0) + 1);
                }
            }
            let n = (rows - not_predicted).max(1) as f64;
            let proportions: Map<String, Value> =
                counts.iter().map(|(k, v)| (k.clone(), json!(v.as_f64().unwrap_or(0.0) / n))).collect();
            (preds, probs, json!({"counts": counts, "proportions": proportions}))
        }
    };
    let preview: Vec<Value> = (0..rows.min(p.preview_rows))
        .map(|i| {
            let mut row = Map::new();
            for (name, col) in features.names.iter().zip(&features.columns) {
                row.insert(
                    name.clone(),
                    match col {
                        RawColumn::Numeric(v) => json!(v[i]),
                        RawColumn::Categorical(v) => json!(v[i]),
                    },
                );
            }
            row.insert("prediction".into(), predictions[i].clone());
            Value::Object(row)
        })
        .collect();
    result["summary"] = summary;
    let mut preview_columns: Vec<String> = features.names.clone();
    preview_columns.push("prediction".into());
    result["preview_columns"] = json!(preview_columns);
    result["preview"] = json!(preview);
    result["predictions"] = Value::Array(predictions);
    result["probabilities"] = probabilities;
    Output::json(&result)
}

fn value_summary(v: &[f64]) -> Value {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        return json!({"count": 0});
    }
    let mean = s.iter().sum::<f64>() / n as f64;
    let std =
        if n > 1 { (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { f64::NAN };
    let q = |p| crate::preprocess::quantile(&s, p);
    json!({"count": n, "mean": mean, "std": std, "min": s[0], "25%": q(0.25), "50%": q(0.5), "75%": q(0.75), "max": s[n - 1]})
}

/// `catalog`: the model types, the tasks they learn and their default hyperparameters.
pub fn catalog(_input: &Input) -> Result<Output, PluginError> {
    let types: Vec<Value> = ModelKind::ALL
        .iter()
        .map(|k| {
            let tasks: Vec<&str> = [Task::Regression, Task::Classification]
                .into_iter()
                .filter(|t| k.supports(*t))
                .map(|t| if t == Task::Regression { "regression" } else { "classification" })
                .collect();
            json!({
                "name": k.name(),
                "tasks": tasks,
                "neural": k.is_neural(),
                "defaults": resolve_params(*k, &json!({})).unwrap_or(Value::Null),
            })
        })
        .collect();
    Output::json(&json!({ "models": types }))
}
