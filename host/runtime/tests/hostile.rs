//! Hostile plugins against the sandbox. Each test asserts the specific error (kind and
//! message) and that the same runtime then serves a normal call.

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::json;
use statbox_runtime::{Call, CallError, CallOutput, Limits, MemoryTable, PluginErrorKind, Runtime, RuntimeConfig};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime").block_on(f)
}

/// One runtime for the whole file, like a long-running host serving many calls.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let rt = Runtime::new(RuntimeConfig {
            cache_dir: Some(std::env::temp_dir().join("statbox-test-compile-cache")),
            ..Default::default()
        })
        .expect("runtime");
        block_on(async {
            rt.load_plugin_file(Path::new(statbox_guest_artifacts::STATS_WASM)).await.expect("stats loads");
            rt.load_plugin_file(Path::new(statbox_guest_artifacts::EVIL_WASM)).await.expect("evil loads");
        });
        rt
    })
}

fn table() -> Arc<MemoryTable> {
    Arc::new(MemoryTable::new().with_numeric("x", vec![1.0, 2.0, 3.0]))
}

fn call_with(operation: &str, params: serde_json::Value, limits: Limits) -> Result<CallOutput, CallError> {
    block_on(runtime().call(Call::new("evil", operation, params, table(), limits)))
}

fn call_evil(operation: &str, limits: Limits) -> Result<CallOutput, CallError> {
    call_with(operation, json!({}), limits)
}

/// The host is alive and the next normal call works.
fn assert_alive() {
    let out = block_on(runtime().call(Call::new("stats", "count", json!({}), table(), Limits::default())))
        .expect("a normal call after a hostile one");
    assert_eq!(out.json, json!({"rows": 3, "columns": 1}));
}

#[test]
fn infinite_loop_is_stopped_by_fuel() {
    let limits = Limits { fuel: 100_000_000, wall_time_ms: 120_000, ..Limits::default() };
    let err = call_evil("spin", limits).unwrap_err();
    assert!(matches!(err, CallError::FuelExhausted { fuel: 100_000_000, .. }), "{err:?}");
    assert_eq!(err.to_string(), "evil.spin exceeded its compute budget of 1e8 fuel");
    assert_alive();
}

#[test]
fn infinite_loop_is_stopped_by_the_wall_clock() {
    let limits = Limits { fuel: u64::MAX, wall_time_ms: 300, ..Limits::default() };
    let started = std::time::Instant::now();
    let err = call_evil("spin", limits).unwrap_err();
    assert!(matches!(err, CallError::Timeout { ms: 300, .. }), "{err:?}");
    assert_eq!(err.to_string(), "evil.spin exceeded its time limit of 300 ms");
    assert!(started.elapsed().as_secs() < 10, "deadline enforced promptly");
    assert_alive();
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    let limits = Limits { memory_mib: 64, ..Limits::default() };
    let err = call_evil("memory_bomb", limits).unwrap_err();
    assert!(matches!(err, CallError::MemoryExceeded { limit_mib: 64, .. }), "{err:?}");
    assert_eq!(err.to_string(), "evil.memory_bomb exceeded the 64 MiB memory limit");
    assert_alive();
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let err = call_evil("recurse", Limits::default()).unwrap_err();
    assert!(matches!(err, CallError::StackOverflow { .. }), "{err:?}");
    assert_eq!(err.to_string(), "evil.recurse overflowed its stack (recursion too deep)");
    assert_alive();
}

#[test]
fn output_flood_is_refused() {
    let err = call_evil("flood", Limits::default()).unwrap_err();
    match &err {
        CallError::OutputTooLarge { size, limit_mib: 16, .. } => assert!(*size > 24 << 20),
        other => panic!("expected OutputTooLarge, got {other:?}"),
    }
    assert!(err.to_string().starts_with("evil.flood returned "), "{err}");
    assert!(err.to_string().ends_with("more than its output limit of 16 MiB"), "{err}");
    assert_alive();
}

#[test]
fn log_flood_is_capped_not_stored() {
    let limits = Limits { log_lines: 50, fuel: 50_000_000_000, ..Limits::default() };
    let out = call_evil("log_flood", limits).expect("log flood completes");
    assert_eq!(out.logs.len(), 50);
    assert_eq!(out.dropped_logs, 1_000_000 - 50);
    assert_alive();
}

#[test]
fn stderr_flood_is_truncated() {
    let out = call_evil("stderr_flood", Limits::default()).expect("stderr flood completes");
    assert_eq!(out.json, json!({"written_mib": 64}));
    assert_alive();
}

#[test]
fn panic_reports_its_message() {
    let err = call_evil("panic", Limits::default()).unwrap_err();
    match &err {
        CallError::Panicked { message, .. } => {
            assert!(message.starts_with("evil plugin panicked on purpose (at "), "{message}")
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert!(err.to_string().starts_with("evil.panic crashed: evil plugin panicked on purpose"));
    assert_alive();
}

#[test]
fn filesystem_is_not_visible() {
    let err = call_evil("read_passwd", Limits::default()).unwrap_err();
    match &err {
        CallError::Plugin { kind: PluginErrorKind::NotFound, message, .. } => {
            assert!(message.starts_with("could not read /etc/passwd:"), "{message}")
        }
        other => panic!("the guest must not read /etc/passwd, got {other:?}"),
    }
    assert_alive();
}

#[test]
fn network_is_not_reachable() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr").to_string();
    let err = call_with("connect", json!({ "addr": addr }), Limits::default()).unwrap_err();
    match &err {
        CallError::Plugin { kind: PluginErrorKind::Unsupported, message, .. } => {
            assert!(message.starts_with(&format!("could not connect to {addr}:")), "{message}")
        }
        other => panic!("the guest must not connect, got {other:?}"),
    }
    assert!(listener.accept().is_err(), "no connection reached the listener");
    assert_alive();
}

#[test]
fn environment_and_arguments_are_empty() {
    // SAFETY: set before any thread of this test reads the environment; the value is
    // only checked for absence in the guest.
    unsafe { std::env::set_var("STATBOX_SECRET_FOR_TEST", "hunter2") };
    let out = call_evil("env", Limits::default()).expect("env runs");
    assert_eq!(out.json["vars"], json!([]));
    assert_eq!(out.json["args"], json!([]));
    assert!(!out.json.to_string().contains("hunter2"));
    assert_alive();
}

#[test]
fn clocks_are_frozen_for_reproducibility() {
    let a = call_evil("clock", Limits::default()).expect("clock runs");
    let b = call_evil("clock", Limits::default()).expect("clock runs");
    assert_eq!(a.json["unix_seconds"], json!(946_684_800));
    assert_eq!(a.json["elapsed_ns"], json!(0));
    assert_eq!(a.json, b.json);
}

#[test]
fn invalid_result_json_is_reported() {
    let err = call_evil("bad_json", Limits::default()).unwrap_err();
    assert!(matches!(err, CallError::InvalidOutput { .. }), "{err:?}");
    assert!(err.to_string().starts_with("evil.bad_json returned an invalid result: its JSON does not parse"));
    assert_alive();
}

#[test]
fn unknown_plugins_and_operations_list_what_exists() {
    let err = block_on(runtime().call(Call::new("nope", "x", json!({}), table(), Limits::default()))).unwrap_err();
    assert_eq!(err.to_string(), "No plugin named 'nope' is installed. Installed: evil, stats");
    let err = block_on(runtime().call(Call::new("stats", "nope", json!({}), table(), Limits::default()))).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("Plugin 'stats' has no operation 'nope'. Its operations: describe, "), "{message}");
    assert!(message.ends_with(", count"), "{message}");
}

#[test]
fn garbage_is_not_loaded() {
    let err = block_on(runtime().load_plugin_bytes(b"definitely not wasm", Path::new("junk.wasm"))).unwrap_err();
    assert!(err.to_string().starts_with("junk.wasm is not a valid WebAssembly component"), "{err}");
    assert_alive();
}

#[test]
fn concurrent_hostile_and_normal_calls() {
    block_on(async {
        let spin = runtime().call(Call::new(
            "evil",
            "spin",
            json!({}),
            table(),
            Limits { fuel: u64::MAX, wall_time_ms: 500, ..Limits::default() },
        ));
        let normal = runtime().call(Call::new("stats", "count", json!({}), table(), Limits::default()));
        let (spin, normal) = tokio::join!(spin, normal);
        assert!(matches!(spin, Err(CallError::Timeout { .. })));
        assert_eq!(normal.expect("normal call").json["rows"], json!(3));
    });
}
