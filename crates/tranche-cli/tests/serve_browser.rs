//! The deal explorer in headless Chromium (WebDriver): open the reference deal, move the
//! speed from 100 to 150 and see the A-1 WAL of `tranche price-table` at 150%, enter a bad
//! value and see the engine's message, download a table and find the CLI's output, and
//! keep a screenshot of the deal page (`$TRANCHE_SCREENSHOT`, else
//! `<target>/tmp/serve-deal-page.png`).
#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::find_chromium_or_skip;
use common::server::{bundled_deals, Server};
use common::webdriver::{find_driver_or_skip, Browser};
use std::process::Command;

const REF: &str = "impac-cmb-2004-1";

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The A-1 WAL to call at `speed` from `tranche price-table`.
fn cli_wal(deal: &str, speed: &str) -> f64 {
    let t = cli(&["price-table", deal, "--speeds", speed]);
    let row = t.lines().find(|l| l.starts_with("A-1,call,")).unwrap();
    row.split(',').nth(4).unwrap().parse().unwrap()
}

/// The A-1 WAL the page shows: (text, data-value).
fn shown_wal(b: &mut Browser) -> (String, f64) {
    let v = b.js(
        "const c = document.querySelector('td[data-bond=\"A-1\"][data-col=\"wal_years\"]');\
         return c ? [c.textContent, c.dataset.value] : null;",
    );
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_str().unwrap().parse().unwrap(),
    )
}

/// Waits until the page's runs counter passes `n` with nothing in flight.
fn wait_runs(b: &mut Browser, n: u64, what: &str) -> u64 {
    let v = b.wait_for(
        what,
        &format!(
            "const r = Number(document.body.dataset.runs || 0);\
             return (r > {n} && !document.body.dataset.busy) ? r : 0;"
        ),
    );
    v.as_u64().unwrap()
}

#[test]
fn the_deal_page_reruns_the_engine_as_the_speed_moves() {
    let Some(chromium) = find_chromium_or_skip("serve_browser") else {
        return;
    };
    let Some(driver) = find_driver_or_skip("serve_browser") else {
        return;
    };
    let deal_dir = bundled_deals().join(REF);
    let deal = deal_dir.to_str().unwrap();
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let mut b = Browser::start(&driver, &chromium);
    b.goto(&format!("http://{}/", srv.addr));
    b.wait_for(
        "the deal list",
        &format!("return document.querySelector('a[data-deal=\"{REF}\"]');"),
    );
    b.click(&format!("a[data-deal=\"{REF}\"]"));
    let runs = wait_runs(&mut b, 0, "the first run");

    // 100% of the pricing speed: the CLI's figure.
    let (text, value) = shown_wal(&mut b);
    let want = cli_wal(deal, "100");
    assert!((value - want).abs() < 5e-7, "{value} vs {want}");
    assert_eq!(text, format!("{want:.2}"));

    // 150%.
    b.type_into("#speed", "150");
    b.wait_for(
        "the run at 150%",
        "const h = document.querySelector('#bonds h2');\
         return h && h.textContent.includes('150% of the pricing') && !document.body.dataset.busy;",
    );
    let ms = b.js("return document.body.dataset.updateMs;");
    eprintln!("the page's update at 150% (run, period page, Price/DM table): {ms} ms");
    let (text, value) = shown_wal(&mut b);
    let want = cli_wal(deal, "150");
    assert!(
        (value - want).abs() < 5e-7,
        "shown {value}, price-table {want}"
    );
    assert_eq!(text, format!("{want:.2}"));
    assert_ne!(want, cli_wal(deal, "100"));

    // Effective duration is shown, from the engine (run --summary has it).
    let eff = b.js(
        "const c = document.querySelector('td[data-bond=\"A-1\"][data-col=\"eff_duration\"]');\
         return c ? c.dataset.value : null;",
    );
    let summary = cli(&[
        "run",
        deal,
        "--speed",
        "150",
        "--summary",
        "--format",
        "json",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let want = summary["bonds"][0]["eff_duration"].as_f64().unwrap();
    let shown: f64 = eff.as_str().unwrap().parse().unwrap();
    assert!(
        (shown - want).abs() < 5e-7,
        "eff duration {shown} vs {want}"
    );

    // Breakevens at the scenario: `tranche breakeven`'s.
    b.click("#be-solve");
    let be = b.wait_for(
        "the breakevens",
        "const c = document.querySelector('#be-table td[data-class=\"A-1\"][data-col=\"rate\"]');\
         return c && !document.body.dataset.solving ? c.dataset.value : null;",
    );
    let t = cli(&[
        "breakeven",
        deal,
        "--class",
        "A-1",
        "--speed",
        "150",
        "--severities",
        "40",
        "--lags",
        "12",
        "--to",
        "call",
    ]);
    let line = t.lines().nth(1).unwrap();
    let shown: f64 = be.as_str().unwrap().parse().unwrap();
    assert_eq!(
        format!("{shown:.2}"),
        line.split(',').nth(5).unwrap(),
        "{line}"
    );

    // A bad value: the engine's message, as the CLI gives it.
    let runs = wait_runs(&mut b, runs - 1, "settled");
    b.type_into("#severity", "150");
    let msg = b.wait_for(
        "the error",
        "const e = document.querySelector('#scenario-error');\
         return e && !e.hidden ? e.textContent : null;",
    );
    assert_eq!(
        msg.as_str().unwrap(),
        "severity_pct: expected percent from 0 to 100, found 150"
    );
    b.type_into("#severity", "0");
    b.wait_for(
        "the error to clear",
        "return document.querySelector('#scenario-error').hidden && !document.body.dataset.busy;",
    );
    wait_runs(&mut b, runs, "the run after the fix");

    // The period table is paged.
    let rows = b.js("return document.querySelectorAll('#period-table tbody tr').length;");
    assert_eq!(rows.as_u64(), Some(100));

    // Download the bond cash flows: the CLI's `run` output for the same scenario.
    b.click("a[data-download=\"bonds.csv\"]");
    let got = b.downloaded(&format!("{REF}-bonds.csv"));
    assert_eq!(
        String::from_utf8(got).unwrap(),
        cli(&["run", deal, "--speed", "150"])
    );

    // The page as a test artifact.
    b.js("window.scrollTo(0, 0); return 1;");
    let png = b.screenshot();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    let path = std::env::var_os("TRANCHE_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-deal-page.png")
        });
    std::fs::write(&path, &png).unwrap();
    eprintln!("screenshot of the deal page: {}", path.display());
}
