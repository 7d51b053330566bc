//! Model selection: `auto` (every candidate type for the task, ranked by cross-validated
//! score) and hyperparameter search (grid or random over declared ranges, with CV).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::MlError;
use crate::models::{ModelKind, Task, resolve_params};
use crate::pipeline::{self, Settings, TrainData, Trained};
use crate::rng::Rng;

/// The types `auto` tries for a task. SVMs scale quadratically with rows, so they join
/// only below `SVM_MAX_ROWS`; networks only when named in `candidates` (slow, and their
/// defaults need tuning to compete).
pub fn default_candidates(task: Task, rows: usize) -> Vec<ModelKind> {
    match task {
        Task::Regression => vec![
            ModelKind::Linear,
            ModelKind::Ridge,
            ModelKind::Lasso,
            ModelKind::Elasticnet,
            ModelKind::DecisionTree,
            ModelKind::RandomForest,
            ModelKind::GradientBoosting,
        ],
        Task::Classification => {
            let mut c = vec![
                ModelKind::Logistic,
                ModelKind::NaiveBayes,
                ModelKind::DecisionTree,
                ModelKind::RandomForest,
                ModelKind::GradientBoosting,
            ];
            if rows <= SVM_MAX_ROWS {
                c.push(ModelKind::Svm);
            }
            c
        }
    }
}

pub const SVM_MAX_ROWS: usize = 5000;

/// Trains every candidate under cross-validation, keeps the best (highest mean CV score)
/// trained on the whole training part, and returns it with the leaderboard.
pub fn auto(
    candidates: &[ModelKind],
    data: &TrainData,
    settings: &Settings,
    progress: &mut dyn FnMut(u64, u64, &str),
) -> Result<Trained, MlError> {
    let (train, test, split_info) = pipeline::split_data(data, settings)?;
    let folds = if settings.cv >= 2 { settings.cv } else { 3 };
    let mut board: Vec<(ModelKind, Value, f64, f64, Option<String>)> = Vec::new();
    let total = candidates.len() as u64;
    for (k, &kind) in candidates.iter().enumerate() {
        progress(k as u64, total, &format!("auto: cross-validating {}", kind.name()));
        if !kind.supports(settings.task) {
            board.push((
                kind,
                Value::Null,
                f64::NAN,
                f64::NAN,
                Some(format!("does not support {:?}", settings.task).to_lowercase()),
            ));
            continue;
        }
        let params = resolve_params(kind, &json!({})).map_err(MlError::params)?;
        match pipeline::cross_validate(kind, &params, &train, settings, folds, &mut |_, _| {}) {
            Ok(cv) => board.push((kind, params, cv.mean, cv.std, None)),
            Err(e) => board.push((kind, params, f64::NAN, f64::NAN, Some(e.message().to_string()))),
        }
    }
    board.sort_by(|a, b| b.2.total_cmp(&a.2));
    // NaN (failed) scores sort first under total_cmp descending; move them last.
    board.sort_by_key(|e| e.2.is_nan());
    let Some((best, best_params, ..)) = board.iter().find(|e| e.4.is_none()).cloned() else {
        return Err(MlError::data("No candidate model could be trained on this data", "See the leaderboard errors"));
    };
    let leaderboard: Vec<Value> = board
        .iter()
        .enumerate()
        .map(|(rank, (kind, _, mean, std, err))| {
            json!({"rank": rank + 1, "model": kind.name(), "cv_mean": mean, "cv_std": std, "error": err})
        })
        .collect();
    let extra = json!({
        "kind": "auto",
        "metric": pipeline::primary_metric(settings.task),
        "folds": folds,
        "leaderboard": leaderboard,
        "best": best.name(),
    });
    progress(total, total, &format!("auto: training the best, {}", best.name()));
    pipeline::train_on_parts(best, &best_params, data, settings, train, test, split_info, progress, extra)
}

/// One searchable hyperparameter: explicit values, or a numeric range.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Dimension {
    Values(Vec<Value>),
    Range {
        min: f64,
        max: f64,
        #[serde(default)]
        log: bool,
        #[serde(default)]
        integer: bool,
        /// Points of a grid over the range (grid search).
        #[serde(default = "default_steps")]
        steps: usize,
    },
}

fn default_steps() -> usize {
    4
}

impl Dimension {
    fn grid(&self) -> Vec<Value> {
        match self {
            Dimension::Values(v) => v.clone(),
            Dimension::Range { min, max, log, integer, steps } => {
                let steps = (*steps).max(2);
                let mut out: Vec<Value> = (0..steps)
                    .map(|k| {
                        let t = k as f64 / (steps - 1) as f64;
                        let v = if *log { (min.ln() + t * (max.ln() - min.ln())).exp() } else { min + t * (max - min) };
                        number(v, *integer)
                    })
                    .collect();
                out.dedup();
                out
            }
        }
    }

    fn sample(&self, rng: &mut Rng) -> Value {
        match self {
            Dimension::Values(v) => v[rng.below(v.len())].clone(),
            Dimension::Range { min, max, log, integer, .. } => {
                let t = rng.uniform();
                let v = if *log { (min.ln() + t * (max.ln() - min.ln())).exp() } else { min + t * (max - min) };
                number(v, *integer)
            }
        }
    }
}

fn number(v: f64, integer: bool) -> Value {
    if integer { json!(v.round() as i64) } else { json!((v * 1e6).round() / 1e6) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    #[default]
    Grid,
    Random,
}

/// Grid or random search of `space` around `base` hyperparameters; the best (highest mean
/// CV score) is trained on the whole training part and returned with the search table.
#[allow(clippy::too_many_arguments)]
pub fn tune(
    kind: ModelKind,
    base: &Map<String, Value>,
    space: &Map<String, Value>,
    strategy: Strategy,
    n_iter: usize,
    max_candidates: usize,
    data: &TrainData,
    settings: &Settings,
    progress: &mut dyn FnMut(u64, u64, &str),
) -> Result<Trained, MlError> {
    let mut dims: Vec<(String, Dimension)> = Vec::new();
    for (name, spec) in space {
        let dim: Dimension = serde_json::from_value(spec.clone()).map_err(|_| {
            MlError::params(format!(
                "search space for '{name}' must be a list of values or {{\"min\", \"max\", \"log\", \"integer\"}}"
            ))
        })?;
        if let Dimension::Values(v) = &dim
            && v.is_empty()
        {
            return Err(MlError::params(format!("search space for '{name}' is an empty list")));
        }
        dims.push((name.clone(), dim));
    }
    if dims.is_empty() {
        return Err(MlError::params(format!("nothing to search for '{}': give a search space", kind.name())));
    }
    let mut candidates: Vec<Map<String, Value>> = match strategy {
        Strategy::Grid => {
            let mut combos = vec![base.clone()];
            for (name, dim) in &dims {
                let values = dim.grid();
                let mut next = Vec::with_capacity(combos.len() * values.len());
                for c in &combos {
                    for v in &values {
                        let mut m = c.clone();
                        m.insert(name.clone(), v.clone());
                        next.push(m);
                    }
                }
                combos = next;
                if combos.len() > max_candidates {
                    return Err(MlError::params(format!(
                        "the grid has more than {max_candidates} combinations; use search=random with n_iter, or fewer values"
                    )));
                }
            }
            combos
        }
        Strategy::Random => {
            let mut rng = Rng::new(settings.random_state ^ 0x7E57);
            (0..n_iter.min(max_candidates))
                .map(|_| {
                    let mut m = base.clone();
                    for (name, dim) in &dims {
                        m.insert(name.clone(), dim.sample(&mut rng));
                    }
                    m
                })
                .collect()
        }
    };
    candidates.dedup();
    // Check every candidate before spending compute on any.
    let resolved: Vec<Value> = candidates
        .iter()
        .map(|c| resolve_params(kind, &Value::Object(c.clone())).map_err(MlError::params))
        .collect::<Result<_, _>>()?;
    let (train, test, split_info) = pipeline::split_data(data, settings)?;
    let folds = if settings.cv >= 2 { settings.cv } else { 3 };
    let total = resolved.len() as u64;
    let mut table: Vec<(Value, Map<String, Value>, f64, f64)> = Vec::new();
    for (k, params) in resolved.iter().enumerate() {
        progress(k as u64, total, &format!("search: candidate {} of {total}", k + 1));
        let cv = pipeline::cross_validate(kind, params, &train, settings, folds, &mut |_, _| {})?;
        table.push((params.clone(), candidates[k].clone(), cv.mean, cv.std));
    }
    let mut ranked: Vec<usize> = (0..table.len()).collect();
    ranked.sort_by(|&a, &b| table[b].2.total_cmp(&table[a].2));
    let best = ranked[0];
    let rows: Vec<Value> = ranked
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            let searched: Map<String, Value> =
                dims.iter().map(|(n, _)| (n.clone(), table[i].1.get(n).cloned().unwrap_or(Value::Null))).collect();
            json!({"rank": rank + 1, "params": searched, "cv_mean": table[i].2, "cv_std": table[i].3})
        })
        .collect();
    let extra = json!({
        "kind": strategy_name(strategy),
        "metric": pipeline::primary_metric(settings.task),
        "folds": folds,
        "candidates": table.len(),
        "best_params": table[best].0,
        "best_score": table[best].2,
        "table": rows,
    });
    progress(total, total, "search: training the best");
    let best_params = table[best].0.clone();
    pipeline::train_on_parts(kind, &best_params, data, settings, train, test, split_info, progress, extra)
}

fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Grid => "grid",
        Strategy::Random => "random",
    }
}
