//! Write statbox analysis plugins in plain Rust.
//!
//! A plugin is a type implementing [`Plugin`] plus one [`export_plugin!`] line; the SDK
//! hides wit-bindgen, parses params, wraps the dataset and maps errors.
//!
//! ```ignore
//! use statbox_sdk::{export_plugin, json, Input, Operation, Output, Plugin, PluginError};
//!
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = "0.1.0";
//!     const DESCRIPTION: &'static str = "Greets a column.";
//!     fn operations() -> Vec<Operation> {
//!         vec![Operation::new("mean", "Mean of one column", json!({"type": "object"}), mean)]
//!     }
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct MeanParams { column: String }
//!
//! fn mean(input: &Input) -> Result<Output, PluginError> {
//!     let p: MeanParams = input.params()?;
//!     let xs = input.data.numeric(&p.column)?;
//!     Output::json(&json!({ "mean": xs.iter().sum::<f64>() / xs.len() as f64 }))
//! }
//!
//! export_plugin!(Hello);
//! ```
//! Build with `cargo build --release --target wasm32-wasip2`; the `.wasm` is the plugin.

mod data;
mod error;
mod output;

pub use data::{Categorical, ColumnInfo, ColumnKind, Dataset};
pub use error::{ErrorKind, PluginError};
pub use output::{Artifact, Figure, Output};
pub use serde_json::{Value, json};

/// Generated WIT bindings. Plugin authors do not need these; [`export_plugin!`] uses them.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/statbox-plugin@0.1.0",
        world: "analysis-plugin",
        pub_export_macro: true,
        export_macro_name: "__export_analysis_plugin",
        default_bindings_module: "statbox_sdk::bindings",
    });
}

/// The statbox WIT API version this SDK builds plugins against.
pub const API_VERSION: &str = "0.1.0";

/// One operation: its name, a one-line summary, the JSON Schema of its params, and the
/// function that runs it.
pub struct Operation {
    pub name: &'static str,
    pub summary: &'static str,
    pub params_schema: Value,
    pub run: fn(&Input) -> Result<Output, PluginError>,
}

impl Operation {
    pub fn new(
        name: &'static str,
        summary: &'static str,
        params_schema: Value,
        run: fn(&Input) -> Result<Output, PluginError>,
    ) -> Self {
        Operation { name, summary, params_schema, run }
    }
}

/// A plugin: a name, a version and its operations.
pub trait Plugin {
    /// Prefix of the plugin's operations (`stats` in `stats.describe`): lower-case.
    const NAME: &'static str;
    const VERSION: &'static str;
    const DESCRIPTION: &'static str;
    fn operations() -> Vec<Operation>;
}

/// Everything one call of an operation receives.
pub struct Input<'a> {
    pub operation: &'a str,
    /// The raw params object.
    pub raw_params: Value,
    pub data: Dataset<'a>,
    pub artifacts: Vec<Artifact>,
}

impl Input<'_> {
    /// The params, deserialised into the operation's own type. Serde's message (unknown
    /// field, wrong type) becomes an `invalid-params` error naming the operation.
    pub fn params<T: serde::de::DeserializeOwned>(&self) -> Result<T, PluginError> {
        serde_json::from_value(self.raw_params.clone())
            .map_err(|e| PluginError::invalid_params(format!("Invalid parameters for '{}': {e}", self.operation)))
    }

    /// A returned-earlier artifact by name.
    pub fn artifact(&self, name: &str) -> Result<&Artifact, PluginError> {
        self.artifacts.iter().find(|a| a.name == name).ok_or_else(|| {
            PluginError::not_found(format!("No artifact named '{name}' was passed to '{}'", self.operation))
        })
    }
}

/// Log levels for [`log`].
pub use bindings::statbox::plugin::host::Level;

/// Sends a log line to the host (bounded there; do not log per row).
pub fn log(level: Level, message: &str) {
    bindings::statbox::plugin::host::log(level, message);
}

/// Reports progress of a long operation: `done` of `total` units.
pub fn progress(done: u64, total: u64, message: &str) {
    bindings::statbox::plugin::host::progress(done, total, message);
}

/// Glue between the WIT exports and a [`Plugin`]. Used by [`export_plugin!`].
#[doc(hidden)]
pub mod glue {
    use super::*;
    use bindings::statbox::plugin::{dataset, types};

    pub fn manifest<P: Plugin>() -> types::Manifest {
        types::Manifest {
            name: P::NAME.to_string(),
            version: P::VERSION.to_string(),
            description: P::DESCRIPTION.to_string(),
            operations: P::operations()
                .into_iter()
                .map(|o| types::Operation {
                    name: o.name.to_string(),
                    summary: o.summary.to_string(),
                    params_schema: o.params_schema.to_string(),
                })
                .collect(),
        }
    }

    pub fn run<P: Plugin>(
        operation: String,
        params: String,
        table: &dataset::Table,
        artifacts: Vec<types::Artifact>,
    ) -> Result<types::Output, types::PluginError> {
        let ops = P::operations();
        let Some(op) = ops.iter().find(|o| o.name == operation) else {
            let names: Vec<&str> = ops.iter().map(|o| o.name).collect();
            return Err(PluginError::unsupported(format!(
                "Plugin '{}' has no operation '{operation}'. Its operations: {}",
                P::NAME,
                names.join(", ")
            ))
            .into());
        };
        let raw_params: Value = if params.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&params)
                .map_err(|e| PluginError::invalid_params(format!("Parameters are not valid JSON: {e}")))?
        };
        if !raw_params.is_object() {
            return Err(PluginError::invalid_params("Parameters must be a JSON object").into());
        }
        let input = Input {
            operation: &operation,
            raw_params,
            data: Dataset::new(table),
            artifacts: artifacts.into_iter().map(Artifact::from).collect(),
        };
        (op.run)(&input).map(Into::into).map_err(Into::into)
    }
}

/// Exports a [`Plugin`] as the component's `manifest` and `run`.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        struct __StatboxExport;

        impl $crate::bindings::Guest for __StatboxExport {
            fn manifest() -> $crate::bindings::statbox::plugin::types::Manifest {
                $crate::glue::manifest::<$plugin>()
            }

            fn run(
                operation: ::std::string::String,
                params: ::std::string::String,
                input: &$crate::bindings::statbox::plugin::dataset::Table,
                artifacts: ::std::vec::Vec<$crate::bindings::statbox::plugin::types::Artifact>,
            ) -> ::std::result::Result<
                $crate::bindings::statbox::plugin::types::Output,
                $crate::bindings::statbox::plugin::types::PluginError,
            > {
                $crate::glue::run::<$plugin>(operation, params, input, artifacts)
            }
        }

        $crate::bindings::__export_analysis_plugin!(__StatboxExport with_types_in $crate::bindings);
    };
}
