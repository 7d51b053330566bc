//! `Conversation::handle(tenant, input) -> Vec<Reply>`: the transport-agnostic core that
//! the terminal chat and the Telegram bot wrap. State lives in SQLite per tenant, and the
//! tenant's current table in its upload directory, so a restart resumes where it was.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use statbox_data::DataTable;
use statbox_engine::{Engine, EngineError, RunRequest, Tenant, TrainKind};
use statbox_runtime::{ProgressObserver, TableSource};

use crate::parser::{self, CONFIRM_BELOW, Intent, ParseError};
use crate::store::{SessionStore, StoreError};

/// What a user sends.
#[derive(Debug, Clone)]
pub enum Input {
    Text(String),
    /// An uploaded file.
    File {
        name: String,
        bytes: Vec<u8>,
    },
    /// A button pressed (its label).
    Choice(String),
}

/// What statbox answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Markdown-free plain text (front ends escape as their transport needs).
    Text(String),
    /// A question with buttons.
    Choices {
        text: String,
        options: Vec<String>,
    },
    Figure {
        title: String,
        svg: String,
    },
    File {
        name: String,
        media_type: String,
        bytes: Vec<u8>,
    },
}

/// A file-name-safe form of a figure's title, for front ends that save or send it as a
/// file: `Pearson correlation` → `pearson-correlation`.
pub fn slug(title: &str) -> String {
    let s: String =
        title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "figure".into() } else { s }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Session {
    data: Option<DataRef>,
    state: State,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DataRef {
    /// The name the user gave the file.
    name: String,
    /// File name inside the tenant's upload directory.
    file: String,
    rows: u64,
    columns: usize,
    /// A local file read later, only the columns a model uses (the wizard's "defer"); until
    /// then its first rows stand in for the schema.
    #[serde(default)]
    deferred: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
enum State {
    #[default]
    Idle,
    /// A low-confidence request waiting for yes / no.
    Confirm {
        text: String,
        summary: String,
    },
    Train(Wizard),
    ConfirmDelete {
        model_id: String,
    },
    /// /predict: choosing a model (None), then waiting for the data to predict on.
    Predict {
        model: Option<String>,
    },
    /// /train without data: waiting for an upload or a local path.
    TrainData,
    /// A local path was given: load it now, or defer.
    TrainLoad {
        path: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wizard {
    step: Step,
    target: Option<String>,
    features: Option<Vec<String>>,
    model: Option<String>,
    /// Networks: the architecture and training settings chosen in steps 4 and 5.
    #[serde(default)]
    hyperparameters: Map<String, Value>,
    /// Started with the detected schema offered (one step more).
    #[serde(default)]
    with_schema: bool,
    /// The detected target and features, offered at the schema step.
    #[serde(default)]
    suggested: Option<(String, Vec<String>)>,
}

impl Wizard {
    fn new(target: Option<String>) -> Wizard {
        let step = if target.is_some() { Step::Features } else { Step::Target };
        Wizard {
            step,
            target,
            features: None,
            model: None,
            hyperparameters: Map::new(),
            with_schema: false,
            suggested: None,
        }
    }

    /// Starts at the detected schema: accept it, edit it, or go step by step.
    fn from_suggestion(target: String, features: Vec<String>) -> Wizard {
        Wizard { step: Step::Schema, with_schema: true, suggested: Some((target, features)), ..Wizard::new(None) }
    }

    fn neural(&self) -> bool {
        self.model.as_deref().is_some_and(|m| m.starts_with("mlp_"))
    }

    /// "Step 2/4" (or of 6 for networks).
    fn progress(&self) -> String {
        let extra = usize::from(self.with_schema);
        let total = if self.neural() { 6 } else { 4 } + extra;
        let n = match self.step {
            Step::Schema => 0,
            Step::Target => 1,
            Step::Features => 2,
            Step::Model => 3,
            Step::Architecture => 4,
            Step::Training => 5,
            Step::Confirm => total - extra,
        } + extra;
        format!("Step {n}/{total}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Step {
    /// The detected target and features: accept, edit (a schema in any of the three
    /// formats), or go step by step.
    Schema,
    Target,
    Features,
    Model,
    /// Networks only: default, layer sizes, or custom JSON layers.
    Architecture,
    /// Networks only: epochs and batch size.
    Training,
    Confirm,
}

const MODEL_TYPES: [&str; 14] = [
    "auto",
    "linear",
    "ridge",
    "lasso",
    "elasticnet",
    "polynomial",
    "logistic",
    "svm",
    "naive_bayes",
    "decision_tree",
    "random_forest",
    "gradient_boosting",
    "mlp_regression",
    "mlp_classification",
];

pub struct Conversation {
    engine: Arc<Engine>,
    sessions: SessionStore,
    uploads: PathBuf,
    tables: Mutex<HashMap<String, Arc<DataTable>>>,
    /// Where the running call of each tenant reports progress (set by `handle_with`).
    observers: Mutex<HashMap<String, Arc<dyn ProgressObserver>>>,
    /// The signal that stops each tenant's running request (see [`Conversation::cancel`]).
    running: Mutex<HashMap<String, Arc<tokio::sync::Notify>>>,
}

fn text(s: impl Into<String>) -> Reply {
    Reply::Text(s.into())
}

fn yes(s: &str) -> bool {
    matches!(s.trim().to_lowercase().as_str(), "yes" | "y" | "ok" | "sure" | "confirm" | "train" | "go")
}

fn no(s: &str) -> bool {
    matches!(s.trim().to_lowercase().as_str(), "no" | "n" | "nope")
}

impl Conversation {
    pub fn new(engine: Arc<Engine>, sessions: SessionStore, uploads: PathBuf) -> Conversation {
        Conversation {
            engine,
            sessions,
            uploads,
            tables: Mutex::new(HashMap::new()),
            observers: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
        }
    }

    /// The conversation the engine's configuration describes (`[conversation]`: its SQLite
    /// file and uploads directory), with conversations idle past the TTL forgotten.
    pub fn open(engine: Arc<Engine>) -> Result<Conversation, String> {
        let c = engine.config().conversation.clone();
        let db = c.database.ok_or("no conversation.database configured and no HOME to default to")?;
        let uploads = c.uploads_dir.ok_or("no conversation.uploads_dir configured")?;
        let sessions = SessionStore::open(&db).map_err(|e| format!("{e} ({})", db.display()))?;
        let _ = sessions.cleanup(c.session_ttl_hours * 3600);
        Ok(Conversation::new(engine, sessions, uploads))
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// [`Conversation::handle`] with progress of long operations (training, analyses)
    /// reported to `observer` as the plugin reports it.
    pub async fn handle_with(&self, tenant: &Tenant, input: Input, observer: Arc<dyn ProgressObserver>) -> Vec<Reply> {
        self.observers.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.id().to_string(), observer);
        let replies = self.handle(tenant, input).await;
        self.observers.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant.id());
        replies
    }

    fn observer(&self, tenant: &Tenant) -> Option<Arc<dyn ProgressObserver>> {
        self.observers.lock().unwrap_or_else(|p| p.into_inner()).get(tenant.id()).cloned()
    }

    /// Stops the tenant's request that is running now (a training, an analysis): the
    /// sandboxed call ends at its next epoch tick (~10 ms), nothing is stored, and the
    /// conversation returns to idle. `false` when nothing was running.
    pub fn cancel(&self, tenant: &Tenant) -> bool {
        match self.running.lock().unwrap_or_else(|p| p.into_inner()).get(tenant.id()) {
            Some(signal) => {
                signal.notify_one();
                true
            }
            None => false,
        }
    }

    /// Handles one input and persists the new state before answering. A concurrent
    /// [`Conversation::cancel`] for the same tenant stops it.
    pub async fn handle(&self, tenant: &Tenant, input: Input) -> Vec<Reply> {
        let signal = Arc::new(tokio::sync::Notify::new());
        self.running.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.id().to_string(), signal.clone());
        let replies = tokio::select! {
            replies = self.handle_inner(tenant, input) => replies,
            () = signal.notified() => {
                let mut session: Session = self.sessions.load(tenant.id()).ok().flatten().unwrap_or_default();
                session.state = State::Idle;
                let _ = self.sessions.save(tenant.id(), &session);
                vec![text("Stopped. Nothing was saved. What next?")]
            }
        };
        self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant.id());
        replies
    }

    async fn handle_inner(&self, tenant: &Tenant, input: Input) -> Vec<Reply> {
        let (mut session, mut replies) = match self.sessions.load::<Session>(tenant.id()) {
            Ok(s) => (s.unwrap_or_default(), Vec::new()),
            Err(StoreError::Corrupt(e)) => (
                Session::default(),
                vec![text(format!("Your previous conversation could not be read ({e}); starting over."))],
            ),
            Err(e) => return vec![text(format!("{e}. Try again in a moment."))],
        };
        replies.extend(self.step(tenant, &mut session, input).await);
        if let Err(e) = self.sessions.save(tenant.id(), &session) {
            replies.push(text(format!("Warning: the conversation could not be saved ({e}).")));
        }
        replies
    }

    async fn step(&self, tenant: &Tenant, session: &mut Session, input: Input) -> Vec<Reply> {
        let message = match input {
            Input::File { name, bytes } => {
                let pending = std::mem::take(&mut session.state);
                let mut replies = self.upload(tenant, session, &name, bytes);
                if session.data.as_ref().is_some_and(|d| d.name == name) {
                    match pending {
                        State::Predict { model: Some(id) } => {
                            if let Some(Ok(t)) = self.table(tenant, session) {
                                replies.extend(self.predict(tenant, session, &id, t).await);
                            }
                        }
                        State::TrainData => replies.extend(self.start_wizard(tenant, session, None).await),
                        _ => {}
                    }
                } else {
                    session.state = pending;
                }
                return replies;
            }
            Input::Text(t) | Input::Choice(t) => t.trim().to_string(),
        };
        if message.eq_ignore_ascii_case("/cancel") || message.eq_ignore_ascii_case("cancel") {
            let was = !matches!(session.state, State::Idle);
            session.state = State::Idle;
            return vec![text(if was { "Cancelled. What next?" } else { "Nothing to cancel." })];
        }
        match std::mem::take(&mut session.state) {
            State::Idle => self.run_text(tenant, session, &message, false).await,
            State::Confirm { text: original, .. } => {
                if yes(&message) {
                    self.run_text(tenant, session, &original, true).await
                } else if no(&message) {
                    vec![text("OK, not run. Ask again in other words, or /help for examples.")]
                } else {
                    self.run_text(tenant, session, &message, false).await
                }
            }
            State::ConfirmDelete { model_id } => {
                if yes(&message) {
                    match self.engine.models().and_then(|s| s.delete(tenant.id(), &model_id).map_err(Into::into)) {
                        Ok(()) => vec![text(format!("Deleted model {model_id}."))],
                        Err(e) => vec![error(&e)],
                    }
                } else {
                    vec![text(format!("Kept model {model_id}."))]
                }
            }
            State::Train(w) => self.wizard(tenant, session, w, &message).await,
            State::Predict { model: None } => {
                let ids = self.model_ids(tenant);
                match pick_one(&message, &ids) {
                    Ok(id) => match self.table(tenant, session) {
                        Some(Ok(t)) => self.predict(tenant, session, &id, t).await,
                        Some(Err(e)) => vec![error(&e)],
                        None => {
                            session.state = State::Predict { model: Some(id.clone()) };
                            vec![text(format!(
                                "Now upload the data to predict on with {id} (its feature columns; extra ones are ignored)."
                            ))]
                        }
                    },
                    Err(problem) => {
                        session.state = State::Predict { model: None };
                        vec![text(format!("{problem} Pick a model by number or id, or /cancel."))]
                    }
                }
            }
            State::Predict { model: Some(id) } => {
                session.state = State::Predict { model: Some(id.clone()) };
                vec![text(format!("Upload the data to predict on with {id}, or /cancel."))]
            }
            State::TrainData => {
                // A local path (inside the allow-list) instead of an upload.
                let path = message.trim().trim_matches(['"', '\'']).to_string();
                match self.engine.preview(tenant, &path, &statbox_data::ReadOptions::default()).await {
                    Ok(preview) => {
                        session.state = State::TrainLoad { path: path.clone() };
                        vec![Reply::Choices {
                            text: format!(
                                "{path}: {} columns. Load it now (the whole file), or defer (read only the columns the model uses, when training starts)?",
                                preview.columns().len()
                            ),
                            options: vec!["now".into(), "defer".into()],
                        }]
                    }
                    Err(e) => {
                        session.state = State::TrainData;
                        vec![text(format!("{e}\nSend another path, upload a file, or /cancel."))]
                    }
                }
            }
            State::TrainLoad { path } => {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .map_or("data.csv".into(), |n| n.to_string_lossy().to_string());
                let answer = message.trim().to_lowercase();
                let mut r = if answer == "now" {
                    match std::fs::read(&path) {
                        Ok(bytes) => self.upload(tenant, session, &name, bytes),
                        Err(e) => vec![text(format!("Could not read {path}: {e}."))],
                    }
                } else if answer == "defer" || answer == "later" {
                    match self.engine.preview(tenant, &path, &statbox_data::ReadOptions::default()).await {
                        Ok(preview) => {
                            let columns = preview.columns();
                            session.data = Some(DataRef {
                                name: name.clone(),
                                file: String::new(),
                                rows: 0,
                                columns: columns.len(),
                                deferred: Some(path.clone()),
                            });
                            self.tables
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .insert(tenant.id().to_string(), preview);
                            vec![text(format!(
                                "{name} will be read at training time, only the columns the model uses. Its first rows show the columns for now."
                            ))]
                        }
                        Err(e) => vec![error(&e)],
                    }
                } else {
                    session.state = State::TrainLoad { path };
                    return vec![Reply::Choices {
                        text: "Say now or defer (or /cancel).".into(),
                        options: vec!["now".into(), "defer".into()],
                    }];
                };
                if session.data.is_some() {
                    r.extend(self.start_wizard(tenant, session, None).await);
                }
                r
            }
        }
    }

    fn model_ids(&self, tenant: &Tenant) -> Vec<String> {
        self.engine
            .models()
            .and_then(|s| s.list(tenant.id()).map_err(Into::into))
            .map(|l| l.into_iter().map(|m| m.model_id).collect())
            .unwrap_or_default()
    }

    /// Starts the training wizard; without a target, at the detected schema when the data
    /// suggests one.
    async fn start_wizard(&self, tenant: &Tenant, session: &mut Session, target: Option<String>) -> Vec<Reply> {
        let mut w = Wizard::new(target.clone());
        if target.is_none()
            && let Some(Ok(table)) = self.table(tenant, session)
            && let Ok(report) = self.engine.inspect(tenant, table).await
            && let Some(t) = report.suggested_target
        {
            w = Wizard::from_suggestion(t, report.suggested_features);
        }
        let prompt = self.prompt(tenant, session, &w);
        session.state = State::Train(w);
        prompt
    }

    fn upload(&self, tenant: &Tenant, session: &mut Session, name: &str, bytes: Vec<u8>) -> Vec<Reply> {
        let table = match self.engine.load_bytes(tenant, name, bytes.clone()) {
            Ok(t) => t,
            Err(e) => return vec![error(&e)],
        };
        let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("csv").to_ascii_lowercase();
        let ext: String = ext.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
        let file = format!("current.{ext}");
        let dir = self.tenant_dir(tenant);
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(&file), &bytes)) {
            return vec![text(format!("The file was read but could not be kept ({e}); try again."))];
        }
        let columns = table.columns();
        session.data = Some(DataRef {
            name: name.to_string(),
            file,
            rows: table.row_count(),
            columns: columns.len(),
            deferred: None,
        });
        session.state = State::Idle;
        self.tables.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.id().to_string(), table.clone());
        let listed: Vec<String> = columns.iter().map(|c| format!("{} ({})", c.name, c.kind.as_str())).collect();
        vec![text(format!(
            "Loaded {name}: {} rows × {} columns.\nColumns: {}\n\nTry: \"Calculate statistics for {}\", \"Check data quality\", or /train.",
            table.row_count(),
            columns.len(),
            listed.join(", "),
            columns
                .iter()
                .find(|c| c.kind == statbox_runtime::ColumnKind::Numeric && !c.name.to_lowercase().ends_with("id"))
                .or(columns.first())
                .map_or("a column", |c| c.name.as_str())
        ))]
    }

    fn tenant_dir(&self, tenant: &Tenant) -> PathBuf {
        self.uploads.join(hex::encode(tenant.id()))
    }

    /// The tenant's current table: cached, else reloaded from its upload (after a restart).
    fn table(&self, tenant: &Tenant, session: &Session) -> Option<Result<Arc<DataTable>, EngineError>> {
        let data = session.data.as_ref()?;
        if let Some(t) = self.tables.lock().unwrap_or_else(|p| p.into_inner()).get(tenant.id()) {
            return Some(Ok(t.clone()));
        }
        if let Some(path) = &data.deferred {
            let preview = statbox_data::preview_path(
                std::path::Path::new(path),
                &statbox_data::ReadOptions::default(),
                &self.engine.config().data,
            )
            .map(Arc::new)
            .map_err(EngineError::from);
            if let Ok(t) = &preview {
                self.tables.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.id().to_string(), t.clone());
            }
            return Some(preview);
        }
        let bytes = match std::fs::read(self.tenant_dir(tenant).join(&data.file)) {
            Ok(b) => b,
            Err(e) => {
                return Some(Err(EngineError::Runtime(format!("your uploaded file is gone ({e}); upload it again"))));
            }
        };
        let loaded = self.engine.load_bytes(tenant, &data.name, bytes);
        if let Ok(t) = &loaded {
            self.tables.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.id().to_string(), t.clone());
        }
        Some(loaded)
    }

    /// The table an analysis or prediction runs on: a deferred file is read in full now.
    async fn full_table(
        &self,
        tenant: &Tenant,
        session: &Session,
        table: Arc<DataTable>,
    ) -> Result<Arc<DataTable>, EngineError> {
        match session.data.as_ref().and_then(|d| d.deferred.clone()) {
            Some(path) => self.engine.load_source(tenant, &path, &statbox_data::ReadOptions::default()).await,
            None => Ok(table),
        }
    }

    async fn run_text(&self, tenant: &Tenant, session: &mut Session, message: &str, confirmed: bool) -> Vec<Reply> {
        let table = match self.table(tenant, session) {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => return vec![error(&e)],
            None => None,
        };
        let columns = table.as_ref().map(|t| t.columns());
        let parsed = match parser::parse(message, columns.as_deref()) {
            Ok(p) => p,
            Err(ParseError::NotUnderstood) => {
                let list: Vec<String> = parser::examples().iter().take(8).map(|e| format!("• {e}")).collect();
                return vec![text(format!(
                    "I did not understand that. You can ask, for example:\n{}\n\n/help lists everything.",
                    list.join("\n")
                ))];
            }
            Err(ParseError::NeedsData) => return vec![needs_data()],
            Err(ParseError::Columns(m)) => return vec![text(m)],
        };
        if parsed.confidence < CONFIRM_BELOW && !confirmed {
            session.state = State::Confirm { text: message.to_string(), summary: parsed.summary.clone() };
            return vec![Reply::Choices {
                text: format!("Did you mean: {}?", parsed.summary),
                options: vec!["yes".into(), "no".into()],
            }];
        }
        match parsed.intent {
            Intent::Command { name, args } => self.command(tenant, session, &name, &args).await,
            Intent::Analysis { template, params } => match table {
                Some(t) => match self.full_table(tenant, session, t).await {
                    Ok(t) => self.analysis(tenant, t, &template, params).await,
                    Err(e) => vec![error(&e)],
                },
                None => vec![needs_data()],
            },
            Intent::CompareGroups { column, group } => {
                let Some(t) = table else { return vec![needs_data()] };
                let groups = t.categorical(&group).map(|c| c.1.len()).unwrap_or(0);
                match groups {
                    0 | 1 => vec![text(format!("'{group}' has fewer than two groups; nothing to compare."))],
                    2 => {
                        self.analysis(
                            tenant,
                            t,
                            "ttest",
                            json_map(json!({"test": "independent", "column": column, "group": group})),
                        )
                        .await
                    }
                    _ => self.analysis(tenant, t, "anova", json_map(json!({"column": column, "group": group}))).await,
                }
            }
            Intent::Train { target } => {
                if table.is_none() {
                    return vec![needs_data()];
                }
                let w = Wizard::new(target);
                let prompt = self.prompt(tenant, session, &w);
                session.state = State::Train(w);
                prompt
            }
            Intent::Predict { model } => match (model, table) {
                (Some(id), Some(t)) => self.predict(tenant, session, &id, t).await,
                (Some(_), None) => {
                    vec![text("Upload the data to predict on first (a file with the model's feature columns).")]
                }
                (None, _) => self.list_models(tenant, "Which model? Say \"Use model ID to make predictions\"."),
            },
        }
    }

    async fn analysis(
        &self,
        tenant: &Tenant,
        table: Arc<DataTable>,
        template: &str,
        params: Map<String, Value>,
    ) -> Vec<Reply> {
        let mut request = RunRequest::new(template, table).with_params(params);
        request.observer = self.observer(tenant);
        match self.engine.run(tenant, request).await {
            Ok(out) => {
                let mut r = vec![text(out.reply.trim_end().to_string())];
                r.extend(out.figures.into_iter().map(|f| Reply::Figure { title: f.title, svg: f.svg }));
                r
            }
            Err(e) => vec![error(&e)],
        }
    }

    async fn predict(&self, tenant: &Tenant, session: &Session, model: &str, table: Arc<DataTable>) -> Vec<Reply> {
        let table = match self.full_table(tenant, session, table).await {
            Ok(t) => t,
            Err(e) => return vec![error(&e)],
        };
        match self.engine.predict(tenant, model, table, Map::new()).await {
            Ok(out) => vec![
                text(out.run.reply.trim_end().to_string()),
                Reply::File { name: format!("predictions-{model}.csv"), media_type: "text/csv".into(), bytes: out.csv },
            ],
            Err(e) => vec![error(&e)],
        }
    }

    fn list_models(&self, tenant: &Tenant, footer: &str) -> Vec<Reply> {
        let list = match self.engine.models().and_then(|s| s.list(tenant.id()).map_err(Into::into)) {
            Ok(l) => l,
            Err(e) => return vec![error(&e)],
        };
        if list.is_empty() {
            return vec![text("You have no models yet. Upload data and send /train.")];
        }
        let lines: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!("{}. {} — {} predicting {} ({})", i + 1, m.model_id, m.model_type, m.target, m.created_at)
            })
            .collect();
        vec![text(format!("Your models, newest first:\n{}\n\n{footer}", lines.join("\n")))]
    }

    async fn command(&self, tenant: &Tenant, session: &mut Session, name: &str, args: &str) -> Vec<Reply> {
        match name {
            "start" => vec![text(
                "Hello! I run statistics and machine learning on your data, each analysis in a sandbox.\n\nUpload a CSV, TSV, Excel, Parquet or JSON file, then ask in plain words, e.g. \"Calculate statistics for sales\". /help lists everything.",
            )],
            "help" => {
                let list: Vec<String> = parser::examples().iter().map(|e| format!("• {e}")).collect();
                vec![text(format!(
                    "Upload a data file, then ask:\n{}\n\nCommands: /train (guided training), /predict, /models, /model ID, /delete ID, /templates, /cancel, /diagnostic, /version.",
                    list.join("\n")
                ))]
            }
            "version" => vec![text(format!("statbox {}", env!("CARGO_PKG_VERSION")))],
            "templates" => {
                let lines: Vec<String> =
                    self.engine.templates().all().iter().map(|t| format!("• {} — {}", t.name, t.title)).collect();
                vec![text(format!("Analyses (/run NAME key=value ...):\n{}", lines.join("\n")))]
            }
            "diagnostic" => {
                let data = session
                    .data
                    .as_ref()
                    .map_or("none".to_string(), |d| format!("{} ({} rows × {} columns)", d.name, d.rows, d.columns));
                let plugins: Vec<String> =
                    self.engine.plugins().iter().map(|p| format!("{} {}", p.name, p.version)).collect();
                let l = self.engine.limits_for(tenant, None);
                vec![text(format!(
                    "tenant: {}\nstate: {:?}\ndata: {data}\nlimits per call: fuel {}, {} ms, {} MiB\nplugins: {}",
                    tenant.id(),
                    session.state,
                    l.fuel,
                    l.wall_time_ms,
                    l.memory_mib,
                    plugins.join(", ")
                ))]
            }
            "models" => self.list_models(tenant, "Show one with /model ID, delete with /delete ID."),
            "model" => match self.engine.models().and_then(|s| s.show(tenant.id(), args.trim()).map_err(Into::into)) {
                Ok(m) => vec![text(format!(
                    "Model {}: {} ({}) predicting {} from {}; metrics {}",
                    m.model_id,
                    m.model_type,
                    m.task_type,
                    m.target,
                    m.features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
                    m.metrics["test"]
                ))],
                Err(e) => vec![error(&e)],
            },
            "delete" => {
                let id = args.trim();
                match self.engine.models().and_then(|s| s.show(tenant.id(), id).map_err(Into::into)) {
                    Ok(m) => {
                        session.state = State::ConfirmDelete { model_id: m.model_id.clone() };
                        vec![Reply::Choices {
                            text: format!("Delete model {} ({} predicting {})?", m.model_id, m.model_type, m.target),
                            options: vec!["yes".into(), "no".into()],
                        }]
                    }
                    Err(e) => vec![error(&e)],
                }
            }
            "train" => {
                if session.data.is_none() {
                    session.state = State::TrainData;
                    return vec![text(
                        "Where is the data? Upload a file (CSV, TSV, Excel, Parquet, JSON), or send the path of a local file.",
                    )];
                }
                self.start_wizard(tenant, session, None).await
            }
            "predict" if !args.trim().is_empty() => match self.table(tenant, session) {
                Some(Ok(t)) => self.predict(tenant, session, args.trim(), t).await,
                Some(Err(e)) => vec![error(&e)],
                None => vec![needs_data()],
            },
            "predict" => {
                let ids = self.model_ids(tenant);
                if ids.is_empty() {
                    return vec![text("You have no models yet. Upload data and send /train.")];
                }
                session.state = State::Predict { model: None };
                let mut r = self.list_models(tenant, "Which one? Its number or id.");
                r.push(Reply::Choices { text: "Pick a model:".into(), options: ids });
                r
            }
            other => vec![text(format!("Unknown command /{other}. /help lists the commands."))],
        }
    }

    fn columns(&self, tenant: &Tenant, session: &Session) -> Vec<String> {
        match self.table(tenant, session) {
            Some(Ok(t)) => t.columns().into_iter().map(|c| c.name).collect(),
            _ => Vec::new(),
        }
    }

    fn prompt(&self, tenant: &Tenant, session: &Session, w: &Wizard) -> Vec<Reply> {
        let columns = self.columns(tenant, session);
        let numbered = |items: &[String]| {
            items.iter().enumerate().map(|(i, c)| format!("{}. {c}", i + 1)).collect::<Vec<_>>().join("\n")
        };
        match w.step {
            Step::Schema => {
                let (target, features) = w.suggested.clone().unwrap_or_default();
                vec![Reply::Choices {
                    text: format!(
                        "{} — Detected: target {target}, features {}.\nAccept it (yes), pick step by step (manual), or write your own: 'target: price, features: sqft, beds', JSON {{\"target\": ..., \"features\": [...]}}, or a list 'price, sqft, beds' (target first).",
                        w.progress(),
                        features.join(", ")
                    ),
                    options: vec!["yes".into(), "manual".into()],
                }]
            }
            Step::Target => vec![Reply::Choices {
                text: format!(
                    "{} — Which column should the model predict? (number or name)\n{}",
                    w.progress(),
                    numbered(&columns)
                ),
                options: columns,
            }],
            Step::Features => {
                let others: Vec<String> = columns.into_iter().filter(|c| Some(c) != w.target.as_ref()).collect();
                vec![Reply::Choices {
                    text: format!(
                        "{} — Which features? \"all\", names (a, b), numbers (1,2,3), ranges (1-5) or a mix.\n{}",
                        w.progress(),
                        numbered(&others)
                    ),
                    options: vec!["all".into()],
                }]
            }
            Step::Model => vec![Reply::Choices {
                text: format!(
                    "{} — Which model? (number or name; auto tries every suitable type)\n{}",
                    w.progress(),
                    model_menu()
                ),
                options: MODEL_TYPES.iter().map(|s| s.to_string()).collect(),
            }],
            Step::Architecture => vec![Reply::Choices {
                text: format!(
                    "{} — Network architecture: \"default\" (one hidden layer of 100 relu units), layer sizes like 64,32, or JSON layers like [{{\"units\": 64, \"activation\": \"relu\", \"dropout\": 0.1}}]",
                    w.progress()
                ),
                options: vec!["default".into()],
            }],
            Step::Training => vec![Reply::Choices {
                text: format!(
                    "{} — Epochs (10-200) and batch size (1-65536), e.g. \"100 32\", or \"default\" (200 epochs, batch 200, early stopping)",
                    w.progress()
                ),
                options: vec!["default".into()],
            }],
            Step::Confirm => {
                let features = w.features.as_ref().map_or("all usable columns".to_string(), |f| f.join(", "));
                let settings = if w.hyperparameters.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", Value::Object(w.hyperparameters.clone()))
                };
                vec![Reply::Choices {
                    text: format!(
                        "{} — Train {} to predict {} from {features}{settings}?",
                        w.progress(),
                        w.model.as_deref().unwrap_or("auto"),
                        w.target.as_deref().unwrap_or("?")
                    ),
                    options: vec!["yes".into(), "no".into()],
                }]
            }
        }
    }

    async fn wizard(&self, tenant: &Tenant, session: &mut Session, mut w: Wizard, answer: &str) -> Vec<Reply> {
        if w.step == Step::Confirm && no(answer) {
            return vec![text("OK, not trained. /train starts again.")];
        }
        if w.step == Step::Confirm && yes(answer) {
            return self.train(tenant, session, &w).await;
        }
        // An answer either moves the wizard on, or is explained and the step asked again.
        let mut reply = match self.apply_answer(tenant, session, &mut w, answer) {
            Ok(()) => Vec::new(),
            Err(problem) => vec![text(problem)],
        };
        reply.extend(self.prompt(tenant, session, &w));
        session.state = State::Train(w);
        reply
    }

    /// Records the answer to the current step and advances, or says what is wrong.
    fn apply_answer(&self, tenant: &Tenant, session: &Session, w: &mut Wizard, answer: &str) -> Result<(), String> {
        let columns = self.columns(tenant, session);
        match w.step {
            Step::Schema => {
                let a = answer.trim().to_lowercase();
                if yes(&a) || a == "accept" {
                    let (target, features) = w.suggested.clone().unwrap_or_default();
                    w.target = Some(target);
                    w.features = Some(features);
                    w.step = Step::Model;
                } else if a == "manual" || no(&a) {
                    w.step = Step::Target;
                } else {
                    let infos = match self.table(tenant, session) {
                        Some(Ok(t)) => t.columns(),
                        _ => Vec::new(),
                    };
                    let s = statbox_engine::schema::parse_user_schema(answer)
                        .and_then(|s| statbox_engine::schema::validate_user_schema(&s, &infos))
                        .map_err(|e| e.0)?;
                    w.target = Some(s.target);
                    w.features = if s.features.is_empty() { None } else { Some(s.features) };
                    w.step = Step::Model;
                }
            }
            Step::Target => {
                w.target = Some(pick_one(answer, &columns)?);
                w.step = Step::Features;
            }
            Step::Features => {
                let others: Vec<String> = columns.into_iter().filter(|c| Some(c) != w.target.as_ref()).collect();
                w.features = pick_many(answer, &others)?;
                w.step = Step::Model;
            }
            Step::Model => {
                let types: Vec<String> = MODEL_TYPES.iter().map(|s| s.to_string()).collect();
                w.model = Some(pick_one(answer, &types)?);
                w.step = if w.neural() { Step::Architecture } else { Step::Confirm };
            }
            Step::Architecture => {
                w.hyperparameters.extend(architecture(answer)?);
                w.step = Step::Training;
            }
            Step::Training => {
                w.hyperparameters.extend(epochs_and_batch(answer)?);
                w.step = Step::Confirm;
            }
            Step::Confirm => return Err("Please answer yes or no.".into()),
        }
        Ok(())
    }

    async fn train(&self, tenant: &Tenant, session: &Session, w: &Wizard) -> Vec<Reply> {
        let table: Arc<DataTable> = match session.data.as_ref().and_then(|d| d.deferred.clone()) {
            // Deferred: read the file now, only the target and the chosen features.
            Some(path) => {
                let columns = w.features.as_ref().map(|f| w.target.iter().chain(f).cloned().collect());
                let options = statbox_data::ReadOptions { columns, ..Default::default() };
                match self.engine.load_source(tenant, &path, &options).await {
                    Ok(t) => t,
                    Err(e) => return vec![error(&e)],
                }
            }
            None => match self.table(tenant, session) {
                Some(Ok(t)) => t,
                Some(Err(e)) => return vec![error(&e)],
                None => return vec![needs_data()],
            },
        };
        let mut params = Map::new();
        params.insert("target".into(), json!(w.target));
        params.insert("model".into(), json!(w.model.as_deref().unwrap_or("auto")));
        if let Some(f) = &w.features {
            params.insert("features".into(), json!(f));
        }
        if !w.hyperparameters.is_empty() {
            params.insert("hyperparameters".into(), Value::Object(w.hyperparameters.clone()));
        }
        match self.engine.train(tenant, TrainKind::Train, table, params, self.observer(tenant)).await {
            Ok(out) => vec![text(format!(
                "{}\n\nSaved as model {}. Next: \"Use model {} to make predictions\" after uploading new data, or /models.",
                out.run.reply.trim_end(),
                out.model.model_id,
                out.model.model_id
            ))],
            Err(e) => vec![error(&e)],
        }
    }
}

/// The model types numbered in [`MODEL_TYPES`] order, under their categories.
fn model_menu() -> String {
    let category = |i: usize| match MODEL_TYPES[i] {
        "auto" => "Automatic",
        "linear" | "ridge" | "lasso" | "elasticnet" | "polynomial" => "Regression",
        "mlp_regression" | "mlp_classification" => "Neural networks",
        "decision_tree" | "random_forest" | "gradient_boosting" => "Trees (regression or classification)",
        _ => "Classification",
    };
    let mut out = String::new();
    let mut last = "";
    for (i, name) in MODEL_TYPES.iter().enumerate() {
        let c = category(i);
        if c != last {
            out.push_str(&format!("{c}:\n"));
            last = c;
        }
        out.push_str(&format!("  {}. {name}\n", i + 1));
    }
    out.trim_end().to_string()
}

fn json_map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn needs_data() -> Reply {
    text("Upload a data file first: send a CSV, TSV, Excel (.xlsx), Parquet or JSON file, then ask again.")
}

fn error(e: &EngineError) -> Reply {
    match e.hint() {
        Some(h) => text(format!("Error: {e}\n{h}")),
        None => text(format!("Error: {e}")),
    }
}

const ACTIVATIONS: [&str; 6] = ["relu", "tanh", "sigmoid", "logistic", "identity", "linear"];

/// The architecture answer: `default`, layer sizes `64,32`, or JSON layers (checked here so
/// a mistake is explained at this step, not after training starts).
fn architecture(answer: &str) -> Result<Map<String, Value>, String> {
    let a = answer.trim();
    if a.eq_ignore_ascii_case("default") {
        return Ok(Map::new());
    }
    if a.starts_with('[') {
        let layers: Vec<Value> =
            serde_json::from_str(a).map_err(|e| format!("That is not a JSON list of layers: {e}."))?;
        if layers.is_empty() || layers.len() > 16 {
            return Err("Give 1 to 16 layers.".into());
        }
        for (i, l) in layers.iter().enumerate() {
            let n = i + 1;
            let units = l.get("units").and_then(Value::as_u64).ok_or(format!("Layer {n} needs \"units\" (1-4096)."))?;
            if !(1..=4096).contains(&units) {
                return Err(format!("Layer {n}: units must be 1 to 4096, got {units}."));
            }
            let act =
                l.get("activation").and_then(Value::as_str).ok_or(format!("Layer {n} needs an \"activation\"."))?;
            if !ACTIVATIONS.contains(&act) {
                return Err(format!("Layer {n}: activation must be one of {}.", ACTIVATIONS.join(", ")));
            }
            let dropout = l.get("dropout").and_then(Value::as_f64).unwrap_or(0.0);
            if !(0.0..0.95).contains(&dropout) {
                return Err(format!("Layer {n}: dropout must be in [0, 0.95), got {dropout}."));
            }
            if let Some(extra) =
                l.as_object().and_then(|o| o.keys().find(|k| !["units", "activation", "dropout"].contains(&k.as_str())))
            {
                return Err(format!("Layer {n}: unknown field \"{extra}\" (units, activation, dropout)."));
            }
        }
        return Ok(Map::from_iter([("architecture".to_string(), Value::Array(layers))]));
    }
    let sizes: Result<Vec<u64>, _> = a.split([',', ' ']).filter(|p| !p.is_empty()).map(str::parse::<u64>).collect();
    match sizes {
        Ok(s) if !s.is_empty() && s.len() <= 16 && s.iter().all(|u| (1..=4096).contains(u)) => {
            Ok(Map::from_iter([("hidden_layers".to_string(), json!(s))]))
        }
        _ => Err("Say default, layer sizes such as 64,32 (1-4096 units, up to 16 layers), or JSON layers.".into()),
    }
}

/// `default`, or `EPOCHS BATCH` / `EPOCHS`.
fn epochs_and_batch(answer: &str) -> Result<Map<String, Value>, String> {
    let a = answer.trim();
    if a.eq_ignore_ascii_case("default") {
        return Ok(Map::new());
    }
    let nums: Vec<&str> = a.split([',', ' ']).filter(|p| !p.is_empty()).collect();
    let parse = |s: &str| s.parse::<u64>().map_err(|_| format!("'{s}' is not a whole number."));
    let mut out = Map::new();
    match nums.as_slice() {
        [e] | [e, _] => {
            let epochs = parse(e)?;
            if !(10..=200).contains(&epochs) {
                return Err(format!("Epochs must be 10 to 200, got {epochs}."));
            }
            out.insert("epochs".into(), json!(epochs));
        }
        _ => return Err("Give epochs and, optionally, batch size, like 100 32.".into()),
    }
    if let [_, b] = nums.as_slice() {
        let batch = parse(b)?;
        if !(1..=65_536).contains(&batch) {
            return Err(format!("Batch size must be 1 to 65536, got {batch}."));
        }
        out.insert("batch_size".into(), json!(batch));
    }
    Ok(out)
}

/// One item by number (1-based) or name (case-insensitive).
fn pick_one(answer: &str, items: &[String]) -> Result<String, String> {
    let a = answer.trim();
    if let Ok(n) = a.parse::<usize>() {
        return items
            .get(n.wrapping_sub(1))
            .cloned()
            .ok_or_else(|| format!("{n} is not in the list (1-{}).", items.len()));
    }
    items.iter().find(|i| i.eq_ignore_ascii_case(a)).cloned().ok_or_else(|| format!("'{a}' is not one of the choices."))
}

/// Several items: `all`, names, numbers, ranges `1-5`, mixed, comma-separated. `None` = all.
fn pick_many(answer: &str, items: &[String]) -> Result<Option<Vec<String>>, String> {
    let a = answer.trim();
    if a.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let mut out: Vec<String> = Vec::new();
    for part in a.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((lo, hi)) = part.split_once('-')
            && let (Ok(lo), Ok(hi)) = (lo.trim().parse::<usize>(), hi.trim().parse::<usize>())
        {
            if lo == 0 || hi < lo || hi > items.len() {
                return Err(format!("{part} is not a range within 1-{}.", items.len()));
            }
            out.extend(items[lo - 1..hi].iter().cloned());
            continue;
        }
        out.push(pick_one(part, items)?);
    }
    if out.is_empty() {
        return Err("Name at least one feature, or say all.".into());
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|x| seen.insert(x.clone()));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_number_name_and_range() {
        let items: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_one("2", &items), Ok("b".into()));
        assert_eq!(pick_one("C", &items), Ok("c".into()));
        assert!(pick_one("9", &items).unwrap_err().contains("not in the list"));
        assert_eq!(pick_many("all", &items), Ok(None));
        assert_eq!(pick_many("1-2, d, 2", &items), Ok(Some(vec!["a".into(), "b".into(), "d".into()])));
        assert!(pick_many("3-9", &items).is_err());
        assert!(pick_many("zz", &items).is_err());
    }

    #[test]
    fn network_answers_are_checked() {
        assert_eq!(architecture("default"), Ok(Map::new()));
        assert_eq!(Value::Object(architecture("64, 32").unwrap()), json!({"hidden_layers": [64, 32]}));
        let custom = architecture(r#"[{"units": 8, "activation": "tanh", "dropout": 0.2}]"#).unwrap();
        assert_eq!(custom["architecture"][0]["units"], 8);
        assert!(
            architecture(r#"[{"units": 0, "activation": "relu"}]"#).unwrap_err().contains("units must be 1 to 4096")
        );
        assert!(architecture(r#"[{"units": 8, "activation": "swish"}]"#).unwrap_err().contains("activation must be"));
        assert!(
            architecture(r#"[{"units": 8, "activation": "relu", "size": 2}]"#).unwrap_err().contains("unknown field")
        );
        assert_eq!(Value::Object(epochs_and_batch("50 16").unwrap()), json!({"epochs": 50, "batch_size": 16}));
        assert!(epochs_and_batch("5000").unwrap_err().contains("10 to 200"));
        assert!(epochs_and_batch("50 0").unwrap_err().contains("Batch size"));
    }
}
