//! statbox's service layer: every front end (CLI, Telegram, HTTP) calls this crate and only
//! translates input and output.
//!
//! A request flows: data (loaded by `statbox-data`) → template lookup → parameter
//! validation against the template → limits for the tenant → the plugin call in the
//! sandbox (`statbox-runtime`) → the reply template renders the result.
//!
//! ```no_run
//! # async fn demo() -> Result<(), statbox_engine::EngineError> {
//! use statbox_engine::{Config, Engine, RunRequest, Tenant};
//! let engine = Engine::start(Config::load("config/default.toml".as_ref())?).await?;
//! let table = engine.load_path(&Tenant::local(), "tests/fixtures/sales.csv".as_ref())?;
//! let outcome = engine.run(&Tenant::local(), RunRequest::new("descriptive", table)).await?;
//! print!("{}", outcome.reply);
//! # Ok(()) }
//! ```

mod config;
pub mod hyper;
mod ml;
mod params;
mod render;
pub mod schema;
mod template;
mod tenant;

pub use config::{Config, ConversationConfig, DEFAULT_CONFIG, ModelsConfig, TelegramConfig, TemplatesConfig};
pub use ml::{MODEL_ARTIFACT, PredictOutcome, TrainKind, TrainOutcome};
pub use params::{ParamError, ParamKind, ParamSpec, resolve_column, resolve_columns, validate};
pub use render::{format_number, render};
pub use statbox_models::{ModelMeta, ModelStore, StoreError};
pub use template::{Template, TemplateRegistry};
pub use tenant::Tenant;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use statbox_data::{DataError, DataTable};
use statbox_runtime::{
    Artifact, Call, CallError, Figure, Limits, LoadError, LogLine, PluginInfo, ProgressObserver, Runtime, TableSource,
};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Configuration error: {0}")]
    Config(String),
    #[error("Template error: {0}")]
    Template(String),
    #[error("{0}")]
    Runtime(String),
    #[error("Invalid tenant id '{0}': use 1-64 letters, digits, '_', '-' or '.'")]
    InvalidTenant(String),
    #[error("Unknown analysis '{target}'. Templates: {templates}. Operations: {operations}")]
    UnknownTarget { target: String, templates: String, operations: String },
    #[error("{0}")]
    Params(#[from] ParamError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("Rendering the reply of '{template}' failed: {message}")]
    Render { template: String, message: String },
    #[error(transparent)]
    Models(#[from] StoreError),
}

impl EngineError {
    /// A stable machine-readable code, for JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Config(_) => "config",
            EngineError::Template(_) => "template",
            EngineError::Runtime(_) => "runtime",
            EngineError::InvalidTenant(_) => "invalid-tenant",
            EngineError::UnknownTarget { .. } => "unknown-analysis",
            EngineError::Params(_) => "invalid-params",
            EngineError::Data(_) => "invalid-data",
            EngineError::Call(c) => c.code(),
            EngineError::Render { .. } => "render",
            EngineError::Models(StoreError::NotFound(_) | StoreError::InvalidId(_)) => "model-not-found",
            EngineError::Models(StoreError::TooManyModels { .. } | StoreError::TooLarge { .. }) => "model-limit",
            EngineError::Models(_) => "model-store",
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            EngineError::Call(c) => c.hint(),
            _ => None,
        }
    }
}

/// One analysis request.
pub struct RunRequest {
    /// A template name (`descriptive`) or a plugin operation (`stats.describe`).
    pub target: String,
    pub params: Map<String, Value>,
    pub table: Arc<dyn TableSource>,
    pub artifacts: Vec<Artifact>,
    pub observer: Option<Arc<dyn ProgressObserver>>,
}

impl RunRequest {
    pub fn new(target: &str, table: Arc<dyn TableSource>) -> Self {
        RunRequest { target: target.to_string(), params: Map::new(), table, artifacts: Vec::new(), observer: None }
    }

    pub fn with_params(mut self, params: Map<String, Value>) -> Self {
        self.params = params;
        self
    }
}

/// The result of a request: the operation's JSON, the rendered reply and what it cost.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub template: Option<String>,
    pub plugin: String,
    pub operation: String,
    /// The params object the plugin received (validated, defaults filled).
    pub params: Map<String, Value>,
    pub result: Value,
    pub reply: String,
    pub figures: Vec<Figure>,
    pub artifacts: Vec<Artifact>,
    pub logs: Vec<LogLine>,
    pub limits: Limits,
    pub fuel_used: u64,
    pub elapsed: Duration,
}

/// The engine: configuration, the plugin runtime and the templates.
pub struct Engine {
    config: Config,
    runtime: Runtime,
    templates: TemplateRegistry,
    plugin_failures: Vec<LoadError>,
    /// Opened on first use, so commands that never touch models create nothing on disk.
    models: std::sync::OnceLock<Result<ModelStore, String>>,
    plugin_hashes: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, String>>,
}

impl Engine {
    /// Starts the runtime, loads plugins from the configured directories and templates from
    /// the configured directory. A plugin that fails to load is reported by
    /// [`Engine::plugin_failures`], not fatal.
    pub async fn start(config: Config) -> Result<Engine, EngineError> {
        let runtime = Runtime::new(config.runtime.clone()).map_err(|e| EngineError::Runtime(e.to_string()))?;
        let report = runtime.load_plugin_dirs().await;
        let templates = TemplateRegistry::load_dir(&config.templates.dir)?;
        Ok(Engine {
            config,
            runtime,
            templates,
            plugin_failures: report.failures,
            models: Default::default(),
            plugin_hashes: Default::default(),
        })
    }

    /// The model store (`[models]` in the configuration).
    pub fn models(&self) -> Result<&ModelStore, EngineError> {
        let store = self.models.get_or_init(|| {
            let c = &self.config.models;
            let dir = c.dir.clone().ok_or("no models.dir configured and no HOME to default to")?;
            let limits = statbox_models::StoreLimits {
                max_models_per_tenant: c.max_models_per_tenant,
                max_model_bytes: c.max_model_mib << 20,
            };
            ModelStore::open(&dir, limits).map_err(|e| e.to_string())
        });
        store.as_ref().map_err(|e| EngineError::Config(format!("model store: {e}")))
    }

    /// SHA-256 of a plugin file (cached per path), recorded with every model.
    fn plugin_hash(&self, path: &Path) -> String {
        use sha2::Digest;
        let mut cache = self.plugin_hashes.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read(path).map(|b| hex::encode(sha2::Sha256::digest(&b))).unwrap_or_default())
            .clone()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    pub fn plugins(&self) -> Vec<PluginInfo> {
        self.runtime.plugins()
    }

    pub fn plugin_failures(&self) -> &[LoadError] {
        &self.plugin_failures
    }

    pub fn templates(&self) -> &TemplateRegistry {
        &self.templates
    }

    /// Loads a local data file for a tenant.
    pub fn load_path(&self, _tenant: &Tenant, path: &Path) -> Result<Arc<DataTable>, EngineError> {
        Ok(Arc::new(statbox_data::load_path(path, &self.config.data)?))
    }

    /// Loads from a path, an http(s):// URL or an s3:// URI, as the user wrote it.
    pub async fn load_source(
        &self,
        _tenant: &Tenant,
        source: &str,
        options: &statbox_data::ReadOptions,
    ) -> Result<Arc<DataTable>, EngineError> {
        let source = statbox_data::Source::parse(source)?;
        Ok(Arc::new(statbox_data::load_source(&source, options, &self.config.data).await?))
    }

    /// The first rows of a source, for its columns: a cheap read for local files (see
    /// [`statbox_data::preview_path`]); a URL or S3 object is fetched whole.
    pub async fn preview(
        &self,
        tenant: &Tenant,
        source: &str,
        options: &statbox_data::ReadOptions,
    ) -> Result<Arc<DataTable>, EngineError> {
        match statbox_data::Source::parse(source)? {
            statbox_data::Source::Path(path) => {
                Ok(Arc::new(statbox_data::preview_path(&path, options, &self.config.data)?))
            }
            _ => {
                let sample =
                    statbox_data::ReadOptions { sample_rows: Some(statbox_data::PREVIEW_ROWS), ..options.clone() };
                self.load_source(tenant, source, &sample).await
            }
        }
    }

    /// The schema report of a table: column kinds and metrics from `stats.quality` (run in
    /// the sandbox like any analysis), the suggested target, task and features.
    pub async fn inspect(
        &self,
        tenant: &Tenant,
        table: Arc<dyn TableSource>,
    ) -> Result<schema::SchemaReport, EngineError> {
        let rows = table.row_count();
        let out = self.run(tenant, RunRequest::new("stats.quality", table)).await?;
        Ok(schema::report(rows, &out.result))
    }

    /// Loads uploaded bytes for a tenant; `name` picks the format.
    pub fn load_bytes(&self, _tenant: &Tenant, name: &str, bytes: Vec<u8>) -> Result<Arc<DataTable>, EngineError> {
        Ok(Arc::new(statbox_data::load_bytes(name, bytes, &self.config.data)?))
    }

    /// The limits a call runs under: config defaults, the template's overrides, capped by
    /// the tenant's ceiling.
    pub fn limits_for(&self, tenant: &Tenant, template: Option<&Template>) -> Limits {
        let base = self.config.limits;
        let with_template = template.map_or(base, |t| base.overridden_by(&t.limits));
        with_template.capped_by(&self.config.tenant_ceiling(tenant.id()))
    }

    fn resolve(&self, target: &str) -> Result<(Option<&Template>, String, String), EngineError> {
        if let Some(t) = self.templates.get(target) {
            return Ok((Some(t), t.plugin.clone(), t.operation.clone()));
        }
        if let Some((plugin, operation)) = target.split_once('.') {
            let template = self.templates.for_operation(plugin, operation);
            return Ok((template, plugin.to_string(), operation.to_string()));
        }
        let operations: Vec<String> = self
            .runtime
            .plugins()
            .iter()
            .flat_map(|p| p.operations.iter().map(move |o| format!("{}.{}", p.name, o.name)))
            .collect();
        Err(EngineError::UnknownTarget {
            target: target.to_string(),
            templates: self.templates.names().join(", "),
            operations: operations.join(", "),
        })
    }

    /// The columns `target` needs with these params, when that is knowable: the values of
    /// every column-typed parameter, provided each list parameter was given; `None` means
    /// all columns (a list left empty means "all" to the plugin, and an operation without a
    /// template declares nothing).
    pub fn columns_needed(
        &self,
        target: &str,
        params: &Map<String, Value>,
        columns: &[statbox_runtime::ColumnInfo],
    ) -> Result<Option<Vec<String>>, EngineError> {
        let (template, _, _) = self.resolve(target)?;
        let Some(t) = template else { return Ok(None) };
        let validated = validate(&t.params, params.clone(), columns)?;
        let mut needed: Vec<String> = Vec::new();
        let mut any = false;
        for spec in &t.params {
            match (spec.kind, validated.get(&spec.name)) {
                (params::ParamKind::Column, Some(Value::String(c))) => needed.push(c.clone()),
                (params::ParamKind::Columns, Some(Value::Array(list))) if !list.is_empty() => {
                    needed.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
                }
                (params::ParamKind::Columns, _) => return Ok(None),
                _ => continue,
            }
            any = true;
        }
        if !any {
            return Ok(None);
        }
        let mut seen = std::collections::HashSet::new();
        needed.retain(|c| seen.insert(c.clone()));
        Ok(Some(needed))
    }

    /// Runs `target` on data named by a path, URL or s3:// URI, loading it only now. For a
    /// local file with a template, a preview (first rows) validates the params, and only the
    /// columns they name are materialised (projection).
    pub async fn run_source(
        &self,
        tenant: &Tenant,
        target: &str,
        params: Map<String, Value>,
        source: &str,
        options: &statbox_data::ReadOptions,
        observer: Option<Arc<dyn ProgressObserver>>,
    ) -> Result<RunOutcome, EngineError> {
        let mut options = options.clone();
        // Remote data would be downloaded twice for a preview; it is loaded whole instead.
        if let statbox_data::Source::Path(_) = statbox_data::Source::parse(source)? {
            let preview = self.preview(tenant, source, &options).await?;
            options.columns = self.columns_needed(target, &params, &preview.columns())?;
        }
        let table = self.load_source(tenant, source, &options).await?;
        let mut request = RunRequest::new(target, table).with_params(params);
        request.observer = observer;
        self.run(tenant, request).await
    }

    /// Runs one request for a tenant, end to end.
    pub async fn run(&self, tenant: &Tenant, request: RunRequest) -> Result<RunOutcome, EngineError> {
        let (template, plugin, operation) = self.resolve(&request.target)?;
        let params = match template {
            Some(t) => validate(&t.params, request.params, &request.table.columns())?,
            // No template: the plugin validates against its own schema.
            None => request.params,
        };
        let limits = self.limits_for(tenant, template);
        let mut call = Call::new(&plugin, &operation, Value::Object(params.clone()), request.table, limits);
        call.artifacts = request.artifacts;
        call.observer = request.observer;
        let out = self.runtime.call(call).await?;
        let reply = match template {
            Some(t) => {
                let context = json!({
                    "template": {"name": t.name, "title": t.title, "description": t.description},
                    "params": params,
                    "result": out.json,
                });
                render(&t.reply, &context)
                    .map_err(|message| EngineError::Render { template: t.name.clone(), message })?
            }
            None => serde_json::to_string_pretty(&out.json).unwrap_or_default() + "\n",
        };
        Ok(RunOutcome {
            template: template.map(|t| t.name.clone()),
            plugin,
            operation,
            params,
            result: out.json,
            reply,
            figures: out.figures,
            artifacts: out.artifacts,
            logs: out.logs,
            limits,
            fuel_used: out.fuel_used,
            elapsed: out.elapsed,
        })
    }
}
