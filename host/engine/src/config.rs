//! The statbox configuration file (`config/default.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use statbox_data::DataLimits;
use statbox_runtime::{LimitOverrides, Limits, RuntimeConfig};

use crate::EngineError;
use crate::hyper::HyperTable;

/// The configuration shipped in the repository, used when no file is given or found.
pub const DEFAULT_CONFIG: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TemplatesConfig {
    pub dir: PathBuf,
}

impl Default for TemplatesConfig {
    fn default() -> Self {
        TemplatesConfig { dir: PathBuf::from("../templates") }
    }
}

/// `[models]`: the model store and hyperparameter ranges.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelsConfig {
    /// Store directory; default `$XDG_DATA_HOME/statbox/models`.
    pub dir: Option<PathBuf>,
    pub max_models_per_tenant: usize,
    pub max_model_mib: u64,
    pub hyperparameters: HyperTable,
}

impl Default for ModelsConfig {
    fn default() -> Self {
        ModelsConfig { dir: None, max_models_per_tenant: 50, max_model_mib: 100, hyperparameters: HyperTable::new() }
    }
}

/// `[conversation]`: where chat state and uploads live.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConversationConfig {
    /// SQLite file of conversation states; default `$XDG_DATA_HOME/statbox/conversations.sqlite`.
    pub database: Option<PathBuf>,
    /// Uploaded tables, one directory per tenant; default `$XDG_DATA_HOME/statbox/uploads`.
    pub uploads_dir: Option<PathBuf>,
    /// Conversations idle longer than this are forgotten.
    pub session_ttl_hours: u64,
}

impl Default for ConversationConfig {
    fn default() -> Self {
        ConversationConfig { database: None, uploads_dir: None, session_ttl_hours: 24 * 7 }
    }
}

/// `[telegram]`: the bot (`statbox bot`). The token is a secret and never lives here: it
/// comes from `TELEGRAM_BOT_TOKEN` or `--token-file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    /// Bot API server: Telegram's, or a local `telegram-bot-api` (which also lifts the
    /// 20 MB download limit).
    pub api_url: String,
    /// Where uploaded files are downloaded from (`{file_url}/file/bot{token}/{path}`);
    /// default: `api_url`.
    pub file_url: Option<String>,
    /// Largest document accepted, in MiB (Telegram's cloud Bot API serves at most 20).
    pub max_upload_mib: u64,
    /// Least time between two edits of a progress message.
    pub progress_interval_ms: u64,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            api_url: "https://api.telegram.org".into(),
            file_url: None,
            max_upload_mib: 20,
            progress_interval_ms: 2000,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub runtime: RuntimeConfig,
    pub limits: Limits,
    pub data: DataLimits,
    pub templates: TemplatesConfig,
    pub models: ModelsConfig,
    pub conversation: ConversationConfig,
    pub telegram: TelegramConfig,
    /// Per-tenant ceilings on [`Config::limits`]; `default` applies to tenants without an
    /// entry of their own.
    pub tenants: BTreeMap<String, LimitOverrides>,
}

impl Config {
    /// Reads a config file; relative paths in it are resolved against its directory.
    pub fn load(path: &Path) -> Result<Config, EngineError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EngineError::Config(format!("cannot read {}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))
    }

    /// Parses config text; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        config.runtime.plugin_dirs.iter_mut().for_each(resolve);
        if let Some(cache) = config.runtime.cache_dir.as_mut() {
            resolve(cache);
        } else {
            config.runtime.cache_dir = default_cache_dir();
        }
        resolve(&mut config.templates.dir);
        match config.models.dir.as_mut() {
            Some(dir) => resolve(dir),
            None => config.models.dir = default_data_dir().map(|d| d.join("models")),
        }
        match config.conversation.database.as_mut() {
            Some(p) => resolve(p),
            None => config.conversation.database = default_data_dir().map(|d| d.join("conversations.sqlite")),
        }
        match config.conversation.uploads_dir.as_mut() {
            Some(p) => resolve(p),
            None => config.conversation.uploads_dir = default_data_dir().map(|d| d.join("uploads")),
        }
        if config.limits.memory_mib > config.runtime.max_memory_mib {
            return Err(format!(
                "limits.memory_mib ({}) is above runtime.max_memory_mib ({})",
                config.limits.memory_mib, config.runtime.max_memory_mib
            ));
        }
        Ok(config)
    }

    /// The built-in configuration, as if it were a file in `base`.
    pub fn builtin(base: &Path) -> Config {
        Self::parse(DEFAULT_CONFIG, base).unwrap_or_default()
    }

    /// The ceiling that applies to a tenant.
    pub fn tenant_ceiling(&self, tenant: &str) -> LimitOverrides {
        self.tenants.get(tenant).or_else(|| self.tenants.get("default")).copied().unwrap_or_default()
    }
}

fn default_data_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))?;
    Some(base.join("statbox"))
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("statbox").join("compiled"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_parses_and_resolves_paths() {
        let c = Config::parse(DEFAULT_CONFIG, Path::new("/opt/statbox/config")).unwrap();
        assert_eq!(c.runtime.plugin_dirs, vec![PathBuf::from("/opt/statbox/config/../plugins")]);
        assert_eq!(c.templates.dir, PathBuf::from("/opt/statbox/config/../templates"));
        assert_eq!(c.limits, Limits::default());
        assert!(c.tenants.contains_key("local"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Config::parse("[limits]\nfuell = 5\n", Path::new(".")).unwrap_err();
        assert!(err.contains("unknown field `fuell`"), "{err}");
    }

    #[test]
    fn tenant_ceilings_fall_back_to_default() {
        let c = Config::parse("[tenants.default]\nmemory_mib = 64\n[tenants.big]\n", Path::new(".")).unwrap();
        assert_eq!(c.tenant_ceiling("someone").memory_mib, Some(64));
        assert_eq!(c.tenant_ceiling("big").memory_mib, None);
    }
}
