//! `tranche serve`'s API on the real binary: the deals folder is the only place read
//! (path traversal and symlinks out refused), bodies are bounded and checked, a bad
//! scenario is a 400 in the command line's words, 50 concurrent runs are all answered
//! with the CLI's figures, downloads are the CLI's output, runs have a time limit, and a
//! failing run leaves the server up.
#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cli::tranche;
use common::http::{self, encode};
use common::server::{bundled_deals, Server};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const REF: &str = "impac-cmb-2004-1";

fn ref_dir() -> std::path::PathBuf {
    bundled_deals().join(REF)
}

fn copy_deal(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["deal.toml", "tape.csv", "curves.csv"] {
        std::fs::copy(ref_dir().join(f), to.join(f)).unwrap();
    }
}

#[test]
fn lists_the_bundled_deals_and_opens_the_reference_deal() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let r = http::get(srv.addr, "/api/v1/deals");
    assert_eq!(r.status, 200, "{}", r.text());
    let ids: Vec<String> = r.json()["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = std::fs::read_dir(bundled_deals())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("deal.toml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    want.sort();
    assert_eq!(ids, want);
    let d = http::get(srv.addr, &format!("/api/v1/deals/{REF}")).json();
    assert!(d["title"]
        .as_str()
        .unwrap()
        .starts_with("Impac CMB Trust Series 2004-1"));
    assert_eq!(d["pricing_speed"], "30% CPR");
    assert_eq!(d["classes"][0]["name"], "A-1");
    assert!(d["has_curves"].as_bool().unwrap());
    // The term-sheet summary is the engine's at 100% of the pricing speed: the same WAL
    // as the Price/DM table's 100% column to call.
    let (code, pt, _) = tranche(&[
        "price-table",
        ref_dir().to_str().unwrap(),
        "--speeds",
        "100",
    ]);
    assert_eq!(code, 0);
    let a1_call = pt.lines().find(|l| l.starts_with("A-1,call,")).unwrap();
    let wal: f64 = a1_call.split(',').nth(4).unwrap().parse().unwrap();
    let ts = d["term_sheet"][0]["wal_call"].as_f64().unwrap();
    assert!((ts - wal).abs() < 5e-7, "{ts} vs {wal}");
    // Collateral summary and strats: the report's tables.
    let ids: Vec<&str> = d["collateral"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.len() > 3 && ids.iter().all(|i| i.starts_with("collateral-")),
        "{ids:?}"
    );
    // Every scenario field with its unit and range.
    let f = http::get(srv.addr, "/api/v1/fields").json();
    let sev = f
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "severity_pct")
        .unwrap();
    assert_eq!(
        (sev["min"].as_f64(), sev["max"].as_f64()),
        (Some(0.0), Some(100.0))
    );
    // A scenario run again is the kept run, with the same figures.
    let run = format!("/api/v1/deals/{REF}/run");
    let first = http::post_json(srv.addr, &run, &json!({"speed_pct": 120})).json();
    let again = http::post_json(srv.addr, &run, &json!({"speed_pct": 120})).json();
    assert_eq!(
        (first["kept"].as_bool(), again["kept"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(first["bonds"], again["bonds"]);
    assert!(first["bonds"][0]["eff_duration"].as_f64().is_some());
}

#[test]
fn reads_nothing_outside_the_deals_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("deals");
    let outside = tmp.path().join("outside");
    copy_deal(&root.join("good"));
    copy_deal(&outside.join("secret"));
    std::fs::write(outside.join("passwd"), "root:x:0:0:SECRET\n").unwrap();
    // A folder that is a symlink out of the deals folder.
    std::os::unix::fs::symlink(outside.join("secret"), root.join("link-out")).unwrap();
    // A deal whose tape is a symlink out, and one whose tape path climbs out.
    copy_deal(&root.join("tape-link"));
    std::fs::remove_file(root.join("tape-link/tape.csv")).unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret/tape.csv"),
        root.join("tape-link/tape.csv"),
    )
    .unwrap();
    copy_deal(&root.join("tape-climb"));
    let text = std::fs::read_to_string(root.join("tape-climb/deal.toml")).unwrap();
    std::fs::write(
        root.join("tape-climb/deal.toml"),
        text.replace(
            "tape = \"tape.csv\"",
            "tape = \"../../outside/secret/tape.csv\"",
        ),
    )
    .unwrap();
    let srv = Server::start(&root, &[], &[]);

    let listed = http::get(srv.addr, "/api/v1/deals").json();
    let ids: Vec<&str> = listed["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"link-out"), "{ids:?}");
    assert!(ids.contains(&"good"));
    assert_eq!(http::get(srv.addr, "/api/v1/deals/good").status, 200);

    let refused = |path: &str, status: u16, says: &str| {
        let r = http::get(srv.addr, path);
        assert_eq!(r.status, status, "{path}: {}", r.text());
        assert!(r.text().contains(says), "{path}: {}", r.text());
        assert!(!r.text().contains("SECRET"), "{path}");
        let r = http::post(srv.addr, &format!("{path}/run"), b"{}");
        assert!(
            matches!(r.status, 400 | 403 | 404),
            "{path}/run: {}",
            r.status
        );
    };
    refused("/api/v1/deals/..", 400, "paths are refused");
    refused(
        "/api/v1/deals/..%2Foutside%2Fsecret",
        400,
        "paths are refused",
    );
    refused("/api/v1/deals/%2Fetc", 400, "paths are refused");
    refused("/api/v1/deals/.hidden", 400, "paths are refused");
    refused(
        "/api/v1/deals/link-out",
        403,
        "leads outside the deals folder",
    );
    refused("/api/v1/deals/tape-link", 403, "its tape leads outside");
    refused("/api/v1/deals/tape-climb", 403, "its tape leads outside");
    refused("/api/v1/deals/nope", 404, "no deal `nope`");
    // Raw paths that climb: no route matches them.
    for p in [
        "/api/v1/deals/../../outside/passwd",
        "/api/v1/../../outside/passwd",
    ] {
        let r = http::get(srv.addr, p);
        assert!(matches!(r.status, 400 | 404), "{p}: {}", r.status);
        assert!(!r.text().contains("SECRET"));
    }
    let r = http::get(
        srv.addr,
        "/api/v1/deals/good/download/..%2F..%2Foutside%2Fpasswd",
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(!r.text().contains("SECRET"));
    // A name other than the loopback's (DNS rebinding) is refused.
    let r = http::raw(
        srv.addr,
        b"GET /api/v1/deals HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 403, "{}", r.text());
}

#[test]
fn bodies_are_bounded_and_checked_with_the_command_lines_messages() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let run = format!("/api/v1/deals/{REF}/run");
    // Oversized: 100 KiB.
    let big = format!("{{\"cpr_vector\": [{}]}}", vec!["1.0"; 30_000].join(","));
    let r = http::post(srv.addr, &run, big.as_bytes());
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.error().contains("larger than the server's limit"),
        "{}",
        r.text()
    );
    // Malformed JSON, wrong types, unknown fields, an empty body.
    for (body, says) in [
        (
            &b"{\"speed_pct\": }"[..],
            "request body: expected value at line 1 column 15",
        ),
        (
            b"{\"speed_pct\": \"fast\"}",
            "invalid type: string \"fast\", expected f64",
        ),
        (b"{\"sped_pct\": 100}", "unknown field `sped_pct`"),
        (b"[1, 2", "request body:"),
        (b"", "request body: empty"),
        (b"\xff\xfe{}", "request body:"),
    ] {
        let r = http::post(srv.addr, &run, body);
        assert_eq!(
            r.status,
            400,
            "{}: {}",
            String::from_utf8_lossy(body),
            r.text()
        );
        assert!(
            r.error().contains(says),
            "{}: {}",
            String::from_utf8_lossy(body),
            r.text()
        );
    }
    // Scenario sizes: a vector longer than 720 periods.
    let long = json!({ "cpr_vector": vec![5.0; 721] });
    let r = http::post_json(srv.addr, &run, &long);
    assert_eq!(r.status, 400);
    assert!(
        r.error()
            .starts_with("cpr_vector: expected from 1 to 720 values"),
        "{}",
        r.error()
    );
    let r = http::post_json(
        srv.addr,
        &format!("/api/v1/deals/{REF}/periods"),
        &json!({"table": "bonds", "limit": 100000}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.error().starts_with("limit: expected from 1 to 500 rows"),
        "{}",
        r.error()
    );
    let r = http::post_json(
        srv.addr,
        &format!("/api/v1/deals/{REF}/price-table"),
        &json!({"speeds": vec![100.0; 21]}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.error()
            .starts_with("speeds: expected from 1 to 20 speeds"),
        "{}",
        r.error()
    );
    // A bad scenario: the CLI's message for the same value, under the JSON field's name.
    for (flag, field, value) in [
        ("--severity", "severity_pct", "150"),
        ("--speed", "speed_pct", "-5"),
        ("--lag", "lag_months", "2.5"),
        ("--price", "price", "0"),
    ] {
        let (code, _, err) = tranche(&["run", ref_dir().to_str().unwrap(), flag, value]);
        assert_eq!(code, 2, "{err}");
        let cli = err
            .trim()
            .strip_prefix(&format!("error: {flag}: "))
            .unwrap()
            .to_string();
        let v: f64 = value.parse().unwrap();
        let r = http::post_json(srv.addr, &run, &json!({ field: v }));
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.error(), format!("{field}: {cli}"));
    }
    // A speed whose peak passes 100% CPR is an error found when the deal runs.
    let r = http::post_json(srv.addr, &run, &json!({"speed_pct": 400}));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.error()
            .starts_with("speed_pct: a speed of 400% of the deal's ARM pricing curve"),
        "{}",
        r.error()
    );
    let r = http::get(
        srv.addr,
        &format!("/api/v1/deals/{REF}/download/bonds.csv?scenario=%7Bnot"),
    );
    assert_eq!(r.status, 400);
    assert!(r.error().starts_with("scenario: "), "{}", r.error());
}

/// A-1..M-x WAL, DM and mod duration to call at each speed, from the CLI's table.
fn cli_call_rows(speeds: &[f64]) -> Vec<(String, f64, Vec<String>)> {
    let list: Vec<String> = speeds.iter().map(|s| s.to_string()).collect();
    let (code, out, err) = tranche(&[
        "price-table",
        ref_dir().to_str().unwrap(),
        "--speeds",
        &list.join(","),
    ]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|c| c[1] == "call")
        .map(|c| (c[0].clone(), c[2].parse().unwrap(), c))
        .collect()
}

#[test]
fn fifty_concurrent_runs_are_all_answered_with_the_clis_figures() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let speeds: Vec<f64> = (0..50).map(|i| 50.0 + 3.0 * f64::from(i)).collect();
    let cli = cli_call_rows(&speeds);
    let addr = srv.addr;
    let handles: Vec<_> = speeds
        .iter()
        .map(|s| {
            let s = *s;
            std::thread::spawn(move || {
                let r = http::post_json(
                    addr,
                    &format!("/api/v1/deals/{REF}/run"),
                    &json!({"speed_pct": s}),
                );
                (s, r)
            })
        })
        .collect();
    let mut answered = 0;
    for h in handles {
        let (s, r) = h.join().unwrap();
        assert_eq!(r.status, 200, "speed {s}: {}", r.text());
        let j = r.json();
        for b in j["bonds"].as_array().unwrap() {
            let name = b["bond"].as_str().unwrap();
            let (_, _, row) = cli
                .iter()
                .find(|(c, sp, _)| c == name && *sp == s)
                .unwrap_or_else(|| panic!("{name} at {s} not in the CLI's table"));
            let close = |v: &serde_json::Value, cell: &str| {
                let want: f64 = cell.parse().unwrap();
                assert!(
                    (v.as_f64().unwrap() - want).abs() < 5e-7,
                    "{name} at {s}: {v} vs {cell}"
                );
            };
            close(&b["dm_bps"], &row[3]);
            close(&b["wal_years"], &row[4]);
            close(&b["mod_duration"], &row[5]);
            assert_eq!(
                b["last_principal"].as_str().unwrap(),
                row[7],
                "{name} at {s}"
            );
        }
        answered += 1;
    }
    assert_eq!(answered, 50);
}

#[test]
fn downloads_are_the_command_lines_output() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let deal = ref_dir();
    let deal = deal.to_str().unwrap();
    let dl = |file: &str, scenario: serde_json::Value, speeds: &str| {
        let r = http::get(
            srv.addr,
            &format!(
                "/api/v1/deals/{REF}/download/{file}?scenario={}&speeds={speeds}",
                encode(&scenario.to_string())
            ),
        );
        assert_eq!(r.status, 200, "{file}: {}", r.text());
        r
    };
    let s = json!({"speed_pct": 150, "cdr_pct": 2, "severity_pct": 35, "lag_months": 6, "horizon": "maturity"});
    let flags = [
        "--speed",
        "150",
        "--cdr",
        "2",
        "--severity",
        "35",
        "--lag",
        "6",
        "--to",
        "maturity",
    ];
    let cli = |extra: &[&str]| {
        let mut a = vec!["run", deal];
        a.extend(flags);
        a.extend(extra);
        let (code, out, err) = tranche(&a);
        assert_eq!(code, 0, "{err}");
        out
    };
    let r = dl("bonds.csv", s.clone(), "");
    assert_eq!(r.text(), cli(&[]));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("impac-cmb-2004-1-bonds.csv"));
    assert_eq!(dl("ledger.csv", s.clone(), "").text(), cli(&["--ledger"]));
    assert_eq!(dl("summary.csv", s.clone(), "").text(), cli(&["--summary"]));
    // Priced from a DM, settling later: `run --dm --settle`'s summary.
    let (code, want, err) = tranche(&[
        "run",
        deal,
        "--speed",
        "150",
        "--dm",
        "40",
        "--settle",
        "2004-03-15",
        "--summary",
    ]);
    assert_eq!(code, 0, "{err}");
    let q = json!({"speed_pct": 150, "dm_bps": 40, "settlement": "2004-03-15"});
    assert_eq!(dl("summary.csv", q, "").text(), want);
    let (_, pt, _) = tranche(&[
        "price-table",
        deal,
        "--cdr",
        "2",
        "--severity",
        "35",
        "--lag",
        "6",
        "--speeds",
        "0,100,150",
    ]);
    let mut pts = s.clone();
    pts.as_object_mut().unwrap().remove("horizon");
    pts.as_object_mut().unwrap().remove("speed_pct");
    assert_eq!(dl("price-table.csv", pts, "0,100,150").text(), pt);
    let (_, afr, _) = tranche(&["afr", deal]);
    assert_eq!(
        dl("afr.csv", json!({"rates": "deal_curves"}), "").text(),
        afr
    );
    let xlsx = dl("bonds.xlsx", s.clone(), "");
    assert!(xlsx.body.starts_with(b"PK\x03\x04"), "not a zip");
    let strat = dl("collateral-summary.csv", json!({}), "");
    assert!(strat.text().lines().count() > 2, "{}", strat.text());
    let html = dl("report.html", json!({}), "0,100").text();
    assert!(html.contains("<h1>") && html.contains("Impac CMB Trust Series 2004-1"));
    assert!(dl("report.xlsx", json!({}), "")
        .body
        .starts_with(b"PK\x03\x04"));
    let r = http::get(
        srv.addr,
        &format!("/api/v1/deals/{REF}/download/nothing.csv"),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn breakevens_are_the_command_lines() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let deal = ref_dir();
    let deal = deal.to_str().unwrap();
    let (code, cli, err) = tranche(&[
        "breakeven",
        deal,
        "--class",
        "A-1,M-2,M-4",
        "--speed",
        "150",
        "--severities",
        "35,45",
        "--lags",
        "6",
    ]);
    assert_eq!(code, 0, "{err}");
    let req = json!({"classes": ["A-1", "M-2", "M-4"], "severities": [35, 45], "lags": [6]});
    let scenario = json!({"speed_pct": 150});
    let mut body = req.clone();
    body["scenario"] = scenario.clone();
    let r = http::post_json(srv.addr, &format!("/api/v1/deals/{REF}/breakeven"), &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["unit"], "% CDR");
    let rows = j["rows"].as_array().unwrap();
    let lines: Vec<Vec<&str>> = cli
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows.len(), lines.len());
    for (row, line) in rows.iter().zip(&lines) {
        assert_eq!(row["class"], line[0]);
        assert_eq!(
            row["severity_pct"].as_f64().unwrap(),
            line[3].parse::<f64>().unwrap()
        );
        let rate = row["rate"].as_f64().unwrap();
        assert_eq!(format!("{rate:.2}"), line[5], "{row}");
        assert!(rate > 0.0 && rate < 100.0);
    }
    // The download is the command's output byte for byte.
    let r = http::get(
        srv.addr,
        &format!(
            "/api/v1/deals/{REF}/download/breakeven.csv?scenario={}&breakeven={}",
            encode(&scenario.to_string()),
            encode(&req.to_string())
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), cli);
    // The rate solved for is not an input; a bad target is told.
    let r = http::post_json(
        srv.addr,
        &format!("/api/v1/deals/{REF}/breakeven"),
        &json!({"scenario": {"cdr_pct": 3}}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.error()
            .starts_with("cdr_pct: the breakeven solves for the default rate"),
        "{}",
        r.error()
    );
    let r = http::post_json(
        srv.addr,
        &format!("/api/v1/deals/{REF}/breakeven"),
        &json!({"classes": ["Z-9"]}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.error().contains("no class `Z-9` in the deal"),
        "{}",
        r.error()
    );
}

#[test]
fn the_openapi_document_describes_the_api_the_page_uses() {
    let srv = Server::start(&bundled_deals(), &[], &[]);
    let doc = http::get(srv.addr, "/api/openapi.json").json();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/fields",
        "/api/v1/deals",
        "/api/v1/deals/{id}",
        "/api/v1/deals/{id}/run",
        "/api/v1/deals/{id}/periods",
        "/api/v1/deals/{id}/price-table",
        "/api/v1/deals/{id}/breakeven",
        "/api/v1/deals/{id}/download/{file}",
    ] {
        assert!(paths.contains_key(p), "{p} not in the document");
    }
    let props = doc["components"]["schemas"]["ScenarioJson"]["properties"]
        .as_object()
        .unwrap();
    for f in tranche_core::scenario::FIELDS {
        assert!(props.contains_key(f.name), "{} not in ScenarioJson", f.name);
    }
    // The page calls only paths of the document.
    let js = http::get(srv.addr, "/app.js").text();
    for call in js.split("api(`").skip(1) {
        let path = call.split('`').next().unwrap();
        let templ = format!(
            "/api/v1{}",
            path.replace("${encodeURIComponent(state.id)}", "{id}")
                .replace("${encodeURIComponent(id)}", "{id}")
        );
        assert!(paths.contains_key(&templ), "the page calls {templ}");
    }
    let page = http::get(srv.addr, "/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<script src=\"/app.js\">"));
}

#[test]
fn a_run_past_the_time_limit_or_a_failing_run_leaves_the_server_up() {
    let mut srv = Server::start(&bundled_deals(), &["--run-timeout", "0.001"], &[]);
    let r = http::post(srv.addr, &format!("/api/v1/deals/{REF}/run"), b"{}");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.error().contains("time limit of 0.001 s"), "{}", r.error());
    assert_eq!(http::get(srv.addr, "/api/v1/fields").status, 200);
    assert!(srv.alive());

    let mut srv = Server::start(&bundled_deals(), &[], &[("TRANCHE_TEST_PANIC_RUNS", "1")]);
    for _ in 0..3 {
        let r = http::post(srv.addr, &format!("/api/v1/deals/{REF}/run"), b"{}");
        assert_eq!(r.status, 500, "{}", r.text());
        assert!(r.error().contains("The server goes on"), "{}", r.error());
    }
    assert_eq!(http::get(srv.addr, "/api/v1/fields").status, 200);
    assert!(srv.alive());
}

#[test]
fn binding_beyond_loopback_needs_a_flag_and_warns() {
    let (code, _, err) = tranche(&[
        "serve",
        "--deals",
        bundled_deals().to_str().unwrap(),
        "--addr",
        "0.0.0.0:0",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not a loopback address") && err.contains("--allow-remote"),
        "{err}"
    );
    let (code, _, err) = tranche(&[
        "serve",
        "--deals",
        "/nonexistent-deals-folder",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--deals /nonexistent-deals-folder"), "{err}");
    // With the flag it listens, after a warning on standard error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tranche"))
        .args(["serve", "--deals", bundled_deals().to_str().unwrap()])
        .args(["--addr", "0.0.0.0:0", "--allow-remote"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("warning: listening on 0.0.0.0:") && first.contains("there is no login"),
        "{first}"
    );
}
