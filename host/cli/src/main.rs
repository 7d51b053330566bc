//! `statbox`: run statistics and machine-learning analyses on your data inside a
//! WebAssembly sandbox.

mod bot;
mod chat;
mod inspect;
mod list;
mod ml;
mod run;
mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use statbox_engine::{Config, Engine};

#[derive(Parser)]
#[command(
    name = "statbox",
    version,
    about = "Statistics and machine learning on your data, each operation run in a WebAssembly sandbox",
    long_about = "Statistics and machine learning on your data. Every operation is a WebAssembly \
plugin run under fuel, memory and wall-clock limits: a plugin sees only the columns it asks \
for, and no files, network or environment.\n\nExamples:\n  statbox run descriptive --data tests/fixtures/sales.csv\n  \
statbox run stats.describe --data sales.csv --param columns=sales,profit --json\n  statbox inspect tests/fixtures/sales.xlsx\n  \
statbox train --data tests/fixtures/ml/iris.csv --target species --model random_forest -p n_estimators=200\n  \
statbox predict --model ID --data new.csv --out predictions.csv\n  statbox chat --data sales.csv\n  TELEGRAM_BOT_TOKEN=... statbox bot\n  statbox models list\n  statbox plugins\n  statbox templates"
)]
struct Cli {
    /// Configuration file [default: ./config/default.toml if present, else built-in defaults]
    #[arg(long, global = true, env = "STATBOX_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Extra directory to load plugins (*.wasm) from, before the configured ones; repeatable
    #[arg(long = "plugin-dir", global = true, value_name = "DIR")]
    plugin_dirs: Vec<PathBuf>,

    /// Directory of analysis templates, instead of the configured one
    #[arg(long, global = true, value_name = "DIR")]
    templates_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one analysis (a template such as `descriptive`, or a plugin operation such as
    /// `stats.describe`) on a data file
    Run(run::RunArgs),
    /// Describe a data file: column kinds, missing values, ID-like and constant columns,
    /// the suggested target, task and features, and a quality score
    Inspect(inspect::InspectArgs),
    /// List installed plugins with their version, API version and operations
    Plugins(list::ListArgs),
    /// List analysis templates and their parameters
    Templates(list::ListArgs),
    /// Train a model (13 types with scikit-learn's algorithms and names, or auto) on a data
    /// file and store it; prints metrics, feature importance and the model id
    Train(ml::TrainArgs),
    /// Search hyperparameters (grid or random, cross-validated), then train and store the best
    Tune(ml::TuneArgs),
    /// Predict with a stored model: summary, preview, and a CSV with the predictions (--out)
    Predict(ml::PredictArgs),
    /// List, show or delete your stored models
    #[command(subcommand)]
    Models(ml::ModelsCommand),
    /// Talk to statbox in plain language ("Calculate statistics for sales", /train, /help);
    /// reads messages from stdin, so a piped script is a conversation too. /load FILE uploads
    Chat(chat::ChatArgs),
    /// Serve the Telegram bot (long polling): the chat's conversations in Telegram, one
    /// tenant per user. Needs TELEGRAM_BOT_TOKEN (from @BotFather); Ctrl-C stops it
    Bot(bot::BotArgs),
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => {
            let local = PathBuf::from("config/default.toml");
            if local.is_file() {
                Config::load(&local)?
            } else {
                let cwd = std::env::current_dir().context("reading the current directory")?;
                Config::builtin(&cwd.join("config"))
            }
        }
    };
    let mut dirs = cli.plugin_dirs.clone();
    dirs.append(&mut config.runtime.plugin_dirs);
    config.runtime.plugin_dirs = dirs;
    if let Some(dir) = &cli.templates_dir {
        config.templates.dir = dir.clone();
    }
    Ok(config)
}

async fn start_engine(cli: &Cli) -> anyhow::Result<Engine> {
    let engine = Engine::start(load_config(cli)?).await?;
    for failure in engine.plugin_failures() {
        eprintln!("warning: {failure}");
    }
    Ok(engine)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let engine = start_engine(&cli).await?;
        match &cli.command {
            Command::Run(args) => run::run(&engine, args).await,
            Command::Inspect(args) => inspect::inspect(&engine, args).await,
            Command::Plugins(args) => list::plugins(&engine, args),
            Command::Templates(args) => list::templates(&engine, args),
            Command::Train(args) => {
                ml::train(&engine, args, statbox_engine::TrainKind::Train, Default::default()).await
            }
            Command::Tune(args) => ml::tune(&engine, args).await,
            Command::Predict(args) => ml::predict(&engine, args).await,
            Command::Models(command) => ml::models(&engine, command),
            Command::Chat(args) => chat::chat(engine, args).await,
            Command::Bot(args) => bot::bot(engine, args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
