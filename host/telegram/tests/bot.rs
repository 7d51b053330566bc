//! The Telegram bot end to end: teloxide_tests' MockBot runs the real handler tree against
//! its fake Bot API server (real HTTP), with the real engine and plugins behind it.

mod support;

use statbox_tests::fixture;
use support::*;
use teloxide::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn commands_are_registered_for_the_menu() {
    let tree = teloxide::dptree::entry().endpoint(|bot: Bot| async move {
        statbox_telegram::register_commands(&bot).await?;
        Ok::<(), statbox_telegram::HandlerError>(())
    });
    let mut bot = teloxide_tests::MockBot::new(text(ALICE, "/start"), tree);
    bot.dispatch().await;
    let r = bot.get_responses();
    let names: Vec<String> = r.set_my_commands[0].commands.iter().map(|c| c.command.clone()).collect();
    for c in ["start", "help", "train", "predict", "models", "cancel"] {
        assert!(names.contains(&c.to_string()), "{c} missing from {names:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_csv_then_statistics() {
    let mut h = Harness::new().await;
    let r = h.upload(ALICE, &fixture("sales.csv")).await;
    has(&r, "Loaded sales.csv: 300 rows × 9 columns");
    // The bytes came from the Bot API's file endpoint.
    assert!(
        h.files.requests().iter().any(|l| l.starts_with("GET /file/bot1234567890:TEST/")),
        "{:?}",
        h.files.requests()
    );

    let r = h.say(ALICE, "Calculate statistics for sales").await;
    has(&r, "Descriptive statistics");
    has(&r, "385.505");
    // The aligned table is monospace, so its columns line up.
    assert!(
        r.sent_messages_text
            .iter()
            .any(|m| m.bot_request.text.contains("```\n") && m.bot_request.text.contains("mean"))
    );
    assert!(r.sent_chat_actions.iter().any(|a| a.action == "typing"), "typing… while it runs");
    assert_eq!(r.sent_messages_photo.len(), 1, "the histogram");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_document_caption_is_the_request_to_run_on_it() {
    let mut h = Harness::new().await;
    *h.files_body() = std::fs::read(fixture("sales.csv")).expect("csv");
    let r = h.send(document(ALICE, "sales.csv", 30_000).caption("Show correlation between sales and profit")).await;
    has(&r, "Loaded sales.csv: 300 rows");
    has(&r, "r = 0.749105");
    assert_eq!(r.sent_messages_photo.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn correlation_comes_with_a_figure_photo() {
    let mut h = Harness::new().await;
    h.upload(ALICE, &fixture("sales.csv")).await;
    let r = h.say(ALICE, "Show correlation between sales and profit").await;
    has(&r, "r = 0.749105");
    let photo = r.sent_messages_photo.first().expect("a photo");
    assert!(photo.bot_request.file_name.ends_with(".png"), "{}", photo.bot_request.file_name);
    let caption = photo.bot_request.caption.clone().unwrap_or_default();
    assert_eq!(support::markdown_v2::parse(&caption).as_deref(), Ok("Pearson correlation"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_training_wizard_with_buttons_then_prediction_as_csv() {
    let mut h = Harness::new().await;
    h.upload(ALICE, &fixture("ml/iris.csv")).await;
    let r = h.say(ALICE, "/train").await;
    has(&r, "Step 1/5");
    let labels: Vec<String> = h
        .keyboard(ALICE)
        .expect("keyboard")
        .reply_markup()
        .expect("markup")
        .inline_keyboard
        .iter()
        .flatten()
        .map(|b| b.text.clone())
        .collect();
    assert_eq!(labels, ["yes", "manual"]);

    let r = h.press(ALICE, "manual").await;
    assert_eq!(r.answered_callback_queries.len(), 1, "the press is answered");
    // The question stays, with the answer under it and no buttons.
    let edited = &r.edited_messages_text[0];
    assert!(edited.bot_request.text.ends_with("→ manual"), "{}", edited.bot_request.text);
    assert!(edited.bot_request.reply_markup.is_none());
    has(&r, "Step 2/5");

    let r = h.press(ALICE, "species").await;
    has(&r, "Step 3/5");
    let r = h.say(ALICE, "1-4").await;
    has(&r, "Step 4/5");
    let r = h.press(ALICE, "random_forest").await;
    has(&r, "Step 5/5 — Train random_forest to predict species");
    let r = h.press(ALICE, "yes").await;
    has(&r, "Model: random_forest (classification) predicting species");
    has(&r, "Saved as model");

    let r = h.say(ALICE, "/predict").await;
    has(&r, "Pick a model");
    let keyboard = h.keyboard(ALICE).expect("models keyboard").clone();
    let id = keyboard.reply_markup().expect("markup").inline_keyboard[0][0].text.clone();
    let r = h.press_on(ALICE, &keyboard, &id).await;
    let csv = r.sent_messages_document.first().expect("a CSV document");
    assert!(csv.bot_request.file_name.ends_with(".csv"), "{}", csv.bot_request.file_name);
    let data = &csv.bot_request.file_data;
    assert!(data.lines().next().is_some_and(|h| h.contains("species_predicted")), "{}", &data[..200.min(data.len())]);
    assert_eq!(data.lines().count(), 151, "a header and 150 rows");
}

#[tokio::test(flavor = "multi_thread")]
async fn training_progress_is_one_message_edited_in_place() {
    let mut h = Harness::new().await;
    // Big enough that 100 boosting stages take a while, each reporting progress.
    let mut csv = String::from("a,b,c,d,y\n");
    for i in 0..4000u32 {
        let (a, b, c, d) = (i % 97, (i * 7) % 89, (i * 13) % 83, (i * 31) % 79);
        csv += &format!("{a},{b},{c},{d},{}\n", i64::from(a * 3 + b * 2) - i64::from(c) + i64::from(d % 5));
    }
    h.upload_bytes(ALICE, "big.csv", csv.into_bytes()).await;
    h.say(ALICE, "/train").await;
    has(&h.say(ALICE, "target: y, features: a, b, c, d").await, "Which model?");
    has(&h.say(ALICE, "gradient_boosting").await, "Train gradient_boosting to predict y");
    let r = h.say(ALICE, "yes").await;
    has(&r, "Saved as model");
    let started: Vec<&str> = r
        .sent_messages_text
        .iter()
        .map(|m| m.bot_request.text.as_str())
        .filter(|t| t.starts_with("Training… "))
        .collect();
    assert_eq!(started.len(), 1, "one progress message: {started:?}");
    let edits: Vec<&str> = r.edited_messages_text.iter().map(|e| e.bot_request.text.as_str()).collect();
    assert!(edits.iter().any(|t| t.starts_with("Training… ") && t.contains('%')), "{edits:?}");
    assert!(edits.last().is_some_and(|t| t.contains("finished in")), "{edits:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_mid_wizard_and_a_stale_button() {
    let mut h = Harness::new().await;
    h.upload(ALICE, &fixture("ml/iris.csv")).await;
    h.say(ALICE, "/train").await;
    h.press(ALICE, "manual").await;
    let old = h.keyboard(ALICE).expect("target keyboard").clone();
    let r = h.say(ALICE, "/cancel").await;
    has(&r, "Cancelled");
    // Typing removed the open question's buttons.
    assert_eq!(r.edited_messages_reply_markup.len(), 1);
    // A button of the cancelled question does nothing but say so.
    let r = h.press_on(ALICE, &old, "species").await;
    assert_eq!(r.answered_callback_queries[0].text.as_deref(), Some("That question was already answered."));
    assert!(r.sent_messages_text.is_empty(), "{:?}", all_text(&r));
    let r = h.say(ALICE, "/cancel").await;
    has(&r, "Nothing to cancel");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ten_thousand_character_reply_is_split_on_lines() {
    let mut h = Harness::new().await;
    // 400 columns: "describe" answers with a table of one line per statistic, and the
    // column listing on upload runs past 10,000 characters.
    let columns: Vec<String> = (0..400).map(|i| format!("measurement_{i:03}")).collect();
    let mut csv = columns.join(",") + "\n";
    for r in 0..5 {
        csv += &(0..400).map(|c| (r * c % 17).to_string()).collect::<Vec<_>>().join(",");
        csv += "\n";
    }
    let r = h.upload_bytes(ALICE, "wide.csv", csv.into_bytes()).await;
    let sent = texts(&r);
    let total: usize = sent.iter().map(|t| t.chars().count()).sum();
    eprintln!(
        "wide reply: {total} characters in {} messages (longest {})",
        sent.len(),
        sent.iter().map(|t| t.chars().count()).max().unwrap_or(0)
    );
    assert!(total > 10_000, "{total}");
    assert!(sent.len() >= 3, "split into {} messages", sent.len());
    // Nothing lost or cut inside a name: every column appears whole, once.
    let all = sent.join("\n");
    for c in &columns {
        assert_eq!(all.matches(&format!("{c} (numeric)")).count(), 1, "{c}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn markdown_special_characters_in_column_names() {
    let mut h = Harness::new().await;
    let names = ["a_b*c", "[x](y)", "price~!", "net.total#1", "`code`", "x|y{z}", "back\\slash", "minus-plus+eq="];
    let mut csv = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(",") + "\n";
    for r in 0..20 {
        csv += &(0..names.len()).map(|c| ((r * 7 + c * 3) % 11).to_string()).collect::<Vec<_>>().join(",");
        csv += "\n";
    }
    let r = h.upload_bytes(ALICE, "special.csv", csv.into_bytes()).await;
    // `texts` checks each message is MarkdownV2 Telegram accepts; the names read as written.
    let shown = all_text(&r);
    for n in names {
        assert!(shown.contains(n), "{n} not shown as written in:\n{shown}");
    }
    let r = h.say(ALICE, "Calculate statistics for all columns").await;
    let shown = all_text(&r);
    assert!(shown.contains("Descriptive statistics"), "{shown}");
    assert!(shown.contains("a_b*c") && shown.contains("net.total#1"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_uploads_are_refused_before_and_while_downloading() {
    let mut h = Harness::with(|c| c.telegram.max_upload_mib = 1).await;
    let r = h.send(document(ALICE, "big.csv", 30 << 20)).await;
    has(&r, "big.csv is 30.0 MiB, above this bot's limit of 1.0 MiB");
    assert!(h.files.requests().is_empty(), "nothing was downloaded");
    // A size reported small but bytes that keep coming: the download stops at the limit.
    let big = "x,y\n".repeat(400_000).into_bytes();
    *h.files_body() = big;
    let r = h.send(document(ALICE, "liar.csv", 100)).await;
    has(&r, "above this bot's limit of 1.0 MiB");
    let r = h.say(ALICE, "Calculate statistics").await;
    has(&r, "Upload a data file first");
}

#[tokio::test(flavor = "multi_thread")]
async fn unsupported_files_and_messages_get_a_clear_answer() {
    let mut h = Harness::new().await;
    let r = h.send(document(ALICE, "report.pdf", 2000)).await;
    has(&r, "Unsupported file type 'pdf'");
    has(&r, "Supported: csv, tsv");
    assert!(h.files.requests().is_empty(), "a refused type is not downloaded");
    // Text renamed to .xlsx is refused by content, not misread.
    let r = h.upload_bytes(ALICE, "fake.xlsx", b"a,b\n1,2\n".to_vec()).await;
    has(&r, "Excel");
    // The other formats load.
    has(&h.upload(ALICE, &fixture("sales.xlsx")).await, "Loaded sales.xlsx: 20 rows × 10 columns");
    has(&h.upload(ALICE, &fixture("sales.parquet")).await, "Loaded sales.parquet: 300 rows × 9 columns");
    let tsv = std::fs::read_to_string(fixture("sales.csv")).expect("csv").replace(',', "\t");
    has(&h.upload_bytes(ALICE, "sales.tsv", tsv.into_bytes()).await, "Loaded sales.tsv: 300 rows × 9 columns");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_users_at_once_see_only_their_own_data() {
    let mut h = Harness::new().await;
    has(&h.upload(ALICE, &fixture("sales.csv")).await, "Loaded sales.csv");
    has(&h.upload(BOB, &fixture("ml/iris.csv")).await, "Loaded iris.csv");
    let r = h
        .send(vec![
            text(ALICE, "Calculate statistics for sales"),
            text(BOB, "Calculate statistics for sepal width (cm)"),
        ])
        .await;
    let of = |chat: u64| -> String {
        r.sent_messages_text
            .iter()
            .filter(|m| m.message.chat.id.0 == chat as i64)
            .map(|m| support::markdown_v2::parse(&m.bot_request.text).expect("valid MarkdownV2"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (alice, bob) = (of(ALICE), of(BOB));
    assert!(alice.contains("385.505") && !alice.contains("sepal"), "{alice}");
    assert!(bob.contains("sepal width (cm)") && !bob.contains("sales"), "{bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn group_chats_are_refused() {
    let mut h = Harness::new().await;
    let r = h.send(group_text(ALICE, "/start")).await;
    has(&r, "private chats only");
}
