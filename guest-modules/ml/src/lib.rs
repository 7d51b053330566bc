//! statbox's machine-learning plugin: 13 model types with scikit-learn's algorithms,
//! hyperparameter names and defaults, trained and applied inside the sandbox.
//!
//! Operations (each `--json` result is documented in the README):
//! - `train` — one model type, or `auto` (every suitable type ranked by cross-validation);
//!   returns metrics, feature importance and the model as an artifact.
//! - `tune` — grid or random hyperparameter search with cross-validation, then `train`.
//! - `predict` — applies a model artifact to a table: predictions, probabilities, summary.
//! - `catalog` — the model types and their default hyperparameters.
//!
//! The numerics are plain modules over matrices ([`models`], [`pipeline`]) so they are
//! unit-tested and benchmarked natively; [`ops`] adapts them to the plugin contract.

pub mod error;
pub mod matrix;
pub mod metrics;
pub mod models;
pub mod ops;
pub mod optimize;
pub mod pipeline;
pub mod preprocess;
pub mod rng;
pub mod search;
pub mod split;

use statbox_sdk::{Operation, Plugin, json};

pub struct Ml;

impl Plugin for Ml {
    const NAME: &'static str = "ml";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Machine learning with scikit-learn's algorithms and names: linear, ridge, lasso, elasticnet, polynomial, logistic, decision_tree, random_forest, gradient_boosting, svm, naive_bayes, mlp_regression, mlp_classification, auto.";

    fn operations() -> Vec<Operation> {
        vec![
            Operation::new(
                "train",
                "Train a model (or auto: rank every suitable type by cross-validation); metrics, feature importance, model artifact",
                ops::train_schema(),
                ops::train,
            ),
            Operation::new(
                "tune",
                "Grid or random hyperparameter search with cross-validation; trains the best configuration",
                ops::train_schema(),
                ops::tune,
            ),
            Operation::new(
                "predict",
                "Apply a trained model to a table: predictions, class probabilities, summary, preview",
                ops::predict_schema(),
                ops::predict,
            ),
            Operation::new(
                "catalog",
                "Model types, their tasks and default hyperparameters",
                json!({"type": "object"}),
                ops::catalog,
            ),
        ]
    }
}

#[cfg(target_arch = "wasm32")]
statbox_sdk::export_plugin!(Ml);
