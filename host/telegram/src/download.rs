//! Fetching an uploaded document: its name is checked before anything is downloaded, the
//! size Telegram reports is checked against the limit, and the download itself stops at the
//! limit whatever was reported.

use std::path::Path;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::Document;

use crate::{BotApp, send};

/// Why an upload is refused; each message says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0} Send the data as one of those, or export it from your spreadsheet as CSV.")]
    Unsupported(String),
    #[error(
        "{name} is {size}, above this bot's limit of {limit}. Send a smaller file (a sample, or only the columns you need), or ask the operator to raise telegram.max_upload_mib (above 20 MB needs a local Bot API server)."
    )]
    TooLarge { name: String, size: String, limit: String },
    #[error("Telegram did not hand over {name}: {reason}. Send it again in a moment.")]
    Fetch { name: String, reason: String },
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// The document's bytes, or why not.
pub async fn document<R>(bot: &R, app: &BotApp, doc: &Document) -> Result<(String, Vec<u8>), UploadError>
where
    R: Requester<Err = RequestError>,
{
    let name = doc.file_name.clone().unwrap_or_else(|| "upload.csv".into());
    statbox_data::Format::check_name(Path::new(&name)).map_err(|e| UploadError::Unsupported(e.to_string()))?;
    let limit = app.max_upload_bytes();
    let too_large = |size: u64| UploadError::TooLarge { name: name.clone(), size: mib(size), limit: mib(limit) };
    if u64::from(doc.file.size) > limit {
        return Err(too_large(u64::from(doc.file.size)));
    }
    let fetch_error = |reason: String| UploadError::Fetch { name: name.clone(), reason };
    let file = send::retry(|| bot.get_file(doc.file.id.clone())).await.map_err(|e| fetch_error(e.to_string()))?;
    // A local Bot API server (`--local`) answers with a path on its own disk.
    let local = Path::new(&file.path);
    if local.is_absolute() && local.is_file() {
        let size = std::fs::metadata(local).map_err(|e| fetch_error(e.to_string()))?.len();
        if size > limit {
            return Err(too_large(size));
        }
        let bytes = tokio::fs::read(local).await.map_err(|e| fetch_error(e.to_string()))?;
        return Ok((name, bytes));
    }
    let url = app.file_url(&file.path).map_err(fetch_error)?;
    let mut response = app
        .http
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| fetch_error(e.without_url().to_string()))?;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fetch_error(e.without_url().to_string()))? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(too_large((bytes.len() + chunk.len()) as u64));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((name, bytes))
}
