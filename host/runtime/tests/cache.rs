//! The compiled-code cache: the second start loads the precompiled artifact.

use std::path::Path;

use statbox_runtime::{CURRENT_API_VERSION, CompileSource, Runtime, RuntimeConfig};

#[tokio::test]
async fn second_start_uses_the_compiled_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = RuntimeConfig { cache_dir: Some(dir.path().to_path_buf()), ..Default::default() };
    let stats = Path::new(statbox_guest_artifacts::STATS_WASM);

    let first = Runtime::new(config.clone()).expect("runtime");
    let info = first.load_plugin_file(stats).await.expect("loads");
    assert_eq!(info.compile, CompileSource::Compiled);
    assert_eq!(info.name, "stats");
    assert_eq!(info.api_version, CURRENT_API_VERSION);
    assert!(info.operation("describe").is_some());

    let second = Runtime::new(config).expect("runtime");
    let info = second.load_plugin_file(stats).await.expect("loads");
    assert_eq!(info.compile, CompileSource::Cached);

    // A corrupt entry is rebuilt, not fatal.
    for entry in std::fs::read_dir(dir.path()).expect("cache dir") {
        std::fs::write(entry.expect("entry").path(), b"garbage").expect("corrupt");
    }
    let third = Runtime::new(RuntimeConfig { cache_dir: Some(dir.path().to_path_buf()), ..Default::default() })
        .expect("runtime");
    assert_eq!(third.load_plugin_file(stats).await.expect("loads").compile, CompileSource::Compiled);
}

#[tokio::test]
async fn plugin_dirs_are_scanned_and_bad_files_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(statbox_guest_artifacts::STATS_WASM, dir.path().join("stats.wasm")).expect("copy");
    std::fs::write(dir.path().join("broken.wasm"), b"\0asm garbage").expect("write");
    std::fs::write(dir.path().join("notes.txt"), b"ignored").expect("write");
    let rt = Runtime::new(RuntimeConfig {
        plugin_dirs: vec![dir.path().to_path_buf(), dir.path().join("missing")],
        ..Default::default()
    })
    .expect("runtime");
    let report = rt.load_plugin_dirs().await;
    assert_eq!(report.loaded.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["stats"]);
    assert_eq!(report.failures.len(), 1);
    assert!(report.failures[0].to_string().contains("broken.wasm"));
}
