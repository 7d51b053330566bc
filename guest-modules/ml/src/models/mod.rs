//! The 13 model types: hyperparameters (scikit-learn names and defaults), fitting and
//! prediction behind one [`Model`] enum that serialises into the model artifact.

pub mod bayes;
pub mod ensemble;
pub mod linear;
pub mod logistic;
pub mod mlp;
pub mod svm;
pub mod tree;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::matrix::Matrix;
use crate::metrics::Scores;
use crate::rng::Rng;
use ensemble::{BoostParams, Boosting, Forest};
use linear::{LinearModel, PolynomialModel};
use mlp::{Activation, LayerSpec, Network};
use tree::{Columns, Criterion, Tree, TreeParams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Linear,
    Ridge,
    Lasso,
    Elasticnet,
    Polynomial,
    Logistic,
    DecisionTree,
    RandomForest,
    GradientBoosting,
    Svm,
    NaiveBayes,
    MlpRegression,
    MlpClassification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Regression,
    Classification,
}

impl ModelKind {
    pub const ALL: [ModelKind; 13] = [
        ModelKind::Linear,
        ModelKind::Ridge,
        ModelKind::Lasso,
        ModelKind::Elasticnet,
        ModelKind::Polynomial,
        ModelKind::Logistic,
        ModelKind::DecisionTree,
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
        ModelKind::Svm,
        ModelKind::NaiveBayes,
        ModelKind::MlpRegression,
        ModelKind::MlpClassification,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Ridge => "ridge",
            ModelKind::Lasso => "lasso",
            ModelKind::Elasticnet => "elasticnet",
            ModelKind::Polynomial => "polynomial",
            ModelKind::Logistic => "logistic",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::RandomForest => "random_forest",
            ModelKind::GradientBoosting => "gradient_boosting",
            ModelKind::Svm => "svm",
            ModelKind::NaiveBayes => "naive_bayes",
            ModelKind::MlpRegression => "mlp_regression",
            ModelKind::MlpClassification => "mlp_classification",
        }
    }

    pub fn parse(name: &str) -> Option<ModelKind> {
        let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let alias = match n.as_str() {
            "linear_regression" | "ols" => "linear",
            "elastic_net" => "elasticnet",
            "tree" => "decision_tree",
            "forest" | "rf" => "random_forest",
            "gbm" | "boosting" | "gb" => "gradient_boosting",
            "svc" => "svm",
            "nb" | "bayes" | "gaussian_nb" => "naive_bayes",
            "logistic_regression" => "logistic",
            "mlp_regressor" => "mlp_regression",
            "mlp_classifier" | "mlp" | "neural_network" => "mlp_classification",
            other => other,
        };
        ModelKind::ALL.into_iter().find(|k| k.name() == alias)
    }

    /// Which tasks the type can learn.
    pub fn supports(self, task: Task) -> bool {
        match self {
            ModelKind::Linear
            | ModelKind::Ridge
            | ModelKind::Lasso
            | ModelKind::Elasticnet
            | ModelKind::Polynomial
            | ModelKind::MlpRegression => task == Task::Regression,
            ModelKind::Logistic | ModelKind::Svm | ModelKind::NaiveBayes | ModelKind::MlpClassification => {
                task == Task::Classification
            }
            ModelKind::DecisionTree | ModelKind::RandomForest | ModelKind::GradientBoosting => true,
        }
    }

    /// The task a type implies on its own, when it supports only one.
    pub fn only_task(self) -> Option<Task> {
        match (self.supports(Task::Regression), self.supports(Task::Classification)) {
            (true, false) => Some(Task::Regression),
            (false, true) => Some(Task::Classification),
            _ => None,
        }
    }

    pub fn is_neural(self) -> bool {
        matches!(self, ModelKind::MlpRegression | ModelKind::MlpClassification)
    }
}

// ---- hyperparameters (scikit-learn names and defaults) ----

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RidgeParams {
    pub alpha: f64,
}
impl Default for RidgeParams {
    fn default() -> Self {
        RidgeParams { alpha: 1.0 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticNetParams {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub max_iter: usize,
    pub tol: f64,
}
impl Default for ElasticNetParams {
    fn default() -> Self {
        ElasticNetParams { alpha: 1.0, l1_ratio: 0.5, max_iter: 1000, tol: 1e-4 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LassoParams {
    pub alpha: f64,
    pub max_iter: usize,
    pub tol: f64,
}
impl Default for LassoParams {
    fn default() -> Self {
        LassoParams { alpha: 1.0, max_iter: 1000, tol: 1e-4 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolynomialParams {
    pub degree: usize,
}
impl Default for PolynomialParams {
    fn default() -> Self {
        PolynomialParams { degree: 2 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub max_iter: usize,
}
impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams { c: 1.0, max_iter: 100 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeParams {
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
}
impl Default for DecisionTreeParams {
    fn default() -> Self {
        DecisionTreeParams { max_depth: None, min_samples_split: 2, min_samples_leaf: 1 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomForestParams {
    pub n_estimators: usize,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// "sqrt", "log2", "all", or a fraction / count; default sqrt (classification), all
    /// (regression), as scikit-learn.
    pub max_features: Option<Value>,
}
impl Default for RandomForestParams {
    fn default() -> Self {
        RandomForestParams {
            n_estimators: 100,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientBoostingParams {
    pub n_estimators: usize,
    pub learning_rate: f64,
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub subsample: f64,
}
impl Default for GradientBoostingParams {
    fn default() -> Self {
        GradientBoostingParams {
            n_estimators: 100,
            learning_rate: 0.1,
            max_depth: 3,
            min_samples_split: 2,
            min_samples_leaf: 1,
            subsample: 1.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvmParams {
    #[serde(rename = "C")]
    pub c: f64,
    pub kernel: String,
    /// "scale", "auto" or a positive number.
    pub gamma: Value,
    pub degree: i32,
    pub coef0: f64,
    pub max_iter: usize,
}
impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 1.0,
            kernel: "rbf".into(),
            gamma: Value::from("scale"),
            degree: 3,
            coef0: 0.0,
            max_iter: 1_000_000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NaiveBayesParams {
    pub var_smoothing: f64,
}
impl Default for NaiveBayesParams {
    fn default() -> Self {
        NaiveBayesParams { var_smoothing: 1e-9 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpParams {
    pub hidden_layers: Vec<usize>,
    pub activation: Activation,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub dropout: f64,
    /// L2 penalty (scikit-learn's `alpha`).
    pub alpha: f64,
    pub early_stopping: bool,
    pub validation_fraction: f64,
    /// Epochs without improvement before stopping (scikit-learn's `n_iter_no_change`).
    pub patience: usize,
    /// A custom architecture: hidden layers with their own units, activation and dropout;
    /// replaces hidden_layers / activation / dropout.
    pub architecture: Option<Vec<LayerSpec>>,
}
impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden_layers: vec![100],
            activation: Activation::Relu,
            epochs: 200,
            batch_size: 200,
            learning_rate: 0.001,
            dropout: 0.0,
            alpha: 1e-4,
            early_stopping: true,
            validation_fraction: 0.1,
            patience: 10,
            architecture: None,
        }
    }
}

impl MlpParams {
    pub fn layers(&self) -> Vec<LayerSpec> {
        self.architecture.clone().unwrap_or_else(|| {
            self.hidden_layers
                .iter()
                .map(|&units| LayerSpec { units, activation: self.activation, dropout: self.dropout as f32 })
                .collect()
        })
    }
}

fn parse<T: DeserializeOwned>(kind: ModelKind, params: &Value) -> Result<T, String> {
    serde_json::from_value(params.clone()).map_err(|e| format!("hyperparameters of '{}': {e}", kind.name()))
}

/// Parses and checks the hyperparameters of a type; returns them with defaults filled, as
/// stored in the model's metadata.
pub fn resolve_params(kind: ModelKind, params: &Value) -> Result<Value, String> {
    fn out<T: Serialize>(t: T) -> Result<Value, String> {
        serde_json::to_value(t).map_err(|e| e.to_string())
    }
    let positive = |name: &str, v: f64| {
        if v > 0.0 && v.is_finite() { Ok(()) } else { Err(format!("{name} must be a positive number, got {v}")) }
    };
    let at_least = |name: &str, v: usize, min: usize| {
        if v >= min { Ok(()) } else { Err(format!("{name} must be at least {min}, got {v}")) }
    };
    match kind {
        ModelKind::Linear => out(parse::<NoParams>(kind, params)?),
        ModelKind::Ridge => {
            let p: RidgeParams = parse(kind, params)?;
            if p.alpha.is_nan() || p.alpha < 0.0 {
                return Err(format!("alpha must be ≥ 0, got {}", p.alpha));
            }
            out(p)
        }
        ModelKind::Lasso => {
            let p: LassoParams = parse(kind, params)?;
            positive("alpha", p.alpha)?;
            out(p)
        }
        ModelKind::Elasticnet => {
            let p: ElasticNetParams = parse(kind, params)?;
            positive("alpha", p.alpha)?;
            if !(0.0..=1.0).contains(&p.l1_ratio) {
                return Err(format!("l1_ratio must be in [0, 1], got {}", p.l1_ratio));
            }
            out(p)
        }
        ModelKind::Polynomial => {
            let p: PolynomialParams = parse(kind, params)?;
            at_least("degree", p.degree, 1)?;
            out(p)
        }
        ModelKind::Logistic => {
            let p: LogisticParams = parse(kind, params)?;
            positive("C", p.c)?;
            at_least("max_iter", p.max_iter, 1)?;
            out(p)
        }
        ModelKind::DecisionTree => {
            let p: DecisionTreeParams = parse(kind, params)?;
            at_least("min_samples_split", p.min_samples_split, 2)?;
            at_least("min_samples_leaf", p.min_samples_leaf, 1)?;
            out(p)
        }
        ModelKind::RandomForest => {
            let p: RandomForestParams = parse(kind, params)?;
            at_least("n_estimators", p.n_estimators, 1)?;
            at_least("min_samples_split", p.min_samples_split, 2)?;
            at_least("min_samples_leaf", p.min_samples_leaf, 1)?;
            if let Some(mf) = &p.max_features {
                max_features(mf, 10, Task::Classification)?;
            }
            out(p)
        }
        ModelKind::GradientBoosting => {
            let p: GradientBoostingParams = parse(kind, params)?;
            at_least("n_estimators", p.n_estimators, 1)?;
            positive("learning_rate", p.learning_rate)?;
            at_least("max_depth", p.max_depth, 1)?;
            if !(p.subsample > 0.0 && p.subsample <= 1.0) {
                return Err(format!("subsample must be in (0, 1], got {}", p.subsample));
            }
            out(p)
        }
        ModelKind::Svm => {
            let p: SvmParams = parse(kind, params)?;
            positive("C", p.c)?;
            kernel_of(&p, 1, 1.0)?;
            out(p)
        }
        ModelKind::NaiveBayes => {
            let p: NaiveBayesParams = parse(kind, params)?;
            if p.var_smoothing.is_nan() || p.var_smoothing < 0.0 {
                return Err(format!("var_smoothing must be ≥ 0, got {}", p.var_smoothing));
            }
            out(p)
        }
        ModelKind::MlpRegression | ModelKind::MlpClassification => {
            let p: MlpParams = parse(kind, params)?;
            mlp::validate_layers(&p.layers()).map_err(|e| format!("architecture: {e}"))?;
            at_least("epochs", p.epochs, 1)?;
            at_least("batch_size", p.batch_size, 1)?;
            positive("learning_rate", p.learning_rate)?;
            if !(0.0..1.0).contains(&p.validation_fraction) {
                return Err(format!("validation_fraction must be in [0, 1), got {}", p.validation_fraction));
            }
            out(p)
        }
    }
}

fn kernel_of(p: &SvmParams, n_features: usize, x_var: f64) -> Result<svm::Kernel, String> {
    let gamma = match &p.gamma {
        Value::String(s) if s == "scale" => {
            if x_var > 0.0 {
                1.0 / (n_features as f64 * x_var)
            } else {
                1.0
            }
        }
        Value::String(s) if s == "auto" => 1.0 / n_features.max(1) as f64,
        Value::Number(n) if n.as_f64().is_some_and(|g| g > 0.0) => n.as_f64().unwrap_or(1.0),
        other => return Err(format!("gamma must be \"scale\", \"auto\" or a positive number, got {other}")),
    };
    Ok(match p.kernel.as_str() {
        "linear" => svm::Kernel::Linear,
        "rbf" => svm::Kernel::Rbf { gamma },
        "poly" => svm::Kernel::Poly { gamma, degree: p.degree, coef0: p.coef0 },
        "sigmoid" => svm::Kernel::Sigmoid { gamma, coef0: p.coef0 },
        other => return Err(format!("kernel must be linear, rbf, poly or sigmoid, got '{other}'")),
    })
}

fn max_features(v: &Value, p: usize, task: Task) -> Result<usize, String> {
    let n = match v {
        Value::Null => match task {
            Task::Classification => (p as f64).sqrt() as usize,
            Task::Regression => p,
        },
        Value::String(s) if s == "sqrt" => (p as f64).sqrt() as usize,
        Value::String(s) if s == "log2" => (p as f64).log2() as usize,
        Value::String(s) if s == "all" => p,
        Value::Number(n) if n.as_u64().is_some_and(|k| k >= 1) => n.as_u64().unwrap_or(1) as usize,
        Value::Number(n) if n.as_f64().is_some_and(|f| f > 0.0 && f <= 1.0) => {
            (n.as_f64().unwrap_or(1.0) * p as f64) as usize
        }
        other => {
            return Err(format!(
                "max_features must be \"sqrt\", \"log2\", \"all\", a count or a fraction in (0, 1], got {other}"
            ));
        }
    };
    Ok(n.clamp(1, p.max(1)))
}

// ---- fitted models ----

/// A fitted model of any type, as stored in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    Linear { model: LinearModel },
    Polynomial { model: PolynomialModel },
    Logistic { model: LogisticModel },
    Tree { tree: Tree },
    Forest { forest: Forest },
    Boosting { boosting: Boosting },
    Svm { svm: svm::Svm },
    NaiveBayes { model: bayes::GaussianNb },
    Mlp { network: Network },
}

pub use logistic::LogisticModel;

/// The target as the models see it.
pub enum Target<'a> {
    Values(&'a [f64]),
    Classes { y: &'a [usize], classes: usize },
}

impl Target<'_> {
    pub fn task(&self) -> Task {
        match self {
            Target::Values(_) => Task::Regression,
            Target::Classes { .. } => Task::Classification,
        }
    }

    fn as_f64(&self) -> Vec<f64> {
        match self {
            Target::Values(v) => v.to_vec(),
            Target::Classes { y, .. } => y.iter().map(|&c| c as f64).collect(),
        }
    }

    fn classes(&self) -> Option<usize> {
        match self {
            Target::Values(_) => None,
            Target::Classes { classes, .. } => Some(*classes),
        }
    }
}

/// How feature importance was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceMethod {
    Coefficients,
    Impurity,
    Permutation,
}

pub struct Fitted {
    pub model: Model,
    /// Per encoded feature, when the model gives it directly (coefficients, impurity).
    pub importance: Option<(ImportanceMethod, Vec<f64>)>,
    /// Type-specific facts for the result (iterations, trees, support vectors, history...).
    pub details: Value,
}

/// Fits `kind` with resolved `params` on the encoded features `x`.
pub fn fit(
    kind: ModelKind,
    params: &Value,
    x: &Matrix,
    target: &Target,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Fitted, String> {
    if !kind.supports(target.task()) {
        return Err(format!("'{}' cannot learn a {:?} task", kind.name(), target.task()).to_lowercase());
    }
    // Trees split on columns; the other models never need the column-major copy.
    let trees = matches!(kind, ModelKind::DecisionTree | ModelKind::RandomForest | ModelKind::GradientBoosting);
    let cols: Vec<Vec<f64>> = if trees { (0..x.cols).map(|j| x.column(j)).collect() } else { Vec::new() };
    let columns = Columns { cols: &cols, rows: x.rows };
    let coefficients = |m: &LinearModel| Some((ImportanceMethod::Coefficients, m.coef.clone()));
    let fitted = match kind {
        ModelKind::Linear | ModelKind::Ridge | ModelKind::Lasso | ModelKind::Elasticnet => {
            let Target::Values(y) = target else { unreachable!("checked by supports") };
            let model = match kind {
                ModelKind::Linear => linear::fit_ols(x, y),
                ModelKind::Ridge => linear::fit_ridge(x, y, parse::<RidgeParams>(kind, params)?.alpha),
                ModelKind::Lasso => {
                    let p: LassoParams = parse(kind, params)?;
                    linear::fit_elastic_net(x, y, p.alpha, 1.0, p.max_iter, p.tol)
                }
                _ => {
                    let p: ElasticNetParams = parse(kind, params)?;
                    linear::fit_elastic_net(x, y, p.alpha, p.l1_ratio, p.max_iter, p.tol)
                }
            };
            let details = serde_json::json!({ "intercept": model.intercept, "iterations": model.iterations });
            Fitted { importance: coefficients(&model), model: Model::Linear { model }, details }
        }
        ModelKind::Polynomial => {
            let Target::Values(y) = target else { unreachable!("checked by supports") };
            let p: PolynomialParams = parse(kind, params)?;
            let model = PolynomialModel::fit(x, y, p.degree);
            let details = serde_json::json!({ "terms": model.linear.coef.len(), "intercept": model.linear.intercept });
            Fitted { model: Model::Polynomial { model }, importance: None, details }
        }
        ModelKind::Logistic => {
            let Target::Classes { y, classes } = target else { unreachable!("checked by supports") };
            let p: LogisticParams = parse(kind, params)?;
            let model = logistic::fit(x, y, *classes, p.c, p.max_iter);
            // Importance: the largest absolute weight of each feature across classes.
            let imp: Vec<f64> = (0..x.cols)
                .map(|j| {
                    model.weights.iter().map(|w| w[j]).fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a })
                })
                .collect();
            let details = serde_json::json!({ "iterations": model.iterations, "converged": model.converged });
            Fitted {
                model: Model::Logistic { model },
                importance: Some((ImportanceMethod::Coefficients, imp)),
                details,
            }
        }
        ModelKind::DecisionTree => {
            let p: DecisionTreeParams = parse(kind, params)?;
            let tp = tree_params(p.max_depth, p.min_samples_split, p.min_samples_leaf, x.cols);
            let criterion = criterion_for(target);
            let presorted = tree::Presorted::new(&columns);
            let grown = tree::grow(&columns, &target.as_f64(), &vec![1.0; x.rows], &presorted, tp, criterion, rng);
            let details = serde_json::json!({ "nodes": grown.tree.node_count(), "depth": grown.tree.depth() });
            Fitted {
                model: Model::Tree { tree: grown.tree },
                importance: Some((ImportanceMethod::Impurity, ensemble::normalise(grown.importance))),
                details,
            }
        }
        ModelKind::RandomForest => {
            let p: RandomForestParams = parse(kind, params)?;
            let features = max_features(p.max_features.as_ref().unwrap_or(&Value::Null), x.cols, target.task())?;
            let tp = tree_params(p.max_depth, p.min_samples_split, p.min_samples_leaf, features);
            let (forest, imp) = ensemble::fit_forest(
                &columns,
                &target.as_f64(),
                criterion_for(target),
                p.n_estimators,
                tp,
                rng,
                progress,
            );
            let nodes: usize = forest.trees.iter().map(Tree::node_count).sum();
            let details =
                serde_json::json!({ "trees": forest.trees.len(), "nodes": nodes, "max_features": tp.max_features });
            Fitted { model: Model::Forest { forest }, importance: Some((ImportanceMethod::Impurity, imp)), details }
        }
        ModelKind::GradientBoosting => {
            let p: GradientBoostingParams = parse(kind, params)?;
            let bp = BoostParams {
                n_estimators: p.n_estimators,
                learning_rate: p.learning_rate,
                subsample: p.subsample,
                tree: TreeParams {
                    max_depth: p.max_depth,
                    min_samples_split: p.min_samples_split,
                    min_samples_leaf: p.min_samples_leaf,
                    max_features: x.cols,
                },
            };
            let (boosting, imp) =
                ensemble::fit_boosting(&columns, &target.as_f64(), target.classes(), &bp, rng, progress);
            let details = serde_json::json!({ "stages": boosting.stages.len(), "loss": boosting.loss });
            Fitted { model: Model::Boosting { boosting }, importance: Some((ImportanceMethod::Impurity, imp)), details }
        }
        ModelKind::Svm => {
            let Target::Classes { y, classes } = target else { unreachable!("checked by supports") };
            let p: SvmParams = parse(kind, params)?;
            let mean = x.data.iter().sum::<f64>() / x.data.len().max(1) as f64;
            let var = x.data.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.data.len().max(1) as f64;
            let kernel = kernel_of(&p, x.cols, var)?;
            let model = svm::fit(x, y, *classes, p.c, kernel, p.max_iter, progress);
            let svs: usize = model.machines.iter().map(|m| m.coef.len()).sum();
            let details =
                serde_json::json!({ "kernel": kernel, "support_vectors": svs, "machines": model.machines.len() });
            Fitted { model: Model::Svm { svm: model }, importance: None, details }
        }
        ModelKind::NaiveBayes => {
            let Target::Classes { y, classes } = target else { unreachable!("checked by supports") };
            let p: NaiveBayesParams = parse(kind, params)?;
            let model = bayes::fit(x, y, *classes, p.var_smoothing);
            let details = serde_json::json!({ "priors": model.prior });
            Fitted { model: Model::NaiveBayes { model }, importance: None, details }
        }
        ModelKind::MlpRegression | ModelKind::MlpClassification => {
            let p: MlpParams = parse(kind, params)?;
            let settings = mlp::TrainSettings {
                epochs: p.epochs,
                batch_size: p.batch_size,
                learning_rate: p.learning_rate as f32,
                alpha: p.alpha as f32,
                early_stopping: p.early_stopping,
                validation_fraction: p.validation_fraction,
                patience: p.patience,
                tol: 1e-4,
            };
            let (network, history) = mlp::train(
                &x.data,
                x.rows,
                x.cols,
                &target.as_f64(),
                target.classes(),
                p.layers(),
                &settings,
                rng,
                progress,
            );
            let details = serde_json::json!({ "layers": network.hidden, "history": history });
            Fitted { model: Model::Mlp { network }, importance: None, details }
        }
    };
    Ok(fitted)
}

/// Tree settings; no `max_depth` means unlimited, as in scikit-learn.
fn tree_params(max_depth: Option<usize>, split: usize, leaf: usize, max_features: usize) -> TreeParams {
    TreeParams {
        max_depth: max_depth.unwrap_or(usize::MAX),
        min_samples_split: split,
        min_samples_leaf: leaf,
        max_features,
    }
}

fn criterion_for(target: &Target) -> Criterion {
    match target {
        Target::Values(_) => Criterion::SquaredError,
        Target::Classes { classes, .. } => Criterion::Gini { classes: *classes },
    }
}

/// What a model predicts for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicted {
    Values(Vec<f64>),
    Classes {
        classes: Vec<usize>,
        /// Class probabilities, or decision scores when `probabilities` is false (SVM).
        scores: Scores,
        probabilities: bool,
    },
}

impl Model {
    pub fn predict(&self, x: &Matrix) -> Predicted {
        let rows = || (0..x.rows).map(|i| x.row(i));
        let classes_from = |scores: Scores, probabilities: bool| Predicted::Classes {
            classes: scores.argmax(),
            scores,
            probabilities,
        };
        match self {
            Model::Linear { model } => Predicted::Values(model.predict(x)),
            Model::Polynomial { model } => Predicted::Values(model.predict(x)),
            Model::Logistic { model } => classes_from(model.predict_proba(x), true),
            Model::Tree { tree } => tree_like(tree.outputs, x, |row, out| out.copy_from_slice(tree.leaf_value(row))),
            Model::Forest { forest } => tree_like(forest.outputs, x, |row, out| forest.predict_raw(row, out)),
            Model::Boosting { boosting } => {
                if boosting.loss == ensemble::BoostLoss::SquaredError {
                    Predicted::Values(rows().map(|r| boosting.predict_value(r)).collect())
                } else {
                    classes_from(boosting.predict_proba(rows().map(<[f64]>::to_vec)), true)
                }
            }
            Model::Svm { svm } => classes_from(svm.scores(x), false),
            Model::NaiveBayes { model } => classes_from(model.predict_proba(x), true),
            Model::Mlp { network } => {
                let out = network.predict(&x.data, x.rows);
                match network.output {
                    mlp::OutputKind::Identity => Predicted::Values(out),
                    mlp::OutputKind::Softmax => classes_from(Scores { classes: network.outputs, data: out }, true),
                }
            }
        }
    }
}

/// Trees and forests: one output is a value, several are class probabilities.
fn tree_like(outputs: usize, x: &Matrix, mut f: impl FnMut(&[f64], &mut [f64])) -> Predicted {
    let mut data = vec![0.0; x.rows * outputs];
    for i in 0..x.rows {
        f(x.row(i), &mut data[i * outputs..(i + 1) * outputs]);
    }
    if outputs == 1 {
        return Predicted::Values(data);
    }
    let scores = Scores { classes: outputs, data };
    Predicted::Classes { classes: scores.argmax(), scores, probabilities: true }
}
