//! `statbox run`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Map, Value, json};
use statbox_data::ReadOptions;
use statbox_engine::schema::{parse_user_schema, validate_user_schema};
use statbox_engine::{Engine, EngineError, Tenant};
use statbox_runtime::TableSource;

#[derive(Args)]
pub struct RunArgs {
    /// What to run: a template name (see `statbox templates`) or PLUGIN.OPERATION (see
    /// `statbox plugins`)
    #[arg(value_name = "ANALYSIS")]
    analysis: String,

    /// Data file: CSV/TSV (delimiter, header and encoding detected), Parquet, Excel
    /// (.xlsx/.xls/.ods), JSON or NDJSON; a local path (inside data.allowed_dirs), an
    /// http(s):// URL or an s3://bucket/key URI
    #[arg(long, short, value_name = "FILE|URL")]
    data: String,

    /// Excel: the sheet to read (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,

    /// Target and features, as 'target: price, features: sqft, beds', JSON
    /// '{"target": "price", "features": ["sqft"]}' or a list 'price, sqft, beds' (first is the
    /// target); checked against the columns and passed as the target/features parameters
    #[arg(long, value_name = "TEXT")]
    schema: Option<String>,

    /// A parameter as KEY=VALUE; repeatable. Lists are comma-separated: columns=sales,profit
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    params: Vec<String>,

    /// Parameters as one JSON object, e.g. '{"columns": ["sales"]}'; --param entries win
    #[arg(long = "params", value_name = "JSON")]
    params_json: Option<String>,

    /// Print the operation's JSON result (the documented, stable contract) instead of a table
    #[arg(long)]
    json: bool,

    /// Write the figures the analysis returns as SVG files into DIR
    #[arg(long, value_name = "DIR")]
    figures: Option<PathBuf>,

    /// Do not print progress to stderr
    #[arg(long, short)]
    quiet: bool,
}

fn parse_params(args: &RunArgs) -> anyhow::Result<Map<String, Value>> {
    let mut params = match &args.params_json {
        Some(text) => match serde_json::from_str::<Value>(text).context("--params is not valid JSON")? {
            Value::Object(m) => m,
            _ => bail!("--params must be a JSON object, like '{{\"columns\": [\"sales\"]}}'"),
        },
        None => Map::new(),
    };
    for p in &args.params {
        let Some((k, v)) = p.split_once('=') else {
            bail!("--param '{p}' must look like KEY=VALUE, e.g. --param columns=sales");
        };
        let key = k.trim();
        if key.is_empty() {
            bail!("--param '{p}' has an empty key");
        }
        // Text stays text; templates coerce it to the declared type.
        params.insert(key.to_string(), Value::String(v.to_string()));
    }
    Ok(params)
}

pub async fn run(engine: &Engine, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let params = parse_params(args)?;
    let tenant = Tenant::local();
    let outcome = async {
        let options = ReadOptions { sheet: args.sheet.clone(), ..Default::default() };
        let mut params = params;
        if let Some(text) = &args.schema {
            let preview = engine.preview(&tenant, &args.data, &options).await?;
            let schema = validate_user_schema(&parse_user_schema(text)?, &preview.columns())?;
            params.entry("target").or_insert(json!(schema.target));
            params.entry("features").or_insert(json!(schema.features));
        }
        let observer = crate::terminal::progress(args.quiet);
        // The data is loaded only now, and only the columns the parameters name.
        engine.run_source(&tenant, &args.analysis, params, &args.data, &options, observer).await
    }
    .await;

    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return Ok(report_error(&e, args.json)),
    };
    if let Some(dir) = &args.figures {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (i, f) in outcome.figures.iter().enumerate() {
            let path =
                dir.join(format!("{}-{}-{}.svg", outcome.operation, i + 1, statbox_conversation::slug(&f.title)));
            std::fs::write(&path, &f.svg).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome.result)?);
    } else {
        print!("{}", outcome.reply);
        for log in outcome.logs.iter().filter(|l| !matches!(l.level, statbox_runtime::LogLevel::Debug)) {
            eprintln!("[{:?}] {}", log.level, log.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Errors go to stderr as a sentence; with --json also to stdout as an object, so scripts
/// get a machine-readable failure.
pub fn report_error(e: &EngineError, json_out: bool) -> ExitCode {
    eprintln!("error: {e}");
    if let Some(hint) = e.hint() {
        eprintln!("hint: {hint}");
    }
    if json_out {
        let obj = json!({"error": {"code": e.code(), "message": e.to_string(), "hint": e.hint()}});
        println!("{}", serde_json::to_string_pretty(&obj).unwrap_or_default());
    }
    ExitCode::FAILURE
}
