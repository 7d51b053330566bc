//! Running one operation in a fresh, limited instance, and turning every way it can end
//! into either an output or a [`CallError`] that names the plugin, operation and limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{Store, Trap, UpdateDeadline};

use crate::Runtime;
use crate::dataset::{DatasetHandle, TableSource};
use crate::error::{CallError, PluginErrorKind};
use crate::host::{CallEvents, LogLine, ProgressObserver};
use crate::limits::{Limits, StoreLimiter};
use crate::sandbox::{CapturedOutput, wasi_context};
use crate::store::StoreState;
use crate::world::since_v0_1_0::statbox::plugin::types;
use crate::world::since_v0_1_0::{AnalysisPlugin, AnalysisPluginPre};

/// Limits for reading a manifest while loading: generous for a trivial function, small
/// enough that a hostile `manifest()` cannot stall loading.
pub(crate) const LIMITS_FOR_MANIFEST: Limits =
    Limits { fuel: 200_000_000, wall_time_ms: 5_000, memory_mib: 64, output_mib: 1, log_lines: 100 };

/// Captured guest stderr kept per call (enough for a panic message and backtrace).
const STDERR_CAPACITY: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figure {
    pub title: String,
    pub svg: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// One operation call.
pub struct Call {
    pub plugin: String,
    pub operation: String,
    /// The params object, already validated by the caller.
    pub params: serde_json::Value,
    pub table: Arc<dyn TableSource>,
    pub artifacts: Vec<Artifact>,
    pub limits: Limits,
    pub observer: Option<Arc<dyn ProgressObserver>>,
}

impl Call {
    pub fn new(
        plugin: &str,
        operation: &str,
        params: serde_json::Value,
        table: Arc<dyn TableSource>,
        limits: Limits,
    ) -> Self {
        Call {
            plugin: plugin.to_string(),
            operation: operation.to_string(),
            params,
            table,
            artifacts: Vec::new(),
            limits,
            observer: None,
        }
    }
}

/// What a successful call produced, with what it cost.
#[derive(Debug, Clone)]
pub struct CallOutput {
    pub json: serde_json::Value,
    pub figures: Vec<Figure>,
    pub artifacts: Vec<Artifact>,
    pub logs: Vec<LogLine>,
    /// Log lines beyond the call's `log_lines` limit, dropped.
    pub dropped_logs: u64,
    pub fuel_used: u64,
    pub elapsed: Duration,
}

impl Runtime {
    /// Runs `call` in a fresh instance. Waits for a free slot when `max_concurrent_calls`
    /// calls are already running.
    pub async fn call(&self, call: Call) -> Result<CallOutput, CallError> {
        let plugin = {
            let plugins = self.plugins.read().unwrap_or_else(|e| e.into_inner());
            match plugins.get(&call.plugin) {
                Some(p) => p.clone(),
                None => {
                    let available = plugins.keys().cloned().collect::<Vec<_>>().join(", ");
                    return Err(CallError::UnknownPlugin {
                        plugin: call.plugin,
                        available: if available.is_empty() { "none".into() } else { available },
                    });
                }
            }
        };
        if plugin.info.operation(&call.operation).is_none() {
            return Err(CallError::UnknownOperation {
                plugin: call.plugin,
                operation: call.operation,
                available: plugin.info.operation_names(),
            });
        }
        if call.limits.memory_mib > self.config.max_memory_mib {
            return Err(CallError::Host {
                plugin: call.plugin,
                operation: call.operation,
                message: format!(
                    "memory limit {} MiB is above the runtime's max_memory_mib of {} MiB",
                    call.limits.memory_mib, self.config.max_memory_mib
                ),
            });
        }
        let _slot = self.slots.acquire().await.map_err(|e| CallError::Busy { message: e.to_string() })?;
        let sandbox = Sandbox::new(self, &call.plugin, &call.operation, call.limits, call.observer.clone());
        sandbox.run(&plugin.pre, call).await
    }
}

/// One store, one instance, one call.
pub(crate) struct Sandbox {
    store: Store<StoreState>,
    stderr: CapturedOutput,
    plugin: String,
    operation: String,
    limits: Limits,
    started: Instant,
}

impl Sandbox {
    pub(crate) fn new(
        runtime: &Runtime,
        plugin: &str,
        operation: &str,
        limits: Limits,
        observer: Option<Arc<dyn ProgressObserver>>,
    ) -> Self {
        let stderr = CapturedOutput::new(STDERR_CAPACITY);
        let state = StoreState {
            wasi: wasi_context(&stderr),
            resources: ResourceTable::new(),
            limiter: StoreLimiter::new(&limits),
            events: CallEvents {
                plugin: plugin.to_string(),
                operation: operation.to_string(),
                logs: Vec::new(),
                max_logs: limits.log_lines as usize,
                dropped_logs: 0,
                observer,
            },
        };
        let mut store = Store::new(&runtime.engine, state);
        store.limiter(|s| &mut s.limiter);
        let started = Instant::now();
        let deadline = started + Duration::from_millis(limits.wall_time_ms);
        // Fuel and the deadline must be in place before instantiation, which runs guest
        // code (start functions, data initialisation) too.
        let _ = store.set_fuel(limits.fuel);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                Ok(UpdateDeadline::Interrupt)
            } else {
                // Give the executor a chance to run other tasks every tick.
                Ok(UpdateDeadline::Yield(1))
            }
        });
        Sandbox { store, stderr, plugin: plugin.to_string(), operation: operation.to_string(), limits, started }
    }

    async fn instantiate(&mut self, pre: &AnalysisPluginPre<StoreState>) -> Result<AnalysisPlugin, CallError> {
        match pre.instantiate_async(&mut self.store).await {
            Ok(b) => Ok(b),
            Err(e) => Err(self.classify(e)),
        }
    }

    pub(crate) async fn read_manifest(
        mut self,
        pre: &AnalysisPluginPre<StoreState>,
    ) -> Result<types::Manifest, CallError> {
        let bindings = self.instantiate(pre).await?;
        match bindings.call_manifest(&mut self.store).await {
            Ok(m) => Ok(m),
            Err(e) => Err(self.classify(e)),
        }
    }

    pub(crate) async fn run(
        mut self,
        pre: &AnalysisPluginPre<StoreState>,
        call: Call,
    ) -> Result<CallOutput, CallError> {
        let bindings = self.instantiate(pre).await?;
        let handle = self
            .store
            .data_mut()
            .resources
            .push(DatasetHandle(call.table))
            .map_err(|e| self.host_error(e.to_string()))?;
        let artifacts: Vec<types::Artifact> = call
            .artifacts
            .into_iter()
            .map(|a| types::Artifact { name: a.name, media_type: a.media_type, bytes: a.bytes })
            .collect();
        let params = call.params.to_string();
        let result = bindings.call_run(&mut self.store, &call.operation, &params, handle, &artifacts).await;
        let output = match result {
            Err(trap) => return Err(self.classify(trap)),
            Ok(Err(e)) => return Err(self.plugin_error(e)),
            Ok(Ok(output)) => output,
        };
        self.finish(output)
    }

    fn finish(self, output: types::Output) -> Result<CallOutput, CallError> {
        let size = output.json.len()
            + output.figures.iter().map(|f| f.title.len() + f.svg.len()).sum::<usize>()
            + output.artifacts.iter().map(|a| a.name.len() + a.media_type.len() + a.bytes.len()).sum::<usize>();
        if size as u64 > self.limits.output_bytes() {
            return Err(CallError::OutputTooLarge {
                plugin: self.plugin,
                operation: self.operation,
                size: size as u64,
                limit_mib: self.limits.output_mib,
            });
        }
        let json = serde_json::from_str(&output.json).map_err(|e| CallError::InvalidOutput {
            plugin: self.plugin.clone(),
            operation: self.operation.clone(),
            message: format!("its JSON does not parse: {e}"),
        })?;
        let fuel_used = self.limits.fuel.saturating_sub(self.store.get_fuel().unwrap_or(self.limits.fuel));
        let elapsed = self.started.elapsed();
        let state = self.store.into_data();
        Ok(CallOutput {
            json,
            figures: output.figures.into_iter().map(|f| Figure { title: f.title, svg: f.svg }).collect(),
            artifacts: output
                .artifacts
                .into_iter()
                .map(|a| Artifact { name: a.name, media_type: a.media_type, bytes: a.bytes })
                .collect(),
            logs: state.events.logs,
            dropped_logs: state.events.dropped_logs,
            fuel_used,
            elapsed,
        })
    }

    fn plugin_error(&self, e: types::PluginError) -> CallError {
        let kind = match e.kind {
            types::ErrorKind::InvalidParams => PluginErrorKind::InvalidParams,
            types::ErrorKind::InvalidData => PluginErrorKind::InvalidData,
            types::ErrorKind::Unsupported => PluginErrorKind::Unsupported,
            types::ErrorKind::NotFound => PluginErrorKind::NotFound,
            types::ErrorKind::Internal => PluginErrorKind::Internal,
        };
        CallError::Plugin {
            plugin: self.plugin.clone(),
            operation: self.operation.clone(),
            kind,
            message: crate::host::truncate_utf8(e.message, 8192),
            hint: e.hint.map(|h| crate::host::truncate_utf8(h, 2048)),
        }
    }

    fn host_error(&self, message: String) -> CallError {
        CallError::Host { plugin: self.plugin.clone(), operation: self.operation.clone(), message }
    }

    /// Maps a trap (or instantiation failure) to the limit or fault that caused it.
    fn classify(&self, err: wasmtime::Error) -> CallError {
        let (plugin, operation) = (self.plugin.clone(), self.operation.clone());
        if self.store.data().limiter.memory_hit.is_some() {
            return CallError::MemoryExceeded { plugin, operation, limit_mib: self.limits.memory_mib };
        }
        let stderr = self.stderr.text();
        match err.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => CallError::FuelExhausted { plugin, operation, fuel: self.limits.fuel },
            Some(Trap::Interrupt) => CallError::Timeout { plugin, operation, ms: self.limits.wall_time_ms },
            Some(Trap::StackOverflow) => CallError::StackOverflow { plugin, operation },
            _ => {
                if let Some(message) = panic_message(&stderr) {
                    CallError::Panicked { plugin, operation, message }
                } else {
                    let mut message = format!("{err:#}");
                    if !stderr.trim().is_empty() {
                        message.push_str(&format!("; plugin stderr: {}", stderr.trim()));
                    }
                    CallError::Trapped { plugin, operation, message }
                }
            }
        }
    }
}

/// Extracts "message (at file:line:col)" from a Rust panic report on stderr.
fn panic_message(stderr: &str) -> Option<String> {
    let start = stderr.find("panicked at ")?;
    let rest = &stderr[start + "panicked at ".len()..];
    let (location, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let location = location.trim_end_matches(':');
    let message: Vec<&str> = body.lines().take_while(|l| !l.starts_with("note: ")).collect();
    let message = message.join("\n");
    let message = message.trim();
    Some(if message.is_empty() { format!("panic at {location}") } else { format!("{message} (at {location})") })
}

#[cfg(test)]
mod tests {
    use super::panic_message;

    #[test]
    fn panic_reports_are_condensed() {
        let stderr = "\nthread '<unnamed>' panicked at src/lib.rs:10:5:\nboom\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(panic_message(stderr).as_deref(), Some("boom (at src/lib.rs:10:5)"));
        assert_eq!(panic_message("nothing"), None);
    }
}
