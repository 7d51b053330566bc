//! Sending the conversation's replies through the Bot API: text as MarkdownV2 (split under
//! the limit), choices as inline keyboards, figures as PNG photos, files as documents; every
//! request retried where a retry is right.

use std::time::Duration;

use statbox_conversation::Reply;
use teloxide::payloads::{EditMessageTextSetters, SendDocumentSetters, SendMessageSetters, SendPhotoSetters};
use teloxide::prelude::*;
use teloxide::requests::{Output, Request};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode};
use teloxide::{ApiError, RequestError};

use statbox_conversation::slug;

use crate::{BotApp, figure, markdown};

/// More buttons than this become a typed answer: the reply's text lists the options with
/// numbers, and a wall of buttons helps nobody.
const MAX_BUTTONS: usize = 30;

/// Callback data of the button for option `index`; the label itself is read back from the
/// pressed keyboard, so data stays within Telegram's 64 bytes whatever the option says.
fn callback_data(index: usize) -> String {
    format!("choice:{index}")
}

/// Sends a request, retrying what is worth retrying: flood-control waits (`RetryAfter`,
/// which the throttling adaptor also honours) and network failures, three times with a
/// growing pause. Telegram's refusals (bad request, blocked by the user) are final. A send
/// is rebuilt by `make` for each try.
pub async fn retry<Q, F>(mut make: F) -> Result<Output<Q>, RequestError>
where
    F: FnMut() -> Q,
    Q: Request<Err = RequestError>,
{
    let mut pause = Duration::from_millis(300);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match make().send().await {
            Err(RequestError::RetryAfter(wait)) if attempt <= 3 => tokio::time::sleep(wait.duration()).await,
            Err(RequestError::Network(_) | RequestError::Io(_)) if attempt <= 3 => {
                tokio::time::sleep(pause).await;
                pause *= 3;
            }
            result => return result,
        }
    }
}

/// One text message in MarkdownV2; if Telegram still refuses the markup, the same text is
/// sent plain rather than lost.
pub async fn text_message<R>(
    bot: &R,
    chat: ChatId,
    markdown: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError>
where
    R: Requester<Err = RequestError>,
{
    match send_text(bot, chat, markdown, Some(ParseMode::MarkdownV2), keyboard.as_ref()).await {
        Err(RequestError::Api(e @ ApiError::CantParseEntities(_))) => {
            warn(&format!("MarkdownV2 refused ({e}); sending plain text"));
            send_text(bot, chat, &unescape(markdown), None, keyboard.as_ref()).await
        }
        other => other,
    }
}

async fn send_text<R>(
    bot: &R,
    chat: ChatId,
    text: &str,
    mode: Option<ParseMode>,
    keyboard: Option<&InlineKeyboardMarkup>,
) -> Result<Message, RequestError>
where
    R: Requester<Err = RequestError>,
{
    retry(|| {
        let mut request = bot.send_message(chat, text);
        if let Some(mode) = mode {
            request = request.parse_mode(mode);
        }
        if let Some(k) = keyboard {
            request = request.reply_markup(k.clone());
        }
        request
    })
    .await
}

/// The plain text of escaped MarkdownV2 (the fallback above).
fn unescape(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => {}
            _ => out.push(c),
        }
    }
    out.replace("```\n", "").replace("\n```", "")
}

fn warn(message: &str) {
    eprintln!("statbox bot: {message}");
}

/// Buttons laid out by label length: short labels three to a row, long ones alone.
fn keyboard(options: &[String]) -> InlineKeyboardMarkup {
    let longest = options.iter().map(|o| o.chars().count()).max().unwrap_or(0);
    let per_row = match longest {
        0..=10 => 3,
        11..=20 => 2,
        _ => 1,
    };
    let buttons: Vec<InlineKeyboardButton> =
        options.iter().enumerate().map(|(i, o)| InlineKeyboardButton::callback(o.clone(), callback_data(i))).collect();
    InlineKeyboardMarkup::new(buttons.chunks(per_row).map(<[InlineKeyboardButton]>::to_vec))
}

/// Sends every reply in order. A reply that cannot be sent is logged and the rest still
/// go out; the last error is returned for the dispatcher's error log.
pub async fn replies<R>(bot: &R, app: &BotApp, chat: ChatId, replies: Vec<Reply>) -> Result<(), RequestError>
where
    R: Requester<Err = RequestError>,
{
    let mut failure = None;
    for reply in replies {
        if let Err(e) = one(bot, app, chat, reply).await {
            warn(&format!("a reply to chat {chat} failed: {e}"));
            failure = Some(e);
        }
    }
    failure.map_or(Ok(()), Err)
}

async fn one<R>(bot: &R, app: &BotApp, chat: ChatId, reply: Reply) -> Result<(), RequestError>
where
    R: Requester<Err = RequestError>,
{
    match reply {
        Reply::Text(text) => {
            for part in markdown::render(&text, markdown::MESSAGE_LIMIT) {
                text_message(bot, chat, &part, None).await?;
            }
        }
        Reply::Choices { text, options } => {
            let parts = markdown::render(&text, markdown::MESSAGE_LIMIT);
            let last = parts.len() - 1;
            for (i, part) in parts.iter().enumerate() {
                let buttons =
                    (i == last && !options.is_empty() && options.len() <= MAX_BUTTONS).then(|| keyboard(&options));
                let with_keyboard = buttons.is_some();
                let message = text_message(bot, chat, part, buttons).await?;
                if with_keyboard {
                    app.keyboard_sent(chat, message.id);
                }
            }
        }
        Reply::Figure { title, svg } => match figure::svg_to_png(&svg) {
            Ok(png) => {
                let name = format!("{}.png", slug(&title));
                if figure::fits_as_photo(&png) {
                    let caption = markdown::caption(&title);
                    retry(|| {
                        bot.send_photo(chat, InputFile::memory(png.clone()).file_name(name.clone()))
                            .caption(caption.clone())
                            .parse_mode(ParseMode::MarkdownV2)
                    })
                    .await?;
                } else {
                    document(bot, chat, &name, &png, &title).await?;
                }
            }
            Err(e) => {
                let note = markdown::escape(&format!("The figure \"{title}\" could not be drawn: {e}."));
                text_message(bot, chat, &note, None).await?;
            }
        },
        Reply::File { name, bytes, .. } => document(bot, chat, &name, &bytes, &name).await?,
    }
    Ok(())
}

/// A file as a document with a caption.
async fn document<R>(bot: &R, chat: ChatId, name: &str, bytes: &[u8], caption: &str) -> Result<(), RequestError>
where
    R: Requester<Err = RequestError>,
{
    let caption = markdown::caption(caption);
    retry(|| {
        bot.send_document(chat, InputFile::memory(bytes.to_vec()).file_name(name.to_string()))
            .caption(caption.clone())
            .parse_mode(ParseMode::MarkdownV2)
    })
    .await
    .map(drop)
}

/// Removes a message's keyboard. Best effort: a failure leaves stale buttons, which only
/// answer that their question is closed.
pub async fn drop_keyboard<R>(bot: &R, chat: ChatId, id: MessageId)
where
    R: Requester<Err = RequestError>,
{
    let _ = retry(|| bot.edit_message_reply_markup(chat, id)).await;
}

/// Edits a message's text (MarkdownV2), dropping its keyboard.
pub async fn edit<R>(bot: &R, chat: ChatId, id: MessageId, markdown: &str) -> Result<(), RequestError>
where
    R: Requester<Err = RequestError>,
{
    retry(|| bot.edit_message_text(chat, id, markdown).parse_mode(ParseMode::MarkdownV2)).await.map(drop)
}
