//! The CSV loan-tape reader on arbitrary bytes: every input is a list of valid loans or a
//! typed error naming the file; never a panic, a hang or runaway memory. Loans it accepts
//! must build a pool.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tranche_io::tape::{read_tape_csv_from, TapeOptions, MAX_BALANCE};

fuzz_target!(|data: &[u8]| {
    let opts = TapeOptions {
        extra_indices: vec!["SOFR30A".into()],
        cutoff: chrono::NaiveDate::from_ymd_opt(2004, 1, 1),
        strict: false,
    };
    match read_tape_csv_from(Path::new("tape.csv"), data, &opts) {
        Ok(tape) => {
            let loans = tape.loans;
            assert!(!loans.is_empty());
            for l in &loans {
                assert!(l.balance.is_finite() && (0.0..=MAX_BALANCE).contains(&l.balance));
                assert!(l.gross_rate.is_finite() && (0.0..=1.0).contains(&l.gross_rate));
                assert!(l.rem_term >= 1 && l.rem_term <= l.orig_term);
            }
            let _ = tranche_core::collateral::LoanPool::from_loans(&loans);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("tape.csv"), "{msg}");
        }
    }
});
