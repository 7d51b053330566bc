//! Preprocessing fitted on the training rows and saved with the model: missing values,
//! scaling of numeric features, one-hot encoding of categorical ones (unseen categories at
//! prediction time encode as all zeros and are counted).

use serde::{Deserialize, Serialize};

use crate::matrix::Matrix;

/// Feature columns as read from the table.
#[derive(Debug, Clone)]
pub enum RawColumn {
    /// Missing values are NaN.
    Numeric(Vec<f64>),
    /// Per row a category label, `None` where missing.
    Categorical(Vec<Option<String>>),
}

impl RawColumn {
    pub fn len(&self) -> usize {
        match self {
            RawColumn::Numeric(v) => v.len(),
            RawColumn::Categorical(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            RawColumn::Numeric(v) => !v[i].is_finite(),
            RawColumn::Categorical(v) => v[i].is_none(),
        }
    }

    pub fn select(&self, rows: &[usize]) -> RawColumn {
        match self {
            RawColumn::Numeric(v) => RawColumn::Numeric(rows.iter().map(|&i| v[i]).collect()),
            RawColumn::Categorical(v) => RawColumn::Categorical(rows.iter().map(|&i| v[i].clone()).collect()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RawFeatures {
    pub names: Vec<String>,
    pub columns: Vec<RawColumn>,
    pub rows: usize,
}

impl RawFeatures {
    pub fn select(&self, rows: &[usize]) -> RawFeatures {
        RawFeatures {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.select(rows)).collect(),
            rows: rows.len(),
        }
    }

    /// Rows where any feature is missing.
    pub fn rows_with_missing(&self) -> Vec<bool> {
        (0..self.rows).map(|i| self.columns.iter().any(|c| c.is_missing(i))).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    #[default]
    Mean,
    Median,
    /// Drop training rows with a missing feature; at prediction such rows get no prediction.
    Drop,
    Zero,
    /// `fill_value` for numbers.
    Constant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scaling {
    #[default]
    Standard,
    Minmax,
    Robust,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FeatureSpec {
    Numeric {
        name: String,
        /// Value used for a missing entry.
        fill: f64,
        /// (x − center) / scale.
        center: f64,
        scale: f64,
    },
    Categorical {
        name: String,
        /// One encoded column per category, in this order.
        categories: Vec<String>,
        /// Category used for a missing entry (the most frequent one in training).
        fill: Option<String>,
    },
}

impl FeatureSpec {
    pub fn name(&self) -> &str {
        match self {
            FeatureSpec::Numeric { name, .. } | FeatureSpec::Categorical { name, .. } => name,
        }
    }

    pub fn width(&self) -> usize {
        match self {
            FeatureSpec::Numeric { .. } => 1,
            FeatureSpec::Categorical { categories, .. } => categories.len(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    pub missing: Missing,
    pub scaling: Scaling,
    pub features: Vec<FeatureSpec>,
}

/// An encoded table and what encoding it met.
pub struct Encoded {
    pub x: Matrix,
    /// Unseen categories per categorical feature (name, count of rows).
    pub unseen: Vec<(String, usize)>,
}

impl Preprocessor {
    /// Learns fills, scales and categories from `raw` (the training rows, after any
    /// row dropping).
    pub fn fit(raw: &RawFeatures, missing: Missing, fill_value: f64, scaling: Scaling) -> Preprocessor {
        let features = raw
            .names
            .iter()
            .zip(&raw.columns)
            .map(|(name, col)| match col {
                RawColumn::Numeric(v) => {
                    let mut present: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                    present.sort_by(f64::total_cmp);
                    let mean = present.iter().sum::<f64>() / present.len().max(1) as f64;
                    let fill = match missing {
                        Missing::Mean | Missing::Drop => mean,
                        Missing::Median => quantile(&present, 0.5),
                        Missing::Zero => 0.0,
                        Missing::Constant => fill_value,
                    };
                    // Statistics after imputation, as a scikit-learn Pipeline(imputer, scaler);
                    // without missing values the sorted values already are that.
                    let missing_count = v.len() - present.len();
                    if missing_count > 0 {
                        present.extend(std::iter::repeat_n(fill, missing_count));
                        present.sort_by(f64::total_cmp);
                    }
                    let (center, scale) = scale_of(&present, scaling);
                    FeatureSpec::Numeric { name: name.clone(), fill, center, scale }
                }
                RawColumn::Categorical(v) => {
                    let mut counts: Vec<(String, usize)> = Vec::new();
                    for label in v.iter().flatten() {
                        match counts.iter_mut().find(|(l, _)| l == label) {
                            Some((_, c)) => *c += 1,
                            None => counts.push((label.clone(), 1)),
                        }
                    }
                    let fill = counts.iter().max_by_key(|(_, c)| *c).map(|(l, _)| l.clone());
                    let mut categories: Vec<String> = counts.into_iter().map(|(l, _)| l).collect();
                    categories.sort();
                    FeatureSpec::Categorical { name: name.clone(), categories, fill }
                }
            })
            .collect();
        Preprocessor { missing, scaling, features }
    }

    /// Names of the encoded columns (`region=north` for one-hot columns).
    pub fn encoded_names(&self) -> Vec<String> {
        self.features
            .iter()
            .flat_map(|f| match f {
                FeatureSpec::Numeric { name, .. } => vec![name.clone()],
                FeatureSpec::Categorical { name, categories, .. } => {
                    categories.iter().map(|c| format!("{name}={c}")).collect()
                }
            })
            .collect()
    }

    /// Encoded column indices of each feature, in feature order.
    pub fn groups(&self) -> Vec<Vec<usize>> {
        let mut start = 0;
        self.features
            .iter()
            .map(|f| {
                let g = (start..start + f.width()).collect();
                start += f.width();
                g
            })
            .collect()
    }

    /// Encodes `raw`, whose columns are in `self.features` order. Missing values are
    /// filled (callers drop rows first when the strategy is `drop`).
    pub fn transform(&self, raw: &RawFeatures) -> Encoded {
        let width: usize = self.features.iter().map(FeatureSpec::width).sum();
        let mut x = Matrix::zeros(raw.rows, width);
        let mut unseen = Vec::new();
        let mut offset = 0;
        for (spec, col) in self.features.iter().zip(&raw.columns) {
            match (spec, col) {
                (FeatureSpec::Numeric { fill, center, scale, .. }, RawColumn::Numeric(v)) => {
                    for (i, &val) in v.iter().enumerate() {
                        let val = if val.is_finite() { val } else { *fill };
                        x.data[i * width + offset] = (val - center) / scale;
                    }
                }
                (FeatureSpec::Categorical { name, categories, fill }, RawColumn::Categorical(v)) => {
                    let mut count = 0;
                    for (i, label) in v.iter().enumerate() {
                        let label = label.as_ref().or(fill.as_ref());
                        match label.and_then(|l| categories.binary_search(l).ok()) {
                            Some(k) => x.data[i * width + offset + k] = 1.0,
                            None => count += 1,
                        }
                    }
                    if count > 0 {
                        unseen.push((name.clone(), count));
                    }
                }
                // The caller reads each column with the kind the spec names.
                _ => {}
            }
            offset += spec.width();
        }
        Encoded { x, unseen }
    }
}

fn scale_of(sorted: &[f64], scaling: Scaling) -> (f64, f64) {
    let nonzero = |s: f64| if s > 0.0 && s.is_finite() { s } else { 1.0 };
    match scaling {
        Scaling::None => (0.0, 1.0),
        Scaling::Standard => {
            let n = sorted.len().max(1) as f64;
            let mean = sorted.iter().sum::<f64>() / n;
            let var = sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            (mean, nonzero(var.sqrt()))
        }
        Scaling::Minmax => {
            let (lo, hi) = (sorted.first().copied().unwrap_or(0.0), sorted.last().copied().unwrap_or(1.0));
            (lo, nonzero(hi - lo))
        }
        Scaling::Robust => {
            let iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
            (quantile(sorted, 0.5), nonzero(iqr))
        }
    }
}

/// Linear-interpolation quantile of sorted values (numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Rows outside 1.5 IQR fences on any numeric feature (or the numeric target).
pub fn iqr_outliers(columns: &[&[f64]]) -> Vec<bool> {
    let n = columns.first().map_or(0, |c| c.len());
    let mut out = vec![false; n];
    for col in columns {
        let mut sorted: Vec<f64> = col.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.len() < 4 {
            continue;
        }
        let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
        let (lo, hi) = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1));
        for (o, v) in out.iter_mut().zip(col.iter()) {
            if v.is_finite() && (*v < lo || *v > hi) {
                *o = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_with_unseen_and_missing() {
        let raw = RawFeatures {
            names: vec!["x".into(), "c".into()],
            columns: vec![
                RawColumn::Numeric(vec![1.0, f64::NAN, 3.0]),
                RawColumn::Categorical(vec![Some("b".into()), Some("a".into()), Some("b".into())]),
            ],
            rows: 3,
        };
        let p = Preprocessor::fit(&raw, Missing::Mean, 0.0, Scaling::None);
        assert_eq!(p.encoded_names(), vec!["x", "c=a", "c=b"]);
        let e = p.transform(&raw);
        assert_eq!(e.x.row(1), &[2.0, 1.0, 0.0]);
        let new = RawFeatures {
            names: raw.names.clone(),
            columns: vec![RawColumn::Numeric(vec![5.0]), RawColumn::Categorical(vec![Some("z".into())])],
            rows: 1,
        };
        let e = p.transform(&new);
        assert_eq!(e.x.row(0), &[5.0, 0.0, 0.0]);
        assert_eq!(e.unseen, vec![("c".to_string(), 1)]);
    }
}
