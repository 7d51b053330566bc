//! A hostile plugin. Every operation misbehaves in one way; the runtime's tests run each
//! and assert that the sandbox stops it with its own clear error and keeps serving.
//!
//! Never install this plugin anywhere but a test.

use std::hint::black_box;

use statbox_sdk::{Input, Level, Operation, Output, Plugin, PluginError, Value, json};

pub struct Evil;

fn no_params() -> Value {
    json!({"type": "object"})
}

impl Plugin for Evil {
    const NAME: &'static str = "evil";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Hostile operations for sandbox tests.";

    fn operations() -> Vec<Operation> {
        vec![
            Operation::new("spin", "Loops forever", no_params(), spin),
            Operation::new("memory_bomb", "Allocates until the memory runs out", no_params(), memory_bomb),
            Operation::new("recurse", "Recurses without end", no_params(), recurse),
            Operation::new("flood", "Returns a 24 MiB result", no_params(), flood),
            Operation::new("log_flood", "Sends a million log lines", no_params(), log_flood),
            Operation::new("stderr_flood", "Writes 64 MiB to stderr", no_params(), stderr_flood),
            Operation::new("panic", "Panics", no_params(), panic),
            Operation::new("read_passwd", "Tries to read /etc/passwd", no_params(), read_passwd),
            Operation::new("connect", "Tries to open a TCP connection to params.addr", no_params(), connect),
            Operation::new("env", "Reports the environment variables and arguments it sees", no_params(), env),
            Operation::new("clock", "Reports the time it sees", no_params(), clock),
            Operation::new("bad_json", "Returns a result that is not JSON", no_params(), bad_json),
        ]
    }
}

fn spin(_: &Input) -> Result<Output, PluginError> {
    let mut x: u64 = 0;
    loop {
        x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

fn memory_bomb(_: &Input) -> Result<Output, PluginError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; 16 << 20];
        chunk[0] = 1;
        hoard.push(black_box(chunk));
    }
}

#[inline(never)]
#[allow(unconditional_recursion)]
fn deeper(n: u64) -> u64 {
    // Not a tail call, so every level keeps a frame.
    black_box(deeper(black_box(n + 1))) ^ n
}

fn recurse(_: &Input) -> Result<Output, PluginError> {
    let v = deeper(0);
    Output::json(&json!({ "depth": v }))
}

fn flood(_: &Input) -> Result<Output, PluginError> {
    let big = "x".repeat(24 << 20);
    Output::json(&json!({ "data": big }))
}

fn log_flood(_: &Input) -> Result<Output, PluginError> {
    for i in 0..1_000_000u32 {
        statbox_sdk::log(Level::Info, &format!("line {i} {}", "y".repeat(100)));
    }
    Output::json(&json!({ "sent": 1_000_000 }))
}

fn stderr_flood(_: &Input) -> Result<Output, PluginError> {
    let line = "z".repeat(1 << 20);
    for _ in 0..64 {
        eprintln!("{line}");
    }
    Output::json(&json!({ "written_mib": 64 }))
}

fn panic(_: &Input) -> Result<Output, PluginError> {
    panic!("evil plugin panicked on purpose");
}

fn read_passwd(_: &Input) -> Result<Output, PluginError> {
    match std::fs::read_to_string("/etc/passwd") {
        Ok(text) => Output::json(&json!({ "passwd": text })),
        Err(e) => Err(PluginError::not_found(format!("could not read /etc/passwd: {e}"))),
    }
}

fn connect(input: &Input) -> Result<Output, PluginError> {
    let addr = input.raw_params.get("addr").and_then(Value::as_str).unwrap_or("127.0.0.1:80").to_string();
    match std::net::TcpStream::connect(&addr) {
        Ok(_) => Output::json(&json!({ "connected": addr })),
        Err(e) => Err(PluginError::unsupported(format!("could not connect to {addr}: {e}"))),
    }
}

fn env(_: &Input) -> Result<Output, PluginError> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let args: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().map(|p| p.display().to_string()).ok();
    Output::json(&json!({ "vars": vars, "args": args, "cwd": cwd }))
}

fn clock(_: &Input) -> Result<Output, PluginError> {
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let t0 = std::time::Instant::now();
    let mut x = 0u64;
    for i in 0..1_000_000u64 {
        x = black_box(x + i);
    }
    Output::json(&json!({ "unix_seconds": wall, "elapsed_ns": t0.elapsed().as_nanos() as u64, "x": x }))
}

fn bad_json(_: &Input) -> Result<Output, PluginError> {
    Ok(Output { json: "{not json".into(), figures: vec![], artifacts: vec![] })
}

#[cfg(target_arch = "wasm32")]
statbox_sdk::export_plugin!(Evil);
