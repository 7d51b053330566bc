//! Builds the guest plugins (stats, evil) for wasm32-wasip2 and writes their paths into
//! `$OUT_DIR/artifacts.rs`, so tests always run the plugins built from the current source.
//!
//! The nested cargo uses its own target directory (`<target>/guests`) to avoid waiting on
//! the outer build's lock; `make guests` builds into the same directory, so the work is
//! shared.

use std::path::{Path, PathBuf};
use std::process::Command;

const GUESTS: [(&str, &str); 3] =
    [("statbox-stats", "statbox_stats"), ("statbox-ml", "statbox_ml"), ("statbox-evil", "statbox_evil")];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../..").canonicalize().expect("workspace root");
    for watched in [
        "guest-modules/sdk",
        "guest-modules/stats",
        "guest-modules/ml",
        "guest-modules/evil",
        "wit",
        "Cargo.lock",
        ".cargo/config.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let target_dir = guest_target_dir(&out_dir);

    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&root).args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"]).arg(&target_dir);
    for (package, _) in GUESTS {
        cmd.args(["-p", package]);
    }
    // Flags meant for the host build must not leak into the guest build.
    for var in
        ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR", "RUSTC_WORKSPACE_WRAPPER"]
    {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("running cargo for the guest plugins");
    if !status.success() {
        panic!(
            "building the guest plugins failed; is the target installed? run `rustup target add wasm32-wasip2` (or `make setup`)"
        );
    }

    let mut code = String::new();
    for (package, lib) in GUESTS {
        let path = target_dir.join("wasm32-wasip2/release").join(format!("{lib}.wasm"));
        assert!(path.is_file(), "{package} built but {} is missing", path.display());
        let konst = lib.trim_start_matches("statbox_").to_uppercase();
        code.push_str(&format!(
            "/// Path of the `{package}` component.\npub const {konst}_WASM: &str = {:?};\n",
            path.display().to_string()
        ));
    }
    std::fs::write(out_dir.join("artifacts.rs"), code).expect("writing artifacts.rs");
}

/// `<target>/guests`, where `<target>` is the outer build's target directory
/// (OUT_DIR is `<target>/<profile>/build/<pkg>-<hash>/out`).
fn guest_target_dir(out_dir: &Path) -> PathBuf {
    let target = out_dir.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| out_dir.join("t"));
    target.join("guests")
}
