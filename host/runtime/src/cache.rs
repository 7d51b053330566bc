//! Compiled-code cache: a plugin is compiled by Cranelift once per (bytes, engine
//! settings, wasmtime version) and later starts load the precompiled artifact (~0.2 ms
//! instead of ~0.4 s).
//!
//! Entries are `<hash>.cwasm` files written atomically (temp file + rename), so concurrent
//! hosts never read a half-written artifact. The directory must be writable only by the
//! host: loading an artifact executes the code in it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::LoadError;

/// How a component was obtained, reported so tests and `statbox plugins` can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompileSource {
    /// Compiled now (cache miss or no cache configured).
    Compiled,
    /// Loaded from the compiled-code cache.
    Cached,
}

pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl CompileCache {
    pub(crate) fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut h = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let engine_key = format!("{:016x}", h.finish());
        CompileCache { dir, engine_key }
    }

    fn entry_path(&self, dir: &Path, wasm: &[u8]) -> PathBuf {
        let mut hasher = Sha256::new();
        hasher.update(wasm);
        let digest = hex::encode(&hasher.finalize()[..16]);
        dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// Compiles `wasm`, or loads it from the cache when an entry exists.
    pub(crate) fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        origin: &Path,
    ) -> Result<(Component, CompileSource), LoadError> {
        let compile_err =
            |e: wasmtime::Error| LoadError::Compile { path: origin.to_path_buf(), message: format!("{e:#}") };
        let Some(dir) = &self.dir else {
            return Ok((Component::new(engine, wasm).map_err(compile_err)?, CompileSource::Compiled));
        };
        let entry = self.entry_path(dir, wasm);
        if entry.is_file() {
            // SAFETY: entries are only ever written by `store` below, from
            // `Component::serialize` of the same engine configuration (the file name
            // carries the engine's compatibility hash), in a directory the host owns.
            // wasmtime still validates the header and rejects incompatible artifacts.
            // Read into memory rather than `deserialize_file`'s mmap: a cache file
            // truncated by someone else while mapped would kill the host with SIGBUS.
            let bytes = std::fs::read(&entry).map_err(|source| LoadError::Cache { path: entry.clone(), source })?;
            match unsafe { Component::deserialize(engine, &bytes) } {
                Ok(c) => return Ok((c, CompileSource::Cached)),
                // A corrupt or stale entry is rebuilt, not fatal.
                Err(_) => {
                    let _ = std::fs::remove_file(&entry);
                }
            }
        }
        let component = Component::new(engine, wasm).map_err(compile_err)?;
        let bytes = component.serialize().map_err(compile_err)?;
        self.store(dir, &entry, &bytes).map_err(|source| LoadError::Cache { path: dir.clone(), source })?;
        Ok((component, CompileSource::Compiled))
    }

    fn store(&self, dir: &Path, entry: &Path, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.persist(entry).map_err(|e| e.error)?;
        Ok(())
    }
}
