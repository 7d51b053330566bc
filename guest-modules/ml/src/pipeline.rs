//! Training end to end: target checks, split, optional outlier removal and class
//! balancing, preprocessing fitted on the training rows, cross-validation, the final fit,
//! metrics on train / test / CV, and feature importance.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::MlError;
use crate::matrix::Matrix;
use crate::metrics::{self, ClassificationMetrics, RegressionMetrics};
use crate::models::{self, Fitted, ImportanceMethod, Model, ModelKind, Predicted, Target, Task};
use crate::preprocess::{Missing, Preprocessor, RawFeatures, Scaling, iqr_outliers};
use crate::rng::Rng;
use crate::split;

/// The target column as read from the table.
#[derive(Debug, Clone)]
pub enum TargetColumn {
    Numeric(Vec<f64>),
    Labels(Vec<Option<String>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Balance {
    #[default]
    None,
    /// Drop rows of the larger classes down to the smallest class.
    Undersample,
    /// Repeat rows of the smaller classes up to the largest class.
    Oversample,
}

/// How to train, apart from the model type and its hyperparameters.
#[derive(Debug, Clone)]
pub struct Settings {
    pub task: Task,
    pub test_size: f64,
    pub cv: usize,
    pub random_state: u64,
    pub missing: Missing,
    pub fill_value: f64,
    pub scaling: Scaling,
    pub remove_outliers: bool,
    pub balance: Balance,
    pub min_training_samples: usize,
    pub drop_missing_target: bool,
    /// Feature importance; permutation importance (SVMs, naive Bayes, networks) costs
    /// features × 5 predictions, so it can be turned off.
    pub importance: bool,
}

/// Training data: features, target and, optionally, a given test/train assignment.
pub struct TrainData {
    pub features: RawFeatures,
    pub target_name: String,
    pub target: TargetColumn,
    /// Per row: true for a test row (from a split column).
    pub test_rows: Option<Vec<bool>>,
}

/// The target after checks: values, or class indices into sorted labels.
#[derive(Debug, Clone)]
pub enum Prepared {
    Values(Vec<f64>),
    Classes { y: Vec<usize>, labels: Vec<String> },
}

impl Prepared {
    fn select(&self, rows: &[usize]) -> Prepared {
        match self {
            Prepared::Values(v) => Prepared::Values(rows.iter().map(|&i| v[i]).collect()),
            Prepared::Classes { y, labels } => {
                Prepared::Classes { y: rows.iter().map(|&i| y[i]).collect(), labels: labels.clone() }
            }
        }
    }

    fn target(&self) -> Target<'_> {
        match self {
            Prepared::Values(v) => Target::Values(v),
            Prepared::Classes { y, labels } => Target::Classes { y, classes: labels.len() },
        }
    }

    fn strata(&self) -> Option<&[usize]> {
        match self {
            Prepared::Values(_) => None,
            Prepared::Classes { y, .. } => Some(y),
        }
    }
}

/// Everything a trained model needs at prediction time: the artifact's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelArtifact {
    pub format: String,
    pub version: u32,
    pub model_type: ModelKind,
    pub task: Task,
    pub target: String,
    /// Class labels in the order of the model's outputs (classification).
    pub classes: Vec<String>,
    pub hyperparameters: Value,
    pub preprocessor: Preprocessor,
    pub model: Model,
}

pub const ARTIFACT_FORMAT: &str = "statbox-model";
pub const ARTIFACT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Metrics {
    Regression(RegressionMetrics),
    Classification(ClassificationMetrics),
}

impl Metrics {
    /// The score used to rank models: R² or accuracy.
    pub fn primary(&self) -> f64 {
        match self {
            Metrics::Regression(m) => m.r2,
            Metrics::Classification(m) => m.accuracy,
        }
    }
}

pub fn primary_metric(task: Task) -> &'static str {
    match task {
        Task::Regression => "r2",
        Task::Classification => "accuracy",
    }
}

/// Cross-validation scores of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    pub folds: usize,
    pub metric: &'static str,
    pub scores: Vec<f64>,
    pub mean: f64,
    /// Population standard deviation of the fold scores (numpy's default, as
    /// `cross_val_score(...).std()`).
    pub std: f64,
    /// Mean of every metric over the folds.
    pub mean_metrics: Value,
}

pub struct Trained {
    pub artifact: ModelArtifact,
    pub report: Value,
}

/// Checks the target and turns it into values or class indices; returns the rows kept.
pub fn prepare_target(data: &TrainData, settings: &Settings) -> Result<(Prepared, Vec<usize>), MlError> {
    let name = &data.target_name;
    let n = data.features.rows;
    let missing: Vec<usize> = (0..n)
        .filter(|&i| match &data.target {
            TargetColumn::Numeric(v) => !v[i].is_finite(),
            TargetColumn::Labels(v) => v[i].is_none(),
        })
        .collect();
    if !missing.is_empty() && !settings.drop_missing_target {
        let shown: Vec<String> = missing.iter().take(5).map(|i| (i + 1).to_string()).collect();
        return Err(MlError::data(
            format!(
                "The target '{name}' has {} missing value(s) (rows {}{})",
                missing.len(),
                shown.join(", "),
                if missing.len() > 5 { ", ..." } else { "" }
            ),
            "Fill or remove those rows, or train with drop_missing_target=true to leave them out",
        ));
    }
    let keep: Vec<usize> = (0..n).filter(|i| missing.binary_search(i).is_err()).collect();
    let prepared = match (settings.task, &data.target) {
        (Task::Regression, TargetColumn::Numeric(v)) => {
            let values: Vec<f64> = keep.iter().map(|&i| v[i]).collect();
            if values.windows(2).all(|w| w[0] == w[1]) {
                return Err(MlError::data(
                    format!(
                        "The target '{name}' is constant ({}): there is nothing to learn",
                        values.first().copied().unwrap_or(f64::NAN)
                    ),
                    "Pick a target column whose values vary",
                ));
            }
            Prepared::Values(values)
        }
        (Task::Regression, TargetColumn::Labels(_)) => {
            return Err(MlError::data(
                format!("The target '{name}' is not numeric, so it cannot be a regression target"),
                "Use a classification model (logistic, decision_tree, random_forest, ...) or a numeric target",
            ));
        }
        (Task::Classification, column) => {
            let labels_per_row: Vec<String> = keep
                .iter()
                .map(|&i| match column {
                    TargetColumn::Numeric(v) => number_label(v[i]),
                    TargetColumn::Labels(v) => v[i].clone().unwrap_or_default(),
                })
                .collect();
            let mut labels: Vec<String> = labels_per_row.clone();
            labels.sort_by(|a, b| label_order(a, b));
            labels.dedup();
            if labels.len() < 2 {
                return Err(MlError::data(
                    format!(
                        "The target '{name}' has a single class ({}): there is nothing to learn",
                        labels.first().map_or("", String::as_str)
                    ),
                    "Pick a target with at least two classes",
                ));
            }
            if labels.len() > 100 {
                return Err(MlError::data(
                    format!("The target '{name}' has {} classes; classification supports at most 100", labels.len()),
                    "For a numeric target use a regression model; otherwise group rare classes first",
                ));
            }
            let y =
                labels_per_row.iter().map(|l| labels.binary_search_by(|x| label_order(x, l)).unwrap_or(0)).collect();
            Prepared::Classes { y, labels }
        }
    };
    Ok((prepared, keep))
}

/// Numeric labels as they are written: `1` for 1.0, `2.5` for 2.5.
pub fn number_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// Numbers in numeric order, then text in code-point order (numpy's sort of the classes).
pub fn label_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// One dataset view: features and target rows aligned.
#[derive(Clone)]
pub struct Part {
    pub features: RawFeatures,
    pub target: Prepared,
}

impl Part {
    fn select(&self, rows: &[usize]) -> Part {
        Part { features: self.features.select(rows), target: self.target.select(rows) }
    }
}

/// Splits prepared data into train and test parts and applies the training-only steps.
pub fn split_data(data: &TrainData, settings: &Settings) -> Result<(Part, Part, Value), MlError> {
    let (target, keep) = prepare_target(data, settings)?;
    // Positions within `keep` (the target's rows) that stay.
    let mut positions: Vec<usize> = (0..keep.len()).collect();
    if settings.missing == Missing::Drop {
        let missing = data.features.rows_with_missing();
        positions.retain(|&p| !missing[keep[p]]);
    }
    let rows: Vec<usize> = positions.iter().map(|&p| keep[p]).collect();
    let all = Part { features: data.features.select(&rows), target: target.select(&positions) };
    finish_split(data, settings, all, &rows, keep.len() - positions.len())
}

fn finish_split(
    data: &TrainData,
    settings: &Settings,
    all: Part,
    keep: &[usize],
    dropped_missing: usize,
) -> Result<(Part, Part, Value), MlError> {
    let n = all.features.rows;
    let stratified = matches!(all.target, Prepared::Classes { .. });
    let (train_rows, test_rows) = match &data.test_rows {
        Some(flags) => {
            let test: Vec<usize> = (0..n).filter(|&i| flags[keep[i]]).collect();
            let train: Vec<usize> = (0..n).filter(|&i| !flags[keep[i]]).collect();
            (train, test)
        }
        None => {
            if stratified && (settings.test_size > 0.0 || settings.cv >= 2) {
                check_class_sizes(&all.target, settings)?;
            }
            split::train_test(n, settings.test_size, all.target.strata(), settings.random_state)
        }
    };
    let mut train = all.select(&train_rows);
    let test = all.select(&test_rows);
    let mut outliers_removed = 0;
    if settings.remove_outliers {
        let mut cols: Vec<&[f64]> = train
            .features
            .columns
            .iter()
            .filter_map(|c| match c {
                crate::preprocess::RawColumn::Numeric(v) => Some(v.as_slice()),
                _ => None,
            })
            .collect();
        if let Prepared::Values(v) = &train.target {
            cols.push(v);
        }
        let flags = iqr_outliers(&cols);
        let kept: Vec<usize> = (0..train.features.rows).filter(|&i| !flags[i]).collect();
        outliers_removed = train.features.rows - kept.len();
        train = train.select(&kept);
    }
    let mut resampled = Value::Null;
    if settings.balance != Balance::None {
        let Prepared::Classes { y, .. } = &train.target else {
            return Err(MlError::params("balance applies to classification only; remove it for a regression target"));
        };
        let rows = balance_rows(y, settings.balance, settings.random_state);
        resampled = json!({ "before": train.features.rows, "after": rows.len() });
        train = train.select(&rows);
    }
    if train.features.rows < settings.min_training_samples {
        return Err(MlError::data(
            format!(
                "Only {} training rows remain (after the split{}); at least {} are needed",
                train.features.rows,
                if dropped_missing + outliers_removed > 0 { " and dropping rows" } else { "" },
                settings.min_training_samples
            ),
            "Provide more rows, lower test_size, or use missing=mean instead of drop",
        ));
    }
    if let Prepared::Classes { y, labels } = &train.target {
        let mut present = vec![false; labels.len()];
        y.iter().for_each(|&c| present[c] = true);
        if present.iter().filter(|&&p| p).count() < 2 {
            return Err(MlError::data(
                "The training rows hold a single class",
                "Check the split column, or lower test_size so both classes are in the training part",
            ));
        }
    }
    let info = json!({
        "train_rows": train.features.rows,
        "test_rows": test.features.rows,
        "test_size": settings.test_size,
        "stratified": stratified && data.test_rows.is_none(),
        "random_state": settings.random_state,
        "from_split_column": data.test_rows.is_some(),
        "rows_dropped_missing": dropped_missing,
        "outliers_removed": outliers_removed,
        "resampled": resampled,
    });
    Ok((train, test, info))
}

fn check_class_sizes(target: &Prepared, settings: &Settings) -> Result<(), MlError> {
    let Prepared::Classes { y, labels } = target else { return Ok(()) };
    let mut counts = vec![0usize; labels.len()];
    y.iter().for_each(|&c| counts[c] += 1);
    let needed = if settings.cv >= 2 { settings.cv.max(2) } else { 2 };
    let small: Vec<String> =
        labels.iter().zip(&counts).filter(|(_, c)| **c < needed).map(|(l, c)| format!("'{l}' ({c})")).collect();
    if small.is_empty() {
        return Ok(());
    }
    Err(MlError::data(
        format!(
            "Stratified splitting needs at least {needed} rows per class; too few rows for class {}",
            small.join(", ")
        ),
        "Remove or merge those classes, collect more rows, or use test_size=0 with fewer cv folds",
    ))
}

fn balance_rows(y: &[usize], balance: Balance, seed: u64) -> Vec<usize> {
    let classes = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut groups = vec![Vec::new(); classes];
    for (i, &c) in y.iter().enumerate() {
        groups[c].push(i);
    }
    groups.retain(|g: &Vec<usize>| !g.is_empty());
    let target = match balance {
        Balance::Undersample => groups.iter().map(Vec::len).min().unwrap_or(0),
        _ => groups.iter().map(Vec::len).max().unwrap_or(0),
    };
    let mut rng = Rng::new(seed ^ 0xBA1A_11CE);
    let mut rows = Vec::new();
    for mut g in groups {
        rng.shuffle(&mut g);
        if g.len() >= target {
            rows.extend_from_slice(&g[..target]);
        } else {
            rows.extend_from_slice(&g);
            for _ in g.len()..target {
                rows.push(g[rng.below(g.len())]);
            }
        }
    }
    rows.sort_unstable();
    rows
}

/// Preprocessing plus model fitted on `train`.
pub struct FittedPipeline {
    pub preprocessor: Preprocessor,
    pub fitted: Fitted,
    /// The training rows as the model saw them (for training metrics, without encoding twice).
    pub x_train: Matrix,
}

pub fn fit_pipeline(
    kind: ModelKind,
    params: &Value,
    train: &Part,
    settings: &Settings,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<FittedPipeline, MlError> {
    let preprocessor = Preprocessor::fit(&train.features, settings.missing, settings.fill_value, settings.scaling);
    let x = preprocessor.transform(&train.features).x;
    if kind == ModelKind::Polynomial {
        let degree = params.get("degree").and_then(Value::as_u64).unwrap_or(2) as usize;
        let terms = models::linear::monomial_count(x.cols, degree);
        if terms > 5000 {
            return Err(MlError::params(format!(
                "degree {degree} on {} encoded features makes {terms} terms (limit 5000)",
                x.cols
            )));
        }
    }
    let fitted = models::fit(kind, params, &x, &train.target.target(), rng, progress).map_err(MlError::params)?;
    Ok(FittedPipeline { preprocessor, fitted, x_train: x })
}

/// Metrics of a model on encoded features.
pub fn evaluate(model: &Model, x: &Matrix, target: &Prepared) -> Metrics {
    match (model.predict(x), target) {
        (Predicted::Values(pred), Prepared::Values(y)) => Metrics::Regression(metrics::regression(y, &pred)),
        (Predicted::Classes { classes, scores, .. }, Prepared::Classes { y, labels }) => {
            Metrics::Classification(metrics::classification(y, &classes, labels.len(), Some(&scores)))
        }
        // A model always predicts what its target was; keep the mismatch visible anyway.
        _ => Metrics::Regression(RegressionMetrics {
            mse: f64::NAN,
            rmse: f64::NAN,
            mae: f64::NAN,
            r2: f64::NAN,
            explained_variance: f64::NAN,
        }),
    }
}

/// k-fold cross-validation of one configuration on `train` (preprocessing refitted per fold).
pub fn cross_validate(
    kind: ModelKind,
    params: &Value,
    train: &Part,
    settings: &Settings,
    folds: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CvReport, MlError> {
    let n = train.features.rows;
    if n < folds * 2 {
        return Err(MlError::data(
            format!("{folds}-fold cross-validation needs at least {} training rows, there are {n}", folds * 2),
            "Use fewer folds (cv=3) or more data",
        ));
    }
    let splits = split::k_fold(n, folds, train.target.strata(), settings.random_state);
    let mut scores = Vec::with_capacity(folds);
    let mut all: Vec<Value> = Vec::with_capacity(folds);
    for (f, (tr, va)) in splits.iter().enumerate() {
        let fold_train = train.select(tr);
        let fold_valid = train.select(va);
        let mut rng = Rng::new(settings.random_state.wrapping_add(f as u64 + 1));
        let fp = fit_pipeline(kind, params, &fold_train, settings, &mut rng, &mut |_, _| {})?;
        let x = fp.preprocessor.transform(&fold_valid.features).x;
        let m = evaluate(&fp.fitted.model, &x, &fold_valid.target);
        scores.push(m.primary());
        all.push(serde_json::to_value(&m).unwrap_or(Value::Null));
        progress(f + 1, folds);
    }
    let mean = scores.iter().sum::<f64>() / folds as f64;
    let std = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / folds as f64).sqrt();
    Ok(CvReport { folds, metric: primary_metric(settings.task), scores, mean, std, mean_metrics: mean_of(&all) })
}

/// Field-wise mean of numeric fields across metric objects.
fn mean_of(all: &[Value]) -> Value {
    let Some(Value::Object(first)) = all.first() else { return Value::Null };
    let mut out = serde_json::Map::new();
    for key in first.keys() {
        let vals: Vec<f64> = all.iter().filter_map(|m| m.get(key).and_then(Value::as_f64)).collect();
        if vals.len() == all.len() {
            out.insert(key.clone(), json!(vals.iter().sum::<f64>() / vals.len() as f64));
        }
    }
    Value::Object(out)
}

/// Trains one configuration and reports everything about it.
pub fn train(
    kind: ModelKind,
    params: &Value,
    data: &TrainData,
    settings: &Settings,
    progress: &mut dyn FnMut(u64, u64, &str),
) -> Result<Trained, MlError> {
    let (train, test, split_info) = split_data(data, settings)?;
    train_on_parts(kind, params, data, settings, train, test, split_info, progress, Value::Null)
}

#[allow(clippy::too_many_arguments)]
pub fn train_on_parts(
    kind: ModelKind,
    params: &Value,
    data: &TrainData,
    settings: &Settings,
    train: Part,
    test: Part,
    split_info: Value,
    progress: &mut dyn FnMut(u64, u64, &str),
    extra: Value,
) -> Result<Trained, MlError> {
    let cv = if settings.cv >= 2 {
        let label = format!("cross-validating {}", kind.name());
        Some(cross_validate(kind, params, &train, settings, settings.cv, &mut |d, t| {
            progress(d as u64, t as u64, &label)
        })?)
    } else {
        None
    };
    let mut rng = Rng::new(settings.random_state);
    let label = format!("training {}", kind.name());
    let fp = fit_pipeline(kind, params, &train, settings, &mut rng, &mut |d, t| progress(d as u64, t as u64, &label))?;
    let x_train = &fp.x_train;
    let train_metrics = evaluate(&fp.fitted.model, x_train, &train.target);
    let (x_test, test_metrics) = if test.features.rows > 0 {
        let x = fp.preprocessor.transform(&test.features).x;
        let m = evaluate(&fp.fitted.model, &x, &test.target);
        (Some(x), Some(m))
    } else {
        (None, None)
    };
    let importance = feature_importance(
        &fp,
        x_test.as_ref().map_or((x_train, &train.target), |x| (x, &test.target)),
        settings.random_state,
    );
    let classes = match &train.target {
        Prepared::Classes { labels, .. } => labels.clone(),
        Prepared::Values(_) => Vec::new(),
    };
    let features: Vec<Value> = fp
        .preprocessor
        .features
        .iter()
        .map(|f| match f {
            crate::preprocess::FeatureSpec::Numeric { name, .. } => json!({"name": name, "kind": "numeric"}),
            crate::preprocess::FeatureSpec::Categorical { name, categories, .. } => {
                json!({"name": name, "kind": "categorical", "categories": categories})
            }
        })
        .collect();
    let report = json!({
        "model_type": kind.name(),
        "task": settings.task,
        "target": data.target_name,
        "classes": if classes.is_empty() { Value::Null } else { json!(classes) },
        "features": features,
        "encoded_features": fp.preprocessor.encoded_names(),
        "hyperparameters": params,
        "preprocessing": {
            "missing": settings.missing,
            "scaling": settings.scaling,
            "remove_outliers": settings.remove_outliers,
            "balance": settings.balance,
        },
        "split": split_info,
        "training_shape": [x_train.rows, x_train.cols],
        "metrics": {
            "primary": primary_metric(settings.task),
            "train": train_metrics,
            "test": test_metrics,
            "cv": cv,
        },
        "feature_importance": importance,
        "details": fp.fitted.details,
        "search": extra,
    });
    let artifact = ModelArtifact {
        format: ARTIFACT_FORMAT.into(),
        version: ARTIFACT_VERSION,
        model_type: kind,
        task: settings.task,
        target: data.target_name.clone(),
        classes,
        hyperparameters: params.clone(),
        preprocessor: fp.preprocessor,
        model: fp.fitted.model,
    };
    Ok(Trained { artifact, report })
}

/// Per original feature, sorted by importance: coefficients (linear models, with the
/// signed coefficient), impurity decrease (trees), or the drop in the primary score when
/// the feature's values are shuffled (permutation, 5 repeats, on the test rows).
fn feature_importance(fp: &FittedPipeline, (x, target): (&Matrix, &Prepared), seed: u64) -> Value {
    let groups = fp.preprocessor.groups();
    let names: Vec<&str> = fp.preprocessor.features.iter().map(|f| f.name()).collect();
    let (method, values, coefficients): (ImportanceMethod, Vec<f64>, Option<Vec<f64>>) = match &fp.fitted.importance {
        Some((ImportanceMethod::Coefficients, coef)) => {
            let abs: Vec<f64> = groups.iter().map(|g| g.iter().map(|&j| coef[j].abs()).sum()).collect();
            let total: f64 = abs.iter().sum();
            let signed = groups.iter().map(|g| if g.len() == 1 { coef[g[0]] } else { f64::NAN }).collect();
            (
                ImportanceMethod::Coefficients,
                abs.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect(),
                Some(signed),
            )
        }
        Some((method, imp)) => (*method, groups.iter().map(|g| g.iter().map(|&j| imp[j]).sum()).collect(), None),
        None => {
            (ImportanceMethod::Permutation, permutation_importance(&fp.fitted.model, x, target, &groups, seed), None)
        }
    };
    let mut rows: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut v = json!({"feature": name, "importance": values[k]});
            if let Some(c) = &coefficients
                && c[k].is_finite()
            {
                v["coefficient"] = json!(c[k]);
            }
            v
        })
        .collect();
    rows.sort_by(|a, b| {
        let f = |v: &Value| v["importance"].as_f64().unwrap_or(f64::NEG_INFINITY);
        f(b).total_cmp(&f(a))
    });
    json!({ "method": method, "values": rows })
}

fn permutation_importance(model: &Model, x: &Matrix, target: &Prepared, groups: &[Vec<usize>], seed: u64) -> Vec<f64> {
    const REPEATS: usize = 5;
    // A sample bounds the cost (features × repeats predictions) on large test sets.
    const MAX_ROWS: usize = 500;
    let rows: Vec<usize> = (0..x.rows.min(MAX_ROWS)).collect();
    let x = x.select_rows(&rows);
    let target = target.select(&rows);
    let base = evaluate(model, &x, &target).primary();
    let mut rng = Rng::new(seed ^ 0x5EED);
    groups
        .iter()
        .map(|g| {
            let mut drop = 0.0;
            for _ in 0..REPEATS {
                let mut perm: Vec<usize> = (0..x.rows).collect();
                rng.shuffle(&mut perm);
                let mut shuffled = x.clone();
                for (i, &src) in perm.iter().enumerate() {
                    for &j in g {
                        shuffled.data[i * x.cols + j] = x.data[src * x.cols + j];
                    }
                }
                drop += base - evaluate(model, &shuffled, &target).primary();
            }
            drop / REPEATS as f64
        })
        .collect()
}
