//! Tree ensembles: `RandomForestClassifier/Regressor` (bootstrap samples, a random subset
//! of features per split, averaged trees) and `GradientBoostingClassifier/Regressor`
//! (shallow regression trees on the loss gradient with Newton-step leaves, Friedman 2001,
//! as scikit-learn implements it).

use serde::{Deserialize, Serialize};

use crate::metrics::Scores;
use crate::models::logistic::{sigmoid, softmax};
use crate::models::tree::{Columns, Criterion, Presorted, Tree, TreeParams, grow};
use crate::rng::Rng;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    /// Classes (classification) or 1 (regression).
    pub outputs: usize,
    pub trees: Vec<Tree>,
}

pub fn fit_forest(
    x: &Columns,
    y: &[f64],
    criterion: Criterion,
    n_estimators: usize,
    params: TreeParams,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize),
) -> (Forest, Vec<f64>) {
    let presorted = Presorted::new(x);
    let n = x.rows;
    let mut trees = Vec::with_capacity(n_estimators);
    let mut importance = vec![0.0; x.cols.len()];
    for t in 0..n_estimators {
        let mut tree_rng = rng.fork();
        let mut weight = vec![0.0; n];
        for _ in 0..n {
            weight[tree_rng.below(n)] += 1.0;
        }
        let grown = grow(x, y, &weight, &presorted, params, criterion, &mut tree_rng);
        add_normalised(&mut importance, &grown.importance);
        trees.push(grown.tree);
        progress(t + 1, n_estimators);
    }
    let outputs = trees.first().map_or(1, |t| t.outputs);
    (Forest { outputs, trees }, normalise(importance))
}

impl Forest {
    /// Mean of the trees' leaf values: class probabilities or the predicted value.
    pub fn predict_raw(&self, row: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for t in &self.trees {
            for (o, v) in out.iter_mut().zip(t.leaf_value(row)) {
                *o += v;
            }
        }
        let k = self.trees.len().max(1) as f64;
        out.iter_mut().for_each(|v| *v /= k);
    }
}

/// Adds one tree's importances normalised to sum 1 (scikit-learn averages per-tree
/// normalised importances).
pub fn add_normalised(total: &mut [f64], tree: &[f64]) {
    let s: f64 = tree.iter().sum();
    if s > 0.0 {
        for (t, v) in total.iter_mut().zip(tree) {
            *t += v / s;
        }
    }
}

pub fn normalise(mut v: Vec<f64>) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
    v
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoostLoss {
    SquaredError,
    /// Binary log-loss: one tree per stage on the log-odds.
    BinaryLogLoss,
    /// Multinomial log-loss: one tree per class per stage.
    MultinomialLogLoss,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boosting {
    pub loss: BoostLoss,
    pub learning_rate: f64,
    /// Initial raw prediction per output (mean, log-odds, or log class priors).
    pub init: Vec<f64>,
    /// Per stage, one tree per output.
    pub stages: Vec<Vec<Tree>>,
}

pub struct BoostParams {
    pub n_estimators: usize,
    pub learning_rate: f64,
    pub tree: TreeParams,
    pub subsample: f64,
}

/// `y`: values (regression) or class indices as f64.
pub fn fit_boosting(
    x: &Columns,
    y: &[f64],
    classes: Option<usize>,
    params: &BoostParams,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize),
) -> (Boosting, Vec<f64>) {
    let n = x.rows;
    let presorted = Presorted::new(x);
    let (loss, k) = match classes {
        None => (BoostLoss::SquaredError, 1),
        Some(2) => (BoostLoss::BinaryLogLoss, 1),
        Some(c) => (BoostLoss::MultinomialLogLoss, c),
    };
    let init: Vec<f64> = match loss {
        BoostLoss::SquaredError => vec![y.iter().sum::<f64>() / n as f64],
        BoostLoss::BinaryLogLoss => {
            let p = (y.iter().sum::<f64>() / n as f64).clamp(1e-15, 1.0 - 1e-15);
            vec![(p / (1.0 - p)).ln()]
        }
        BoostLoss::MultinomialLogLoss => {
            (0..k).map(|c| (y.iter().filter(|&&v| v as usize == c).count() as f64 / n as f64).max(1e-15).ln()).collect()
        }
    };
    let mut raw: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
    let mut stages = Vec::with_capacity(params.n_estimators);
    let mut importance = vec![0.0; x.cols.len()];
    let mut residual = vec![0.0; n];
    let mut prob = vec![0.0; n * k];
    for stage in 0..params.n_estimators {
        let weight: Vec<f64> = if params.subsample < 1.0 {
            (0..n).map(|_| if rng.uniform() < params.subsample { 1.0 } else { 0.0 }).collect()
        } else {
            vec![1.0; n]
        };
        if loss == BoostLoss::MultinomialLogLoss {
            for i in 0..n {
                let p = softmax(&raw[i * k..(i + 1) * k]);
                prob[i * k..(i + 1) * k].copy_from_slice(&p);
            }
        }
        let mut trees = Vec::with_capacity(k);
        for c in 0..k {
            for i in 0..n {
                residual[i] = match loss {
                    BoostLoss::SquaredError => y[i] - raw[i],
                    BoostLoss::BinaryLogLoss => y[i] - sigmoid(raw[i]),
                    BoostLoss::MultinomialLogLoss => f64::from(y[i] as usize == c) - prob[i * k + c],
                };
            }
            let mut grown = grow(x, &residual, &weight, &presorted, params.tree, Criterion::SquaredError, rng);
            // Newton step per leaf (scikit-learn's _update_terminal_regions).
            let leaves: Vec<usize> = (0..n).map(|i| grown.tree.apply_columns(x.cols, i)).collect();
            let nodes = grown.tree.node_count();
            let (mut num, mut den) = (vec![0.0; nodes], vec![0.0; nodes]);
            for i in 0..n {
                if weight[i] == 0.0 {
                    continue;
                }
                let r = residual[i];
                num[leaves[i]] += r;
                den[leaves[i]] += match loss {
                    BoostLoss::SquaredError => 1.0,
                    BoostLoss::BinaryLogLoss | BoostLoss::MultinomialLogLoss => {
                        (y_of(loss, y[i], c) - r) * (1.0 - y_of(loss, y[i], c) + r)
                    }
                };
            }
            let scale = if loss == BoostLoss::MultinomialLogLoss { (k as f64 - 1.0) / k as f64 } else { 1.0 };
            for node in 0..nodes {
                if grown.tree.feature[node] == crate::models::tree::LEAF {
                    grown.tree.value[node] = if den[node].abs() < 1e-150 { 0.0 } else { scale * num[node] / den[node] };
                }
            }
            for i in 0..n {
                raw[i * k + c] += params.learning_rate * grown.tree.value[leaves[i]];
            }
            add_raw(&mut importance, &grown.importance);
            trees.push(grown.tree);
        }
        stages.push(trees);
        progress(stage + 1, params.n_estimators);
    }
    (Boosting { loss, learning_rate: params.learning_rate, init, stages }, normalise(importance))
}

/// The predicted probability p for the Newton denominator p(1−p): for log-loss the
/// residual is y − p, so p = y − r.
fn y_of(loss: BoostLoss, y: f64, c: usize) -> f64 {
    match loss {
        BoostLoss::MultinomialLogLoss => f64::from(y as usize == c),
        _ => y,
    }
}

fn add_raw(total: &mut [f64], tree: &[f64]) {
    for (t, v) in total.iter_mut().zip(tree) {
        *t += v;
    }
}

impl Boosting {
    pub fn raw(&self, row: &[f64]) -> Vec<f64> {
        let mut raw = self.init.clone();
        for stage in &self.stages {
            for (r, t) in raw.iter_mut().zip(stage) {
                *r += self.learning_rate * t.leaf_value(row)[0];
            }
        }
        raw
    }

    pub fn predict_value(&self, row: &[f64]) -> f64 {
        self.raw(row)[0]
    }

    pub fn predict_proba(&self, rows: impl Iterator<Item = Vec<f64>>) -> Scores {
        let classes = if self.loss == BoostLoss::BinaryLogLoss { 2 } else { self.init.len() };
        let mut data = Vec::new();
        for row in rows {
            let raw = self.raw(&row);
            if self.loss == BoostLoss::BinaryLogLoss {
                let p = sigmoid(raw[0]);
                data.extend([1.0 - p, p]);
            } else {
                data.extend(softmax(&raw));
            }
        }
        Scores { classes, data }
    }
}
