//! The Parquet loan-tape reader on arbitrary bytes: loans or a typed error, never a
//! panic. Seeds are small valid Parquet tapes; the fuzzer mutates their bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tranche_io::tape::{read_tape_parquet_bytes, TapeOptions};

fuzz_target!(|data: &[u8]| {
    // libFuzzer's hook aborts on every panic; panics the reader contains (the Parquet
    // crate's assertions on corrupt files) unwind to its guard and become input errors.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !tranche_io::guard::is_guarded() {
                abort(info);
            }
        }));
    });
    let opts = TapeOptions::default();
    match read_tape_parquet_bytes(Path::new("tape.parquet"), data.to_vec(), &opts) {
        Ok(tape) => {
            let loans = tape.loans;
            assert!(!loans.is_empty());
            for l in &loans {
                assert!(l.balance.is_finite() && l.balance >= 0.0);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("tape.parquet"), "{msg}");
        }
    }
});
