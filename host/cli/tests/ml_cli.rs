//! `statbox train / tune / predict / models`, end to end through the binary: every model
//! type trains and predicts, the stored model reproduces its own test metrics, errors are
//! sentences with what to do.

mod common;

use std::process::Output;

use common::{Setup, repo};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Small settings so all 13 types train in seconds.
fn quick_params(model: &str) -> Vec<&'static str> {
    match model {
        "random_forest" | "gradient_boosting" => vec!["-p", "n_estimators=20"],
        "mlp_regression" | "mlp_classification" => vec!["-p", "epochs=30", "-p", "hidden_layers=[16]"],
        _ => vec![],
    }
}

#[test]
fn every_model_type_trains_stores_and_predicts_its_own_test_metric() {
    let s = Setup::new();
    let regression = ["linear", "ridge", "lasso", "elasticnet", "polynomial", "mlp_regression"];
    let classification = ["logistic", "svm", "naive_bayes", "mlp_classification"];
    let both = ["decision_tree", "random_forest", "gradient_boosting"];
    let mut cases: Vec<(&str, &str, &str, &str)> = Vec::new();
    for m in regression {
        cases.push((m, "diabetes", "progression", "r2"));
    }
    for m in classification {
        cases.push((m, "iris", "species", "accuracy"));
    }
    for m in both {
        cases.push((m, "diabetes", "progression", "r2"));
        cases.push((m, "iris", "species", "accuracy"));
    }
    let out_dir = tempfile::tempdir().unwrap();
    for (model, data, target, metric) in cases {
        let file = format!("tests/fixtures/ml/{data}.csv");
        let mut args =
            vec!["train", "--data", &file, "--target", target, "--model", model, "-o", "split_column=split", "--json"];
        args.extend(quick_params(model));
        let trained = s.json(&args);
        let id = trained["model"]["model_id"].as_str().expect("model id").to_string();
        assert_eq!(trained["model"]["model_type"], model);
        let csv_path = out_dir.path().join(format!("{model}-{data}.csv"));
        let csv = csv_path.to_str().unwrap();
        let pred = s.json(&["predict", "--model", &id, "--data", &file, "--out", csv, "--json"]);
        // Recompute the test metric from the stored model's predictions: the round trip
        // (train → save → load → predict) must reproduce it exactly.
        let text = std::fs::read_to_string(&csv_path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
        let (t, p, sp) = (col(target), col(&format!("{target}_predicted")), col("split"));
        let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
        assert_eq!(rows.len(), pred["rows"].as_u64().unwrap() as usize);
        let test: Vec<&Vec<String>> = rows.iter().filter(|r| r[sp] == "test").collect();
        let recomputed = if metric == "accuracy" {
            test.iter().filter(|r| r[t] == r[p]).count() as f64 / test.len() as f64
        } else {
            let y: Vec<f64> = test.iter().map(|r| r[t].parse().unwrap()).collect();
            let yhat: Vec<f64> = test.iter().map(|r| r[p].parse().unwrap()).collect();
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            let ss_res: f64 = y.iter().zip(&yhat).map(|(a, b)| (a - b).powi(2)).sum();
            let ss_tot: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
            1.0 - ss_res / ss_tot
        };
        let stored = trained["metrics"]["test"][metric].as_f64().unwrap();
        assert!(
            (recomputed - stored).abs() < 1e-9,
            "{model} on {data}: predictions give {metric} {recomputed}, training reported {stored}"
        );
    }
    let list = s.json(&["models", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 16);
}

#[test]
fn auto_tune_and_model_management() {
    let s = Setup::new();
    let auto = s.json(&[
        "train",
        "--data",
        "tests/fixtures/ml/iris.csv",
        "--target",
        "species",
        "-o",
        "split_column=split",
        "--json",
    ]);
    let board = auto["search"]["leaderboard"].as_array().expect("leaderboard");
    assert_eq!(board.len(), 6, "logistic, naive_bayes, decision_tree, random_forest, gradient_boosting, svm");
    assert_eq!(auto["model_type"], board[0]["model"]);
    let scores: Vec<f64> = board.iter().map(|r| r["cv_mean"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked best first: {scores:?}");

    let tuned = s.json(&[
        "tune",
        "--data",
        "tests/fixtures/ml/iris.csv",
        "--target",
        "species",
        "--model",
        "decision_tree",
        "--space",
        r#"{"max_depth": [1, 2, 3]}"#,
        "--cv",
        "3",
        "--json",
    ]);
    let table = tuned["search"]["table"].as_array().expect("search table");
    assert_eq!(table.len(), 3);
    assert_eq!(tuned["search"]["best_params"]["max_depth"], table[0]["params"]["max_depth"]);
    // Depth 1 cannot separate three classes: it ranks last.
    assert_eq!(table[2]["params"]["max_depth"], 1);
    let random = s.json(&[
        "tune",
        "--data",
        "tests/fixtures/ml/diabetes.csv",
        "--target",
        "progression",
        "--model",
        "ridge",
        "--search",
        "random",
        "--n-iter",
        "4",
        "--space",
        r#"{"alpha": {"min": 0.001, "max": 100, "log": true}}"#,
        "--json",
    ]);
    assert_eq!(random["search"]["table"].as_array().unwrap().len(), 4);

    let list = s.json(&["models", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let id = auto["model"]["model_id"].as_str().unwrap();
    let shown = s.json(&["models", "show", id, "--json"]);
    assert_eq!(shown["target"], "species");
    assert_eq!(shown["plugin"]["name"], "ml");
    assert_eq!(shown["plugin"]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(shown["features"].as_array().unwrap().len(), 4);
    let o = s.run(&["models", "delete", id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = s.run(&["models", "show", id]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("No model"), "{}", stderr(&o));
}

#[test]
fn bad_requests_are_explained() {
    let s = Setup::new();
    let cases: [(&[&str], &str); 5] = [
        (
            &["train", "--data", "tests/fixtures/ml/iris.csv", "--target", "species", "--model", "xgboost"],
            "must be one of auto, linear",
        ),
        (
            &[
                "train",
                "--data",
                "tests/fixtures/ml/iris.csv",
                "--target",
                "species",
                "--model",
                "random_forest",
                "-p",
                "n_estimators=5000",
            ],
            "between 10 and 500",
        ),
        (
            &[
                "train",
                "--data",
                "tests/fixtures/ml/iris.csv",
                "--target",
                "species",
                "--model",
                "svm",
                "-p",
                "n_trees=5",
            ],
            "Unknown hyperparameter 'n_trees' for svm. Allowed: C, coef0, degree, gamma, kernel, max_iter",
        ),
        (&["train", "--data", "tests/fixtures/ml/iris.csv", "--target", "specie"], "Did you mean 'species'?"),
        (&["predict", "--model", "../../etc", "--data", "tests/fixtures/ml/iris.csv"], "is not a model id"),
    ];
    for (args, expected) in cases {
        let o = s.run(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn chat_reads_a_piped_conversation_and_saves_figures_and_files() {
    let s = Setup::new();
    let out = s.dir.path().join("out");
    let out_arg = out.display().to_string();
    let script =
        "Show correlation between sepal length (cm) and petal length (cm)\n/train\nspecies\n1-4\nnaive_bayes\nyes\n";
    let o = s.chat(&["--data", "tests/fixtures/ml/iris.csv", "--out", &out_arg], script);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    for needle in
        ["Loaded iris.csv: 150 rows", "you> /train", "Step 5/5", "Saved as model m", "figure: Pearson correlation"]
    {
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    }
    assert!(out.join("pearson-correlation.svg").is_file());
    // A second session continues the same conversation state (the wizard finished, so idle)
    // and sees the model; prediction writes the CSV file.
    let id = text.split("Saved as model ").nth(1).and_then(|r| r.split('.').next()).expect("model id").to_string();
    let o = s.chat(
        &["--data", "tests/fixtures/ml/iris.csv", "--out", &out_arg],
        &format!("Use model {id} to make predictions\n"),
    );
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains(&format!("file: {}", out.join(format!("predictions-{id}.csv")).display())), "{text}");
    assert!(out.join(format!("predictions-{id}.csv")).is_file());
}

/// Replaces what changes between runs: model ids and the output directory.
fn normalise_transcript(text: &str, out_dir: &str) -> String {
    let mut s = text.replace(out_dir, "<out>");
    let bytes: Vec<char> = s.chars().collect();
    let mut result = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let candidate: String = bytes[i..bytes.len().min(i + 23)].iter().collect();
        let looks_like_id = candidate.len() == 23
            && candidate.starts_with('m')
            && candidate[1..9].chars().all(|c| c.is_ascii_digit())
            && &candidate[9..10] == "-"
            && candidate[10..16].chars().all(|c| c.is_ascii_digit())
            && &candidate[16..17] == "-"
            && candidate[17..].chars().all(|c| c.is_ascii_hexdigit());
        if looks_like_id {
            result.push_str("<model-id>");
            i += 23;
        } else {
            result.push(bytes[i]);
            i += 1;
        }
    }
    s = result;
    s
}

/// Golden transcripts: `tests/transcripts/<name>.in` piped into `statbox chat`, stdout
/// compared with `<name>.out` (model ids and paths normalised). `STATBOX_BLESS=1` rewrites
/// the expected files after a deliberate change.
#[test]
fn chat_transcripts_match_golden_files() {
    let cases = [("statistics", "tests/fixtures/sales.csv"), ("wizard", "tests/fixtures/ml/iris.csv")];
    for (name, data) in cases {
        let s = Setup::new();
        let out = s.dir.path().join("out");
        let out_arg = out.display().to_string();
        let dir = repo().join("tests/transcripts");
        let script = std::fs::read_to_string(dir.join(format!("{name}.in"))).expect("transcript input");
        let o = s.chat(&["--data", data, "--out", &out_arg], &script);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let got = normalise_transcript(&String::from_utf8_lossy(&o.stdout), &out_arg);
        let expected_path = dir.join(format!("{name}.out"));
        if std::env::var_os("STATBOX_BLESS").is_some() {
            std::fs::write(&expected_path, &got).expect("bless");
            continue;
        }
        let expected =
            std::fs::read_to_string(&expected_path).expect("expected transcript (STATBOX_BLESS=1 writes it)");
        if got != expected {
            let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{name}: transcript differs from {} at line {}:\n  got:      {:?}\n  expected: {:?}",
                expected_path.display(),
                first + 1,
                got.lines().nth(first),
                expected.lines().nth(first)
            );
        }
    }
}
