//! Typed access to the host's table.

use crate::PluginError;
use crate::bindings::statbox::plugin::{dataset, types};

pub use types::{ColumnInfo, ColumnKind};

/// A categorical column: per row an index into `labels`, `None` where missing.
#[derive(Debug, Clone)]
pub struct Categorical {
    pub codes: Vec<Option<u32>>,
    pub labels: Vec<String>,
}

/// The caller's table. Columns are fetched on demand and copied into the plugin.
pub struct Dataset<'a> {
    table: &'a dataset::Table,
}

impl<'a> Dataset<'a> {
    pub(crate) fn new(table: &'a dataset::Table) -> Self {
        Dataset { table }
    }

    pub fn columns(&self) -> Vec<ColumnInfo> {
        self.table.columns()
    }

    pub fn row_count(&self) -> u64 {
        self.table.row_count()
    }

    /// Names of the columns of one kind, in table order.
    pub fn columns_of_kind(&self, kind: ColumnKind) -> Vec<String> {
        self.columns().into_iter().filter(|c| c.kind == kind).map(|c| c.name).collect()
    }

    /// A numeric column; missing values are NaN. The host's message names the column and
    /// what is available.
    pub fn numeric(&self, name: &str) -> Result<Vec<f64>, PluginError> {
        self.table.numeric(name).map_err(data_error)
    }

    pub fn categorical(&self, name: &str) -> Result<Categorical, PluginError> {
        let (codes, labels) = self.table.categorical(name).map_err(data_error)?;
        Ok(Categorical { codes, labels })
    }
}

fn data_error(message: String) -> PluginError {
    if message.contains("not found") { PluginError::not_found(message) } else { PluginError::invalid_data(message) }
}
