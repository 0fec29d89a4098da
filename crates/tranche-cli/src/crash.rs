//! What the user sees when tranche has a bug: a short message asking for a report and
//! exit code 1, never a raw Rust panic message and backtrace (unless asked for).
//!
//! The hook is process-wide, so a panic in a dependency or a worker thread is covered too.

use std::io::Write;

/// Exit code for an internal error (a bug), as for `Failure::Internal`.
pub const INTERNAL_EXIT: i32 = 1;

/// Installs the panic hook. Set `RUST_BACKTRACE=1` to get a backtrace for a bug report.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // A reader that contains its dependency's panics turns them into input errors.
        if tranche_io::guard::is_guarded() {
            return;
        }
        let msg = payload_text(info.payload());
        // `println!` panics when stdout is a closed pipe (`tranche ... | head`): that is
        // the reader going away, not a bug; end quietly like other command-line tools.
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "internal error: tranche stopped unexpectedly{place}: {msg}\n\
             This is a bug in tranche; please report it with the command line and the \
             input files (run with RUST_BACKTRACE=1 to include a backtrace)."
        );
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            let _ = writeln!(err, "{}", std::backtrace::Backtrace::force_capture());
        }
        let _ = err.flush();
        std::process::exit(INTERNAL_EXIT);
    }));
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Panics when `TRANCHE_TEST_PANIC` is set (`thread`: in a worker thread): lets the test
/// suite check, on the real binary, what a user sees when tranche has a bug.
pub fn panic_if_asked() {
    let Some(v) = std::env::var_os("TRANCHE_TEST_PANIC") else {
        return;
    };
    #[allow(clippy::panic)]
    let boom = || panic!("TRANCHE_TEST_PANIC is set");
    if v == "thread" {
        let _ = std::thread::spawn(boom).join();
    } else {
        boom();
    }
}
