//! The report's HTML page opened in headless Chromium: the page renders, its tables hold
//! the figures of the CSV files written beside it, and its charts are there.
//!
//! Chromium is looked up as `$CHROMIUM`, then `chromium`, `chromium-browser`,
//! `google-chrome` on the PATH. Without it the test is skipped with a loud message, unless
//! `CI` is set, where a missing browser is a failure (`scripts/test.sh` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser;
use std::path::Path;

#[test]
fn synthetic_report_renders_in_chromium() {
    let Some(chromium) = browser::find_chromium_or_skip("synthetic_report_renders_in_chromium")
    else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    // TRANCHE_TEST_OUT keeps the report for a look by hand.
    let out = std::env::var_os("TRANCHE_TEST_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.path().join("report"));
    let doc = common::synthetic::document();
    // The credit sensitivity section is among what the browser checks.
    for id in ["breakevens", "loss-yield-m-1", "loss-yield-m-2"] {
        assert!(doc.tables().any(|t| t.id == id), "{id}");
    }
    assert!(doc.charts().any(|c| c.id == "credit-loss"));
    let out_dir = tranche_io::outputs::Outputs::new(&[])
        .dir("--out", &out)
        .unwrap();
    tranche_io::report::write_report(&out_dir, &doc, &mut |_| {}).unwrap();
    let n_charts = doc.charts().count();
    browser::check_report_dir(&chromium, &out, n_charts);
}

#[test]
fn dom_parser_reads_our_tables() {
    // The checker's own parsing, without a browser: a rendered table reads back as its CSV.
    let doc = common::synthetic::document();
    let html = doc.to_html();
    let tables = browser::parse_tables(&html);
    assert_eq!(tables.len(), doc.tables().count());
    for t in doc.tables() {
        let csv = tranche_io::render::csv(t).unwrap();
        let dom = tables.iter().find(|d| d.id == t.id).unwrap();
        browser::compare_table(dom, &csv, Path::new(&t.id));
    }
}
