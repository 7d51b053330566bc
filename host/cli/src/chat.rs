//! `statbox chat`: the conversation engine in a terminal. Reads one message per line from
//! stdin (a prompt when interactive, a script when piped), prints the replies, saves
//! figures and files and shows their paths.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use statbox_conversation::{Conversation, Input, Reply};
use statbox_data::ReadOptions;
use statbox_engine::{Engine, Tenant};

#[derive(Args)]
pub struct ChatArgs {
    /// Start with this data file loaded (as if uploaded)
    #[arg(long, short, value_name = "FILE")]
    data: Option<PathBuf>,

    /// Who is talking: conversations, uploads and models are kept per tenant
    #[arg(long, default_value = "local", value_name = "ID")]
    tenant: String,

    /// Where figures (SVG) and files (CSV) from replies are written
    #[arg(long, default_value = "statbox-output", value_name = "DIR")]
    out: PathBuf,
}

pub async fn chat(engine: Engine, args: &ChatArgs) -> anyhow::Result<ExitCode> {
    let tenant = Tenant::new(&args.tenant)?;
    let engine = Arc::new(engine);
    let conv = Conversation::open(engine.clone()).map_err(anyhow::Error::msg)?;
    let interactive = std::io::stdin().is_terminal();
    if let Some(path) = &args.data {
        let replies = upload(&engine, &conv, &tenant, path).await?;
        show(&replies, &args.out)?;
    } else if interactive {
        show(&conv.handle(&tenant, Input::Text("/start".into())).await, &args.out)?;
    }
    let stdin = std::io::stdin();
    loop {
        if interactive {
            print!("you> ");
            std::io::stdout().flush()?;
        }
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if matches!(line, "/quit" | "/exit" | "quit" | "exit") {
            break;
        }
        if !interactive {
            println!("you> {line}");
        }
        let replies = match line.strip_prefix("/load ") {
            Some(path) => upload(&engine, &conv, &tenant, Path::new(path.trim())).await?,
            None => match crate::terminal::progress(false) {
                Some(observer) => conv.handle_with(&tenant, Input::Text(line.to_string()), observer).await,
                None => conv.handle(&tenant, Input::Text(line.to_string())).await,
            },
        };
        show(&replies, &args.out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A local file as an upload; the data allow-list applies (checked by a preview first).
async fn upload(engine: &Engine, conv: &Conversation, tenant: &Tenant, path: &Path) -> anyhow::Result<Vec<Reply>> {
    let source = path.to_string_lossy().to_string();
    if let Err(e) = engine.preview(tenant, &source, &ReadOptions::default()).await {
        return Ok(vec![Reply::Text(format!("Error: {e}"))]);
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.file_name().map_or("data.csv".into(), |n| n.to_string_lossy().to_string());
    Ok(conv.handle(tenant, Input::File { name, bytes }).await)
}

fn show(replies: &[Reply], out: &Path) -> anyhow::Result<()> {
    for r in replies {
        match r {
            Reply::Text(t) => println!("{t}\n"),
            Reply::Choices { text, options } => {
                println!("{text}");
                if options.len() <= 16 {
                    println!("  [{}]", options.join(" | "));
                }
                println!();
            }
            Reply::Figure { title, svg } => {
                let path = save(out, &format!("{}.svg", statbox_conversation::slug(title)), svg.as_bytes())?;
                println!("figure: {title} → {}\n", path.display());
            }
            Reply::File { name, bytes, .. } => {
                let path = save(out, name, bytes)?;
                println!("file: {} ({} bytes)\n", path.display(), bytes.len());
            }
        }
    }
    Ok(())
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
