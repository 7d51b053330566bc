//! `statbox train`, `statbox tune`, `statbox predict` and `statbox models`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use statbox_data::ReadOptions;
use statbox_engine::{Engine, EngineError, ModelMeta, Tenant, TrainKind, format_number};

use crate::run::report_error;

/// What the data and training options of `train` and `tune` share.
#[derive(Args)]
pub struct TrainArgs {
    /// Data file, URL or s3:// URI (as for `statbox run`)
    #[arg(long, short, value_name = "FILE|URL")]
    data: String,

    /// Excel: the sheet to read (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,

    /// Column to predict
    #[arg(long, short, value_name = "COLUMN")]
    target: String,

    /// Feature columns, comma-separated, or `all` (default): every numeric and categorical
    /// column except the target (ids, dates and free text are skipped)
    #[arg(long, short, value_name = "A,B|all")]
    features: Option<String>,

    /// Model type: linear, ridge, lasso, elasticnet, polynomial, logistic, decision_tree,
    /// random_forest, gradient_boosting, svm, naive_bayes, mlp_regression,
    /// mlp_classification, or auto (train: default)
    #[arg(long, short, value_name = "TYPE")]
    model: Option<String>,

    /// A hyperparameter as NAME=VALUE (scikit-learn names, e.g. n_estimators=200,
    /// hidden_layers=[64,32]); repeatable. Ranges: config [models.hyperparameters]
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    params: Vec<String>,

    /// regression or classification (default: from the model type, else the target)
    #[arg(long, value_name = "TASK")]
    task: Option<String>,

    /// Fraction of rows held out for testing; 0 trains on everything
    #[arg(long, value_name = "F")]
    test_size: Option<f64>,

    /// k-fold cross-validation on the training rows (stratified for classification)
    #[arg(long, value_name = "K")]
    cv: Option<u32>,

    /// Seed of the split, folds and model randomness [default: 42]
    #[arg(long, value_name = "N")]
    random_state: Option<u64>,

    /// Missing feature values: mean, median, drop, zero, constant [default: mean]
    #[arg(long, value_name = "HOW")]
    missing: Option<String>,

    /// Scaling of numeric features: standard, minmax, robust, none [default: standard]
    #[arg(long, value_name = "HOW")]
    scaling: Option<String>,

    /// Drop training rows outside 1.5 IQR fences
    #[arg(long)]
    remove_outliers: bool,

    /// Class balancing of the training rows: undersample or oversample
    #[arg(long, value_name = "HOW")]
    balance: Option<String>,

    /// A column marking each row train or test (a predefined split)
    #[arg(long, value_name = "COLUMN")]
    split_column: Option<String>,

    /// Leave out rows whose target is missing instead of refusing
    #[arg(long)]
    drop_missing_target: bool,

    /// Any other parameter of the train/tune template as KEY=VALUE (see `statbox templates`)
    #[arg(long = "option", short = 'o', value_name = "KEY=VALUE")]
    options: Vec<String>,

    /// Print the JSON result (with the stored model's metadata) instead of a report
    #[arg(long)]
    json: bool,

    /// Do not print progress to stderr
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
pub struct TuneArgs {
    #[command(flatten)]
    train: TrainArgs,

    /// grid (every combination) or random [default: grid]
    #[arg(long, value_name = "HOW")]
    search: Option<String>,

    /// Search space as JSON, e.g. '{"max_depth": [3, 5, 8], "learning_rate": {"min": 0.01,
    /// "max": 0.3, "log": true}}' [default: the `search` values in config]
    #[arg(long, value_name = "JSON")]
    space: Option<String>,

    /// Random search: configurations drawn [default: 10]
    #[arg(long, value_name = "N")]
    n_iter: Option<u32>,
}

#[derive(Args)]
pub struct PredictArgs {
    /// Model id (see `statbox models list`)
    #[arg(long, short, value_name = "ID")]
    model: String,

    /// Data to predict (the model's feature columns; extra columns are ignored)
    #[arg(long, short, value_name = "FILE|URL")]
    data: String,

    /// Excel: the sheet to read
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,

    /// Write the data with the prediction columns appended to this CSV file
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Rows in the preview
    #[arg(long, value_name = "N", default_value_t = 10)]
    preview: u32,

    /// Print the JSON result instead of a report
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// The models you trained, newest first
    List {
        #[arg(long)]
        json: bool,
    },
    /// Everything stored about one model: type, target, features, metrics, importance
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a model
    Delete { id: String },
}

fn text_params(pairs: &[String], what: &str) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for p in pairs {
        let (k, v) = p.split_once('=').with_context(|| format!("{what} '{p}' must look like NAME=VALUE"))?;
        let v = v.trim();
        // JSON when it parses (numbers, lists, booleans), else text.
        out.insert(k.trim().to_string(), serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())));
    }
    Ok(out)
}

fn train_params(args: &TrainArgs) -> anyhow::Result<Map<String, Value>> {
    let mut p = text_params(&args.options, "--option")?;
    p.insert("target".into(), json!(args.target));
    if let Some(f) = args.features.as_deref().filter(|f| !f.trim().eq_ignore_ascii_case("all")) {
        p.insert("features".into(), json!(f));
    }
    if let Some(m) = &args.model {
        p.insert("model".into(), json!(m));
    }
    let hyper = text_params(&args.params, "--param")?;
    if !hyper.is_empty() {
        p.insert("hyperparameters".into(), Value::Object(hyper));
    }
    let mut set = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            p.insert(k.into(), v);
        }
    };
    set("task", args.task.as_ref().map(|v| json!(v)));
    set("test_size", args.test_size.map(|v| json!(v)));
    set("cv", args.cv.map(|v| json!(v)));
    set("random_state", args.random_state.map(|v| json!(v)));
    set("missing", args.missing.as_ref().map(|v| json!(v)));
    set("scaling", args.scaling.as_ref().map(|v| json!(v)));
    set("balance", args.balance.as_ref().map(|v| json!(v)));
    set("split_column", args.split_column.as_ref().map(|v| json!(v)));
    set("remove_outliers", args.remove_outliers.then_some(json!(true)));
    set("drop_missing_target", args.drop_missing_target.then_some(json!(true)));
    Ok(p)
}

pub async fn train(
    engine: &Engine,
    args: &TrainArgs,
    kind: TrainKind,
    extra: Map<String, Value>,
) -> anyhow::Result<ExitCode> {
    let mut params = train_params(args)?;
    params.extend(extra);
    let tenant = Tenant::local();
    let result = async {
        let options = ReadOptions { sheet: args.sheet.clone(), ..Default::default() };
        let table = engine.load_source(&tenant, &args.data, &options).await?;
        engine.train(&tenant, kind, table, params, crate::terminal::progress(args.quiet)).await
    }
    .await;
    let out = match result {
        Ok(o) => o,
        Err(e) => return Ok(report_error(&e, args.json)),
    };
    if args.json {
        let mut v = out.run.result.clone();
        v["model"] = json!(out.model);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", out.run.reply);
        println!(
            "\nSaved as model {} ({} KiB). Predict with:\n  statbox predict --model {} --data FILE --out predictions.csv",
            out.model.model_id,
            out.model.artifact_bytes.div_ceil(1024),
            out.model.model_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn tune(engine: &Engine, args: &TuneArgs) -> anyhow::Result<ExitCode> {
    let mut extra = Map::new();
    if let Some(s) = &args.search {
        extra.insert("search".into(), json!(s));
    }
    if let Some(s) = &args.space {
        extra.insert("space".into(), json!(s));
    }
    if let Some(n) = args.n_iter {
        extra.insert("n_iter".into(), json!(n));
    }
    if args.train.model.is_none() {
        anyhow::bail!("tune needs --model TYPE (the type whose hyperparameters to search)");
    }
    train(engine, &args.train, TrainKind::Tune, extra).await
}

pub async fn predict(engine: &Engine, args: &PredictArgs) -> anyhow::Result<ExitCode> {
    let tenant = Tenant::local();
    let result = async {
        let options = ReadOptions { sheet: args.sheet.clone(), ..Default::default() };
        let table = engine.load_source(&tenant, &args.data, &options).await?;
        let params = Map::from_iter([("preview_rows".to_string(), json!(args.preview))]);
        engine.predict(&tenant, &args.model, table, params).await
    }
    .await;
    let out = match result {
        Ok(o) => o,
        Err(e) => return Ok(report_error(&e, args.json)),
    };
    if let Some(path) = &args.out {
        std::fs::write(path, &out.csv).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {} ({} rows)", path.display(), out.run.result["rows"]);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out.run.result)?);
    } else {
        print!("{}", out.run.reply);
        if args.out.is_none() {
            println!("\nWrite every prediction to a CSV with --out FILE.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn models(engine: &Engine, command: &ModelsCommand) -> anyhow::Result<ExitCode> {
    let tenant = Tenant::local();
    let store = match engine.models() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&e, false)),
    };
    let result: Result<(), EngineError> = (|| {
        match command {
            ModelsCommand::List { json } => {
                let list = store.list(tenant.id())?;
                if *json {
                    println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                } else if list.is_empty() {
                    println!("No models yet. Train one with: statbox train --data FILE --target COLUMN");
                } else {
                    println!("{:<24} {:<20} {:<15} {:<16} {:>10}  created", "id", "type", "task", "target", "score");
                    for m in &list {
                        println!(
                            "{:<24} {:<20} {:<15} {:<16} {:>10}  {}",
                            m.model_id,
                            m.model_type,
                            m.task_type,
                            m.target,
                            headline_score(m),
                            m.created_at
                        );
                    }
                }
            }
            ModelsCommand::Show { id, json } => {
                let m = store.show(tenant.id(), id)?;
                if *json {
                    println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
                } else {
                    print!("{}", describe(&m));
                }
            }
            ModelsCommand::Delete { id } => {
                store.delete(tenant.id(), id)?;
                println!("Deleted model {id}.");
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Ok(report_error(&e, false)),
    }
}

/// The test score (else the train score) by the task's primary metric, e.g. `r2 0.912`.
fn headline_score(m: &ModelMeta) -> String {
    let metric = m.metrics["primary"].as_str().unwrap_or("score");
    let v = m.metrics["test"][metric].as_f64().or_else(|| m.metrics["train"][metric].as_f64());
    v.map_or_else(|| "—".into(), |v| format!("{metric} {}", format_number((v * 1000.0).round() / 1000.0)))
}

fn describe(m: &ModelMeta) -> String {
    let features: Vec<String> = m
        .features
        .iter()
        .map(|f| {
            if f.categories.is_empty() {
                f.name.clone()
            } else {
                format!("{} ({} categories)", f.name, f.categories.len())
            }
        })
        .collect();
    let mut s = format!(
        "Model {}\n  type: {} ({})\n  target: {}\n  features: {}\n  created: {}\n  trained on: {} rows × {} encoded columns in {} ms\n  hyperparameters: {}\n  score: {}\n  plugin: {} {} (sha256 {})\n",
        m.model_id,
        m.model_type,
        m.task_type,
        m.target,
        features.join(", "),
        m.created_at,
        m.training_shape[0],
        m.training_shape[1],
        m.training_time_ms,
        m.hyperparameters,
        headline_score(m),
        m.plugin.name,
        m.plugin.version,
        &m.plugin.hash.get(..12).unwrap_or(&m.plugin.hash),
    );
    if !m.classes.is_empty() {
        s.push_str(&format!("  classes: {}\n", m.classes.join(", ")));
    }
    if let Some(values) = m.feature_importance["values"].as_array() {
        s.push_str(&format!("  feature importance ({}):\n", m.feature_importance["method"].as_str().unwrap_or("")));
        for v in values.iter().take(10) {
            s.push_str(&format!(
                "    {}: {}\n",
                v["feature"].as_str().unwrap_or(""),
                v["importance"].as_f64().map_or("—".into(), format_number)
            ));
        }
    }
    s
}
