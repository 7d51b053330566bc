//! statbox's Telegram bot: a thin teloxide adapter over [`statbox_conversation`]. Handlers
//! translate updates into [`Input`]s and [`Reply`]s into Bot API calls; every decision about
//! data, analyses and models is the conversation engine's.
//!
//! - Each Telegram user is a tenant (`tg-<user id>`): their conversation, uploads and models
//!   are theirs alone. Group chats are refused, because a group would show one member's
//!   data and models to everyone in it.
//! - Documents (CSV, TSV, XLSX, Parquet, JSON…) are uploads; buttons are inline keyboards
//!   whose presses come back as choices; figures are PNG photos; predictions CSV documents.
//! - Long work shows "typing…" and a progress message edited in place; `/cancel` stops it.
//! - A failing update is logged and answered; it never stops the dispatcher.

mod download;
mod figure;
mod markdown;
mod progress;
mod send;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use statbox_conversation::{Conversation, Input, Reply};
use statbox_engine::{Engine, TelegramConfig, Tenant};
use teloxide::RequestError;
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, MessageId};
use url::Url;

pub type HandlerError = anyhow::Error;

/// The commands shown in Telegram's menu; the conversation engine answers each.
pub fn commands() -> Vec<BotCommand> {
    [
        ("start", "What statbox does, and how to begin"),
        ("help", "Example requests"),
        ("train", "Train a model, step by step"),
        ("predict", "Predict with one of your models"),
        ("models", "Your stored models"),
        ("templates", "Every analysis statbox can run"),
        ("cancel", "Stop what is running, or leave a question"),
        ("diagnostic", "Your data, state and limits"),
        ("version", "statbox and plugin versions"),
    ]
    .into_iter()
    .map(|(c, d)| BotCommand::new(c, d))
    .collect()
}

/// Registers [`commands`] for the menu (`setMyCommands`).
pub async fn register_commands<R>(bot: &R) -> Result<(), RequestError>
where
    R: Requester<Err = RequestError>,
{
    send::retry(|| bot.set_my_commands(commands())).await.map(drop)
}

/// What the handlers share: the conversation engine and the bot's settings.
pub struct BotApp {
    conversation: Arc<Conversation>,
    settings: TelegramConfig,
    token: String,
    file_url: Url,
    http: reqwest::Client,
    /// The open question of each chat: the message whose keyboard answers it, or `None`
    /// once it was answered (by a press or by typing). A press anywhere else answers a
    /// question that is no longer asked. Chats not in the map (after a restart) take any
    /// press.
    keyboards: Mutex<HashMap<ChatId, Option<MessageId>>>,
}

impl BotApp {
    /// `token` is the bot's; it is part of every file download's URL.
    pub fn new(conversation: Arc<Conversation>, settings: TelegramConfig, token: &str) -> anyhow::Result<BotApp> {
        let base = settings.file_url.clone().unwrap_or_else(|| settings.api_url.clone());
        let file_url =
            Url::parse(&base).map_err(|e| anyhow::anyhow!("telegram file_url {base:?} is not a URL: {e}"))?;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(300)).build()?;
        Ok(BotApp {
            conversation,
            settings,
            token: token.to_string(),
            file_url,
            http,
            keyboards: Mutex::new(HashMap::new()),
        })
    }

    fn max_upload_bytes(&self) -> u64 {
        self.settings.max_upload_mib.saturating_mul(1 << 20)
    }

    /// `{file_url}/file/bot{token}/{path}`: where the Bot API serves a file's bytes.
    fn file_url(&self, path: &str) -> Result<Url, String> {
        let base = self.file_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/file/bot{}/{}", self.token, path.trim_start_matches('/')))
            .map_err(|e| format!("bad file path {path:?}: {e}"))
    }

    fn keyboard_sent(&self, chat: ChatId, id: MessageId) {
        self.keyboards.lock().unwrap_or_else(|p| p.into_inner()).insert(chat, Some(id));
    }

    /// Whether a press on the keyboard of message `id` answers the open question.
    fn keyboard_is_current(&self, chat: ChatId, id: MessageId) -> bool {
        self.keyboards.lock().unwrap_or_else(|p| p.into_inner()).get(&chat).is_none_or(|open| *open == Some(id))
    }

    /// Marks the chat's question answered; returns the message whose keyboard was open.
    fn keyboard_answered(&self, chat: ChatId) -> Option<MessageId> {
        self.keyboards.lock().unwrap_or_else(|p| p.into_inner()).insert(chat, None).flatten()
    }
}

/// The tenant of a Telegram user.
pub fn tenant_of(user: UserId) -> Tenant {
    Tenant::new(&format!("tg-{}", user.0)).unwrap_or_else(|_| unreachable!("digits are a valid tenant id"))
}

/// Updates of one chat are handled in order, except `/cancel`, which must reach a chat
/// whose previous message is still running (a training) to stop it.
pub fn distribution(update: &Update) -> Option<ChatId> {
    if let teloxide::types::UpdateKind::Message(m) = &update.kind
        && m.text().is_some_and(|t| command_name(t) == Some("cancel"))
    {
        return None;
    }
    update.chat().map(|c| c.id)
}

/// `/help@statbox_bot args` → `help`.
fn command_name(text: &str) -> Option<&str> {
    let word = text.trim().strip_prefix('/')?.split_whitespace().next()?;
    Some(word.split('@').next().unwrap_or(word))
}

/// Strips the `@botname` Telegram adds to commands picked in a menu.
fn normalise(text: &str) -> String {
    let text = text.trim();
    match (text.starts_with('/'), text.split_once(char::is_whitespace)) {
        (true, Some((command, rest))) => format!("{} {}", command.split('@').next().unwrap_or(command), rest.trim()),
        (true, None) => text.split('@').next().unwrap_or(text).to_string(),
        (false, _) => text.to_string(),
    }
}

const PRIVATE_ONLY: &str = "statbox works in private chats only: your data, conversation and models are yours alone, and a group would show them to every member. Message me directly.";

/// The bot's update handlers, for any [`Requester`] (the throttled bot in production, the
/// plain one under test). Needs an `Arc<BotApp>` dependency.
pub fn handler_tree<R>() -> UpdateHandler<HandlerError>
where
    R: Requester<Err = RequestError> + Clone + Send + Sync + 'static,
{
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<R>))
        .branch(Update::filter_callback_query().endpoint(on_callback::<R>))
}

async fn on_message<R>(bot: R, message: Message, app: Arc<BotApp>) -> Result<(), HandlerError>
where
    R: Requester<Err = RequestError> + Clone + Send + Sync + 'static,
{
    let chat = message.chat.id;
    let Some(user) = message.from.as_ref().filter(|u| !u.is_bot) else { return Ok(()) };
    if !message.chat.is_private() {
        // In a group only commands and replies reach a bot; answer those once each.
        send::text_message(&bot, chat, &markdown::escape(PRIVATE_ONLY), None).await?;
        return Ok(());
    }
    let tenant = tenant_of(user.id);
    let input = if let Some(text) = message.text() {
        if command_name(text) == Some("cancel") && app.conversation.cancel(&tenant) {
            // The running request answers "Stopped" itself.
            return Ok(());
        }
        // Typing answers the open question too; its buttons go.
        if let Some(open) = app.keyboard_answered(chat) {
            send::drop_keyboard(&bot, chat, open).await;
        }
        Input::Text(normalise(text))
    } else if let Some(doc) = message.document() {
        let (name, bytes) = match download::document(&bot, &app, doc).await {
            Ok(file) => file,
            Err(e) => return say(&bot, chat, &e.to_string()).await,
        };
        converse(&bot, &app, chat, tenant.clone(), Input::File { name, bytes }).await?;
        // A caption is the request to run on the file ("Calculate statistics for sales").
        return match message.caption().map(str::trim).filter(|c| !c.is_empty()) {
            Some(request) => converse(&bot, &app, chat, tenant, Input::Text(normalise(request))).await,
            None => Ok(()),
        };
    } else if message.photo().is_some() {
        return say(&bot, chat, "Photos cannot be analysed. Send the data as a file (CSV, TSV, XLSX, Parquet or JSON) with the paperclip → File, or type a request.").await;
    } else {
        return say(&bot, chat, "Send a request as text (try /help), or a data file: CSV, TSV, XLSX, Parquet or JSON.")
            .await;
    };
    converse(&bot, &app, chat, tenant, input).await
}

async fn on_callback<R>(bot: R, query: CallbackQuery, app: Arc<BotApp>) -> Result<(), HandlerError>
where
    R: Requester<Err = RequestError> + Clone + Send + Sync + 'static,
{
    let Some(message) = query.regular_message() else {
        send::retry(|| {
            bot.answer_callback_query(query.id.clone()).text("This question has expired; type your answer.")
        })
        .await?;
        return Ok(());
    };
    let chat = message.chat.id;
    if !message.chat.is_private() {
        send::retry(|| bot.answer_callback_query(query.id.clone()).text(PRIVATE_ONLY)).await?;
        return Ok(());
    }
    // The pressed button's label, read back from the keyboard it was on.
    let label = message.reply_markup().and_then(|k| {
        k.inline_keyboard.iter().flatten().find_map(|b| match &b.kind {
            teloxide::types::InlineKeyboardButtonKind::CallbackData(d) if Some(d) == query.data.as_ref() => {
                Some(b.text.clone())
            }
            _ => None,
        })
    });
    let current = app.keyboard_is_current(chat, message.id);
    let (Some(label), true) = (label, current) else {
        send::retry(|| bot.answer_callback_query(query.id.clone()).text("That question was already answered.")).await?;
        send::drop_keyboard(&bot, chat, message.id).await;
        return Ok(());
    };
    send::retry(|| bot.answer_callback_query(query.id.clone())).await?;
    app.keyboard_answered(chat);
    // The question stays in the chat with the answer under it, and loses its buttons.
    let asked = message.text().unwrap_or_default();
    let answered = format!("{}\n\n→ {}", markdown::escape(asked), markdown::escape(&label));
    if markdown::telegram_len(&answered) <= markdown::MESSAGE_LIMIT {
        let _ = send::edit(&bot, chat, message.id, &answered).await;
    } else {
        send::drop_keyboard(&bot, chat, message.id).await;
    }
    converse(&bot, &app, chat, tenant_of(query.from.id), Input::Choice(label)).await
}

/// A short answer from the adapter itself (refused uploads, unsupported messages).
async fn say<R>(bot: &R, chat: ChatId, text: &str) -> Result<(), HandlerError>
where
    R: Requester<Err = RequestError>,
{
    send::text_message(bot, chat, &markdown::escape(text), None).await?;
    Ok(())
}

/// Hands one input to the conversation engine while "typing…" and progress show, and sends
/// its replies. The engine runs in its own task, so even a panic inside it becomes an
/// answer, and the dispatcher carries on.
async fn converse<R>(bot: &R, app: &Arc<BotApp>, chat: ChatId, tenant: Tenant, input: Input) -> Result<(), HandlerError>
where
    R: Requester<Err = RequestError> + Clone + Send + Sync + 'static,
{
    let indicator = progress::Indicator::start(bot, chat, Duration::from_millis(app.settings.progress_interval_ms));
    let work = {
        let conversation = app.conversation.clone();
        let observer = indicator.observer();
        tokio::spawn(async move { conversation.handle_with(&tenant, input, observer).await })
    };
    let replies = work.await.unwrap_or_else(|e| {
        eprintln!("statbox bot: a request in chat {chat} failed inside statbox: {e}");
        vec![Reply::Text(
            "Something went wrong inside statbox (a bug, logged for the operator). Your data and models are safe; try again, or /cancel.".into(),
        )]
    });
    indicator.finish(bot, chat).await;
    send::replies(bot, app, chat, replies).await?;
    Ok(())
}

/// Serves the bot by long polling until Ctrl-C: checks the token, registers the command
/// menu, and dispatches updates through the throttling adaptor (Telegram's flood limits).
pub async fn serve(engine: Engine, settings: TelegramConfig, token: &str) -> anyhow::Result<()> {
    use teloxide::adaptors::throttle::Limits;
    use teloxide::requests::RequesterExt;

    let api = Url::parse(&settings.api_url)
        .map_err(|e| anyhow::anyhow!("telegram.api_url {:?} is not a URL: {e}", settings.api_url))?;
    let bot = Bot::new(token).set_api_url(api);
    let me = bot.get_me().await.map_err(|e| {
        anyhow::anyhow!("the Bot API at {} refused the token or is unreachable: {e}. Check TELEGRAM_BOT_TOKEN (from @BotFather) and telegram.api_url.", settings.api_url)
    })?;
    register_commands(&bot).await?;
    if figure::font_count() == 0 {
        eprintln!("warning: no fonts found; figure labels will be missing (install fonts-dejavu-core)");
    }
    let engine = Arc::new(engine);
    let conversation = Arc::new(Conversation::open(engine).map_err(anyhow::Error::msg)?);
    let app = Arc::new(BotApp::new(conversation, settings, token)?);
    eprintln!("statbox bot @{} is running (Ctrl-C stops it)", me.username());
    let bot = bot.throttle(Limits::default());
    Dispatcher::builder(bot, handler_tree::<teloxide::adaptors::Throttle<Bot>>())
        .dependencies(dptree::deps![app])
        .distribution_function(distribution)
        .error_handler(LoggingErrorHandler::with_custom_text("statbox bot: an update failed"))
        .enable_ctrlc_handler()
        .build()
        .dispatch()
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_lose_the_bot_name() {
        assert_eq!(normalise("/help@statbox_bot"), "/help");
        assert_eq!(normalise("/model@statbox_bot  m1 "), "/model m1");
        assert_eq!(normalise(" mean of price "), "mean of price");
        assert_eq!(command_name("/cancel@statbox_bot"), Some("cancel"));
        assert_eq!(command_name("cancel"), None);
    }

    #[test]
    fn tenants_are_per_user() {
        assert_eq!(tenant_of(UserId(42)).id(), "tg-42");
    }
}
