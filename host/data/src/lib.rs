//! Loading tables for statbox and exposing them to plugins.
//!
//! ```no_run
//! use statbox_data::{load_path, DataLimits};
//! let table = load_path("tests/fixtures/sales.csv".as_ref(), &DataLimits::default()).unwrap();
//! println!("{} rows", table.height());
//! ```
//!
//! Tables are polars `DataFrame`s; [`DataTable`] implements the runtime's
//! [`statbox_runtime::TableSource`], converting a column only when a plugin asks for it.

mod csv;
mod table;

pub use csv::{DataLimits, load_bytes, load_path};
pub use table::DataTable;

use std::path::PathBuf;

/// Why data could not be loaded. Each refusal says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("File not found: {0}. Check the path.")]
    NotFound(PathBuf),
    #[error("{0} is not a regular file.")]
    NotAFile(PathBuf),
    #[error("Unsupported file type '{extension}' for {path}. Supported: {supported}.")]
    UnsupportedExtension { path: PathBuf, extension: String, supported: String },
    #[error(
        "{path} is {size} bytes, above the limit of {limit} bytes. Use a smaller file or raise data.max_file_bytes."
    )]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("{0} is empty.")]
    Empty(PathBuf),
    #[error("Cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("Cannot parse {path} as {format}: {message}")]
    Parse { path: PathBuf, format: &'static str, message: String },
    #[error("{0} has a header but no data rows.")]
    NoRows(PathBuf),
}
