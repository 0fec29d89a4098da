use super::*;
use std::path::PathBuf;
use tranche_core::strats::{compute_all, default_tables, summarize, NetFees, StratContext};
use tranche_core::tape::{AmortType, ArmTerms, Loan, RateIndex};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/impac-cmb-2004-1")
}

fn loan(id: &str, balance: f64, rate_pct: f64, fico: Option<u32>, ltv: f64, mi_pct: f64) -> Loan {
    Loan {
        loan_id: id.into(),
        balance,
        gross_rate: rate_pct / 100.0,
        orig_term: 360,
        rem_term: 359,
        age: 1,
        amort: AmortType::Arm,
        io_months: 0,
        servicing_fee: 0.00375,
        mi_fee: mi_pct / 100.0,
        arm: Some(ArmTerms {
            index: RateIndex::Libor6M,
            margin: 0.0325,
            months_to_reset: 23,
            reset_freq: 6,
            first_reset_pending: true,
            initial_cap: 0.03,
            periodic_cap: 0.01,
            life_cap: 0.1175,
            life_floor: 0.0325,
            rounding: 0.00125,
            lookback_months: 1,
        }),
        product: "2/28 LIB6M".into(),
        state: "CA".into(),
        property_type: "SFR".into(),
        occupancy: "OWNER OCC".into(),
        purpose: "PUR".into(),
        doc_type: "FULL".into(),
        fico,
        orig_ltv: ltv,
        dti: None,
        prepay_penalty_months: 24,
        prepay_penalty_type: "hard".into(),
        orig_date: None,
        lien: 1,
        delinquency: "Current".into(),
    }
}

fn report() -> StratsReport {
    let loans = vec![
        loan("a", 1_234_567.0, 5.75, Some(700), 80.0, 0.0),
        loan("b", 100_000.0, 6.0, None, 90.0, 0.25),
        loan("c", 65_433.0, 7.0, Some(650), 95.0, 0.0),
    ];
    let ctx = StratContext {
        fees: NetFees {
            master_servicing: 0.0003,
            trustee: 0.000043,
        },
        cutoff: chrono::NaiveDate::from_ymd_opt(2004, 1, 1),
    };
    StratsReport {
        summary: summarize(&loans, &ctx).unwrap(),
        tables: compute_all(&default_tables(), &loans, &ctx).unwrap(),
        master_servicing_pct: 0.03,
        trustee_pct: 0.0043,
        cutoff_date: ctx.cutoff,
    }
}

/// The default set's file names, titles and headers are the term sheet's.
#[test]
fn default_tables_match_the_fixture_files() {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    let published = manifest["strat_tables"].as_array().unwrap();
    let r = report();
    assert_eq!(published.len(), r.tables.len());
    for (p, t) in published.iter().zip(&r.tables) {
        assert_eq!(
            p["file"].as_str().unwrap(),
            format!("strat/{}.csv", t.file_stem)
        );
        assert_eq!(p["title"].as_str().unwrap(), t.title);
        let text = std::fs::read_to_string(fixtures().join(p["file"].as_str().unwrap())).unwrap();
        let fixture_header = text.lines().next().unwrap();
        let ours = String::from_utf8(table_csv(t).unwrap()).unwrap();
        assert_eq!(ours.lines().next().unwrap(), fixture_header, "{}", t.title);
    }
}

#[test]
fn csv_rows_print_like_the_term_sheet() {
    let r = report();
    let bal = String::from_utf8(table_csv(&r.tables[1]).unwrap()).unwrap();
    let lines: Vec<&str> = bal.lines().collect();
    // 65,433 → second range, quoted because of the commas in its label.
    assert!(
        lines[1].starts_with("\"$50,000.01 - $100,000.00\",165433,2,11.82,82717,"),
        "{}",
        lines[1]
    );
    assert!(lines
        .last()
        .unwrap()
        .starts_with(",1400000,3,100.00,466667,5.750,7.000,"));
    assert!(lines.last().unwrap().ends_with(",total"));
    // FICO unknown for loan b alone: blank cell.
    let fico = String::from_utf8(table_csv(&r.tables[10]).unwrap()).unwrap();
    let unknown = fico.lines().nth(1).unwrap();
    assert!(
        unknown.starts_with(
            "Unknown,100000,1,7.14,100000,6.000,6.000,6.000,5.341,359.00,1.00,,90.0,data"
        ),
        "{unknown}"
    );
    // Months to roll: WA MTR second, totals label the weighted MTR.
    let mtr = String::from_utf8(table_csv(&r.tables[15]).unwrap()).unwrap();
    assert!(mtr
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("19 - 24,23,1400000,"));
    assert!(mtr.lines().nth(2).unwrap().starts_with("23,23,1400000,"));
}

#[test]
fn csv_dir_holds_every_table_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_csv_dir(dir.path(), &report()).unwrap();
    assert_eq!(files.len(), 22);
    let s = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert!(s.starts_with("section,label,value,range_min,range_max,unit\n"));
    assert!(s.contains(",Total Number of Loans,3,,,count\n"), "{s}");
    assert!(
        s.contains(",Average Loan Balance,466667,65433,1234567,USD\n"),
        "{s}"
    );
    let top = std::fs::read_to_string(dir.path().join("summary_top.csv")).unwrap();
    assert!(top.contains("Top 5 States,CA,100.00\n"));
    assert!(dir.path().join("16_range_of_months_to_roll.csv").exists());
}

#[test]
fn json_carries_full_precision_in_percent() {
    let v = report_json(&report());
    let t = &v["tables"][0];
    assert_eq!(t["title"], "Description");
    let total = t["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(total["row_type"], "total");
    assert_eq!(total["loans"], 3);
    let g = total["gross_wac_pct"].as_f64().unwrap();
    let want = (1_234_567.0 * 5.75 + 100_000.0 * 6.0 + 65_433.0 * 7.0) / 1_400_000.0;
    assert!((g - want).abs() < 1e-12);
    assert_eq!(v["summary"]["figures"][0]["key"], "total_number_of_loans");
    assert_eq!(v["summary"]["top_tables"]["Top 5 States"][0]["label"], "CA");
    // Unknown FICO is null, not zero.
    let fico_unknown = &v["tables"][10]["rows"][0];
    assert!(fico_unknown["fico"].is_null());
}

#[test]
fn markdown_has_every_table() {
    let md = report_markdown(&report());
    assert!(md.contains("### Summary of Loans"));
    assert!(
        md.contains("| Average Loan Balance | $466,667 | $65,433 to $1,234,567 |"),
        "{md}"
    );
    // (1,234,567·5.75 + 100,000·6 + 65,433·7) / 1,400,000 = 5.8263
    assert!(
        md.contains("| WA Mortgage Rate | 5.826% | 5.750% to 7.000% |"),
        "{md}"
    );
    // Summary, six short distributions, twenty tables.
    assert_eq!(md.matches("### ").count(), 27);
    assert!(md.contains("(Excludes 1 80% or less LTV Mortgages)"));
    assert!(md.contains("| **$1,400,000** | **3** |"));
}

#[test]
fn tables_file_adds_user_tables() {
    let text = r#"
        [[table]]
        file_stem = "21_margin_wide"
        title = "Margin (wide)"
        key = "margin_pct"
        columns = ["description", "current_balance", "loans", "pct_of_total"]
        buckets = { kind = "ranges", edges = [0, 3, 6], closed = "lower", decimals = 2 }
    "#;
    let f = parse_tables_file(text, false, Path::new("t.toml")).unwrap();
    let set = f.resolve();
    assert_eq!(set.len(), 21);
    assert_eq!(set[20].file_stem, "21_margin_wide");
    let only = parse_tables_file(
        &format!("defaults = false\n{text}"),
        false,
        Path::new("t.toml"),
    )
    .unwrap()
    .resolve();
    assert_eq!(only.len(), 1);
}

#[test]
fn tables_file_errors_name_file_line_and_field() {
    let bad_edges = r#"
        [[table]]
        file_stem = "x"
        title = "X"
        key = "fico"
        buckets = { kind = "ranges", edges = [700, 600] }
    "#;
    let e = parse_tables_file(bad_edges, false, Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.toml") && e.contains("tables[x].buckets.edges"),
        "{e}"
    );
    let bad_key = "[[table]]\nfile_stem = \"x\"\ntitle = \"X\"\nkey = \"nope\"\nbuckets = { kind = \"months\" }\n";
    let e = parse_tables_file(bad_key, false, Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.toml: row 4") && e.contains("nope"), "{e}");
    let e = parse_tables_file("{\"table\": [1]}", true, Path::new("t.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.json"), "{e}");
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_workbook_is_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("strats.xlsx");
    write_xlsx(&p, &report()).unwrap();
    assert_eq!(&std::fs::read(&p).unwrap()[..2], b"PK");
}

/// The term sheet's fees: servicing 0.375% (98.42% of loans) or 0.50% (1.58%), master
/// servicing 0.03%, trustee 0.0043%, and an MI premium averaging 0.049% of the pool.
fn term_sheet_ctx() -> StratContext {
    StratContext {
        fees: NetFees {
            master_servicing: 0.0003,
            trustee: 0.000043,
        },
        cutoff: None,
    }
}

/// Single-loan published rows without MI: our net WAC of a loan with the printed gross
/// rate and the term sheet's fees is the printed NET WAC.
#[test]
fn net_wac_matches_the_term_sheet_where_fees_are_known() {
    let cases = [
        ("01_description", "3/1 CMT1Y", 0.375),
        ("01_description", "5/1 CMT1Y", 0.375),
        ("03_state", "AK", 0.50),
        ("03_state", "MT", 0.375),
        ("03_state", "ND", 0.375),
        ("03_state", "WY", 0.375),
        ("06_property_type", "MANUF", 0.50),
        (
            "14_collateral_grouped_by_prepayment_penalty_months",
            "3",
            0.375,
        ),
        (
            "14_collateral_grouped_by_prepayment_penalty_months",
            "7",
            0.375,
        ),
        ("16_range_of_months_to_roll", "74 - 79", 0.375),
    ];
    let def = default_tables().remove(0);
    for (file, label, serv) in cases {
        let text = std::fs::read_to_string(fixtures().join(format!("strat/{file}.csv"))).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let h = rd.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|x| x == name).unwrap();
        let rec = rd
            .records()
            .map(|r| r.unwrap())
            .find(|r| &r[0] == label)
            .unwrap();
        assert_eq!(&rec[col("# OF LOANS")], "1", "{file} {label}");
        let gross: f64 = rec[col("GROSS WAC")].parse().unwrap();
        let mut l = loan("x", 100_000.0, gross, Some(700), 80.0, 0.0);
        l.servicing_fee = serv / 100.0;
        let t = tranche_core::strats::compute_table(&def, &[l], &term_sheet_ctx()).unwrap();
        let net = column_value(t.total().unwrap(), Column::NetWac).unwrap();
        assert_eq!(
            format_number(net, 3, false),
            &rec[col("NET WAC")],
            "{file} {label}"
        );
    }
}

/// The pool: 5.776 gross − (0.9842·0.375 + 0.0158·0.50) − 0.03 − 0.0043 − 0.049 premium
/// = 5.3157, printed 5.316 as the term sheet's Net WAC.
#[test]
fn pool_net_wac_with_the_term_sheet_fee_mix() {
    // 98.42% at 0.375% servicing, 1.58% at 0.50%; 5.49% of the balance insured at a
    // premium of 0.049 / 5.49 · 100% so the pool's weighted premium is 0.049%.
    let premium = 0.049 / 0.0549;
    let mut a = loan("a", 9_293.0, 5.776, Some(700), 80.0, 0.0);
    let mut b = loan("b", 549.0, 5.776, Some(700), 90.0, premium);
    let mut c = loan("c", 158.0, 5.776, Some(700), 80.0, 0.0);
    a.servicing_fee = 0.00375;
    b.servicing_fee = 0.00375;
    c.servicing_fee = 0.0050;
    let s = summarize(&[a, b, c], &term_sheet_ctx()).unwrap();
    let net = s.net_rate.unwrap().wa * 100.0;
    assert!((net - 5.315725).abs() < 1e-9, "{net}");
    assert_eq!(format_number(net, 3, false), "5.316");
}
