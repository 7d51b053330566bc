//! What incoming data may be and where it may come from: the `[data]` table of the config.

use std::path::PathBuf;

use serde::Deserialize;

/// Limits on incoming data and where it may come from (the `[data]` table of the config).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Rows read to infer column types.
    pub infer_schema_rows: usize,
    /// Most rows an eager load materialises.
    pub max_rows: usize,
    /// Most columns an eager load materialises.
    pub max_columns: usize,
    /// Directories local paths must lie in (relative ones against the working directory).
    pub allowed_dirs: Vec<PathBuf>,
    /// HTTP(S) downloads: seconds for the whole transfer, and redirects followed.
    pub http_timeout_secs: u64,
    pub http_max_redirects: usize,
    /// S3-compatible endpoint for `s3://` sources (default: AWS, or AWS_ENDPOINT_URL).
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    /// Credentials: better left unset, so AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the
    /// environment apply; set for a self-hosted store with fixed keys.
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Downloads (http(s), s3) that fail transiently (connection errors, timeouts, HTTP 5xx
    /// and 429) are retried this many times, waiting `fetch_backoff_ms`, then twice that...
    pub fetch_retries: u32,
    pub fetch_backoff_ms: u64,
}

impl Default for DataLimits {
    fn default() -> Self {
        DataLimits {
            max_file_bytes: 512 * 1024 * 1024,
            infer_schema_rows: 10_000,
            max_rows: 1_000_000,
            max_columns: 1_000,
            allowed_dirs: vec![PathBuf::from(".")],
            http_timeout_secs: 60,
            http_max_redirects: 3,
            s3_endpoint: None,
            s3_region: "us-east-1".to_string(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            fetch_retries: 2,
            fetch_backoff_ms: 500,
        }
    }
}
