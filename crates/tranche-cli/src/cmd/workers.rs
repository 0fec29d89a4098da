//! What the parallel commands (`grid`, `breakeven`) share: a progress bar on a terminal
//! and an optional thread count.

use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `len` `things` on stderr when it is a terminal; hidden otherwise.
pub fn bar(len: usize, things: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(len as u64);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {things}, {{elapsed}} elapsed, eta {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        b.set_style(style);
    }
    b
}

/// Runs `f` on `threads` worker threads (`None`: all cores). Results do not depend on it.
pub fn on_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, Failure> {
    match threads {
        Some(0) => Err(Failure::Input("--threads: needs at least 1".into())),
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Failure::Internal(format!("thread pool: {e}")))?
            .install(f)),
        None => Ok(f()),
    }
}
