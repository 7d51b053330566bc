//! The bot under test: the real handler tree, engine and plugins, talking to
//! teloxide_tests' fake Bot API server over HTTP; uploads are downloaded from a loopback
//! file server (the fake server answers every download with "Hello, world!").

pub mod markdown_v2;

use std::path::Path;
use std::sync::{Arc, Mutex};

use statbox_conversation::Conversation;
use statbox_engine::Engine;
use statbox_telegram::{BotApp, HandlerError, distribution, handler_tree};
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide::types::{Chat, InlineKeyboardButtonKind, User};
use teloxide_tests::{
    MockBot, MockCallbackQuery, MockGroupChat, MockMessageDocument, MockMessageText, MockPrivateChat, MockUser,
    Responses,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const ALICE: u64 = 1001;
pub const BOB: u64 = 1002;

/// Serves one body for every GET, as the Bot API's file endpoint would.
pub struct FileServer {
    url: String,
    body: Arc<Mutex<Vec<u8>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FileServer {
    async fn start() -> FileServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let body = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (b, r) = (body.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (b, r) = (b.clone(), r.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_string();
                    r.lock().expect("lock").push(line);
                    let body = b.lock().expect("lock").clone();
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(header.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        FileServer { url, body, requests }
    }

    /// The request lines received so far (`GET /file/bot<token>/<path> HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

pub struct Harness {
    pub bot: MockBot<HandlerError, ChatId>,
    pub files: FileServer,
    /// The newest message with a keyboard that each user was sent.
    keyboards: std::collections::HashMap<u64, Message>,
}

pub fn user(id: u64) -> User {
    MockUser::new().id(id).first_name(format!("user{id}")).build()
}

fn private(id: u64) -> Chat {
    MockPrivateChat::new().id(id as i64).build()
}

pub fn text(from: u64, s: &str) -> MockMessageText {
    MockMessageText::new().text(s).from(user(from)).chat(private(from))
}

pub fn group_text(from: u64, s: &str) -> MockMessageText {
    MockMessageText::new().text(s).from(user(from)).chat(MockGroupChat::new().id(-500).build())
}

pub fn document(from: u64, name: &str, size: u32) -> MockMessageDocument {
    MockMessageDocument::new().file_name(name).file_size(size).from(user(from)).chat(private(from))
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with(|_| {}).await
    }

    /// A harness whose configuration `adjust` changes first.
    pub async fn with(adjust: impl FnOnce(&mut statbox_engine::Config)) -> Harness {
        let files = FileServer::start().await;
        let mut config = statbox_tests::test_config();
        config.telegram.file_url = Some(files.url.clone());
        config.telegram.progress_interval_ms = 0;
        adjust(&mut config);
        let settings = config.telegram.clone();
        let engine = Arc::new(Engine::start(config).await.expect("engine starts"));
        let conversation = Arc::new(Conversation::open(engine).expect("conversation"));
        let app = Arc::new(BotApp::new(conversation, settings, "1234567890:TEST").expect("app"));
        let mut bot =
            MockBot::new_with_distribution_function(text(ALICE, "/start"), handler_tree::<Bot>(), distribution);
        bot.dependencies(dptree::deps![app]);
        Harness { bot, files, keyboards: Default::default() }
    }

    /// Dispatches `updates` through the bot and returns what it sent.
    pub async fn send(&mut self, updates: impl teloxide_tests::IntoUpdate) -> Responses {
        self.bot.update(updates);
        self.bot.dispatch().await;
        let responses = self.bot.get_responses();
        for m in &responses.sent_messages {
            if m.reply_markup().is_some_and(|k| !k.inline_keyboard.is_empty()) {
                self.keyboards.insert(m.chat.id.0 as u64, m.clone());
            }
        }
        responses
    }

    pub async fn say(&mut self, from: u64, s: &str) -> Responses {
        self.send(text(from, s)).await
    }

    /// Uploads a file: its bytes are what the file server serves next.
    pub async fn upload_bytes(&mut self, from: u64, name: &str, bytes: Vec<u8>) -> Responses {
        let size = bytes.len() as u32;
        *self.files.body.lock().expect("lock") = bytes;
        self.send(document(from, name, size)).await
    }

    pub async fn upload(&mut self, from: u64, path: &Path) -> Responses {
        let bytes = std::fs::read(path).expect("fixture");
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        self.upload_bytes(from, &name, bytes).await
    }

    /// Presses the button labelled `label` on the newest keyboard `from` was sent.
    pub async fn press(&mut self, from: u64, label: &str) -> Responses {
        let message = self.keyboards.get(&from).unwrap_or_else(|| panic!("user {from} has no keyboard")).clone();
        self.press_on(from, &message, label).await
    }

    /// What the file server serves next.
    pub fn files_body(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.files.body.lock().expect("lock")
    }

    pub fn keyboard(&self, from: u64) -> Option<&Message> {
        self.keyboards.get(&from)
    }

    pub async fn press_on(&mut self, from: u64, message: &Message, label: &str) -> Responses {
        let keyboard = message.reply_markup().expect("a keyboard");
        let data = keyboard
            .inline_keyboard
            .iter()
            .flatten()
            .find(|b| b.text == label)
            .and_then(|b| match &b.kind {
                InlineKeyboardButtonKind::CallbackData(d) => Some(d.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no button {label:?} in {keyboard:?}"));
        self.send(MockCallbackQuery::new().from(user(from)).message(message.clone()).data(data)).await
    }
}

/// Every text the bot sent (messages, then edits), each checked to be MarkdownV2 Telegram
/// accepts and within the length limit; returned as the text users see.
pub fn texts(r: &Responses) -> Vec<String> {
    r.sent_messages_text
        .iter()
        .map(|m| (m.bot_request.text.clone(), m.bot_request.parse_mode))
        .chain(r.edited_messages_text.iter().map(|m| (m.bot_request.text.clone(), m.bot_request.parse_mode)))
        .map(|(t, mode)| {
            assert_eq!(mode, Some(teloxide::types::ParseMode::MarkdownV2), "sent without MarkdownV2: {t}");
            assert!(t.encode_utf16().count() <= 4096, "a message over 4096 characters ({})", t.len());
            markdown_v2::parse(&t).unwrap_or_else(|e| panic!("Telegram would refuse this message ({e}):\n{t}"))
        })
        .collect()
}

/// All visible text of the responses, joined.
pub fn all_text(r: &Responses) -> String {
    texts(r).join("\n---\n")
}

pub fn has(r: &Responses, needle: &str) {
    let all = all_text(r);
    assert!(all.contains(needle), "expected {needle:?} in:\n{all}");
}
