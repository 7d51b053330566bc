//! `statbox:plugin/host`: logging and progress reporting for plugins.
//!
//! Everything a guest sends here is bounded: at most `log_lines` lines are kept per call,
//! each cut to [`MAX_MESSAGE_BYTES`], and progress messages are cut the same way, so a
//! flooding plugin costs the host a counter, not memory.

use std::sync::Arc;

use crate::store::StoreState;
use crate::world::since_v0_1_0::statbox::plugin::host as wit;

/// Longest log or progress message kept, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

/// One progress report from a running plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub plugin: String,
    pub operation: String,
    pub done: u64,
    pub total: u64,
    pub message: String,
}

/// Receives progress while a call runs (the CLI prints it, the bot edits a message).
pub trait ProgressObserver: Send + Sync {
    fn progress(&self, progress: Progress);
}

impl<F: Fn(Progress) + Send + Sync> ProgressObserver for F {
    fn progress(&self, progress: Progress) {
        self(progress)
    }
}

pub(crate) struct CallEvents {
    pub(crate) plugin: String,
    pub(crate) operation: String,
    pub(crate) logs: Vec<LogLine>,
    pub(crate) max_logs: usize,
    pub(crate) dropped_logs: u64,
    pub(crate) observer: Option<Arc<dyn ProgressObserver>>,
}

/// Cuts `s` to at most `max` bytes on a character boundary.
pub(crate) fn truncate_utf8(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

impl wit::Host for StoreState {
    fn log(&mut self, level: wit::Level, message: String) -> wasmtime::Result<()> {
        let ev = &mut self.events;
        if ev.logs.len() >= ev.max_logs {
            ev.dropped_logs += 1;
            return Ok(());
        }
        let level = match level {
            wit::Level::Debug => LogLevel::Debug,
            wit::Level::Info => LogLevel::Info,
            wit::Level::Warn => LogLevel::Warn,
            wit::Level::Error => LogLevel::Error,
        };
        ev.logs.push(LogLine { level, message: truncate_utf8(message, MAX_MESSAGE_BYTES) });
        Ok(())
    }

    fn progress(&mut self, done: u64, total: u64, message: String) -> wasmtime::Result<()> {
        if let Some(observer) = &self.events.observer {
            observer.progress(Progress {
                plugin: self.events.plugin.clone(),
                operation: self.events.operation.clone(),
                done: done.min(total),
                total,
                message: truncate_utf8(message, MAX_MESSAGE_BYTES),
            });
        }
        Ok(())
    }
}
