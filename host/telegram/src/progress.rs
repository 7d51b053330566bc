//! While a request runs: a "typing…" chat action, and a progress message ("Training… 40%")
//! edited in place as the plugin reports, no more often than the configured interval (the
//! Bot API allows about one edit per second per chat). The message appears only once work
//! has run for that interval, so quick analyses leave no trace of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use statbox_runtime::{Progress, ProgressObserver};
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{ChatAction, MessageId};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::{markdown, send};

/// Telegram shows "typing…" for five seconds; renew it a little sooner.
const TYPING_EVERY: Duration = Duration::from_secs(4);

/// What an operation is called while it runs.
fn verb(operation: &str) -> &'static str {
    match operation {
        "train" => "Training",
        "tune" => "Tuning",
        "predict" => "Predicting",
        _ => "Working",
    }
}

/// "Training… 40%" (with the plugin's own message, "tree 40 of 100", below).
pub fn describe(p: &Progress) -> String {
    let verb = verb(&p.operation);
    let percent = (p.done.min(p.total) * 100).checked_div(p.total).map_or(String::new(), |pct| format!("{pct}%"));
    let mut text = format!("{verb}… {percent}").trim_end().to_string();
    if !p.message.is_empty() {
        text.push('\n');
        text.push_str(&p.message);
    }
    text
}

/// The observer handed to the conversation engine: it only records the newest report; the
/// task in [`Indicator`] turns reports into edits at its own pace.
struct Latest(watch::Sender<Option<Progress>>);

impl ProgressObserver for Latest {
    fn progress(&self, progress: Progress) {
        self.0.send_replace(Some(progress));
    }
}

/// The typing action and the progress message of one running request.
pub struct Indicator {
    observer: Arc<dyn ProgressObserver>,
    typing: JoinHandle<()>,
    progress: JoinHandle<Option<(MessageId, String, &'static str)>>,
    /// Tells the progress task the request is over (it may be waiting out the interval).
    done: Arc<Notify>,
    started: Instant,
}

impl Indicator {
    pub fn start<R>(bot: &R, chat: ChatId, interval: Duration) -> Indicator
    where
        R: Requester<Err = RequestError> + Clone + Send + Sync + 'static,
    {
        let (tx, mut rx) = watch::channel::<Option<Progress>>(None);
        let typing = {
            let bot = bot.clone();
            tokio::spawn(async move {
                loop {
                    // A failed chat action only loses the "typing…" hint.
                    let _ = bot.send_chat_action(chat, ChatAction::Typing).await;
                    tokio::time::sleep(TYPING_EVERY).await;
                }
            })
        };
        let done = Arc::new(Notify::new());
        let first_at = tokio::time::Instant::now() + interval;
        let progress = {
            let bot = bot.clone();
            let done = done.clone();
            tokio::spawn(async move {
                // The message shown: its id, its text, and what it says is running.
                let mut shown: Option<(MessageId, String, &'static str)> = None;
                loop {
                    tokio::select! {
                        biased;
                        () = done.notified() => break,
                        changed = rx.changed() => if changed.is_err() { break },
                    }
                    if shown.is_none() {
                        // Quick work (most analyses) finishes before this and shows nothing.
                        tokio::select! {
                            biased;
                            () = done.notified() => break,
                            () = tokio::time::sleep_until(first_at) => {}
                        }
                    }
                    let Some(p) = rx.borrow_and_update().clone() else { continue };
                    let text = describe(&p);
                    let running = verb(&p.operation);
                    match &shown {
                        Some((_, last, _)) if *last == text => {}
                        Some((id, _, _)) => {
                            if send::edit(&bot, chat, *id, &markdown::escape(&text)).await.is_ok() {
                                shown = Some((*id, text, running));
                            }
                        }
                        None => {
                            if let Ok(m) = send::text_message(&bot, chat, &markdown::escape(&text), None).await {
                                shown = Some((m.id, text, running));
                            }
                        }
                    }
                    tokio::select! {
                        () = done.notified() => break,
                        () = tokio::time::sleep(interval) => {}
                    }
                }
                shown
            })
        };
        Indicator { observer: Arc::new(Latest(tx)), typing, progress, done, started: Instant::now() }
    }

    pub fn observer(&self) -> Arc<dyn ProgressObserver> {
        self.observer.clone()
    }

    /// Stops the typing action; a progress message shown is edited to say it finished.
    pub async fn finish<R>(self, bot: &R, chat: ChatId)
    where
        R: Requester<Err = RequestError>,
    {
        self.typing.abort();
        let Indicator { progress, done, started, .. } = self;
        done.notify_one();
        if let Ok(Some((id, _, running))) = progress.await {
            let done = format!("{running}: finished in {:.1} s.", started.elapsed().as_secs_f64());
            let _ = send::edit(bot, chat, id, &markdown::escape(&done)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_percentage() {
        let p = |op: &str, done, total, message: &str| Progress {
            plugin: "ml".into(),
            operation: op.into(),
            done,
            total,
            message: message.into(),
        };
        assert_eq!(describe(&p("train", 40, 100, "")), "Training… 40%");
        assert_eq!(describe(&p("tune", 1, 3, "candidate 1 of 3")), "Tuning… 33%\ncandidate 1 of 3");
        assert_eq!(describe(&p("describe", 0, 0, "")), "Working…");
    }
}
