//! The deal-file loader on arbitrary text: every input is a deal or a typed error whose
//! diagnostics point inside the file; never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match tranche_io::deal::parse_deal(Path::new("deal.toml"), src) {
        Ok(deal) => {
            // A deal that validated must be usable without panicking.
            let _ = deal.check();
            let _ = deal.pool_fees();
            let _ = deal.pricing_rates();
        }
        Err(tranche_io::IoError::DealFile(e)) => {
            let lines = src.lines().count().max(1);
            for d in &e.diagnostics {
                assert!(d.line >= 1 && d.line <= lines + 1, "line {} of {lines}", d.line);
                assert!(d.column >= 1);
                assert!(!d.message.is_empty());
            }
            let _ = e.to_string();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
