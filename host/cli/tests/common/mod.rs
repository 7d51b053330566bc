//! What the binary's tests share: the shipped configuration pointed at this build's plugins
//! and private stores.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// The shipped configuration with this build's plugins and a private model store.
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let plugins = dir.path().join("plugins");
        std::fs::create_dir(&plugins).expect("plugins dir");
        std::fs::copy(statbox_guest_artifacts::ML_WASM, plugins.join("ml.wasm")).expect("copy ml");
        std::fs::copy(statbox_guest_artifacts::STATS_WASM, plugins.join("stats.wasm")).expect("copy stats");
        let shipped = std::fs::read_to_string(repo().join("config/default.toml")).expect("default.toml");
        let config = shipped
            .replace("plugin_dirs = [\"../plugins\"]", &format!("plugin_dirs = [{:?}]", plugins.display().to_string()))
            .replace("dir = \"../templates\"", &format!("dir = {:?}", repo().join("templates").display().to_string()))
            .replace(
                "# dir = \"/var/lib/statbox/models\"",
                &format!("dir = {:?}", dir.path().join("models").display().to_string()),
            )
            .replace(
                "# database = \"/var/lib/statbox/conversations.sqlite\"",
                &format!("database = {:?}", dir.path().join("chat.sqlite").display().to_string()),
            )
            .replace(
                "# uploads_dir = \"/var/lib/statbox/uploads\"",
                &format!("uploads_dir = {:?}", dir.path().join("uploads").display().to_string()),
            );
        assert_ne!(config, shipped, "config placeholders changed");
        std::fs::write(dir.path().join("statbox.toml"), config).expect("write config");
        Setup { dir }
    }

    /// `statbox --config <this setup> ARGS`, run from the repository root.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_statbox"));
        c.current_dir(repo()).arg("--config").arg(self.dir.path().join("statbox.toml")).args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("statbox runs")
    }

    pub fn chat(&self, args: &[&str], script: &str) -> Output {
        use std::io::Write;
        let mut all = vec!["chat"];
        all.extend_from_slice(args);
        let mut child = self
            .command(&all)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("statbox chat starts");
        child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script written");
        child.wait_with_output().expect("statbox chat ends")
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let o = self.run(args);
        assert!(o.status.success(), "statbox {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("statbox {args:?}: stdout is not JSON: {e}"))
    }
}
