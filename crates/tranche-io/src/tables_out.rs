//! Text forms (CSV, JSON, Markdown) of the report tables, and readers for published
//! Price/DM and Available Funds Rate tables to compare against.
//!
//! Months print as `YYYY-MM`, rates as percent, DM in basis points. Full precision is kept
//! in CSV/JSON (rounded only to 6 decimals); Markdown rounds like a term sheet.

use crate::outputs::Signature;
use crate::records::Records;
use crate::IoError;
use serde::Serialize;
use std::path::Path;
use tranche_core::dates::yyyy_mm;
use tranche_core::error::{FieldError, Location};
use tranche_core::grid::GridCell;
use tranche_core::summary::BondSummary;
use tranche_core::tables::tieout::PublishedRow;
use tranche_core::tables::{AfrRow, PriceTableRow, SummaryRow};
use tranche_core::waterfall::Horizon;

/// Output format of a table command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Json,
    Md,
}

impl std::str::FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(TableFormat::Csv),
            "json" => Ok(TableFormat::Json),
            "md" | "markdown" => Ok(TableFormat::Md),
            _ => Err(format!("expected csv, json or md, found `{s}`")),
        }
    }
}

/// The tables of this module that commands write to files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind<'a> {
    PriceTable,
    Afr,
    /// A grid over these axes (their field names, in order).
    Grid(&'a [String]),
}

/// How every output of `kind` in `format` begins, whatever its rows: the header line of a
/// CSV or Markdown table, the Markdown title, the opening of the first JSON record.
pub fn signature(kind: TableKind, format: TableFormat) -> Signature {
    let first_field = match kind {
        TableKind::PriceTable => "class",
        TableKind::Afr => "period",
        TableKind::Grid(axes) => axes.first().map_or("pool_loss_pct", String::as_str),
    };
    if format == TableFormat::Json {
        return Signature(format!("[\n  {{\n    \"{first_field}\": "));
    }
    let empty = match kind {
        TableKind::PriceTable => price_table(&[], format),
        TableKind::Afr => afr_schedule(&[], format),
        TableKind::Grid(axes) => grid(axes, &[], format),
    };
    Signature(
        empty
            .lines()
            .next()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default(),
    )
}

fn opt(v: Option<f64>, dp: usize) -> String {
    v.map_or(String::new(), |x| format!("{x:.dp$}"))
}

/// A number for a Markdown table, `-` when absent.
fn dash(v: Option<f64>, dp: usize) -> String {
    v.map_or("-".into(), |x| format!("{x:.dp$}"))
}

fn month(d: Option<chrono::NaiveDate>) -> String {
    d.map_or(String::new(), yyyy_mm)
}

/// The Price/DM rows in the CSV/JSON field names.
#[derive(Debug, Serialize)]
struct PriceRecord<'a> {
    class: &'a str,
    horizon: String,
    speed_pct: f64,
    dm_bps: Option<f64>,
    wal_years: Option<f64>,
    mod_duration: Option<f64>,
    first_principal: String,
    last_principal: String,
}

fn price_records(rows: &[PriceTableRow]) -> Vec<PriceRecord<'_>> {
    rows.iter()
        .map(|r| PriceRecord {
            class: &r.class,
            horizon: r.horizon.name(),
            speed_pct: r.speed_pct,
            dm_bps: r.dm_bps,
            wal_years: r.wal_years,
            mod_duration: r.mod_duration,
            first_principal: month(r.first_principal),
            last_principal: month(r.last_principal),
        })
        .collect()
}

/// The Price/DM report in `format`.
pub fn price_table(rows: &[PriceTableRow], format: TableFormat) -> String {
    match format {
        TableFormat::Csv => {
            let mut t = Records::new(
                &[
                    "class",
                    "horizon",
                    "speed_pct",
                    "dm_bps",
                    "wal_years",
                    "mod_duration",
                    "first_principal",
                    "last_principal",
                ],
                true,
            );
            for r in price_records(rows) {
                t.push(vec![
                    r.class.to_string(),
                    r.horizon,
                    format!("{}", r.speed_pct),
                    opt(r.dm_bps, 6),
                    opt(r.wal_years, 6),
                    opt(r.mod_duration, 6),
                    r.first_principal,
                    r.last_principal,
                ]);
            }
            t.csv()
        }
        TableFormat::Json => json(&price_records(rows)),
        TableFormat::Md => price_table_md(rows),
    }
}

fn json<T: Serialize + ?Sized>(v: &T) -> String {
    // Serializing plain records cannot fail; fall back to an empty array all the same.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn mon_yy(d: Option<chrono::NaiveDate>) -> String {
    d.map_or("-".into(), |d| d.format("%b%y").to_string())
}

/// One block per class and horizon, laid out like the term sheet's Price-DM report.
fn price_table_md(rows: &[PriceTableRow]) -> String {
    let mut out = String::from("# Price/DM report\n\n");
    let mut keys: Vec<(&str, Horizon)> = Vec::new();
    for r in rows {
        if !keys.iter().any(|k| k.0 == r.class && k.1 == r.horizon) {
            keys.push((&r.class, r.horizon));
        }
    }
    for (class, h) in keys {
        let block: Vec<&PriceTableRow> = rows
            .iter()
            .filter(|r| r.class == class && r.horizon == h)
            .collect();
        out.push_str(&format!(
            "### {class}, to {}\n\n| Percentage of Pricing Prepayment Speed |",
            match h {
                Horizon::Call => "call".to_string(),
                Horizon::Maturity => "maturity".to_string(),
                Horizon::CallOn(m) => format!("a call in {m}"),
            }
        ));
        for r in &block {
            out.push_str(&format!(" {:.2}% |", r.speed_pct));
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(block.len()));
        out.push('\n');
        let line = |label: &str, f: &dyn Fn(&PriceTableRow) -> String| {
            let mut s = format!("| {label} |");
            for r in &block {
                s.push_str(&format!(" {} |", f(r)));
            }
            s.push('\n');
            s
        };
        out.push_str(&line("DM at Par (bps)", &|r| dash(r.dm_bps, 0)));
        out.push_str(&line("WAL (yr)", &|r| {
            r.wal_years.map_or("-".into(), |w| format!("{w:.2}"))
        }));
        out.push_str(&line("MDUR (yr)", &|r| dash(r.mod_duration, 2)));
        out.push_str(&line("First Prin Pay", &|r| mon_yy(r.first_principal)));
        out.push_str(&line("Last Prin Pay", &|r| mon_yy(r.last_principal)));
        out.push('\n');
    }
    out
}

#[derive(Debug, Serialize)]
struct AfrRecord {
    period: u32,
    payment_date: String,
    afr_pct: f64,
    afr_shocked_pct: f64,
}

/// The Available Funds Rate schedule in `format` (rates in percent).
pub fn afr_schedule(rows: &[AfrRow], format: TableFormat) -> String {
    let recs: Vec<AfrRecord> = rows
        .iter()
        .map(|r| AfrRecord {
            period: r.period,
            payment_date: r.payment_date.to_string(),
            afr_pct: 100.0 * r.afr,
            afr_shocked_pct: 100.0 * r.afr_shocked,
        })
        .collect();
    match format {
        TableFormat::Csv => {
            let mut t = Records::new(
                &["period", "payment_date", "afr_pct", "afr_shocked_pct"],
                true,
            );
            for r in &recs {
                t.push(vec![
                    r.period.to_string(),
                    r.payment_date.clone(),
                    format!("{:.6}", r.afr_pct),
                    format!("{:.6}", r.afr_shocked_pct),
                ]);
            }
            t.csv()
        }
        TableFormat::Json => json(&recs),
        TableFormat::Md => {
            let mut t = Records::new(
                &[
                    "Period",
                    "Payment date",
                    "Available Rate (%)",
                    "Available Rate, shocked (%)",
                ],
                true,
            );
            t.right[1] = false;
            for r in &recs {
                t.push(vec![
                    r.period.to_string(),
                    r.payment_date.clone(),
                    format!("{:.2}", r.afr_pct),
                    format!("{:.2}", r.afr_shocked_pct),
                ]);
            }
            t.markdown()
        }
    }
}

#[derive(Debug, Serialize)]
struct SummaryRecord<'a> {
    class: &'a str,
    balance: f64,
    tranche_type: &'a str,
    wal_call: Option<f64>,
    wal_maturity: Option<f64>,
    mod_duration_call: Option<f64>,
    mod_duration_maturity: Option<f64>,
    window_call: String,
    window_maturity: String,
    last_scheduled_payment: String,
}

/// The term-sheet summary in `format`.
pub fn summary(rows: &[SummaryRow], format: TableFormat) -> String {
    let win = |w: Option<(u32, u32)>| w.map_or(String::new(), |(a, b)| format!("{a} - {b}"));
    let recs: Vec<SummaryRecord> = rows
        .iter()
        .map(|r| SummaryRecord {
            class: &r.class,
            balance: r.balance,
            tranche_type: &r.tranche_type,
            wal_call: r.wal_call,
            wal_maturity: r.wal_maturity,
            mod_duration_call: r.mod_duration_call,
            mod_duration_maturity: r.mod_duration_maturity,
            window_call: win(r.window_call),
            window_maturity: win(r.window_maturity),
            last_scheduled_payment: month(r.last_scheduled_payment),
        })
        .collect();
    match format {
        TableFormat::Json => json(&recs),
        TableFormat::Csv => {
            let mut t = Records::new(
                &[
                    "class",
                    "balance",
                    "tranche_type",
                    "wal_call",
                    "wal_maturity",
                    "mod_duration_call",
                    "mod_duration_maturity",
                    "window_call",
                    "window_maturity",
                    "last_scheduled_payment",
                ],
                true,
            );
            for r in &recs {
                t.push(vec![
                    r.class.to_string(),
                    format!("{:.2}", r.balance),
                    r.tranche_type.to_string(),
                    opt(r.wal_call, 6),
                    opt(r.wal_maturity, 6),
                    opt(r.mod_duration_call, 6),
                    opt(r.mod_duration_maturity, 6),
                    r.window_call.clone(),
                    r.window_maturity.clone(),
                    r.last_scheduled_payment.clone(),
                ]);
            }
            t.csv()
        }
        TableFormat::Md => {
            let mut s = String::from("| Class | Approximate Bond Balance | Tranche Type | WAL (Yrs.) Call/Mat | Modified Duration (Yrs.) Call/Mat | Payment Window (Mos.) Call/Mat | Last Scheduled Payment Date |\n|---|---:|---|---|---|---|---|\n");
            for (r, row) in recs.iter().zip(rows) {
                s.push_str(&format!(
                    "| {} | {:.0} | {} | {} / {} | {} / {} | {} / {} | {} |\n",
                    r.class,
                    r.balance,
                    r.tranche_type,
                    opt(r.wal_call, 2),
                    opt(r.wal_maturity, 2),
                    dash(r.mod_duration_call, 2),
                    dash(r.mod_duration_maturity, 2),
                    r.window_call,
                    r.window_maturity,
                    row.last_scheduled_payment
                        .map_or("-".into(), |d| d.format("%B %Y").to_string())
                ));
            }
            s
        }
    }
}

/// One grid record: the cell's axis values under their field names, then the bond's.
struct GridRecord<'a> {
    axes: &'a [String],
    point: &'a [f64],
    pool_loss_pct: f64,
    bond: &'a BondSummary,
}

impl Serialize for GridRecord<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let b = self.bond;
        let mut m = ser.serialize_map(Some(self.axes.len() + 7))?;
        for (a, v) in self.axes.iter().zip(self.point) {
            m.serialize_entry(a, v)?;
        }
        m.serialize_entry("pool_loss_pct", &self.pool_loss_pct)?;
        m.serialize_entry("class", &b.bond)?;
        m.serialize_entry("dm_bps", &b.dm_bps)?;
        m.serialize_entry("wal_years", &b.wal_years)?;
        m.serialize_entry("mod_duration", &b.mod_duration)?;
        m.serialize_entry("unpaid_principal", &b.unpaid_principal)?;
        m.serialize_entry("principal_loss_pct", &b.principal_loss_pct)?;
        m.end()
    }
}

/// A scenario grid, one record per cell and class; `axes` names the cells' points.
pub fn grid(axes: &[String], cells: &[GridCell], format: TableFormat) -> String {
    let recs: Vec<GridRecord> = cells
        .iter()
        .flat_map(|c| {
            c.summary.bonds.iter().map(move |b| GridRecord {
                axes,
                point: &c.point,
                pool_loss_pct: c.summary.pool_loss_pct,
                bond: b,
            })
        })
        .collect();
    match format {
        TableFormat::Json => json(&recs),
        TableFormat::Csv | TableFormat::Md => {
            let mut head: Vec<&str> = axes.iter().map(String::as_str).collect();
            head.extend([
                "pool_loss_pct",
                "class",
                "dm_bps",
                "wal_years",
                "mod_duration",
                "unpaid_principal",
                "principal_loss_pct",
            ]);
            let mut t = Records::new(&head, true);
            t.right[axes.len() + 1] = false;
            for r in &recs {
                let b = r.bond;
                let mut f: Vec<String> = r.point.iter().map(|v| format!("{v}")).collect();
                f.extend([
                    format!("{:.6}", r.pool_loss_pct),
                    b.bond.clone(),
                    opt(b.dm_bps, 4),
                    opt(b.wal_years, 6),
                    opt(b.mod_duration, 6),
                    format!("{:.2}", b.unpaid_principal),
                    format!("{:.6}", b.principal_loss_pct),
                ]);
                t.push(f);
            }
            if format == TableFormat::Md {
                t.markdown()
            } else {
                t.csv()
            }
        }
    }
}

fn field_err(row: usize, field: &str, msg: String) -> FieldError {
    FieldError {
        location: Location {
            row: Some(row),
            field: Some(field.into()),
        },
        message: msg,
    }
}

/// Reads a published Price/DM table: columns `class, horizon (to_call|to_maturity),
/// speed_pct_of_pricing, dm_at_par_bps, wal_yrs, mdur_yrs, first_prin_pay,
/// last_prin_pay (YYYY-MM)`; other columns are ignored.
pub fn read_published_dm(path: &Path) -> Result<Vec<PublishedRow>, IoError> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| csv_io(path, e))?;
    let headers = rdr.headers().map_err(|e| csv_io(path, e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let names = [
        "class",
        "horizon",
        "speed_pct_of_pricing",
        "dm_at_par_bps",
        "wal_yrs",
        "mdur_yrs",
        "first_prin_pay",
        "last_prin_pay",
    ];
    let mut idx = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match col(n) {
            Some(i) => idx.push(i),
            None => errors.push(field_err(1, n, "missing column".into())),
        }
    }
    if !errors.is_empty() {
        return Err(IoError::input(path, errors));
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| csv_io(path, e))?;
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim();
        let num = |k: usize, errors: &mut Vec<FieldError>| -> f64 {
            get(k).parse::<f64>().unwrap_or_else(|_| {
                errors.push(field_err(
                    row,
                    names[k],
                    format!("expected a number, found `{}`", get(k)),
                ));
                f64::NAN
            })
        };
        let horizon = match get(1) {
            "to_call" | "call" => Horizon::Call,
            "to_maturity" | "maturity" => Horizon::Maturity,
            other => {
                errors.push(field_err(
                    row,
                    "horizon",
                    format!("expected to_call or to_maturity, found `{other}`"),
                ));
                Horizon::Call
            }
        };
        for k in [6, 7] {
            if tranche_core_month_ok(get(k)).is_none() {
                errors.push(field_err(
                    row,
                    names[k],
                    format!("expected YYYY-MM, found `{}`", get(k)),
                ));
            }
        }
        let r = PublishedRow {
            class: get(0).to_string(),
            horizon,
            speed_pct: num(2, &mut errors),
            dm_bps: num(3, &mut errors),
            wal_years: num(4, &mut errors),
            mod_duration: num(5, &mut errors),
            first_principal: get(6).to_string(),
            last_principal: get(7).to_string(),
        };
        out.push(r);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(IoError::input(path, errors))
    }
}

fn tranche_core_month_ok(s: &str) -> Option<()> {
    let (y, m) = s.split_once('-')?;
    let _: i32 = y.parse().ok().filter(|_| y.len() == 4)?;
    let m: u32 = m.parse().ok()?;
    (1..=12).contains(&m).then_some(())
}

/// A published Available Funds Rate schedule: `period`, base and shocked rates (percent),
/// read from the first three columns.
pub fn read_published_afr(path: &Path) -> Result<Vec<(u32, f64, f64)>, IoError> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| csv_io(path, e))?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| csv_io(path, e))?;
        let f = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
        match (
            f(0).parse::<u32>(),
            f(1).parse::<f64>(),
            f(2).parse::<f64>(),
        ) {
            (Ok(p), Ok(a), Ok(b)) => out.push((p, a, b)),
            _ => errors.push(field_err(
                row,
                "period/rates",
                "expected an integer period and two rates in percent".into(),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(IoError::input(path, errors))
    }
}

fn csv_io(path: &Path, e: csv::Error) -> IoError {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IoError::io(path, io),
        other => IoError::input(
            path,
            vec![FieldError {
                location: Location {
                    row: line,
                    field: None,
                },
                message: format!("{other:?}"),
            }],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row() -> PriceTableRow {
        PriceTableRow {
            class: "A-1".into(),
            horizon: Horizon::Maturity,
            speed_pct: 80.0,
            dm_bps: Some(41.234),
            wal_years: Some(3.47123),
            mod_duration: Some(3.35),
            first_principal: NaiveDate::from_ymd_opt(2004, 2, 25),
            last_principal: NaiveDate::from_ymd_opt(2021, 8, 25),
            first_period: Some(1),
            last_period: Some(211),
        }
    }

    #[test]
    fn price_table_csv_columns() {
        let s = price_table(&[row()], TableFormat::Csv);
        let mut lines = s.lines();
        assert_eq!(
            lines.next(),
            Some("class,horizon,speed_pct,dm_bps,wal_years,mod_duration,first_principal,last_principal")
        );
        assert_eq!(
            lines.next(),
            Some("A-1,maturity,80,41.234000,3.471230,3.350000,2004-02,2021-08")
        );
        let md = price_table(&[row()], TableFormat::Md);
        assert!(md.contains("| Last Prin Pay | Aug21 |"), "{md}");
        let js: serde_json::Value =
            serde_json::from_str(&price_table(&[row()], TableFormat::Json)).unwrap();
        assert_eq!(js[0]["horizon"], "maturity");
        assert_eq!(js[0]["last_principal"], "2021-08");
    }

    fn legacy_axes() -> Vec<String> {
        ["speed_pct", "cdr_pct", "severity_pct", "shock_bps"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn every_output_begins_with_its_signature() {
        let afr = AfrRow {
            period: 1,
            payment_date: NaiveDate::from_ymd_opt(2004, 2, 25).unwrap(),
            afr: 0.05,
            afr_shocked: 0.06,
        };
        for f in [TableFormat::Csv, TableFormat::Json, TableFormat::Md] {
            let sig = signature(TableKind::PriceTable, f).0;
            assert!(price_table(&[row()], f).starts_with(&sig), "{f:?}");
            let sig = signature(TableKind::Afr, f).0;
            assert!(
                afr_schedule(std::slice::from_ref(&afr), f).starts_with(&sig),
                "{f:?}"
            );
            assert!(sig.len() > 10, "{f:?}: {sig:?}");
        }
        assert_eq!(
            signature(TableKind::Grid(&legacy_axes()), TableFormat::Csv).0,
            "speed_pct,cdr_pct,severity_pct,shock_bps,pool_loss_pct,class,dm_bps,wal_years,mod_duration,unpaid_principal,principal_loss_pct\n"
        );
        assert_eq!(
            signature(TableKind::PriceTable, TableFormat::Md).0,
            "# Price/DM report\n"
        );
    }

    #[test]
    fn reads_published_fixture_and_reports_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dm.csv");
        std::fs::write(
            &p,
            "deal,class,horizon,speed_pct_of_pricing,dm_at_par_bps,wal_yrs,mdur_yrs,first_prin_pay,last_prin_pay\n\
             x,A-1,to_call,100.00,34,2.13,2.10,2004-02,2007-12\n\
             x,A-1,sideways,abc,34,2.13,2.10,2004-02,2007-13\n",
        )
        .unwrap();
        let err = read_published_dm(&p).unwrap_err().to_string();
        assert!(err.contains("row 3, field `horizon`"), "{err}");
        assert!(err.contains("field `speed_pct_of_pricing`"), "{err}");
        assert!(err.contains("field `last_prin_pay`"), "{err}");
        std::fs::write(
            &p,
            "deal,class,horizon,speed_pct_of_pricing,dm_at_par_bps,wal_yrs,mdur_yrs,first_prin_pay,last_prin_pay\n\
             x,A-1,to_call,100.00,34,2.13,2.10,2004-02,2007-12\n",
        )
        .unwrap();
        let rows = read_published_dm(&p).unwrap();
        assert_eq!(rows[0].horizon, Horizon::Call);
        assert_eq!(rows[0].last_principal, "2007-12");
    }

    #[test]
    fn reads_the_reference_deal_fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/impac-cmb-2004-1");
        let dm = read_published_dm(&dir.join("dm_tables.csv")).unwrap();
        assert_eq!(dm.len(), 60);
        assert_eq!(
            dm.iter().filter(|r| r.horizon == Horizon::Maturity).count(),
            30
        );
        let afr = read_published_afr(&dir.join("available_funds_rate.csv")).unwrap();
        assert_eq!(afr.len(), 47);
        assert_eq!(afr[0], (1, 2.27, 2.27));
    }
}
