//! Helpers shared by the end-to-end tests and the benchmarks.

use std::path::{Path, PathBuf};

use statbox_engine::{Config, Engine};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// The shipped configuration, with plugins loaded from the freshly built guest artifacts.
pub fn test_config() -> Config {
    let mut config = Config::load(&repo_root().join("config/default.toml")).expect("config/default.toml");
    config.runtime.plugin_dirs = vec![statbox_guest_artifacts::plugin_dir().to_path_buf()];
    config.data.allowed_dirs = vec![repo_root(), std::env::temp_dir()];
    // Each engine gets its own model store, so tests never see each other's models.
    let store = tempfile::Builder::new().prefix("statbox-models-").tempdir().expect("temp dir");
    let store = store.keep();
    config.conversation.database = Some(store.join("conversations.sqlite"));
    config.conversation.uploads_dir = Some(store.join("uploads"));
    config.models.dir = Some(store);
    config
}

pub async fn engine() -> Engine {
    let engine = Engine::start(test_config()).await.expect("engine starts");
    assert!(engine.plugin_failures().is_empty(), "plugins failed to load: {:?}", engine.plugin_failures());
    engine
}

/// A JSON object literal as request params: `params(json!({"columns": "sales"}))`.
pub fn params(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// A started engine, the local tenant and `tests/fixtures/<name>` loaded: what most
/// end-to-end tests begin with.
pub async fn engine_with_fixture(
    name: &str,
) -> (Engine, statbox_engine::Tenant, std::sync::Arc<statbox_data::DataTable>) {
    let engine = engine().await;
    let tenant = statbox_engine::Tenant::local();
    let table = engine.load_path(&tenant, &fixture(name)).expect("fixture loads");
    (engine, tenant, table)
}
