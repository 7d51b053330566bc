//! Paths of the guest plugin components, built from the current source by `build.rs`.
//!
//! ```no_run
//! let stats = std::fs::read(statbox_guest_artifacts::STATS_WASM).unwrap();
//! ```

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));

/// The directory holding both components (usable as a plugin directory in tests; note it
/// contains the hostile `evil` plugin too).
pub fn plugin_dir() -> &'static std::path::Path {
    std::path::Path::new(STATS_WASM).parent().expect("artifact path has a parent")
}
