//! A bug (a panic anywhere, in any thread) ends the run with exit code 1 and a message
//! that asks for a report, not a Rust panic message and backtrace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run_with_panic(value: &str, backtrace: Option<&str>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tranche"));
    c.arg("--help").env("TRANCHE_TEST_PANIC", value);
    c.env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    if let Some(b) = backtrace {
        c.env("RUST_BACKTRACE", b);
    }
    c.output().unwrap()
}

#[test]
fn panic_is_an_internal_error_with_a_report_request() {
    for value in ["main", "thread"] {
        let out = run_with_panic(value, None);
        assert_eq!(out.status.code(), Some(1), "{value}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("internal error: tranche stopped unexpectedly at "),
            "{err}"
        );
        assert!(err.contains("TRANCHE_TEST_PANIC is set"), "{err}");
        assert!(
            err.contains("This is a bug in tranche; please report it"),
            "{err}"
        );
        // None of the standard hook's wording, no backtrace.
        assert!(!err.contains("panicked at"), "{err}");
        assert!(!err.contains("note: run with `RUST_BACKTRACE=1`"), "{err}");
        assert!(!err.contains("stack backtrace"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn backtrace_only_when_asked() {
    let out = run_with_panic("main", Some("1"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("This is a bug in tranche"), "{err}");
    assert!(err.lines().count() > 3, "expected a backtrace:\n{err}");
    let out = run_with_panic("main", Some("0"));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 2);
}
