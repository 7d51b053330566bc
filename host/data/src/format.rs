//! Which format a file is in: from its name, checked against its first bytes.

use std::path::Path;

use crate::DataError;

/// The formats statbox reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text; the delimiter is sniffed (`,` `;` tab `|`).
    Csv,
    Parquet,
    /// .xlsx / .xlsm / .xls / .ods
    Excel,
    /// A JSON array of records (or an object of columns).
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// File extensions accepted, for messages.
pub const EXTENSIONS: &str = "csv, tsv, txt, parquet, xlsx, xlsm, xls, ods, json, ndjson, jsonl";

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
            Format::Excel => "Excel",
            Format::Json => "JSON",
            Format::Ndjson => "NDJSON",
        }
    }

    fn is_binary(self) -> bool {
        matches!(self, Format::Parquet | Format::Excel)
    }

    fn from_extension(extension: &str) -> Option<Format> {
        Some(match extension {
            "csv" | "tsv" | "txt" | "tab" => Format::Csv,
            "parquet" | "pq" => Format::Parquet,
            "xlsx" | "xlsm" | "xls" | "ods" => Format::Excel,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            _ => return None,
        })
    }

    /// What the first bytes say, when they say something definite.
    fn from_content(head: &[u8]) -> Option<Format> {
        if head.starts_with(b"PAR1") {
            return Some(Format::Parquet);
        }
        // xlsx/ods are zip archives; xls is an OLE compound document.
        if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Some(Format::Excel);
        }
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = text.iter().position(|b| !b.is_ascii_whitespace()).map(|i| text[i])?;
        match first {
            b'[' => Some(Format::Json),
            b'{' => {
                // NDJSON: a second line that starts another object.
                let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.trim_ascii().is_empty());
                lines.next();
                if lines.next().is_some_and(|l| l.trim_ascii_start().starts_with(b"{")) {
                    Some(Format::Ndjson)
                } else {
                    Some(Format::Json)
                }
            }
            _ => None,
        }
    }

    /// Refuses a name whose extension statbox cannot read, before its bytes are fetched
    /// (a bot checks an upload's name before downloading it). Names without an extension
    /// pass: their content decides.
    pub fn check_name(name: &Path) -> Result<(), DataError> {
        let extension = name.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if extension.is_empty()
            || extension == "dat"
            || extension == "data"
            || Format::from_extension(&extension).is_some()
        {
            Ok(())
        } else {
            Err(DataError::UnsupportedExtension {
                path: name.to_path_buf(),
                extension,
                supported: EXTENSIONS.to_string(),
            })
        }
    }

    /// The format of `name` with content `head`: the extension decides, but binary content
    /// that contradicts it is refused (a renamed file), and a name without a known
    /// extension (uploads are often called "file" or "data") is decided by the content,
    /// falling back to delimited text.
    pub fn detect(name: &Path, head: &[u8]) -> Result<Format, DataError> {
        let extension = name.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let by_content = Format::from_content(head);
        match Format::from_extension(&extension) {
            // Binary formats must agree: a renamed file is refused rather than misparsed.
            Some(by_name)
                if (by_name.is_binary() || by_content.is_some_and(Format::is_binary))
                    && by_content != Some(by_name) =>
            {
                Err(DataError::WrongContent {
                    path: name.to_path_buf(),
                    expected: by_name.name(),
                    found: by_content.map_or("text", Format::name),
                })
            }
            Some(by_name) => Ok(by_name),
            None if extension.is_empty() || extension == "dat" || extension == "data" => {
                Ok(by_content.unwrap_or(Format::Csv))
            }
            None => Err(DataError::UnsupportedExtension {
                path: name.to_path_buf(),
                extension,
                supported: EXTENSIONS.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_decides_and_content_checks() {
        let d = |name: &str, head: &[u8]| Format::detect(Path::new(name), head);
        assert_eq!(d("a.csv", b"x,y\n1,2").unwrap(), Format::Csv);
        assert_eq!(d("a.TSV", b"x\ty").unwrap(), Format::Csv);
        assert_eq!(d("upload", b"PAR1....").unwrap(), Format::Parquet);
        assert_eq!(d("upload", b"  [{\"a\": 1}]").unwrap(), Format::Json);
        assert_eq!(d("data", b"{\"a\": 1}\n{\"a\": 2}\n").unwrap(), Format::Ndjson);
        assert_eq!(d("file", b"a;b\n1;2").unwrap(), Format::Csv);
        assert_eq!(d("x.jsonl", b"{\"a\":1}").unwrap(), Format::Ndjson);
        let renamed = d("report.xlsx", b"a,b\n1,2").unwrap_err().to_string();
        assert!(renamed.contains("not an Excel file"), "{renamed}");
        let binary_csv = d("a.csv", b"PK\x03\x04zip").unwrap_err().to_string();
        assert!(binary_csv.contains("Excel"), "{binary_csv}");
        let exe = d("run.exe", b"MZ").unwrap_err().to_string();
        assert!(exe.starts_with("Unsupported file type 'exe'"), "{exe}");
    }
}
