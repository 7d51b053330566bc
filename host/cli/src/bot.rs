//! `statbox bot`: the Telegram bot, served by long polling until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use statbox_engine::Engine;

#[derive(Args)]
pub struct BotArgs {
    /// The bot's token from @BotFather
    #[arg(
        long,
        env = "TELEGRAM_BOT_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        conflicts_with = "token_file"
    )]
    token: Option<String>,

    /// Read the token from this file instead (keeps it out of the process list)
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,

    /// Bot API server, instead of telegram.api_url (e.g. a local telegram-bot-api)
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
}

pub async fn bot(engine: Engine, args: &BotArgs) -> anyhow::Result<ExitCode> {
    let token = match (&args.token, &args.token_file) {
        (_, Some(file)) => std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
        (Some(token), None) => token.clone(),
        (None, None) => anyhow::bail!(
            "no bot token: create a bot with @BotFather in Telegram, then run `TELEGRAM_BOT_TOKEN=<token> statbox bot` (or --token-file FILE)"
        ),
    };
    let token = token.trim();
    if !token.contains(':') {
        anyhow::bail!(
            "that does not look like a bot token (they read like 123456789:AA…); copy it again from @BotFather"
        );
    }
    let mut settings = engine.config().telegram.clone();
    if let Some(url) = &args.api_url {
        settings.api_url = url.clone();
    }
    statbox_telegram::serve(engine, settings, token).await?;
    Ok(ExitCode::SUCCESS)
}
