//! The per-tenant model store.
//!
//! Layout under the store's root:
//! ```text
//! tenants/<hex of tenant id>/<model id>/model.json      the artifact bytes from the plugin
//! tenants/<hex of tenant id>/<model id>/metadata.json   ModelMeta
//! ```
//! No path is ever built from user text: tenant directories are the hex encoding of the
//! tenant id, and model ids are generated here and checked by [`valid_model_id`] before use.
//! A model is written into a temporary directory and renamed into place, so a crash leaves
//! either the whole model or nothing; leftovers are swept on open.

mod time;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use time::rfc3339_utc;

const ARTIFACT_FILE: &str = "model.json";
const META_FILE: &str = "metadata.json";
const TEMP_PREFIX: &str = ".tmp-";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("'{0}' is not a model id (ids look like m20261123-014501-3fa9c2; see `statbox models list`)")]
    InvalidId(String),
    #[error("No model '{0}' for this user. See `statbox models list`")]
    NotFound(String),
    #[error("This user already has {limit} models, the limit. Delete one first (`statbox models delete ID`)")]
    TooManyModels { limit: usize },
    #[error(
        "The model is {size_mib:.1} MiB, above the {limit_mib} MiB limit. Lower n_estimators or max_depth, or use fewer features"
    )]
    TooLarge { size_mib: f64, limit_mib: u64 },
    #[error("The model store at {path} failed: {message}")]
    Io { path: String, message: String },
    #[error("Model '{id}' has unreadable metadata: {message}")]
    Corrupt { id: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreLimits {
    pub max_models_per_tenant: usize,
    pub max_model_bytes: u64,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits { max_models_per_tenant: 50, max_model_bytes: 100 << 20 }
    }
}

/// A feature the model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMeta {
    pub name: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// The plugin that trained the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginMeta {
    pub name: String,
    pub version: String,
    /// SHA-256 of the component file.
    pub hash: String,
}

/// `metadata.json`: everything known about a model without reading the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub model_id: String,
    pub tenant: String,
    pub created_at: String,
    pub model_type: String,
    pub task_type: String,
    pub target: String,
    pub features: Vec<FeatureMeta>,
    #[serde(default)]
    pub classes: Vec<String>,
    pub preprocessing: Value,
    pub hyperparameters: Value,
    /// train / test / cv metrics, as the plugin reported them.
    pub metrics: Value,
    /// Rows × encoded columns the model was fitted on.
    pub training_shape: [u64; 2],
    /// Rows of the table the user trained on.
    pub data_rows: u64,
    pub training_time_ms: u64,
    pub feature_importance: Value,
    pub plugin: PluginMeta,
    pub artifact_media_type: String,
    pub artifact_bytes: u64,
}

pub struct ModelStore {
    root: PathBuf,
    limits: StoreLimits,
    /// Serialises saves so the per-tenant count check and the write are one step.
    write_lock: Mutex<()>,
}

/// Model ids: `m` + 8 digits + `-` + 6 digits + `-` + 6 lowercase hex digits.
pub fn valid_model_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 23
        && b[0] == b'm'
        && b[1..9].iter().all(u8::is_ascii_digit)
        && b[9] == b'-'
        && b[10..16].iter().all(u8::is_ascii_digit)
        && b[16] == b'-'
        && b[17..].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io { path: path.display().to_string(), message: e.to_string() }
}

impl ModelStore {
    /// Opens (creating) a store and sweeps unfinished writes.
    pub fn open(root: &Path, limits: StoreLimits) -> Result<ModelStore, StoreError> {
        let tenants = root.join("tenants");
        fs::create_dir_all(&tenants).map_err(io_err(&tenants))?;
        let store = ModelStore { root: root.to_path_buf(), limits, write_lock: Mutex::new(()) };
        if let Ok(dirs) = fs::read_dir(&tenants) {
            for tenant in dirs.flatten() {
                for entry in fs::read_dir(tenant.path()).into_iter().flatten().flatten() {
                    if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                        let _ = fs::remove_dir_all(entry.path());
                    }
                }
            }
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn limits(&self) -> StoreLimits {
        self.limits
    }

    fn tenant_dir(&self, tenant: &str) -> PathBuf {
        self.root.join("tenants").join(hex::encode(tenant.as_bytes()))
    }

    fn model_dir(&self, tenant: &str, id: &str) -> Result<PathBuf, StoreError> {
        if !valid_model_id(id) {
            return Err(StoreError::InvalidId(id.chars().take(64).collect()));
        }
        Ok(self.tenant_dir(tenant).join(id))
    }

    /// Stores a model. `meta.model_id`, `tenant`, `created_at` and `artifact_bytes` are
    /// filled here; the saved metadata is returned.
    pub fn save(&self, tenant: &str, mut meta: ModelMeta, artifact: &[u8]) -> Result<ModelMeta, StoreError> {
        if artifact.len() as u64 > self.limits.max_model_bytes {
            return Err(StoreError::TooLarge {
                size_mib: artifact.len() as f64 / (1 << 20) as f64,
                limit_mib: self.limits.max_model_bytes >> 20,
            });
        }
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let existing = self.ids(tenant)?.len();
        if existing >= self.limits.max_models_per_tenant {
            return Err(StoreError::TooManyModels { limit: self.limits.max_models_per_tenant });
        }
        let dir = self.tenant_dir(tenant);
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let now = std::time::SystemTime::now();
        let id = loop {
            let candidate = new_id(now);
            if !dir.join(&candidate).exists() {
                break candidate;
            }
        };
        meta.model_id = id.clone();
        meta.tenant = tenant.to_string();
        meta.created_at = rfc3339_utc(now);
        meta.artifact_bytes = artifact.len() as u64;
        let temp = dir.join(format!("{TEMP_PREFIX}{id}"));
        fs::create_dir_all(&temp).map_err(io_err(&temp))?;
        let result = (|| {
            write_synced(&temp.join(ARTIFACT_FILE), artifact)?;
            let json = serde_json::to_vec_pretty(&meta)
                .map_err(|e| StoreError::Io { path: temp.display().to_string(), message: e.to_string() })?;
            write_synced(&temp.join(META_FILE), &json)?;
            let final_dir = dir.join(&id);
            fs::rename(&temp, &final_dir).map_err(io_err(&final_dir))?;
            // Make the rename itself durable.
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&temp);
        }
        result.map(|()| meta)
    }

    fn ids(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        let dir = self.tenant_dir(tenant);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&dir)(e)),
        };
        Ok(entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| valid_model_id(name))
            .collect())
    }

    /// The tenant's models, newest first.
    pub fn list(&self, tenant: &str) -> Result<Vec<ModelMeta>, StoreError> {
        let mut metas: Vec<ModelMeta> = self.ids(tenant)?.iter().filter_map(|id| self.show(tenant, id).ok()).collect();
        metas.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.model_id.cmp(&a.model_id)));
        Ok(metas)
    }

    /// One model's metadata.
    pub fn show(&self, tenant: &str, id: &str) -> Result<ModelMeta, StoreError> {
        let path = self.model_dir(tenant, id)?.join(META_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound(id.to_string())),
            Err(e) => return Err(io_err(&path)(e)),
        };
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt { id: id.to_string(), message: e.to_string() })
    }

    /// Metadata and artifact bytes.
    pub fn load(&self, tenant: &str, id: &str) -> Result<(ModelMeta, Vec<u8>), StoreError> {
        let meta = self.show(tenant, id)?;
        let path = self.model_dir(tenant, id)?.join(ARTIFACT_FILE);
        let bytes = fs::read(&path).map_err(io_err(&path))?;
        Ok((meta, bytes))
    }

    pub fn delete(&self, tenant: &str, id: &str) -> Result<(), StoreError> {
        let dir = self.model_dir(tenant, id)?;
        if !dir.join(META_FILE).is_file() {
            return Err(StoreError::NotFound(id.to_string()));
        }
        // Rename first so a half-deleted model never lists.
        let trash = self.tenant_dir(tenant).join(format!("{TEMP_PREFIX}del-{id}"));
        fs::rename(&dir, &trash).map_err(io_err(&dir))?;
        fs::remove_dir_all(&trash).map_err(io_err(&trash))
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut f = fs::File::create(path).map_err(io_err(path))?;
    f.write_all(bytes).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

fn new_id(now: std::time::SystemTime) -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stamp = rfc3339_utc(now); // 2026-11-23T01:45:01Z
    let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let nanos = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let suffix = hex::encode(&h.finalize()[..3]);
    format!("m{}-{}-{suffix}", &digits[..8], &digits[8..14])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_generated_valid_and_user_text_is_refused() {
        let id = new_id(std::time::SystemTime::now());
        assert!(valid_model_id(&id), "{id}");
        for bad in [
            "../x",
            "m20261123-014501-3fa9c",
            "M20261123-014501-3fa9c2",
            "m20261123-014501-3fa9cg",
            "",
            "m2026/123-014501-3fa9c2",
        ] {
            assert!(!valid_model_id(bad), "{bad}");
        }
    }
}
