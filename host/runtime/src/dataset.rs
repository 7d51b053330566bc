//! `statbox:plugin/dataset`: the read-only table a plugin pulls columns from.
//!
//! The runtime does not know how tables are stored; anything implementing
//! [`TableSource`] can be handed to a plugin (`statbox-data` implements it over polars,
//! [`MemoryTable`] is a plain in-memory table for tests and benchmarks).

use std::sync::Arc;

use wasmtime::component::Resource;

use crate::store::StoreState;
use crate::world::since_v0_1_0::statbox::plugin::{dataset, types};

/// How the host classified a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Numeric,
    Categorical,
    Boolean,
    Datetime,
    Text,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Datetime => "datetime",
            ColumnKind::Text => "text",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ColumnKind,
    pub rows: u64,
    pub nulls: u64,
}

/// Category codes (None = missing) and the distinct labels they index.
pub type Categories = (Vec<Option<u32>>, Vec<String>);

/// A table a plugin can read. Errors are user-facing sentences (they reach the plugin and,
/// usually, the user): name the column and what is available.
pub trait TableSource: Send + Sync {
    fn columns(&self) -> Vec<ColumnInfo>;
    fn row_count(&self) -> u64;
    /// The column as f64, missing values as NaN.
    fn numeric(&self, name: &str) -> Result<Vec<f64>, String>;
    fn categorical(&self, name: &str) -> Result<Categories, String>;
}

/// "Column 'x' not found. Available: a, b, c" — the one wording every table uses.
pub fn column_not_found(name: &str, available: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let names: Vec<String> = available.into_iter().map(|s| s.as_ref().to_string()).collect();
    format!("Column '{name}' not found. Available: {}", names.join(", "))
}

/// A column of a [`MemoryTable`].
#[derive(Debug, Clone)]
pub enum MemoryColumn {
    Numeric(Vec<f64>),
    Categorical(Vec<Option<String>>),
}

/// A small in-memory table: for tests, benchmarks and generated data.
#[derive(Debug, Clone, Default)]
pub struct MemoryTable {
    columns: Vec<(String, MemoryColumn)>,
}

impl MemoryTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_numeric(mut self, name: &str, values: Vec<f64>) -> Self {
        self.columns.push((name.to_string(), MemoryColumn::Numeric(values)));
        self
    }

    pub fn with_categorical(mut self, name: &str, values: Vec<Option<String>>) -> Self {
        self.columns.push((name.to_string(), MemoryColumn::Categorical(values)));
        self
    }

    fn find(&self, name: &str) -> Result<&MemoryColumn, String> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
            .ok_or_else(|| column_not_found(name, self.columns.iter().map(|(n, _)| n)))
    }
}

impl TableSource for MemoryTable {
    fn columns(&self) -> Vec<ColumnInfo> {
        self.columns
            .iter()
            .map(|(name, col)| match col {
                MemoryColumn::Numeric(v) => ColumnInfo {
                    name: name.clone(),
                    kind: ColumnKind::Numeric,
                    rows: v.len() as u64,
                    nulls: v.iter().filter(|x| x.is_nan()).count() as u64,
                },
                MemoryColumn::Categorical(v) => ColumnInfo {
                    name: name.clone(),
                    kind: ColumnKind::Categorical,
                    rows: v.len() as u64,
                    nulls: v.iter().filter(|x| x.is_none()).count() as u64,
                },
            })
            .collect()
    }

    fn row_count(&self) -> u64 {
        self.columns.first().map_or(0, |(_, c)| match c {
            MemoryColumn::Numeric(v) => v.len() as u64,
            MemoryColumn::Categorical(v) => v.len() as u64,
        })
    }

    fn numeric(&self, name: &str) -> Result<Vec<f64>, String> {
        match self.find(name)? {
            MemoryColumn::Numeric(v) => Ok(v.clone()),
            MemoryColumn::Categorical(_) => Err(format!("Column '{name}' is categorical, not numeric.")),
        }
    }

    fn categorical(&self, name: &str) -> Result<Categories, String> {
        let values: Vec<Option<String>> = match self.find(name)? {
            MemoryColumn::Categorical(v) => v.clone(),
            MemoryColumn::Numeric(v) => v.iter().map(|x| (!x.is_nan()).then(|| x.to_string())).collect(),
        };
        Ok(encode_categories(values.iter().map(|v| v.as_deref())))
    }
}

/// Codes labels in order of first appearance, as the WIT contract documents.
pub fn encode_categories<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Categories {
    let mut labels: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<&'a str, u32> = std::collections::HashMap::new();
    let codes = values
        .map(|v| {
            v.map(|s| {
                *index.entry(s).or_insert_with(|| {
                    labels.push(s.to_string());
                    (labels.len() - 1) as u32
                })
            })
        })
        .collect();
    (codes, labels)
}

/// The host-side value behind a guest's `table` handle.
pub struct DatasetHandle(pub Arc<dyn TableSource>);

fn to_wit_kind(kind: ColumnKind) -> types::ColumnKind {
    match kind {
        ColumnKind::Numeric => types::ColumnKind::Numeric,
        ColumnKind::Categorical => types::ColumnKind::Categorical,
        ColumnKind::Boolean => types::ColumnKind::Boolean,
        ColumnKind::Datetime => types::ColumnKind::Datetime,
        ColumnKind::Text => types::ColumnKind::Text,
    }
}

impl StoreState {
    fn table(&self, handle: &Resource<DatasetHandle>) -> wasmtime::Result<Arc<dyn TableSource>> {
        Ok(self.resources.get(handle)?.0.clone())
    }
}

impl dataset::Host for StoreState {}

impl dataset::HostTable for StoreState {
    fn columns(&mut self, handle: Resource<DatasetHandle>) -> wasmtime::Result<Vec<types::ColumnInfo>> {
        Ok(self
            .table(&handle)?
            .columns()
            .into_iter()
            .map(|c| types::ColumnInfo { name: c.name, kind: to_wit_kind(c.kind), rows: c.rows, nulls: c.nulls })
            .collect())
    }

    fn row_count(&mut self, handle: Resource<DatasetHandle>) -> wasmtime::Result<u64> {
        Ok(self.table(&handle)?.row_count())
    }

    fn numeric(&mut self, handle: Resource<DatasetHandle>, name: String) -> wasmtime::Result<Result<Vec<f64>, String>> {
        Ok(self.table(&handle)?.numeric(&name))
    }

    fn categorical(
        &mut self,
        handle: Resource<DatasetHandle>,
        name: String,
    ) -> wasmtime::Result<Result<(Vec<Option<u32>>, Vec<String>), String>> {
        Ok(self.table(&handle)?.categorical(&name))
    }

    fn drop(&mut self, handle: Resource<DatasetHandle>) -> wasmtime::Result<()> {
        self.resources.delete(handle)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_table_reports_missing_columns_with_alternatives() {
        let t = MemoryTable::new().with_numeric("a", vec![1.0]).with_numeric("b", vec![2.0]);
        assert_eq!(t.numeric("c").unwrap_err(), "Column 'c' not found. Available: a, b");
    }

    #[test]
    fn categories_in_first_appearance_order() {
        let (codes, labels) = encode_categories([Some("x"), None, Some("y"), Some("x")].into_iter());
        assert_eq!(labels, vec!["x", "y"]);
        assert_eq!(codes, vec![Some(0), None, Some(1), Some(0)]);
    }
}
