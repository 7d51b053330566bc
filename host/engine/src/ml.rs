//! Training, tuning and prediction: the `train` / `tune` / `predict` templates run in the
//! sandbox, and the model store keeps what they produce, per tenant.

use std::sync::Arc;

use serde_json::{Map, Value};
use statbox_data::{DataTable, ExtraColumn};
use statbox_models::{FeatureMeta, ModelMeta, PluginMeta};
use statbox_runtime::{Artifact, ProgressObserver, TableSource};

use crate::{Engine, EngineError, RunOutcome, RunRequest, Tenant, hyper};

/// Name of the model artifact the ML plugin returns and reads back.
pub const MODEL_ARTIFACT: &str = "model";

/// A trained and stored model.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    pub model: ModelMeta,
    pub run: RunOutcome,
}

/// Predictions and the CSV of the input with the prediction columns appended.
#[derive(Debug, Clone)]
pub struct PredictOutcome {
    pub model: ModelMeta,
    pub run: RunOutcome,
    pub csv: Vec<u8>,
}

/// Which training operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainKind {
    Train,
    Tune,
}

impl Engine {
    /// Trains a model on `table` (params of the `train` or `tune` template) and stores it
    /// for the tenant.
    pub async fn train(
        &self,
        tenant: &Tenant,
        kind: TrainKind,
        table: Arc<dyn TableSource>,
        mut params: Map<String, Value>,
        observer: Option<Arc<dyn ProgressObserver>>,
    ) -> Result<TrainOutcome, EngineError> {
        let model = params.get("model").and_then(Value::as_str).unwrap_or("auto").trim().to_ascii_lowercase();
        let table_config = &self.config().models.hyperparameters;
        // Checked against the configured ranges, then completed with the configured defaults.
        let given = object_param(&params, "hyperparameters")?.unwrap_or_default();
        if model == "auto" {
            if !given.is_empty() {
                return Err(crate::ParamError(
                    "hyperparameters need a model type; auto uses each type's defaults".into(),
                )
                .into());
            }
        } else {
            hyper::check(table_config, &model, &given)?;
            let filled = hyper::with_defaults(table_config, &model, &given);
            params.insert("hyperparameters".into(), Value::Object(filled));
        }
        let target = match kind {
            TrainKind::Train => "train",
            TrainKind::Tune => {
                let space = object_param(&params, "space")?.unwrap_or_default();
                let space = if space.is_empty() { hyper::default_space(table_config, &model) } else { space };
                if space.is_empty() {
                    return Err(crate::ParamError(format!("{model} has no hyperparameters to search")).into());
                }
                hyper::check_space(table_config, &model, &space)?;
                params.insert("space".into(), Value::Object(space));
                "tune"
            }
        };
        let data_rows = table.row_count();
        let mut request = RunRequest::new(target, table).with_params(params);
        request.observer = observer;
        let run = self.run(tenant, request).await?;
        let artifact = run
            .artifacts
            .iter()
            .find(|a| a.name == MODEL_ARTIFACT)
            .ok_or_else(|| EngineError::Runtime(format!("plugin '{}' returned no model artifact", run.plugin)))?;
        let meta = self.model_meta(&run, data_rows, &artifact.media_type)?;
        let saved = self.models()?.save(tenant.id(), meta, &artifact.bytes)?;
        Ok(TrainOutcome { model: saved, run })
    }

    fn model_meta(&self, run: &RunOutcome, data_rows: u64, media_type: &str) -> Result<ModelMeta, EngineError> {
        let r = &run.result;
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let features = r
            .get("features")
            .and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .map(|f| FeatureMeta {
                        name: f["name"].as_str().unwrap_or_default().to_string(),
                        kind: f["kind"].as_str().unwrap_or_default().to_string(),
                        categories: f["categories"]
                            .as_array()
                            .map(|c| c.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let shape = |i: usize| r["training_shape"][i].as_u64().unwrap_or(0);
        let plugin = self.plugins().into_iter().find(|p| p.name == run.plugin);
        let (version, hash) = match &plugin {
            Some(p) => (p.version.clone(), self.plugin_hash(&p.path)),
            None => (String::new(), String::new()),
        };
        let mut preprocessing = r["preprocessing"].clone();
        preprocessing["split"] = r["split"].clone();
        Ok(ModelMeta {
            model_id: String::new(),
            tenant: String::new(),
            created_at: String::new(),
            model_type: text("model_type"),
            task_type: text("task"),
            target: text("target"),
            features,
            classes: r["classes"]
                .as_array()
                .map(|c| c.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            preprocessing,
            hyperparameters: r["hyperparameters"].clone(),
            metrics: r["metrics"].clone(),
            training_shape: [shape(0), shape(1)],
            data_rows,
            training_time_ms: run.elapsed.as_millis() as u64,
            feature_importance: r["feature_importance"].clone(),
            plugin: PluginMeta { name: run.plugin.clone(), version, hash },
            artifact_media_type: media_type.to_string(),
            artifact_bytes: 0,
        })
    }

    /// Applies a stored model of the tenant to `table`.
    pub async fn predict(
        &self,
        tenant: &Tenant,
        model_id: &str,
        table: Arc<DataTable>,
        params: Map<String, Value>,
    ) -> Result<PredictOutcome, EngineError> {
        let (meta, bytes) = self.models()?.load(tenant.id(), model_id)?;
        let mut request = RunRequest::new("predict", table.clone()).with_params(params);
        request.artifacts =
            vec![Artifact { name: MODEL_ARTIFACT.into(), media_type: meta.artifact_media_type.clone(), bytes }];
        let run = self.run(tenant, request).await?;
        let csv = prediction_csv(&table, &meta, &run.result).map_err(EngineError::Runtime)?;
        Ok(PredictOutcome { model: meta, run, csv })
    }
}

/// An object-typed parameter read early (before template validation), in any of the forms
/// [`crate::ParamKind::Object`] accepts.
fn object_param(params: &Map<String, Value>, name: &str) -> Result<Option<Map<String, Value>>, EngineError> {
    let spec = crate::ParamSpec::new(name, crate::ParamKind::Object);
    let Some(v) = params.get(name).filter(|v| !v.is_null()) else { return Ok(None) };
    let checked = crate::validate(&[spec], Map::from_iter([(name.to_string(), v.clone())]), &[])?;
    Ok(checked.get(name).and_then(Value::as_object).cloned())
}

/// The input table plus `<target>_predicted` and, for classifiers with probabilities, one
/// `probability_<class>` column per class.
fn prediction_csv(table: &DataTable, meta: &ModelMeta, result: &Value) -> Result<Vec<u8>, String> {
    let preds = result["predictions"].as_array().cloned().unwrap_or_default();
    let mut extra = Vec::new();
    let name = format!("{}_predicted", meta.target);
    if meta.task_type == "regression" {
        extra.push((name, ExtraColumn::Numbers(preds.iter().map(Value::as_f64).collect())));
    } else {
        extra.push((name, ExtraColumn::Labels(preds.iter().map(|v| v.as_str().map(str::to_string)).collect())));
        if let Some(Value::Object(probs)) = result.get("probabilities") {
            for class in &meta.classes {
                if let Some(Value::Array(col)) = probs.get(class) {
                    extra.push((
                        format!("probability_{class}"),
                        ExtraColumn::Numbers(col.iter().map(Value::as_f64).collect()),
                    ));
                }
            }
        }
    }
    table.to_csv_with(extra)
}
