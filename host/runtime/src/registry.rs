//! Finding, compiling, checking and registering plugins.
//!
//! Loading a plugin: read the bytes, compile (or load from the cache), read the statbox
//! API version from the component's import names (`statbox:plugin/dataset@0.1.0`) before
//! anything runs, pre-link an `InstancePre`, then instantiate once under tight limits to
//! read its manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::Component;

use crate::cache::CompileSource;
use crate::call::{LIMITS_FOR_MANIFEST, Sandbox};
use crate::error::LoadError;
use crate::world::since_v0_1_0::AnalysisPluginPre;
use crate::{CURRENT_API_VERSION, Runtime};

/// One operation of an installed plugin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperationInfo {
    pub name: String,
    pub summary: String,
    /// JSON Schema of the operation's params object.
    pub params_schema: serde_json::Value,
}

/// What the host knows about an installed plugin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    /// The statbox WIT API version the plugin was built against.
    pub api_version: String,
    pub path: PathBuf,
    pub operations: Vec<OperationInfo>,
    /// Whether this start compiled the plugin or found it in the cache.
    pub compile: CompileSource,
}

impl PluginInfo {
    pub fn operation(&self, name: &str) -> Option<&OperationInfo> {
        self.operations.iter().find(|o| o.name == name)
    }

    pub fn operation_names(&self) -> String {
        self.operations.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

pub(crate) struct LoadedPlugin {
    pub(crate) info: PluginInfo,
    pub(crate) pre: AnalysisPluginPre<crate::store::StoreState>,
}

/// The outcome of scanning the plugin directories: what loaded and what did not (a broken
/// plugin never stops the others from loading).
#[derive(Debug, Default)]
pub struct LoadReport {
    pub loaded: Vec<PluginInfo>,
    pub failures: Vec<LoadError>,
}

/// The statbox API version a component was built against, from its import names.
fn api_version(component: &Component, engine: &wasmtime::Engine) -> Option<String> {
    component.component_type().imports(engine).find_map(|(name, _)| {
        let rest = name.strip_prefix("statbox:plugin/")?;
        rest.split_once('@').map(|(_, v)| v.to_string())
    })
}

impl Runtime {
    /// Loads every `*.wasm` file in the configured plugin directories (sorted by file name;
    /// missing directories are skipped).
    pub async fn load_plugin_dirs(&self) -> LoadReport {
        let mut report = LoadReport::default();
        for dir in self.config.plugin_dirs.clone() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    report.failures.push(LoadError::Dir { path: dir.clone(), source });
                    continue;
                }
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                match self.load_plugin_file(&file).await {
                    Ok(info) => report.loaded.push(info),
                    Err(e) => report.failures.push(e),
                }
            }
        }
        report
    }

    /// Loads one plugin component from a file and registers it under its manifest name.
    pub async fn load_plugin_file(&self, path: &Path) -> Result<PluginInfo, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
        self.load_plugin_bytes(&bytes, path).await
    }

    /// Loads a plugin from bytes; `origin` names it in messages and listings.
    pub async fn load_plugin_bytes(&self, wasm: &[u8], origin: &Path) -> Result<PluginInfo, LoadError> {
        let path = origin.to_path_buf();
        let (component, compile) = self.cache.component(&self.engine, wasm, origin)?;
        let found = api_version(&component, &self.engine).ok_or_else(|| LoadError::NotAPlugin {
            path: path.clone(),
            message: "it imports no statbox:plugin interface (was it built with statbox-sdk?)".into(),
        })?;
        if found != CURRENT_API_VERSION {
            return Err(LoadError::ApiVersion { path, found, supported: CURRENT_API_VERSION.into() });
        }
        let not_a_plugin = |e: wasmtime::Error| LoadError::NotAPlugin { path: path.clone(), message: format!("{e:#}") };
        let instance_pre = self.linker.instantiate_pre(&component).map_err(not_a_plugin)?;
        let pre = AnalysisPluginPre::new(instance_pre).map_err(not_a_plugin)?;

        let label = path.file_name().map_or_else(|| "plugin".to_string(), |f| f.to_string_lossy().into_owned());
        let sandbox = Sandbox::new(self, &label, "manifest", LIMITS_FOR_MANIFEST, None);
        let manifest = sandbox
            .read_manifest(&pre)
            .await
            .map_err(|e| LoadError::Manifest { path: path.clone(), message: e.to_string() })?;

        let mut operations = Vec::with_capacity(manifest.operations.len());
        for op in manifest.operations {
            let params_schema = serde_json::from_str(&op.params_schema).map_err(|e| LoadError::Manifest {
                path: path.clone(),
                message: format!("operation '{}' has an invalid params-schema: {e}", op.name),
            })?;
            operations.push(OperationInfo { name: op.name, summary: op.summary, params_schema });
        }
        let info = PluginInfo {
            name: manifest.name,
            version: manifest.version,
            description: manifest.description,
            api_version: found,
            path: path.clone(),
            operations,
            compile,
        };
        if !is_identifier(&info.name) {
            return Err(LoadError::Manifest {
                path,
                message: format!("plugin name '{}' must be lower-case letters, digits, '-' or '_'", info.name),
            });
        }
        let mut plugins = self.plugins.write().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = plugins.get(&info.name)
            && existing.info.path != path
        {
            return Err(LoadError::Duplicate { name: info.name.clone(), path, existing: existing.info.path.clone() });
        }
        plugins.insert(info.name.clone(), Arc::new(LoadedPlugin { info: info.clone(), pre }));
        Ok(info)
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
