//! What every command shares when talking to a terminal.

use std::io::IsTerminal;
use std::sync::Arc;

use statbox_runtime::{Progress, ProgressObserver};

/// A progress line on stderr, rewritten in place (`training random_forest: 40/100`), when
/// stderr is a terminal and `quiet` is off; `None` otherwise, so logs and pipes stay clean.
pub fn progress(quiet: bool) -> Option<Arc<dyn ProgressObserver>> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    Some(Arc::new(|p: Progress| {
        let what = if p.message.is_empty() { format!("{}.{}", p.plugin, p.operation) } else { p.message.clone() };
        eprint!("\r{what}: {}/{}\x1b[K", p.done, p.total);
        if p.done == p.total {
            eprint!("\r\x1b[K");
        }
    }))
}
