//! CART decision trees as scikit-learn builds them: exhaustive best split per node over
//! (a random subset of) the features, thresholds halfway between consecutive distinct
//! values, Gini impurity for classes and squared error for values, depth-first growth.
//!
//! Speed: every feature's sample order is sorted once ([`Presorted`]); a split
//! stable-partitions those orders, so a level of the tree costs O(n·features) instead of
//! a sort per node. Forests and boosting reuse one presort for all their trees.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// Features column-major, the layout split search wants.
pub struct Columns<'a> {
    pub cols: &'a [Vec<f64>],
    pub rows: usize,
}

/// For each feature, the sample indices sorted by that feature's value.
pub struct Presorted {
    pub order: Vec<Vec<u32>>,
}

impl Presorted {
    pub fn new(x: &Columns) -> Presorted {
        let order = x
            .cols
            .iter()
            .map(|c| {
                let mut idx: Vec<u32> = (0..x.rows as u32).collect();
                idx.sort_by(|&a, &b| c[a as usize].total_cmp(&c[b as usize]));
                idx
            })
            .collect();
        Presorted { order }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct TreeParams {
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// Features tried per split (all when ≥ the feature count).
    pub max_features: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// Gini impurity over `classes` class indices stored as f64 targets.
    Gini { classes: usize },
    /// Squared error (variance); for boosting, Friedman's MSE picks the same split.
    SquaredError,
}

/// A fitted tree. Node `i` is a leaf when `feature[i] == LEAF`; values are class
/// probabilities (classification) or the mean target (regression), `outputs` per node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub outputs: usize,
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    pub value: Vec<f64>,
}

pub const LEAF: u32 = u32::MAX;
/// scikit-learn's FEATURE_THRESHOLD: values closer than this are not split apart.
const FEATURE_THRESHOLD: f64 = 1e-7;

impl Tree {
    pub fn node_count(&self) -> usize {
        self.feature.len()
    }

    /// Index of the leaf a row falls into.
    #[inline]
    pub fn apply(&self, row: &[f64]) -> usize {
        let mut node = 0usize;
        while self.feature[node] != LEAF {
            node = if row[self.feature[node] as usize] <= self.threshold[node] {
                self.left[node] as usize
            } else {
                self.right[node] as usize
            };
        }
        node
    }

    /// [`Tree::apply`] for row `i` of column-major features.
    #[inline]
    pub fn apply_columns(&self, cols: &[Vec<f64>], i: usize) -> usize {
        let mut node = 0usize;
        while self.feature[node] != LEAF {
            node = if cols[self.feature[node] as usize][i] <= self.threshold[node] {
                self.left[node] as usize
            } else {
                self.right[node] as usize
            };
        }
        node
    }

    #[inline]
    pub fn leaf_value(&self, row: &[f64]) -> &[f64] {
        let node = self.apply(row);
        &self.value[node * self.outputs..(node + 1) * self.outputs]
    }

    pub fn depth(&self) -> usize {
        fn walk(t: &Tree, node: usize) -> usize {
            if t.feature[node] == LEAF {
                0
            } else {
                1 + walk(t, t.left[node] as usize).max(walk(t, t.right[node] as usize))
            }
        }
        if self.feature.is_empty() { 0 } else { walk(self, 0) }
    }
}

/// A fitted tree and its unnormalised impurity decreases per feature.
pub struct Grown {
    pub tree: Tree,
    pub importance: Vec<f64>,
}

struct Stats {
    weight: f64,
    /// Class weights (Gini) or [Σw·y, Σw·y²] (squared error).
    sums: Vec<f64>,
}

impl Stats {
    fn impurity(&self, criterion: Criterion) -> f64 {
        if self.weight <= 0.0 {
            return 0.0;
        }
        match criterion {
            Criterion::Gini { .. } => 1.0 - self.sums.iter().map(|c| (c / self.weight).powi(2)).sum::<f64>(),
            Criterion::SquaredError => {
                let mean = self.sums[0] / self.weight;
                (self.sums[1] / self.weight - mean * mean).max(0.0)
            }
        }
    }
}

/// Grows one tree on the samples with non-zero `weight` (bootstrap counts, or 1).
pub fn grow(
    x: &Columns,
    y: &[f64],
    weight: &[f64],
    presorted: &Presorted,
    params: TreeParams,
    criterion: Criterion,
    rng: &mut Rng,
) -> Grown {
    let p = x.cols.len();
    let outputs = match criterion {
        Criterion::Gini { classes } => classes,
        Criterion::SquaredError => 1,
    };
    // Working copy of each feature's order restricted to the samples in use; a node owns
    // the same range [start, end) in every feature's array.
    let mut order: Vec<Vec<u32>> =
        presorted.order.iter().map(|o| o.iter().copied().filter(|&i| weight[i as usize] > 0.0).collect()).collect();
    let n_used = order.first().map_or_else(|| weight.iter().filter(|&&w| w > 0.0).count(), Vec::len);
    // Without features, a single leaf over the used samples.
    let all_used: Vec<u32> = (0..x.rows as u32).filter(|&i| weight[i as usize] > 0.0).collect();
    let mut tree = Tree { outputs, feature: vec![], threshold: vec![], left: vec![], right: vec![], value: vec![] };
    let mut importance = vec![0.0; p];
    let mut goes_left = vec![false; x.rows];
    let mut buffer: Vec<u32> = Vec::with_capacity(n_used);
    let mut features: Vec<usize> = (0..p).collect();

    let width = if outputs == 1 { 2 } else { outputs };
    let stats_of = |idx: &[u32]| stats_for(idx, y, weight, criterion, width);
    let leaf_values = |s: &Stats| -> Vec<f64> {
        match criterion {
            Criterion::Gini { .. } => s.sums.iter().map(|c| c / s.weight.max(f64::MIN_POSITIVE)).collect(),
            Criterion::SquaredError => vec![s.sums[0] / s.weight.max(f64::MIN_POSITIVE)],
        }
    };

    // (node id, start, end, depth)
    let mut stack = vec![(0usize, 0usize, n_used, 0usize)];
    tree.push_leaf(&[]);
    while let Some((node, start, end, depth)) = stack.pop() {
        let members: &[u32] = if p > 0 { &order[0][start..end] } else { &all_used };
        let stats = stats_of(members);
        let impurity = stats.impurity(criterion);
        tree.set_value(node, &leaf_values(&stats));
        let n_node = end - start;
        if depth >= params.max_depth
            || n_node < params.min_samples_split
            || n_node < 2 * params.min_samples_leaf
            || impurity <= 1e-15
            || p == 0
        {
            continue;
        }
        let best = best_split(x, y, weight, &order, start, end, &stats, params, criterion, &mut features, rng);
        let Some(split) = best else { continue };
        // Impurity decrease, weighted as scikit-learn's feature_importances_.
        importance[split.feature] += stats.weight * impurity
            - split.left.weight * split.left_impurity
            - split.right.weight * split.right_impurity;
        let col = &x.cols[split.feature];
        for &i in &order[split.feature][start..end] {
            goes_left[i as usize] = col[i as usize] <= split.threshold;
        }
        for o in order.iter_mut() {
            stable_partition(&mut o[start..end], &goes_left, &mut buffer);
        }
        let mid = start + split.n_left;
        let left = tree.push_leaf(&[]);
        let right = tree.push_leaf(&[]);
        tree.feature[node] = split.feature as u32;
        tree.threshold[node] = split.threshold;
        tree.left[node] = left as u32;
        tree.right[node] = right as u32;
        // Right first so the left subtree is numbered first (depth-first, left to right).
        stack.push((right, mid, end, depth + 1));
        stack.push((left, start, mid, depth + 1));
    }
    Grown { tree, importance }
}

impl Tree {
    fn push_leaf(&mut self, _value: &[f64]) -> usize {
        self.feature.push(LEAF);
        self.threshold.push(0.0);
        self.left.push(LEAF);
        self.right.push(LEAF);
        self.value.extend(std::iter::repeat_n(0.0, self.outputs));
        self.feature.len() - 1
    }

    fn set_value(&mut self, node: usize, v: &[f64]) {
        self.value[node * self.outputs..(node + 1) * self.outputs].copy_from_slice(v);
    }
}

fn stable_partition(slice: &mut [u32], goes_left: &[bool], buffer: &mut Vec<u32>) {
    buffer.clear();
    let mut w = 0;
    for k in 0..slice.len() {
        let i = slice[k];
        if goes_left[i as usize] {
            slice[w] = i;
            w += 1;
        } else {
            buffer.push(i);
        }
    }
    slice[w..].copy_from_slice(buffer);
}

struct Split {
    feature: usize,
    threshold: f64,
    n_left: usize,
    left: Stats,
    right: Stats,
    left_impurity: f64,
    right_impurity: f64,
}

#[allow(clippy::too_many_arguments)]
fn best_split(
    x: &Columns,
    y: &[f64],
    weight: &[f64],
    order: &[Vec<u32>],
    start: usize,
    end: usize,
    node: &Stats,
    params: TreeParams,
    criterion: Criterion,
    features: &mut [usize],
    rng: &mut Rng,
) -> Option<Split> {
    let p = features.len();
    // Features in random order (scikit-learn's Fisher-Yates draw); constant ones do not
    // count towards max_features.
    let mut visited_useful = 0;
    let mut best: Option<(f64, usize, usize)> = None; // (proxy, feature, position)
    let mut drawn = 0;
    while drawn < p && visited_useful < params.max_features {
        let k = drawn + rng.below(p - drawn);
        features.swap(drawn, k);
        let f = features[drawn];
        drawn += 1;
        let col = &x.cols[f];
        let idx = &order[f][start..end];
        if col[idx[idx.len() - 1] as usize] <= col[idx[0] as usize] + FEATURE_THRESHOLD {
            continue;
        }
        visited_useful += 1;
        if let Some((proxy, pos)) = scan_feature(col, y, weight, idx, node, params.min_samples_leaf, criterion)
            && best.is_none_or(|(b, _, _)| proxy > b)
        {
            best = Some((proxy, f, pos));
        }
    }
    let (_, f, pos) = best?;
    let col = &x.cols[f];
    let idx = &order[f][start..end];
    let (a, b) = (col[idx[pos] as usize], col[idx[pos + 1] as usize]);
    let mut threshold = a / 2.0 + b / 2.0;
    if threshold >= b || !threshold.is_finite() {
        threshold = a;
    }
    let left = stats_for(&idx[..=pos], y, weight, criterion, node.sums.len());
    let right = Stats {
        weight: node.weight - left.weight,
        sums: node.sums.iter().zip(&left.sums).map(|(n, l)| n - l).collect(),
    };
    let (li, ri) = (left.impurity(criterion), right.impurity(criterion));
    Some(Split { feature: f, threshold, n_left: pos + 1, left, right, left_impurity: li, right_impurity: ri })
}

fn stats_for(idx: &[u32], y: &[f64], weight: &[f64], criterion: Criterion, width: usize) -> Stats {
    let mut s = Stats { weight: 0.0, sums: vec![0.0; width] };
    for &i in idx {
        let (w, v) = (weight[i as usize], y[i as usize]);
        s.weight += w;
        match criterion {
            Criterion::Gini { .. } => s.sums[v as usize] += w,
            Criterion::SquaredError => {
                s.sums[0] += w * v;
                s.sums[1] += w * v * v;
            }
        }
    }
    s
}

/// The best cut of one feature: (proxy improvement, last position on the left). The proxy
/// is Σ_k l_k²/W_l + Σ_k r_k²/W_r for Gini and S_l²/W_l + S_r²/W_r for squared error,
/// both maximised where the weighted child impurity is smallest.
fn scan_feature(
    col: &[f64],
    y: &[f64],
    weight: &[f64],
    idx: &[u32],
    node: &Stats,
    min_leaf: usize,
    criterion: Criterion,
) -> Option<(f64, usize)> {
    let n = idx.len();
    let mut best: Option<(f64, usize)> = None;
    let mut wl = 0.0;
    match criterion {
        Criterion::Gini { classes } => {
            let mut left = vec![0.0; classes];
            let mut sq_left = 0.0;
            let mut sq_right: f64 = node.sums.iter().map(|c| c * c).sum();
            for pos in 0..n - 1 {
                let i = idx[pos] as usize;
                let (w, c) = (weight[i], y[i] as usize);
                let r_old = node.sums[c] - left[c];
                sq_left += (left[c] + w).powi(2) - left[c].powi(2);
                sq_right += (r_old - w).powi(2) - r_old.powi(2);
                left[c] += w;
                wl += w;
                if pos + 1 < min_leaf || n - pos - 1 < min_leaf {
                    continue;
                }
                if col[idx[pos + 1] as usize] <= col[i] + FEATURE_THRESHOLD {
                    continue;
                }
                let wr = node.weight - wl;
                let proxy = sq_left / wl + sq_right / wr;
                if best.is_none_or(|(b, _)| proxy > b) {
                    best = Some((proxy, pos));
                }
            }
        }
        Criterion::SquaredError => {
            let mut sl = 0.0;
            for pos in 0..n - 1 {
                let i = idx[pos] as usize;
                sl += weight[i] * y[i];
                wl += weight[i];
                if pos + 1 < min_leaf || n - pos - 1 < min_leaf {
                    continue;
                }
                if col[idx[pos + 1] as usize] <= col[i] + FEATURE_THRESHOLD {
                    continue;
                }
                let wr = node.weight - wl;
                let sr = node.sums[0] - sl;
                let proxy = sl * sl / wl + sr * sr / wr;
                if best.is_none_or(|(b, _)| proxy > b) {
                    best = Some((proxy, pos));
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_classes_with_one_split() {
        let cols = vec![vec![1.0, 2.0, 3.0, 10.0, 11.0, 12.0]];
        let x = Columns { cols: &cols, rows: 6 };
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let pre = Presorted::new(&x);
        let params = TreeParams { max_depth: usize::MAX, min_samples_split: 2, min_samples_leaf: 1, max_features: 1 };
        let g = grow(&x, &y, &[1.0; 6], &pre, params, Criterion::Gini { classes: 2 }, &mut Rng::new(0));
        assert_eq!(g.tree.node_count(), 3);
        assert_eq!(g.tree.threshold[0], 6.5);
        assert_eq!(g.tree.leaf_value(&[2.5]), &[1.0, 0.0]);
        assert_eq!(g.tree.leaf_value(&[7.0]), &[0.0, 1.0]);
        assert!((g.importance[0] - 6.0 * 0.5).abs() < 1e-12);
    }

    #[test]
    fn regression_tree_fits_a_step() {
        let cols = vec![(0..20).map(f64::from).collect::<Vec<_>>()];
        let x = Columns { cols: &cols, rows: 20 };
        let y: Vec<f64> = (0..20).map(|i| if i < 7 { 1.0 } else { 5.0 }).collect();
        let pre = Presorted::new(&x);
        let params = TreeParams { max_depth: 1, min_samples_split: 2, min_samples_leaf: 1, max_features: 1 };
        let g = grow(&x, &y, &[1.0; 20], &pre, params, Criterion::SquaredError, &mut Rng::new(0));
        assert_eq!(g.tree.threshold[0], 6.5);
        assert_eq!(g.tree.leaf_value(&[3.0]), &[1.0]);
    }
}
