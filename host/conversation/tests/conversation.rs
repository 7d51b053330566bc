//! Scripted conversations through the real engine and plugins: requests in plain words,
//! the training wizard, prediction, cancel, invalid answers, a restart mid-wizard, and two
//! tenants interleaved.

use std::path::Path;
use std::sync::Arc;

use statbox_conversation::{Conversation, Input, Reply, SessionStore};
use statbox_engine::Tenant;
use statbox_tests::{engine, fixture};

struct Chat {
    dir: tempfile::TempDir,
    engine: Arc<statbox_engine::Engine>,
    conv: Conversation,
}

impl Chat {
    async fn new() -> Chat {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Arc::new(engine().await);
        let conv = open(&engine, dir.path());
        Chat { dir, engine, conv }
    }

    /// The same state files opened by a fresh `Conversation`: a process restart.
    fn restart(&mut self) {
        self.conv = open(&self.engine, self.dir.path());
    }

    async fn say(&self, tenant: &Tenant, message: &str) -> String {
        joined(&self.conv.handle(tenant, Input::Text(message.into())).await)
    }

    async fn upload(&self, tenant: &Tenant, path: &Path) -> String {
        let bytes = std::fs::read(path).expect("fixture");
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        joined(&self.conv.handle(tenant, Input::File { name, bytes }).await)
    }
}

fn open(engine: &Arc<statbox_engine::Engine>, dir: &Path) -> Conversation {
    let sessions = SessionStore::open(&dir.join("sessions.sqlite")).expect("sqlite");
    Conversation::new(engine.clone(), sessions, dir.join("uploads"))
}

fn joined(replies: &[Reply]) -> String {
    replies
        .iter()
        .map(|r| match r {
            Reply::Text(t) => t.clone(),
            Reply::Choices { text, options } => format!("{text}\n[{}]", options.join("|")),
            Reply::Figure { title, .. } => format!("<figure {title}>"),
            Reply::File { name, bytes, .. } => format!("<file {name} {} bytes>", bytes.len()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn has(reply: &str, needle: &str) {
    assert!(reply.contains(needle), "expected {needle:?} in:\n{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn statistics_requests_in_plain_words() {
    let chat = Chat::new().await;
    let me = Tenant::new("alice").unwrap();
    has(&chat.say(&me, "Calculate statistics for sales").await, "Upload a data file first");
    has(&chat.upload(&me, &fixture("sales.csv")).await, "Loaded sales.csv: 300 rows");
    has(&chat.say(&me, "Calculate statistics for sales").await, "Descriptive statistics");
    let corr = chat.say(&me, "Show correlation between sales and profit").await;
    has(&corr, "<figure");
    has(&chat.say(&me, "What is the mean of SALES?").await, "mean");
    has(&chat.say(&me, "Find outliers in salse").await, "Did you mean 'sales'?");
    has(&chat.say(&me, "Check data quality").await, "score");
    has(&chat.say(&me, "tell me a joke").await, "I did not understand");
    // Low confidence asks first; yes runs it.
    has(&chat.say(&me, "sales median").await, "Did you mean: median of all columns?");
    has(&chat.say(&me, "yes").await, "median");
    has(&chat.say(&me, "/run descriptive columns=profit").await, "profit");
    has(&chat.say(&me, "/nonsense").await, "Unknown command /nonsense");
}

#[tokio::test(flavor = "multi_thread")]
async fn training_wizard_with_invalid_answers_restart_and_prediction() {
    let mut chat = Chat::new().await;
    let me = Tenant::new("alice").unwrap();
    has(&chat.upload(&me, &fixture("ml/iris.csv")).await, "150 rows");
    has(&chat.say(&me, "/train").await, "Step 1/5 — Detected: target species");
    has(&chat.say(&me, "target: specie").await, "Did you mean 'species'?");
    has(&chat.say(&me, "manual").await, "Step 2/5");
    has(&chat.say(&me, "99").await, "99 is not in the list");
    has(&chat.say(&me, "species").await, "Step 3/5");
    // Restart in the middle of the wizard: the next answer continues at step 3.
    chat.restart();
    has(&chat.say(&me, "7-9").await, "is not a range");
    has(&chat.say(&me, "1-4").await, "Step 4/5");
    has(&chat.say(&me, "xgboost").await, "'xgboost' is not one of the choices");
    has(&chat.say(&me, "random_forest").await, "Step 5/5 — Train random_forest to predict species");
    let trained = chat.say(&me, "yes").await;
    has(&trained, "Saved as model m");
    let id = trained.split("Saved as model ").nth(1).and_then(|s| s.split('.').next()).unwrap().to_string();
    has(&chat.say(&me, "/models").await, &id);
    let predicted = chat.say(&me, &format!("Use model {id} to make predictions")).await;
    has(&predicted, "Predictions of species");
    has(&predicted, &format!("<file predictions-{id}.csv"));
    has(&chat.say(&me, &format!("/delete {id}")).await, "Delete model");
    has(&chat.say(&me, "yes").await, "Deleted model");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_works_at_every_step_and_tenants_do_not_leak() {
    let chat = Chat::new().await;
    let alice = Tenant::new("alice").unwrap();
    let bob = Tenant::new("bob").unwrap();
    chat.upload(&alice, &fixture("ml/iris.csv")).await;
    let steps: [&[&str]; 5] = [
        &[],
        &["manual"],
        &["manual", "species"],
        &["manual", "species", "all"],
        &["manual", "species", "all", "auto"],
    ];
    for answers in steps {
        has(&chat.say(&alice, "/train").await, "Step 1/5");
        for a in answers {
            chat.say(&alice, a).await;
        }
        has(&chat.say(&alice, "/cancel").await, "Cancelled");
        has(&chat.say(&alice, "/cancel").await, "Nothing to cancel");
    }
    // Bob, interleaved, sees none of Alice's data, state or models.
    has(&chat.say(&alice, "Train a model to predict species").await, "Step 2/4");
    has(&chat.say(&bob, "Show correlation matrix").await, "Upload a data file first");
    has(&chat.say(&bob, "/models").await, "no models yet");
    has(&chat.say(&bob, "/diagnostic").await, "data: none");
    has(&chat.say(&alice, "all").await, "Step 3/4");
}

#[tokio::test(flavor = "multi_thread")]
async fn neural_network_wizard_and_a_regressor() {
    let chat = Chat::new().await;
    let me = Tenant::new("carol").unwrap();
    chat.upload(&me, &fixture("ml/diabetes.csv")).await;
    has(&chat.say(&me, "Train a model to predict progression").await, "Step 2/4");
    has(&chat.say(&me, "1-10").await, "Step 3/4");
    has(&chat.say(&me, "mlp_regression").await, "Step 4/6 — Network architecture");
    has(&chat.say(&me, r#"[{"units": 0, "activation": "relu"}]"#).await, "units must be 1 to 4096");
    has(&chat.say(&me, r#"[{"units": 16, "activation": "tanh", "dropout": 0.1}]"#).await, "Step 5/6");
    has(&chat.say(&me, "500").await, "Epochs must be 10 to 200");
    has(&chat.say(&me, "30 32").await, "Step 6/6 — Train mlp_regression to predict progression");
    let trained = chat.say(&me, "yes").await;
    has(&trained, "Model: mlp_regression (regression)");
    has(&trained, "Saved as model m");
    // A linear regressor through the same wizard.
    // The detected schema edited in one answer.
    has(&chat.say(&me, "/train").await, "Step 1/5 — Detected");
    has(&chat.say(&me, "target: progression, features: bmi, bp, s5").await, "Step 4/5");
    has(&chat.say(&me, "3").await, "Step 5/5 — Train ridge to predict progression from bmi, bp, s5");
    has(&chat.say(&me, "yes").await, "Model: ridge (regression)");
}

#[tokio::test(flavor = "multi_thread")]
async fn long_operations_report_progress() {
    let chat = Chat::new().await;
    let me = Tenant::new("dave").unwrap();
    chat.upload(&me, &fixture("ml/iris.csv")).await;
    for a in ["/train", "manual", "species", "1-4", "random_forest"] {
        chat.say(&me, a).await;
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let observer: Arc<dyn statbox_runtime::ProgressObserver> = Arc::new(move |p: statbox_runtime::Progress| {
        sink.lock().unwrap().push((p.done, p.total, p.message.clone()));
    });
    let replies = chat.conv.handle_with(&me, Input::Text("yes".into()), observer).await;
    has(&joined(&replies), "Saved as model");
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 10, "progress per tree: {seen:?}");
    assert_eq!(seen.last().map(|p| (p.0, p.1)), Some((100, 100)), "{seen:?}");
    assert!(seen[0].2.contains("training random_forest"), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn train_from_a_local_path_then_predict_by_picking_a_model() {
    let chat = Chat::new().await;
    let me = Tenant::new("erin").unwrap();
    has(&chat.say(&me, "/predict").await, "no models yet");
    has(&chat.say(&me, "/train").await, "Where is the data?");
    has(&chat.say(&me, "/etc/passwd").await, "Send another path");
    let iris = fixture("ml/iris.csv");
    has(&chat.say(&me, &iris.display().to_string()).await, "Load it now (the whole file), or defer");
    has(&chat.say(&me, "sometime").await, "Say now or defer");
    let started = chat.say(&me, "now").await;
    has(&started, "Loaded iris.csv: 150 rows");
    has(&started, "Step 1/5 — Detected: target species");
    for a in ["manual", "species", "1-4", "logistic"] {
        chat.say(&me, a).await;
    }
    has(&chat.say(&me, "yes").await, "Saved as model");
    let listed = chat.say(&me, "/predict").await;
    has(&listed, "Pick a model");
    has(&chat.say(&me, "7").await, "7 is not in the list");
    let predicted = chat.say(&me, "1").await;
    has(&predicted, "Predictions of species by logistic: 150 of 150 rows");
    has(&predicted, "<file predictions-m");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_training_can_be_cancelled() {
    let chat = Arc::new(Chat::new().await);
    let me = Tenant::new("frank").unwrap();
    chat.upload(&me, &fixture("ml/breast_cancer.csv")).await;
    for a in ["/train", "manual", "benign", "all", "mlp_classification", "4096, 4096", "10 32"] {
        chat.say(&me, a).await;
    }
    assert!(!chat.conv.cancel(&me), "nothing runs yet");
    let runner = chat.clone();
    let who = me.clone();
    let started = std::time::Instant::now();
    let task = tokio::spawn(async move { joined(&runner.conv.handle(&who, Input::Text("yes".into())).await) });
    // Two layers of 4096 units take minutes per epoch here.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(chat.conv.cancel(&me));
    let reply = task.await.unwrap();
    has(&reply, "Stopped. Nothing was saved");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "stopped promptly: {:?}", started.elapsed());
    has(&chat.say(&me, "/models").await, "no models yet");
    has(&chat.say(&me, "/cancel").await, "Nothing to cancel");
}

#[tokio::test(flavor = "multi_thread")]
async fn deferred_loading_reads_only_the_model_columns_at_training() {
    let chat = Chat::new().await;
    let me = Tenant::new("gina").unwrap();
    has(&chat.say(&me, "/train").await, "Where is the data?");
    has(&chat.say(&me, &fixture("ml/wine.csv").display().to_string()).await, "15 columns");
    let deferred = chat.say(&me, "defer").await;
    has(&deferred, "will be read at training time");
    has(&deferred, "Step 1/5 — Detected");
    for a in ["target: cultivar, features: alcohol, proline", "naive_bayes"] {
        chat.say(&me, a).await;
    }
    let trained = chat.say(&me, "yes").await;
    has(&trained, "Model: naive_bayes (classification) predicting cultivar from 2 feature(s)");
    has(&trained, "Rows: 142 train, 36 test");
    // Analyses read the whole deferred file.
    has(&chat.say(&me, "Calculate statistics for proline").await, "178 rows, 1 column");
}
