//! Runtime settings (the `[runtime]` table of `config/default.toml`).

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Directories scanned for `*.wasm` plugins, in order.
    pub plugin_dirs: Vec<PathBuf>,
    /// Where compiled plugins are cached; `None` compiles on every start.
    pub cache_dir: Option<PathBuf>,
    /// Calls running at once; further calls wait for a free slot.
    pub max_concurrent_calls: u32,
    /// Ceiling for any call's `memory_mib`; sizes the instance pool's memory slots.
    pub max_memory_mib: u64,
    /// Native stack available to guest code, in KiB.
    pub max_wasm_stack_kib: u32,
    /// Resolution of wall-clock deadlines, in milliseconds.
    pub epoch_tick_ms: u64,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            plugin_dirs: Vec::new(),
            cache_dir: None,
            max_concurrent_calls: 16,
            max_memory_mib: 4096,
            max_wasm_stack_kib: 1024,
            epoch_tick_ms: 10,
        }
    }
}
