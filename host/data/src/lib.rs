//! Loading tables for statbox and exposing them to plugins: CSV/TSV (delimiter, header and
//! encoding sniffed), Parquet, Excel, JSON and NDJSON, from uploaded bytes or allow-listed
//! local paths.
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
mod excel;
mod export;
mod format;
mod http;
mod limits;
mod local;
mod readers;
mod s3;
mod table;

pub use csv::{Dialect, sniff, to_utf8};
pub use export::ExtraColumn;
pub use format::Format;
pub use limits::DataLimits;
pub use table::DataTable;

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

/// What to read from a file, beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Excel: the sheet (case-insensitive); default the first.
    pub sheet: Option<String>,
    /// Only these columns (projection: the others are never materialised where the format
    /// allows skipping them).
    pub columns: Option<Vec<String>>,
    /// Read only the first N rows, without the row limit's error (schema inspection).
    pub sample_rows: Option<usize>,
}

impl ReadOptions {
    /// Rows a reader should produce at most: one past the cap, so exceeding it is visible.
    fn row_cap(&self, limits: &DataLimits) -> usize {
        self.sample_rows.unwrap_or(limits.max_rows).saturating_add(1)
    }
}

/// Loads uploaded bytes; `name` (the upload's file name) and the content pick the format.
pub fn load_bytes(name: &str, bytes: Vec<u8>, limits: &DataLimits) -> Result<DataTable, DataError> {
    load_bytes_with(name, bytes, &ReadOptions::default(), limits)
}

pub fn load_bytes_with(
    name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
    limits: &DataLimits,
) -> Result<DataTable, DataError> {
    let path = PathBuf::from(name);
    let format = Format::detect(&path, &bytes[..bytes.len().min(64)])?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(DataError::TooLarge { path, size: bytes.len() as u64, limit: limits.max_file_bytes });
    }
    if bytes.is_empty() {
        return Err(DataError::Empty(path));
    }
    parse(&path, format, bytes, options, limits)
}

/// Loads a local file: only inside `limits.allowed_dirs`, after every check (see
/// [`local::read`]).
pub fn load_path(path: &Path, limits: &DataLimits) -> Result<DataTable, DataError> {
    load_path_with(path, &ReadOptions::default(), limits)
}

pub fn load_path_with(path: &Path, options: &ReadOptions, limits: &DataLimits) -> Result<DataTable, DataError> {
    let bytes = local::read(path, limits)?;
    let format = Format::detect(path, &bytes[..bytes.len().min(64)])?;
    parse(path, format, bytes, options, limits)
}

/// Rows in a preview ([`preview_path`]).
pub const PREVIEW_ROWS: usize = 1_000;
/// Bytes of a delimited or line-oriented file read for a preview.
const PREVIEW_BYTES: u64 = 1 << 20;

/// The first [`PREVIEW_ROWS`] rows of a local file, to learn its columns and kinds without
/// loading it: CSV and NDJSON read only their first MiB; Parquet, Excel and JSON are read
/// whole but only the sample is materialised.
pub fn preview_path(path: &Path, options: &ReadOptions, limits: &DataLimits) -> Result<DataTable, DataError> {
    let (mut bytes, partial) = local::read_up_to(path, limits, Some(PREVIEW_BYTES))?;
    let format = Format::detect(path, &bytes[..bytes.len().min(64)])?;
    let sample = ReadOptions { sample_rows: Some(PREVIEW_ROWS), ..options.clone() };
    if partial {
        if matches!(format, Format::Csv | Format::Ndjson) {
            // Cut at the last complete line.
            let end = bytes.iter().rposition(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1);
            bytes.truncate(end);
        } else {
            bytes = local::read(path, limits)?;
        }
    }
    parse(path, format, bytes, &sample, limits)
}

/// Where data comes from, as a user writes it: `https://...`, `s3://bucket/key`, or a
/// local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Url(String),
    S3 { bucket: String, key: String },
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, DataError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Ok(Source::Url(trimmed.to_string()))
        } else if let Some(rest) = trimmed.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            Ok(Source::S3 { bucket: bucket.to_string(), key: key.to_string() })
        } else if let Some((scheme, _)) =
            lower.split_once("://").filter(|(s, _)| s.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            Err(DataError::BadUrl {
                url: trimmed.to_string(),
                message: format!("'{scheme}://' is not supported; use http(s)://, s3:// or a local path"),
            })
        } else {
            Ok(Source::Path(PathBuf::from(text)))
        }
    }
}

/// Loads from any [`Source`].
pub async fn load_source(source: &Source, options: &ReadOptions, limits: &DataLimits) -> Result<DataTable, DataError> {
    match source {
        Source::Path(path) => load_path_with(path, options, limits),
        Source::Url(url) => {
            let (name, bytes) = with_retries(limits, || http::fetch(url, limits)).await?;
            load_bytes_with(&name, bytes, options, limits)
        }
        Source::S3 { bucket, key } => {
            let bytes = with_retries(limits, || s3::fetch(bucket, key, limits)).await?;
            load_bytes_with(key, bytes, options, limits)
        }
    }
}

/// Runs a download, retrying transient failures with exponential backoff.
async fn with_retries<T, F, Fut>(limits: &DataLimits, mut fetch: F) -> Result<T, DataError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DataError>>,
{
    let mut wait = std::time::Duration::from_millis(limits.fetch_backoff_ms);
    let mut attempt = 0;
    loop {
        match fetch().await {
            Err(e) if e.is_transient() && attempt < limits.fetch_retries => {
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            other => return other,
        }
    }
}

impl DataError {
    /// A failure that may pass if tried again: the network, a timeout, a server error or
    /// rate limiting. Wrong addresses, refusals and bad files are not.
    pub fn is_transient(&self) -> bool {
        match self {
            DataError::Http { .. } | DataError::HttpTimeout { .. } => true,
            DataError::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            DataError::S3 { message, .. } => {
                let m = message.to_ascii_lowercase();
                !(m.contains("not found")
                    || m.contains("nosuchkey")
                    || m.contains("access denied")
                    || m.contains("forbidden"))
            }
            _ => false,
        }
    }
}

fn parse(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
    options: &ReadOptions,
    limits: &DataLimits,
) -> Result<DataTable, DataError> {
    match format {
        Format::Csv => csv::parse(path, bytes, options, limits),
        Format::Parquet => readers::parquet(path, bytes, options, limits),
        Format::Json => readers::json(path, bytes, false, options, limits),
        Format::Ndjson => readers::json(path, bytes, true, options, limits),
        Format::Excel => excel::read(path, bytes, options, limits),
    }
}

/// Common end of every reader: row and column limits, then the table.
fn finish(path: &Path, df: DataFrame, options: &ReadOptions, limits: &DataLimits) -> Result<DataTable, DataError> {
    let df = match options.sample_rows {
        Some(n) => df.head(Some(n)),
        None if df.height() > limits.max_rows => {
            return Err(DataError::TooManyRows { path: path.to_path_buf(), limit: limits.max_rows });
        }
        None => df,
    };
    if df.width() > limits.max_columns {
        return Err(DataError::TooManyColumns {
            path: path.to_path_buf(),
            columns: df.width(),
            limit: limits.max_columns,
        });
    }
    if df.height() == 0 {
        return Err(DataError::NoRows(path.to_path_buf()));
    }
    Ok(DataTable::new(df))
}

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
    #[error(
        "Path '{0}' tries to leave its directory ('..' or an encoded form). Give a path inside the data directory."
    )]
    Traversal(String),
    #[error(
        "{path} is outside the directories statbox may read ({allowed}). Move the file there or add its directory to data.allowed_dirs."
    )]
    NotAllowed { path: PathBuf, allowed: String },
    #[error(
        "{0} is a link to a place outside the allowed directories; statbox does not follow it. Copy the file instead."
    )]
    SymlinkEscape(PathBuf),
    #[error(
        "{path} is named like {expected} but is not an {expected} file (its content looks like {found}). Check the file or its extension."
    )]
    WrongContent { path: PathBuf, expected: &'static str, found: &'static str },
    #[error("{path} has no sheet '{sheet}'. Sheets: {sheets}.")]
    SheetNotFound { path: PathBuf, sheet: String, sheets: String },
    #[error(
        "{path} has more than {limit} rows, the limit for loading a whole table (data.max_rows). Select the columns you need, use a sample, or raise the limit."
    )]
    TooManyRows { path: PathBuf, limit: usize },
    #[error(
        "{path} has {columns} columns, above the limit of {limit} (data.max_columns). Select the columns you need."
    )]
    TooManyColumns { path: PathBuf, columns: usize, limit: usize },
    #[error("'{url}' is not a usable URL: {message}.")]
    BadUrl { url: String, message: String },
    #[error("Downloading {url} failed: {message}. Check the address and that the server is reachable.")]
    Http { url: String, message: String },
    #[error("{url} answered HTTP {status}. Check the address and that the file is public.")]
    HttpStatus { url: String, status: u16 },
    #[error("{url} did not finish within {seconds} s (data.http_timeout_secs).")]
    HttpTimeout { url: String, seconds: u64 },
    #[error("{url} redirected more than {limit} times (data.http_max_redirects).")]
    HttpRedirects { url: String, limit: usize },
    #[error("{url} returned a web page ({content_type}), not a data file. Use the file's direct download link.")]
    HttpContentType { url: String, content_type: String },
    #[error("Reading s3://{bucket}/{key} failed: {message}")]
    S3 { bucket: String, key: String, message: String },
}
