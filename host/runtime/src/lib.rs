//! statbox's sandbox: runs analysis plugins (WebAssembly components built against
//! `wit/statbox-plugin@0.1.0`) under fuel, memory, wall-clock and output limits.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use statbox_runtime::{Call, Limits, MemoryTable, Runtime, RuntimeConfig};
//!
//! let runtime = Runtime::new(RuntimeConfig { plugin_dirs: vec!["plugins".into()], ..Default::default() })?;
//! for failure in runtime.load_plugin_dirs().await.failures { eprintln!("{failure}"); }
//! let table = Arc::new(MemoryTable::new().with_numeric("sales", vec![1.0, 2.0, 4.0]));
//! let out = runtime
//!     .call(Call::new("stats", "describe", serde_json::json!({}), table, Limits::default()))
//!     .await?;
//! println!("{}", out.json);
//! # Ok(()) }
//! ```
//!
//! Every call gets a fresh instance from a pre-linked `InstancePre` on a pooling
//! allocator; the instance sees only the `dataset` handle it is given, the `host` log and
//! progress functions, and a WASI context with nothing granted (see [`sandbox`]).

mod cache;
mod call;
mod config;
mod dataset;
mod error;
mod host;
mod limits;
mod registry;
mod sandbox;
mod store;
mod world;

pub use cache::CompileSource;
pub use call::{Artifact, Call, CallOutput, Figure};
pub use config::RuntimeConfig;
pub use dataset::{
    Categories, ColumnInfo, ColumnKind, MemoryColumn, MemoryTable, TableSource, column_not_found, encode_categories,
};
pub use error::{CallError, LoadError, PluginErrorKind};
pub use host::{LogLevel, LogLine, Progress, ProgressObserver};
pub use limits::{LimitOverrides, Limits, compact_count};
pub use registry::{LoadReport, OperationInfo, PluginInfo};
pub use world::CURRENT_API_VERSION;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::cache::CompileCache;
use crate::registry::LoadedPlugin;
use crate::store::StoreState;

/// The plugin host. Cheap to share (`Arc` inside); one per process is the norm.
pub struct Runtime {
    engine: Engine,
    linker: Linker<StoreState>,
    cache: CompileCache,
    config: RuntimeConfig,
    plugins: RwLock<BTreeMap<String, Arc<LoadedPlugin>>>,
    /// Bounds concurrent calls to what the instance pool holds, so callers queue instead
    /// of failing with a pool-exhausted error.
    slots: tokio::sync::Semaphore,
    ticker: EpochTicker,
}

/// Error creating the runtime itself (bad engine configuration).
#[derive(Debug, thiserror::Error)]
#[error("cannot start the plugin runtime: {0}")]
pub struct RuntimeInitError(String);

impl Runtime {
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeInitError> {
        let engine = Engine::new(&engine_config(&config)).map_err(|e| RuntimeInitError(format!("{e:#}")))?;
        let mut linker: Linker<StoreState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| RuntimeInitError(format!("{e:#}")))?;
        world::since_v0_1_0::AnalysisPlugin::add_to_linker::<StoreState, wasmtime::component::HasSelf<StoreState>>(
            &mut linker,
            |s| s,
        )
        .map_err(|e| RuntimeInitError(format!("{e:#}")))?;
        let cache = CompileCache::new(&engine, config.cache_dir.clone());
        let ticker = EpochTicker::start(engine.clone(), Duration::from_millis(config.epoch_tick_ms.max(1)));
        Ok(Runtime {
            slots: tokio::sync::Semaphore::new(config.max_concurrent_calls.max(1) as usize),
            engine,
            linker,
            cache,
            config,
            plugins: RwLock::new(BTreeMap::new()),
            ticker,
        })
    }

    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Installed plugins, sorted by name.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        self.plugins.read().unwrap_or_else(|e| e.into_inner()).values().map(|p| p.info.clone()).collect()
    }

    pub fn plugin(&self, name: &str) -> Option<PluginInfo> {
        self.plugins.read().unwrap_or_else(|e| e.into_inner()).get(name).map(|p| p.info.clone())
    }

    /// The epoch tick length, i.e. the resolution of wall-clock deadlines.
    pub fn epoch_tick(&self) -> Duration {
        self.ticker.tick
    }
}

fn engine_config(rc: &RuntimeConfig) -> Config {
    let mut cfg = Config::new();
    cfg.wasm_component_model(true);
    cfg.consume_fuel(true);
    cfg.epoch_interruption(true);
    // Deep recursion in a guest must end as a StackOverflow trap, not a host crash:
    // wasmtime checks this limit in every function prologue.
    cfg.max_wasm_stack(rc.max_wasm_stack_kib as usize * 1024);
    cfg.async_stack_size((rc.max_wasm_stack_kib as usize + 1024) * 1024);
    let slots = rc.max_concurrent_calls.max(1);
    let mut pool = PoolingAllocationConfig::default();
    // One extra slot for manifest reads during loading.
    let instances = slots + 1;
    pool.total_component_instances(instances)
        .total_core_instances(instances * 16)
        .total_memories(instances * 2)
        .total_tables(instances * 16)
        .total_stacks(instances)
        .max_core_instances_per_component(16)
        .max_memories_per_component(2)
        .max_tables_per_component(16)
        .max_memory_size(usize::try_from(rc.max_memory_mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX));
    cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    cfg
}

/// Advances the engine's epoch at a fixed rate; wall-clock deadlines are counted in these
/// ticks. Stops when the runtime is dropped.
struct EpochTicker {
    tick: Duration,
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine, tick: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("statbox-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .ok();
        EpochTicker { tick, stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
