//! The forward-curve reader on arbitrary bytes: rate paths whose every value is a finite
//! decimal between -1 and 1, or a typed error naming the file; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tranche_io::curves::read_curves_from;

fuzz_target!(|data: &[u8]| {
    match read_curves_from(Path::new("curves.csv"), data) {
        Ok(curves) => {
            assert!(!curves.paths.is_empty());
            for (_, p) in &curves.paths {
                assert!(!p.values.is_empty());
                for v in &p.values {
                    assert!(v.is_finite() && (-1.0..=1.0).contains(v), "{v}");
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("curves.csv"), "{msg}");
        }
    }
});
