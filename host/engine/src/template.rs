//! Analysis templates: one TOML manifest per operation plus a minijinja reply template.
//!
//! ```toml
//! name = "descriptive"
//! title = "Descriptive statistics"
//! description = "..."
//! version = "1.0.0"
//! plugin = "stats"
//! operation = "describe"
//! reply = "descriptive.reply.j2"     # default: <name>.reply.j2 beside the manifest
//! [limits]                           # optional overrides of the config's [limits]
//! fuel = 20_000_000_000
//! [[params]]
//! name = "columns"
//! type = "columns"                   # string, integer, number, boolean, choice, column, columns, strings
//! description = "Columns to describe"
//! required = false
//! default = ["a"]                    # optional
//! min = 0                            # integer/number only
//! max = 10
//! choices = ["a", "b"]               # choice only
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use statbox_runtime::LimitOverrides;

use crate::EngineError;
use crate::params::ParamSpec;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: String,
    title: String,
    description: String,
    version: String,
    plugin: String,
    operation: String,
    reply: Option<String>,
    #[serde(default)]
    limits: LimitOverrides,
    #[serde(default)]
    params: Vec<ParamSpec>,
}

/// A loaded, checked template.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Template {
    pub name: String,
    pub title: String,
    pub description: String,
    pub version: String,
    pub plugin: String,
    pub operation: String,
    pub params: Vec<ParamSpec>,
    #[serde(skip)]
    pub limits: LimitOverrides,
    /// Source of the reply template.
    #[serde(skip)]
    pub reply: String,
    pub path: PathBuf,
}

impl Template {
    /// `plugin.operation`
    pub fn target(&self) -> String {
        format!("{}.{}", self.plugin, self.operation)
    }
}

/// All templates of a directory.
#[derive(Debug, Default)]
pub struct TemplateRegistry {
    templates: Vec<Template>,
}

impl TemplateRegistry {
    /// Loads every `*.toml` in `dir` (sorted). A missing directory gives an empty registry;
    /// a broken template is an error naming the file, since templates ship with the host.
    pub fn load_dir(dir: &Path) -> Result<Self, EngineError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(EngineError::Template(format!("cannot read {}: {e}", dir.display()))),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut templates: Vec<Template> = Vec::new();
        for file in files {
            let t = load_one(&file)?;
            if let Some(other) = templates.iter().find(|o| o.name == t.name) {
                return Err(EngineError::Template(format!(
                    "template '{}' is defined twice: {} and {}",
                    t.name,
                    other.path.display(),
                    file.display()
                )));
            }
            templates.push(t);
        }
        Ok(TemplateRegistry { templates })
    }

    pub fn all(&self) -> &[Template] {
        &self.templates
    }

    pub fn get(&self, name: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// The first template bound to `plugin.operation`.
    pub fn for_operation(&self, plugin: &str, operation: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.plugin == plugin && t.operation == operation)
    }

    pub fn names(&self) -> Vec<&str> {
        self.templates.iter().map(|t| t.name.as_str()).collect()
    }
}

fn load_one(file: &Path) -> Result<Template, EngineError> {
    let err = |m: String| EngineError::Template(format!("{}: {m}", file.display()));
    let text = std::fs::read_to_string(file).map_err(|e| err(e.to_string()))?;
    let t: TemplateFile = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    let reply_name = t.reply.clone().unwrap_or_else(|| format!("{}.reply.j2", t.name));
    let reply_path = file.with_file_name(&reply_name);
    let reply = std::fs::read_to_string(&reply_path)
        .map_err(|e| err(format!("cannot read reply template {}: {e}", reply_path.display())))?;
    crate::render::check_syntax(&reply).map_err(|e| err(format!("reply template {reply_name}: {e}")))?;
    for p in &t.params {
        p.check().map_err(|m| err(format!("param '{}': {m}", p.name)))?;
    }
    Ok(Template {
        name: t.name,
        title: t.title,
        description: t.description,
        version: t.version,
        plugin: t.plugin,
        operation: t.operation,
        params: t.params,
        limits: t.limits,
        reply,
        path: file.to_path_buf(),
    })
}
