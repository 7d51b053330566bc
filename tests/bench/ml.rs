//! (g) training every model type: statbox in the sandbox (through the engine, model saved)
//! vs the same Rust code called natively vs scikit-learn, on the same generated data
//! (make_regression / make_classification, 20 features, 80/20 split in table order).
//!
//! Sizes: `rows` for most types. SVMs are quadratic in rows and run on 5,000; polynomial
//! (230 terms) and the networks on 20,000. Forests and single trees are capped at depth 12
//! on both sides so a 100-tree forest stays under the model-size limit. Networks run 20
//! epochs without early stopping on both sides. Timed: the fit plus statbox's train and
//! test metrics (scikit-learn's side times `fit` alone); feature importance is off, since
//! scikit-learn's fit computes none.

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};
use statbox_engine::{Engine, Tenant, TrainKind};
use statbox_ml::models::{ModelKind, Task, resolve_params};
use statbox_ml::pipeline::{self, Balance, Settings, TargetColumn, TrainData};
use statbox_ml::preprocess::{Missing, RawColumn, RawFeatures, Scaling};
use statbox_runtime::TableSource;

struct Case {
    model: &'static str,
    task: &'static str,
    rows: usize,
    params: Value,
    sklearn: Value,
}

fn cases(rows: usize) -> Vec<Case> {
    let small = rows.min(20_000);
    let svm_rows = rows.min(5_000);
    let tree = json!({"max_depth": 12});
    let forest = json!({"n_estimators": 100, "max_depth": 12});
    let mlp =
        json!({"hidden_layers": [100], "epochs": 20, "batch_size": 200, "early_stopping": false, "patience": 200});
    let mlp_sk = json!({"hidden_layers": [100], "epochs": 20, "batch_size": 200});
    let c = |model, task, rows, params: &Value, sklearn: &Value| Case {
        model,
        task,
        rows,
        params: params.clone(),
        sklearn: sklearn.clone(),
    };
    let none = json!({});
    vec![
        c("linear", "regression", rows, &none, &none),
        c("ridge", "regression", rows, &json!({"alpha": 1.0}), &json!({"alpha": 1.0})),
        c("lasso", "regression", rows, &json!({"alpha": 0.1}), &json!({"alpha": 0.1})),
        c(
            "elasticnet",
            "regression",
            rows,
            &json!({"alpha": 0.1, "l1_ratio": 0.5}),
            &json!({"alpha": 0.1, "l1_ratio": 0.5}),
        ),
        c("polynomial", "regression", small, &json!({"degree": 2}), &json!({"degree": 2})),
        c("decision_tree", "regression", rows, &tree, &tree),
        c("random_forest", "regression", rows, &forest, &forest),
        c("gradient_boosting", "regression", rows, &none, &none),
        c("mlp_regression", "regression", small, &mlp, &mlp_sk),
        c("logistic", "classification", rows, &none, &none),
        c("decision_tree", "classification", rows, &tree, &tree),
        c("random_forest", "classification", rows, &forest, &forest),
        c("gradient_boosting", "classification", rows, &none, &none),
        c("svm", "classification", svm_rows, &none, &none),
        c("naive_bayes", "classification", rows, &none, &none),
        c("mlp_classification", "classification", small, &mlp, &mlp_sk),
    ]
}

fn key(c: &Case) -> String {
    format!("{}/{}", c.task, c.model)
}

/// The first `n` rows of a loaded table as the pipeline's input, with the split column.
fn native_data(table: &dyn TableSource, n: usize, task: &str) -> anyhow::Result<TrainData> {
    let names: Vec<String> = (0..20).map(|i| format!("x{i}")).collect();
    let mut columns = Vec::new();
    for name in &names {
        let mut v = table.numeric(name).map_err(anyhow::Error::msg)?;
        v.truncate(n);
        columns.push(RawColumn::Numeric(v));
    }
    let target = if task == "regression" {
        let mut v = table.numeric("y").map_err(anyhow::Error::msg)?;
        v.truncate(n);
        TargetColumn::Numeric(v)
    } else {
        let (codes, labels) = table.categorical("y").map_err(anyhow::Error::msg)?;
        TargetColumn::Labels(codes.iter().take(n).map(|c| c.map(|k| labels[k as usize].clone())).collect())
    };
    let cut = (n as f64 * 0.8) as usize;
    Ok(TrainData {
        features: RawFeatures { names, columns, rows: n },
        target_name: "y".into(),
        target,
        test_rows: Some((0..n).map(|i| i >= cut).collect()),
    })
}

pub fn run(rows: usize, python: Option<&std::path::PathBuf>) -> anyhow::Result<()> {
    let Some(py) = python else {
        println!("(g) ML training: skipped (needs --python with scikit-learn to generate the data)");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let only = std::env::var("STATBOX_BENCH_ML_ONLY").ok();
    let cases: Vec<Case> = cases(rows)
        .into_iter()
        .filter(|c| only.as_deref().is_none_or(|o| o.split(',').any(|m| m == c.model)))
        .collect();
    let spec: Vec<Value> = cases
        .iter()
        .map(|c| json!({"key": key(c), "model": c.model, "task": c.task, "rows": c.rows, "sklearn_params": c.sklearn}))
        .collect();
    eprintln!("(g) ML: generating {rows} rows and fitting scikit-learn ...");
    let script = statbox_tests::repo_root().join("tests/bench/ml_bench.py");
    let out = Command::new(py)
        .arg(&script)
        .arg(rows.to_string())
        .arg(dir.path())
        .arg(serde_json::to_string(&spec)?)
        .output()
        .context("running ml_bench.py")?;
    anyhow::ensure!(out.status.success(), "ml_bench.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let sklearn: Value = serde_json::from_slice(&out.stdout).context("ml_bench.py output")?;

    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut config = statbox_tests::test_config();
    config.runtime.cache_dir = Some(std::env::temp_dir().join("statbox-bench-cache"));
    let engine: Engine = tokio.block_on(Engine::start(config))?;
    let tenant = Tenant::local();
    let load = |name: &str| engine.load_path(&tenant, &dir.path().join(format!("{name}.csv")));
    let (reg, clf) = (load("regression")?, load("classification")?);

    println!("\n(g) training, 20 features, 80/20 split; fit time (statbox: sandbox call incl. saving the model)");
    println!(
        "    {:<34} {:>7} {:>10} {:>10} {:>10} {:>8} {:>8} {:>9} {:>9}",
        "model", "rows", "statbox", "native", "sklearn", "sb/nat", "sb/sk", "score sb", "score sk"
    );
    for c in &cases {
        let table = if c.task == "regression" { reg.clone() } else { clf.clone() };
        let sliced: Arc<dyn TableSource> = if c.rows < table.row_count() as usize {
            let full = table.to_csv_with(vec![]).map_err(anyhow::Error::msg)?;
            engine.load_bytes(&tenant, "slice.csv", slice_csv(&full, c.rows)?)?
        } else {
            table.clone()
        };
        let params = json!({
            "target": "y", "model": c.model, "hyperparameters": c.params, "split_column": "split", "task": c.task,
            "importance": false,
        });
        let t = Instant::now();
        let trained = tokio
            .block_on(engine.train(
                &tenant,
                TrainKind::Train,
                sliced.clone(),
                params.as_object().cloned().unwrap_or_default(),
                None,
            ))
            .with_context(|| format!("statbox {}", key(c)))?;
        let sandbox_s = t.elapsed().as_secs_f64();
        let primary = if c.task == "regression" { "r2" } else { "accuracy" };
        let score = trained.run.result["metrics"]["test"][primary].as_f64().unwrap_or(f64::NAN);

        let kind = ModelKind::parse(c.model).context("model kind")?;
        let task = if c.task == "regression" { Task::Regression } else { Task::Classification };
        let data = native_data(sliced.as_ref(), c.rows, c.task)?;
        let settings = Settings {
            task,
            test_size: 0.2,
            cv: 0,
            random_state: 42,
            missing: Missing::Mean,
            fill_value: 0.0,
            scaling: Scaling::Standard,
            remove_outliers: false,
            balance: Balance::None,
            min_training_samples: 10,
            drop_missing_target: false,
            importance: false,
        };
        let hp = resolve_params(kind, &c.params).map_err(anyhow::Error::msg)?;
        let t = Instant::now();
        let native =
            pipeline::train(kind, &hp, &data, &settings, &mut |_, _, _| {}).map_err(|e| anyhow::anyhow!("{e}"))?;
        let native_s = t.elapsed().as_secs_f64();
        std::hint::black_box(native.report);

        let sk = &sklearn[key(c)];
        let sk_s = sk["fit_s"].as_f64().unwrap_or(f64::NAN);
        let sk_score = sk["score"].as_f64().unwrap_or(f64::NAN);
        println!(
            "    {:<34} {:>7} {:>9.2}s {:>9.2}s {:>9.2}s {:>7.2}x {:>7.2}x {:>9.4} {:>9.4}",
            key(c),
            c.rows,
            sandbox_s,
            native_s,
            sk_s,
            sandbox_s / native_s,
            sandbox_s / sk_s,
            score,
            sk_score
        );
    }
    Ok(())
}

/// The header and first `n` rows of the generated CSV, with the last column (`split`)
/// rewritten so the slice has its own 80/20 split, as scikit-learn's side does.
fn slice_csv(text: &[u8], n: usize) -> anyhow::Result<Vec<u8>> {
    let text = std::str::from_utf8(text)?;
    let cut = (n as f64 * 0.8) as usize;
    let mut out = String::new();
    for (k, line) in text.lines().take(n + 1).enumerate() {
        if k == 0 {
            out.push_str(line);
        } else {
            let (fields, _) = line.rsplit_once(',').context("a row with a split column")?;
            out.push_str(fields);
            out.push_str(if k - 1 < cut { ",train" } else { ",test" });
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}
