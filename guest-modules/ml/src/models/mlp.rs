//! Multi-layer perceptrons (`MLPRegressor` / `MLPClassifier` semantics): dense layers,
//! Adam, mini-batches shuffled each epoch, L2 penalty `alpha`, optional dropout, and early
//! stopping on a validation split with the best weights kept.
//!
//! The network — [`Network`]: layer specs plus f32 weights, row-major `inputs × units` per
//! layer — is the format the GPU path shares: it trains the same definition and returns
//! the same structure, so either can predict with the other's model.

use serde::{Deserialize, Serialize};

use crate::matrix::dot_f32;
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Tanh,
    /// The logistic sigmoid (scikit-learn's `logistic`).
    #[serde(alias = "logistic")]
    Sigmoid,
    #[serde(alias = "linear")]
    Identity,
}

impl Activation {
    #[inline]
    fn apply(self, z: f32) -> f32 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Identity => z,
        }
    }

    /// Derivative expressed through the activation's output `a`.
    #[inline]
    fn derivative(self, a: f32) -> f32 {
        match self {
            Activation::Relu => {
                if a > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Tanh => 1.0 - a * a,
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Identity => 1.0,
        }
    }
}

/// One hidden layer of a network definition (also the custom-architecture JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    pub units: usize,
    pub activation: Activation,
    #[serde(default)]
    pub dropout: f32,
}

/// Largest network accepted: per-layer units and layer count.
pub const MAX_UNITS: usize = 4096;
pub const MAX_LAYERS: usize = 16;

/// Checks a network definition, with messages that say what to change.
pub fn validate_layers(layers: &[LayerSpec]) -> Result<(), String> {
    if layers.is_empty() || layers.len() > MAX_LAYERS {
        return Err(format!("a network needs 1 to {MAX_LAYERS} hidden layers, got {}", layers.len()));
    }
    for (i, l) in layers.iter().enumerate() {
        if l.units == 0 || l.units > MAX_UNITS {
            return Err(format!("layer {}: units must be 1 to {MAX_UNITS}, got {}", i + 1, l.units));
        }
        if !(0.0..0.95).contains(&l.dropout) {
            return Err(format!("layer {}: dropout must be in [0, 0.95), got {}", i + 1, l.dropout));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// Regression: identity output, squared loss, target standardised during training.
    Identity,
    /// Classification: softmax over the classes, cross-entropy.
    Softmax,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub inputs: usize,
    pub hidden: Vec<LayerSpec>,
    pub outputs: usize,
    pub output: OutputKind,
    /// Per layer (hidden then output): row-major `fan_in × fan_out`.
    pub weights: Vec<Vec<f32>>,
    pub biases: Vec<Vec<f32>>,
    /// Regression targets are learned as (y − mean) / std.
    pub target_mean: f64,
    pub target_std: f64,
}

#[derive(Debug, Clone)]
pub struct TrainSettings {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f32,
    pub alpha: f32,
    pub early_stopping: bool,
    pub validation_fraction: f64,
    pub patience: usize,
    pub tol: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub epochs_run: usize,
    pub stopped_early: bool,
    pub best_epoch: usize,
    pub loss: Vec<f64>,
    /// Validation accuracy or R² per epoch (with early stopping).
    pub validation_score: Vec<f64>,
}

impl Network {
    fn activation(&self, layer: usize) -> Activation {
        self.hidden.get(layer).map_or(Activation::Identity, |l| l.activation)
    }

    fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.inputs];
        s.extend(self.hidden.iter().map(|l| l.units));
        s.push(self.outputs);
        s
    }

    /// Forward pass over `rows` inputs (row-major); returns each layer's activations, the
    /// last being the network output (softmax probabilities or standardised values).
    fn forward(&self, x: &[f32], rows: usize, dropout: Option<&mut Rng>) -> Vec<Vec<f32>> {
        let sizes = self.sizes();
        let mut acts: Vec<Vec<f32>> = vec![x.to_vec()];
        let mut rng = dropout;
        for l in 0..self.weights.len() {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let mut z = matmul(&acts[l], rows, fan_in, &self.weights[l], fan_out);
            for r in 0..rows {
                for (v, b) in z[r * fan_out..(r + 1) * fan_out].iter_mut().zip(&self.biases[l]) {
                    *v += b;
                }
            }
            if l + 1 < self.weights.len() {
                let act = self.activation(l);
                z.iter_mut().for_each(|v| *v = act.apply(*v));
                let p = self.hidden[l].dropout;
                if p > 0.0
                    && let Some(rng) = rng.as_deref_mut()
                {
                    let keep = 1.0 - p;
                    for v in z.iter_mut() {
                        *v = if (rng.uniform() as f32) < keep { *v / keep } else { 0.0 };
                    }
                }
            } else if self.output == OutputKind::Softmax {
                for r in 0..rows {
                    softmax_in_place(&mut z[r * fan_out..(r + 1) * fan_out]);
                }
            }
            acts.push(z);
        }
        acts
    }

    /// Predictions for `rows` rows of `inputs` f64 features: values (regression, one per
    /// row) or class probabilities (row-major `rows × outputs`).
    pub fn predict(&self, x: &[f64], rows: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows * self.outputs);
        // Chunks bound the activations' memory on large inputs.
        for start in (0..rows).step_by(4096) {
            let end = (start + 4096).min(rows);
            let xs: Vec<f32> = x[start * self.inputs..end * self.inputs].iter().map(|&v| v as f32).collect();
            let acts = self.forward(&xs, end - start, None);
            let last = acts.last().map_or(&[][..], Vec::as_slice);
            match self.output {
                OutputKind::Identity => {
                    out.extend(last.iter().map(|&v| f64::from(v) * self.target_std + self.target_mean))
                }
                OutputKind::Softmax => out.extend(last.iter().map(|&v| f64::from(v))),
            }
        }
        out
    }
}

fn softmax_in_place(z: &mut [f32]) {
    let m = z.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    z.iter_mut().for_each(|v| *v /= s);
}

/// `a (rows × k) · b (k × cols)`, row-major.
fn matmul(a: &[f32], rows: usize, k: usize, b: &[f32], cols: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; rows * cols];
    for i in 0..rows {
        let ci = &mut c[i * cols..(i + 1) * cols];
        for (kk, &av) in a[i * k..(i + 1) * k].iter().enumerate() {
            if av == 0.0 {
                continue;
            }
            for (cv, bv) in ci.iter_mut().zip(&b[kk * cols..(kk + 1) * cols]) {
                *cv += av * bv;
            }
        }
    }
    c
}

/// Trains a network. `x` is row-major `rows × inputs`; `y` holds values (regression) or
/// class indices as f64 (classification with `classes`).
#[allow(clippy::too_many_arguments)]
pub fn train(
    x: &[f64],
    rows: usize,
    inputs: usize,
    y: &[f64],
    classes: Option<usize>,
    hidden: Vec<LayerSpec>,
    settings: &TrainSettings,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize, usize),
) -> (Network, History) {
    let (output, outputs) = match classes {
        Some(k) => (OutputKind::Softmax, k),
        None => (OutputKind::Identity, 1),
    };
    let (target_mean, target_std) = if classes.is_none() {
        let m = y.iter().sum::<f64>() / rows.max(1) as f64;
        let sd = (y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / rows.max(1) as f64).sqrt();
        (m, if sd > 0.0 { sd } else { 1.0 })
    } else {
        (0.0, 1.0)
    };
    let mut net = Network { inputs, hidden, outputs, output, weights: vec![], biases: vec![], target_mean, target_std };
    let sizes = net.sizes();
    for l in 0..sizes.len() - 1 {
        // Glorot uniform, scikit-learn's factor (2 for the sigmoid, 6 otherwise).
        let factor = if net.activation(l) == Activation::Sigmoid { 2.0 } else { 6.0 };
        let bound = (factor / (sizes[l] + sizes[l + 1]) as f64).sqrt();
        net.weights.push((0..sizes[l] * sizes[l + 1]).map(|_| ((rng.uniform() * 2.0 - 1.0) * bound) as f32).collect());
        net.biases.push((0..sizes[l + 1]).map(|_| ((rng.uniform() * 2.0 - 1.0) * bound) as f32).collect());
    }
    let target = |i: usize| -> f32 { ((y[i] - target_mean) / target_std) as f32 };

    let mut all: Vec<usize> = (0..rows).collect();
    rng.shuffle(&mut all);
    let n_val = if settings.early_stopping && rows >= 20 {
        ((rows as f64 * settings.validation_fraction).ceil() as usize).clamp(1, rows - 1)
    } else {
        0
    };
    let (val_idx, train_idx) = all.split_at(n_val);
    let mut train_idx = train_idx.to_vec();
    let val_x: Vec<f64> = val_idx.iter().flat_map(|&i| x[i * inputs..(i + 1) * inputs].iter().copied()).collect();

    let mut adam = Adam::new(&net);
    let mut history =
        History { epochs_run: 0, stopped_early: false, best_epoch: 0, loss: vec![], validation_score: vec![] };
    let mut best_score = f64::NEG_INFINITY;
    let mut best_loss = f64::INFINITY;
    let mut best_net = net.clone();
    let mut no_improvement = 0;
    let batch = settings.batch_size.clamp(1, train_idx.len().max(1));
    for epoch in 0..settings.epochs {
        rng.shuffle(&mut train_idx);
        let mut epoch_loss = 0.0;
        for chunk in train_idx.chunks(batch) {
            let b = chunk.len();
            let xb: Vec<f32> =
                chunk.iter().flat_map(|&i| x[i * inputs..(i + 1) * inputs].iter().map(|&v| v as f32)).collect();
            let acts = net.forward(&xb, b, Some(rng));
            let out = acts.last().expect("output layer");
            // Output delta (softmax + cross-entropy and identity + ½ squared error share
            // the form prediction − target), averaged over the batch.
            let mut delta = out.clone();
            for (r, &i) in chunk.iter().enumerate() {
                match output {
                    OutputKind::Softmax => {
                        let c = y[i] as usize;
                        epoch_loss -= f64::from(out[r * outputs + c].max(1e-12).ln());
                        delta[r * outputs + c] -= 1.0;
                    }
                    OutputKind::Identity => {
                        let d = out[r] - target(i);
                        epoch_loss += 0.5 * f64::from(d * d);
                        delta[r] = d;
                    }
                }
            }
            delta.iter_mut().for_each(|d| *d /= b as f32);
            let grads = backward(&net, &acts, delta, b, settings.alpha);
            adam.step(&mut net, &grads, settings.learning_rate);
        }
        epoch_loss /= train_idx.len().max(1) as f64;
        history.loss.push(epoch_loss);
        history.epochs_run = epoch + 1;
        progress(epoch + 1, settings.epochs);
        if n_val > 0 {
            let pred = net.predict(&val_x, n_val);
            let score = validation_score(&pred, val_idx, y, classes);
            history.validation_score.push(score);
            if score > best_score + settings.tol {
                no_improvement = 0;
            } else {
                no_improvement += 1;
            }
            if score > best_score {
                best_score = score;
                best_net = net.clone();
                history.best_epoch = epoch + 1;
            }
        } else {
            if epoch_loss < best_loss - settings.tol {
                no_improvement = 0;
            } else {
                no_improvement += 1;
            }
            if epoch_loss < best_loss {
                best_loss = epoch_loss;
                history.best_epoch = epoch + 1;
            }
        }
        if no_improvement > settings.patience {
            history.stopped_early = true;
            break;
        }
    }
    if n_val > 0 {
        net = best_net;
    }
    (net, history)
}

fn validation_score(pred: &[f64], idx: &[usize], y: &[f64], classes: Option<usize>) -> f64 {
    match classes {
        Some(k) => {
            let correct = idx
                .iter()
                .enumerate()
                .filter(|&(r, &i)| {
                    let row = &pred[r * k..(r + 1) * k];
                    let arg = (0..k).fold(0, |best, c| if row[c] > row[best] { c } else { best });
                    arg == y[i] as usize
                })
                .count();
            correct as f64 / idx.len() as f64
        }
        None => {
            let truth: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
            crate::metrics::regression(&truth, pred).r2
        }
    }
}

struct Grads {
    w: Vec<Vec<f32>>,
    b: Vec<Vec<f32>>,
}

fn backward(net: &Network, acts: &[Vec<f32>], mut delta: Vec<f32>, rows: usize, alpha: f32) -> Grads {
    let sizes = net.sizes();
    let layers = net.weights.len();
    let mut gw = vec![vec![]; layers];
    let mut gb = vec![vec![]; layers];
    for l in (0..layers).rev() {
        let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
        let a_prev = &acts[l];
        let mut w_grad = vec![0.0f32; fan_in * fan_out];
        let mut b_grad = vec![0.0f32; fan_out];
        for r in 0..rows {
            let d = &delta[r * fan_out..(r + 1) * fan_out];
            for (bg, dv) in b_grad.iter_mut().zip(d) {
                *bg += dv;
            }
            for (k, &av) in a_prev[r * fan_in..(r + 1) * fan_in].iter().enumerate() {
                if av == 0.0 {
                    continue;
                }
                for (wg, dv) in w_grad[k * fan_out..(k + 1) * fan_out].iter_mut().zip(d) {
                    *wg += av * dv;
                }
            }
        }
        for (g, w) in w_grad.iter_mut().zip(&net.weights[l]) {
            *g += alpha * w / rows as f32;
        }
        if l > 0 {
            // delta_prev = (delta · Wᵀ) ⊙ f'(a_prev); dropped units have a_prev = 0 and,
            // for relu, derivative 0; for the others the mask is applied through a_prev.
            let act = net.activation(l - 1);
            let w = &net.weights[l];
            let mut prev = vec![0.0f32; rows * fan_in];
            for r in 0..rows {
                let d = &delta[r * fan_out..(r + 1) * fan_out];
                for k in 0..fan_in {
                    let a = a_prev[r * fan_in + k];
                    let s = dot_f32(&w[k * fan_out..(k + 1) * fan_out], d);
                    prev[r * fan_in + k] = s * act.derivative(a);
                }
            }
            delta = prev;
        }
        gw[l] = w_grad;
        gb[l] = b_grad;
    }
    Grads { w: gw, b: gb }
}

struct Adam {
    t: i32,
    mw: Vec<Vec<f32>>,
    vw: Vec<Vec<f32>>,
    mb: Vec<Vec<f32>>,
    vb: Vec<Vec<f32>>,
}

impl Adam {
    fn new(net: &Network) -> Adam {
        let zeros = |v: &Vec<Vec<f32>>| v.iter().map(|l| vec![0.0; l.len()]).collect::<Vec<_>>();
        Adam { t: 0, mw: zeros(&net.weights), vw: zeros(&net.weights), mb: zeros(&net.biases), vb: zeros(&net.biases) }
    }

    fn step(&mut self, net: &mut Network, g: &Grads, lr: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        const EPS: f32 = 1e-8;
        self.t += 1;
        let lr_t = lr * (1.0 - B2.powi(self.t)).sqrt() / (1.0 - B1.powi(self.t));
        let update = |p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]| {
            for i in 0..p.len() {
                m[i] = B1 * m[i] + (1.0 - B1) * g[i];
                v[i] = B2 * v[i] + (1.0 - B2) * g[i] * g[i];
                p[i] -= lr_t * m[i] / (v[i].sqrt() + EPS);
            }
        };
        for l in 0..net.weights.len() {
            update(&mut net.weights[l], &g.w[l], &mut self.mw[l], &mut self.vw[l]);
            update(&mut net.biases[l], &g.b[l], &mut self.mb[l], &mut self.vb[l]);
        }
    }
}
