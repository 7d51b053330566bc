//! `statbox bot`, the one command a person with a token runs: it checks the token, registers
//! the command menu, long-polls for updates and answers, here against a minimal Bot API
//! server speaking the real HTTP protocol on loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Setup;
use serde_json::{Value, json};

/// Every Bot API call received: (method, JSON body).
type Calls = Arc<Mutex<Vec<(String, Value)>>>;

/// Answers getMe, getWebhookInfo, setMyCommands, getUpdates (three commands from users 7
/// and 8, then nothing), sendMessage and sendChatAction as Telegram does, including its
/// refusals: user 7's first send hits flood control, its second a markup error; user 8 has
/// blocked the bot.
fn fake_bot_api() -> (String, Calls) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let calls: Calls = Arc::default();
    let recorded = calls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let calls = recorded.clone();
            std::thread::spawn(move || serve(stream, &calls));
        }
    });
    (url, calls)
}

/// A private message from user `from` with a command.
fn update(id: u64, from: u64, command: &str) -> Value {
    json!({"update_id": id, "message": {
        "message_id": 100 + id, "date": 1_700_000_000,
        "chat": {"id": from, "type": "private", "first_name": "Ann"},
        "from": {"id": from, "is_bot": false, "first_name": "Ann"},
        "text": command,
        "entities": [{"type": "bot_command", "offset": 0, "length": command.len()}]}})
}

fn serve(mut stream: TcpStream, calls: &Calls) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or_default();
        let method = path.rsplit('/').next().unwrap_or_default().to_lowercase();
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        calls.lock().expect("lock").push((method.clone(), body.clone()));
        let result = match method.as_str() {
            "getme" => json!({"id": 42, "is_bot": true, "first_name": "statbox", "username": "statbox_test_bot",
                "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
                "has_main_web_app": false}),
            "getwebhookinfo" => json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0}),
            "getupdates" if body["offset"].as_i64().unwrap_or(0) <= 1 => {
                json!([update(1, 7, "/start"), update(2, 8, "/version"), update(3, 7, "/help"),])
            }
            "getupdates" => {
                std::thread::sleep(Duration::from_millis(200));
                json!([])
            }
            "sendmessage" => {
                let attempts = calls
                    .lock()
                    .expect("lock")
                    .iter()
                    .filter(|(m, b)| m == "sendmessage" && b["chat_id"] == body["chat_id"])
                    .count();
                match (body["chat_id"].as_i64(), attempts) {
                    // Flood control first, then a markup Telegram refuses: both must be survived.
                    (Some(7), 1) => json!({"ok": false, "error_code": 429,
                        "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
                    (Some(7), 2) => json!({"ok": false, "error_code": 400,
                        "description": "Bad Request: can't parse entities: character '!' is reserved"}),
                    // A user who blocked the bot: the update fails, the others go on.
                    (Some(8), _) => json!({"ok": false, "error_code": 403,
                        "description": "Forbidden: bot was blocked by the user"}),
                    _ => json!({"ok": true, "result": {"message_id": 10 + attempts, "date": 1_700_000_001,
                        "chat": {"id": body["chat_id"], "type": "private", "first_name": "Ann"},
                        "from": {"id": 42, "is_bot": true, "first_name": "statbox"}, "text": body["text"]}}),
                }
            }
            _ => json!(true),
        };
        let response = if result.get("ok").is_some() { result } else { json!({"ok": true, "result": result}) };
        let response = response.to_string();
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", response.len());
        if stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(response.as_bytes())).is_err() {
            return;
        }
    }
}

#[test]
fn statbox_bot_registers_commands_polls_and_answers_through_refusals() {
    let setup = Setup::new();
    let (url, calls) = fake_bot_api();
    let mut child = setup
        .command(&["bot", "--api-url", &url])
        .env("TELEGRAM_BOT_TOKEN", "123456:TEST-TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("statbox bot starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    // Done when user 7 has the /start reply and the /help reply after it.
    let sent = loop {
        let sent: Vec<Value> = calls
            .lock()
            .expect("lock")
            .iter()
            .filter(|(m, b)| m == "sendmessage" && b["chat_id"] == 7)
            .map(|(_, b)| b.clone())
            .collect();
        if sent.iter().any(|b| b["text"].as_str().is_some_and(|t| t.contains("Upload a data file, then ask"))) {
            break sent;
        }
        if Instant::now() > deadline || child.try_wait().expect("status").is_some() {
            let _ = child.kill();
            let methods: Vec<String> =
                calls.lock().expect("lock").iter().map(|(m, b)| format!("{m} {}", b["chat_id"])).collect();
            panic!("no /help reply; calls: {methods:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    // /start: refused for flood (retried), refused for markup, then sent as plain text.
    assert_eq!(sent[0]["parse_mode"], "MarkdownV2");
    assert_eq!(sent[0]["text"], sent[1]["text"], "the same message retried after RetryAfter");
    assert!(sent[2]["parse_mode"].is_null(), "the fallback is plain: {}", sent[2]);
    assert!(sent[2]["text"].as_str().is_some_and(|t| t.starts_with("Hello! I run statistics")), "{}", sent[2]);
    // /help, after user 8's failed update, went out as MarkdownV2.
    assert_eq!(sent[3]["parse_mode"], "MarkdownV2", "{}", sent[3]);
    let calls = calls.lock().expect("lock");
    assert!(calls.iter().any(|(m, b)| m == "sendmessage" && b["chat_id"] == 8), "user 8 was answered (and refused)");
    let commands = calls.iter().find(|(m, _)| m == "setmycommands").map(|(_, b)| b["commands"].clone());
    let commands = commands.expect("setMyCommands was called");
    assert!(commands.as_array().is_some_and(|c| c.iter().any(|c| c["command"] == "train")), "{commands}");
}

#[test]
fn statbox_bot_without_a_usable_token_says_what_to_do() {
    let setup = Setup::new();
    let out = setup.command(&["bot"]).env_remove("TELEGRAM_BOT_TOKEN").output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("create a bot with @BotFather"));
    let out = setup.command(&["bot"]).env("TELEGRAM_BOT_TOKEN", "not-a-token").output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not look like a bot token"));
    let out = setup
        .command(&["bot", "--api-url", "http://127.0.0.1:9"])
        .env("TELEGRAM_BOT_TOKEN", "1:abc")
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refused the token or is unreachable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
