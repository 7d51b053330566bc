//! The one place that runs `bindgen!` for the statbox plugin world.
//!
//! Each WIT version gets its own module here (`since_v0_1_0`), so a future `@0.2.0` adds a
//! module beside it and the host keeps loading plugins built against older versions.

pub mod since_v0_1_0 {
    wasmtime::component::bindgen!({
        path: "../../wit/statbox-plugin@0.1.0",
        world: "analysis-plugin",
        imports: { default: trappable },
        exports: { default: async },
        with: {
            "statbox:plugin/dataset.table": crate::dataset::DatasetHandle,
        },
    });

    /// The WIT package version these bindings implement.
    pub const API_VERSION: &str = "0.1.0";
}

pub use since_v0_1_0::API_VERSION as CURRENT_API_VERSION;
