//! `statbox plugins` and `statbox templates`

use std::process::ExitCode;

use clap::Args;
use serde_json::Value;
use statbox_engine::Engine;

#[derive(Args)]
pub struct ListArgs {
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

/// "name: type — description" lines from a JSON Schema's properties.
fn schema_params(schema: &Value) -> Vec<String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, p)| {
            let ty = if let Some(e) = p.get("enum").and_then(Value::as_array) {
                e.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|")
            } else {
                p.get("type").and_then(Value::as_str).unwrap_or("any").to_string()
            };
            let desc = p.get("description").and_then(Value::as_str).unwrap_or("");
            format!("{name}: {ty} — {desc}")
        })
        .collect()
}

pub fn plugins(engine: &Engine, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let plugins = engine.plugins();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plugins)?);
        return Ok(ExitCode::SUCCESS);
    }
    if plugins.is_empty() {
        let dirs: Vec<String> = engine.config().runtime.plugin_dirs.iter().map(|d| d.display().to_string()).collect();
        println!("No plugins installed. Looked in: {}. Run `make guests` to build the bundled ones.", dirs.join(", "));
    }
    for p in plugins {
        println!("{} {} (statbox API {}) — {}", p.name, p.version, p.api_version, p.description);
        println!("  from {}", p.path.display());
        for op in &p.operations {
            println!("  {}.{} — {}", p.name, op.name, op.summary);
            for line in schema_params(&op.params_schema) {
                println!("      {line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn templates(engine: &Engine, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let templates = engine.templates().all();
    if args.json {
        println!("{}", serde_json::to_string_pretty(templates)?);
        return Ok(ExitCode::SUCCESS);
    }
    if templates.is_empty() {
        println!("No templates found in {}.", engine.config().templates.dir.display());
    }
    for t in templates {
        println!("{} — {} (runs {}, v{})", t.name, t.title, t.target(), t.version);
        println!("  {}", t.description);
        for p in &t.params {
            println!("    {}  {}", p.usage(), p.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}
