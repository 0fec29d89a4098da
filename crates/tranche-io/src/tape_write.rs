//! Writing a loan tape as CSV with the tape columns (rates in percent), atomically.

use crate::atomic::write_atomic;
use crate::IoError;
use std::path::Path;
use tranche_core::tape::{AmortType, Loan};
use tranche_poolfit::parse_product;

/// The header line: the schema's written columns.
fn header() -> String {
    tranche_core::tape::schema::written()
        .collect::<Vec<_>>()
        .join(",")
}

/// Shortest decimal text of `x` rounded to `d` places (no trailing zeros).
fn num(x: f64, d: usize) -> String {
    let s = format!("{:.*}", d, x);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn pct(x: f64) -> String {
    num(x * 100.0, 6)
}

/// `x` (a decimal) as the percent text that reads back as `x` bit for bit: the shortest
/// decimal of `x` with its point moved two places right (0.05375 → `5.375`).
pub fn exact_pct(x: f64) -> String {
    let s = format!("{x}");
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", s.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let rest = rest.trim_end_matches('0');
    let out = if rest.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{rest}")
    };
    if out == "0" {
        out
    } else {
        format!("{sign}{out}")
    }
}

/// How numbers are written: rounded for a tape people read, in full for a current tape.
#[derive(Clone, Copy)]
struct Style {
    exact: bool,
}

impl Style {
    fn money(self, x: f64) -> String {
        if self.exact {
            format!("{x}")
        } else {
            num(x, 2)
        }
    }

    fn pct(self, x: f64) -> String {
        if self.exact {
            exact_pct(x)
        } else {
            pct(x)
        }
    }
}

/// Months from the first accrual month to the first rate change, as the tape column wants
/// it: for a loan whose first change is still to come it is `age + months_to_reset` (so a
/// reader derives `first_reset_pending` back); otherwise the product's first reset.
fn first_reset_months(l: &Loan) -> Option<u32> {
    let a = l.arm.as_ref()?;
    let at = l.age + a.months_to_reset;
    if a.first_reset_pending {
        return Some(at);
    }
    let p = parse_product(&l.product).first_reset;
    Some(if p > 0 && p < at {
        p
    } else {
        at.saturating_sub(a.reset_freq.max(1))
    })
}

/// How every tape this module writes begins: its header line.
pub fn tape_signature() -> crate::outputs::Signature {
    crate::outputs::Signature(format!("{}\n", header()))
}

/// How every current tape this module writes begins: its header line.
pub fn current_tape_signature() -> crate::outputs::Signature {
    let header: Vec<&str> = tranche_core::tape::schema::written_current().collect();
    crate::outputs::Signature(format!("{}\n", header.join(",")))
}

/// Renders the tape CSV in memory.
pub fn tape_csv_bytes(loans: &[Loan]) -> Result<Vec<u8>, IoError> {
    render(loans, None)
}

/// Renders a current tape in memory: the loans as they stand after a payment date, each
/// with its level payment (`payments`, one per loan), every number in full so that it
/// reads back bit for bit.
pub fn current_tape_csv_bytes(
    loans: &[Loan],
    payments: &[Option<f64>],
) -> Result<Vec<u8>, IoError> {
    render(loans, Some(payments))
}

fn render(loans: &[Loan], payments: Option<&[Option<f64>]>) -> Result<Vec<u8>, IoError> {
    let st = Style {
        exact: payments.is_some(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let werr = |e: csv::Error| IoError::io("tape.csv", std::io::Error::other(e.to_string()));
    match payments {
        None => w.write_record(tranche_core::tape::schema::written()),
        Some(_) => w.write_record(tranche_core::tape::schema::written_current()),
    }
    .map_err(werr)?;
    for (i, l) in loans.iter().enumerate() {
        let a = l.arm.as_ref();
        let pct = |x: f64| st.pct(x);
        let mut rec: Vec<String> = vec![
            l.loan_id.clone(),
            st.money(l.balance),
            pct(l.gross_rate),
            l.orig_term.to_string(),
            l.rem_term.to_string(),
            l.age.to_string(),
            match l.amort {
                AmortType::Fixed => "fixed".into(),
                AmortType::Arm => "arm".into(),
            },
            l.io_months.to_string(),
            pct(l.servicing_fee),
            pct(l.mi_fee),
            a.map(|a| a.index.name().to_string()).unwrap_or_default(),
            a.map(|a| pct(a.margin)).unwrap_or_default(),
            a.map(|a| a.months_to_reset.to_string()).unwrap_or_default(),
            first_reset_months(l)
                .map(|x| x.to_string())
                .unwrap_or_default(),
            a.map(|a| a.reset_freq.to_string()).unwrap_or_default(),
            a.map(|a| pct(a.initial_cap)).unwrap_or_default(),
            a.map(|a| pct(a.periodic_cap)).unwrap_or_default(),
            a.map(|a| pct(a.life_cap)).unwrap_or_default(),
            a.map(|a| pct(a.life_floor)).unwrap_or_default(),
            a.map(|a| pct(a.rounding)).unwrap_or_default(),
            a.map(|a| a.lookback_months.to_string()).unwrap_or_default(),
            l.product.clone(),
            l.state.clone(),
            l.property_type.clone(),
            l.occupancy.clone(),
            l.purpose.clone(),
            l.doc_type.clone(),
            l.fico.map(|f| f.to_string()).unwrap_or_default(),
            num(l.orig_ltv, 4),
            l.dti.map(|d| num(d, 4)).unwrap_or_default(),
            l.prepay_penalty_months.to_string(),
            l.prepay_penalty_type.clone(),
            l.orig_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            l.lien.to_string(),
            l.delinquency.clone(),
        ];
        if let Some(p) = payments {
            rec.push(
                p.get(i)
                    .copied()
                    .flatten()
                    .map(|x| st.money(x))
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec).map_err(werr)?;
    }
    w.into_inner()
        .map_err(|e| IoError::io("tape.csv", std::io::Error::other(e.to_string())))
}

/// Writes `loans` to `path` as a tape CSV (atomically: a reader never sees half a file).
pub fn write_tape_csv(path: &Path, loans: &[Loan]) -> Result<(), IoError> {
    let bytes = tape_csv_bytes(loans)?;
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tranche_core::tape::{ArmTerms, RateIndex};

    fn loan() -> Loan {
        Loan {
            loan_id: "1".into(),
            balance: 100000.0,
            gross_rate: 0.05375,
            orig_term: 360,
            rem_term: 359,
            age: 1,
            amort: AmortType::Arm,
            io_months: 0,
            servicing_fee: 0.00375,
            mi_fee: 0.0,
            arm: Some(ArmTerms {
                index: RateIndex::Libor6M,
                margin: 0.0325,
                months_to_reset: 23,
                reset_freq: 6,
                first_reset_pending: true,
                initial_cap: 0.03,
                periodic_cap: 0.01,
                life_cap: 0.11375,
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
            fico: None,
            orig_ltv: 80.0,
            dti: Some(38.5),
            prepay_penalty_months: 24,
            prepay_penalty_type: "hard".into(),
            orig_date: chrono::NaiveDate::from_ymd_opt(2003, 11, 15),
            lien: 1,
            delinquency: "Current".into(),
        }
    }

    #[test]
    fn writes_header_and_percent_columns() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tape.csv");
        write_tape_csv(&p, &[loan()]).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), header());
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .starts_with(&tape_signature().0));
        let row = lines.next().unwrap();
        assert!(row.starts_with("1,100000,5.375,360,359,1,arm,0,0.375,0,LIBOR6M,3.25,23,24,6,3,1,11.375,3.25,0.125,1,2/28 LIB6M"), "{row}");
        assert!(
            row.ends_with(",80,38.5,24,hard,2003-11-15,1,Current"),
            "{row}"
        );
        // unknown FICO is an empty field
        assert!(row.contains(",FULL,,80,"), "{row}");
    }
}
