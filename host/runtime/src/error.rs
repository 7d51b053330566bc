//! Errors of the runtime: loading plugins, and calling them.
//!
//! Every limit a call can hit has its own variant naming the plugin, the operation and the
//! limit, so the message can go to the user as is.

use std::path::PathBuf;

use crate::limits::compact_count;

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read plugin file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a valid WebAssembly component: {message}")]
    Compile { path: PathBuf, message: String },
    #[error(
        "{path} was built against statbox plugin API {found}, but this host supports {supported}; rebuild the plugin with a matching statbox-sdk"
    )]
    ApiVersion { path: PathBuf, found: String, supported: String },
    #[error("{path} does not implement the statbox plugin world: {message}")]
    NotAPlugin { path: PathBuf, message: String },
    #[error("{path}: reading the plugin manifest failed: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("plugin '{name}' from {path} is already loaded from {existing}; remove one of them")]
    Duplicate { name: String, path: PathBuf, existing: PathBuf },
    #[error("compiled-code cache at {path}: {source}")]
    Cache { path: PathBuf, source: std::io::Error },
    #[error("cannot read plugin directory {path}: {source}")]
    Dir { path: PathBuf, source: std::io::Error },
}

/// The kind of error a plugin reported on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PluginErrorKind {
    InvalidParams,
    InvalidData,
    Unsupported,
    NotFound,
    Internal,
}

/// Why a call did not produce an output.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("No plugin named '{plugin}' is installed. Installed: {available}")]
    UnknownPlugin { plugin: String, available: String },
    #[error("Plugin '{plugin}' has no operation '{operation}'. Its operations: {available}")]
    UnknownOperation { plugin: String, operation: String, available: String },
    #[error("{plugin}.{operation} exceeded its compute budget of {} fuel", compact_count(*fuel))]
    FuelExhausted { plugin: String, operation: String, fuel: u64 },
    #[error("{plugin}.{operation} exceeded its time limit of {ms} ms")]
    Timeout { plugin: String, operation: String, ms: u64 },
    #[error("{plugin}.{operation} exceeded the {limit_mib} MiB memory limit")]
    MemoryExceeded { plugin: String, operation: String, limit_mib: u64 },
    #[error("{plugin}.{operation} overflowed its stack (recursion too deep)")]
    StackOverflow { plugin: String, operation: String },
    #[error("{plugin}.{operation} returned {size} bytes, more than its output limit of {limit_mib} MiB")]
    OutputTooLarge { plugin: String, operation: String, size: u64, limit_mib: u64 },
    #[error("{plugin}.{operation} crashed: {message}")]
    Panicked { plugin: String, operation: String, message: String },
    #[error("{plugin}.{operation} was stopped by the sandbox: {message}")]
    Trapped { plugin: String, operation: String, message: String },
    #[error("{plugin}.{operation} returned an invalid result: {message}")]
    InvalidOutput { plugin: String, operation: String, message: String },
    #[error("{message}")]
    Plugin { plugin: String, operation: String, kind: PluginErrorKind, message: String, hint: Option<String> },
    #[error("Too many analyses are running at once ({message}); try again in a moment")]
    Busy { message: String },
    #[error("internal runtime error while running {plugin}.{operation}: {message}")]
    Host { plugin: String, operation: String, message: String },
}

impl CallError {
    /// A stable machine-readable name of the error, for JSON output and tests.
    pub fn code(&self) -> &'static str {
        match self {
            CallError::UnknownPlugin { .. } => "unknown-plugin",
            CallError::UnknownOperation { .. } => "unknown-operation",
            CallError::FuelExhausted { .. } => "fuel-exhausted",
            CallError::Timeout { .. } => "timeout",
            CallError::MemoryExceeded { .. } => "memory-exceeded",
            CallError::StackOverflow { .. } => "stack-overflow",
            CallError::OutputTooLarge { .. } => "output-too-large",
            CallError::Panicked { .. } => "panicked",
            CallError::Trapped { .. } => "trapped",
            CallError::InvalidOutput { .. } => "invalid-output",
            CallError::Plugin { .. } => "plugin-error",
            CallError::Busy { .. } => "busy",
            CallError::Host { .. } => "host-error",
        }
    }

    /// What the user can do about it, where there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            CallError::Plugin { hint, .. } => hint.clone(),
            CallError::FuelExhausted { .. } | CallError::Timeout { .. } => {
                Some("Use fewer rows or columns, or raise the limit in the template's [limits].".into())
            }
            CallError::MemoryExceeded { .. } => {
                Some("Use fewer rows or columns, or raise memory_mib in the template's [limits].".into())
            }
            _ => None,
        }
    }
}
