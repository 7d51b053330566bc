//! Writing a table back out as CSV with extra columns (predictions next to the data).

use polars::prelude::*;

use crate::DataTable;

/// A column to append.
pub enum ExtraColumn {
    Numbers(Vec<Option<f64>>),
    Labels(Vec<Option<String>>),
}

impl DataTable {
    /// The table as CSV (header, comma-separated, RFC 4180 quoting) with `extra` columns
    /// appended; an extra column whose name is taken gets a `_2`, `_3`... suffix.
    pub fn to_csv_with(&self, extra: Vec<(String, ExtraColumn)>) -> Result<Vec<u8>, String> {
        let mut df = self.frame().clone();
        for (name, column) in extra {
            let mut unique = name.clone();
            let mut k = 2;
            while df.get_column_names().iter().any(|c| c.as_str() == unique) {
                unique = format!("{name}_{k}");
                k += 1;
            }
            let series = match column {
                ExtraColumn::Numbers(v) => Series::new(unique.as_str().into(), v),
                ExtraColumn::Labels(v) => Series::new(unique.as_str().into(), v),
            };
            if series.len() != df.height() {
                return Err(format!("column '{unique}' has {} values for {} rows", series.len(), df.height()));
            }
            df.with_column(series.into_column()).map_err(|e| e.to_string())?;
        }
        let mut out = Vec::new();
        CsvWriter::new(&mut out).include_header(true).finish(&mut df).map_err(|e| e.to_string())?;
        Ok(out)
    }
}
