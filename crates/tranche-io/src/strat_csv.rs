//! Reading published stratification tables (one CSV per table) and a pool summary (JSON).
//!
//! Strat CSV columns (header names, case-insensitive): `DESCRIPTION`, `CURRENT BALANCE`,
//! `# OF LOANS` (required), `% OF TOTAL`, `AVERAGE BALANCE`, `MIN WAC`, `MAX WAC`,
//! `GROSS WAC`, `NET WAC`, `REMG. TERM`, `AGE`, `FICO`, `ORIG LTV`, `WA MTR` (optional) and
//! `ROW_TYPE` (`data` or `total`; absent = data). The table's title is the file name without
//! its numeric prefix (`16_range_of_months_to_roll.csv` → `range of months to roll`).

use crate::IoError;
use std::path::{Path, PathBuf};
use tranche_core::error::{FieldError, Location};
use tranche_poolfit::{PoolSummary, StratRow, StratTable, SummaryFigure};

fn ferr(row: Option<usize>, field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        location: Location {
            row,
            field: Some(field.to_string()),
        },
        message: message.into(),
    }
}

/// Table title from a file name: numeric prefix dropped, underscores to spaces.
pub fn title_from_path(p: &Path) -> String {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let t = stem
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['_', '-', ' ']);
    let t = if t.is_empty() { stem.as_str() } else { t };
    t.replace('_', " ")
}

fn parse_num(s: &str) -> Result<Option<f64>, String> {
    let c: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | '%'))
        .collect();
    if c.is_empty() {
        return Ok(None);
    }
    c.parse::<f64>()
        .map(Some)
        .map_err(|_| format!("expected a number, got `{}`", s.trim()))
}

/// Reads one strat CSV.
pub fn read_strat_csv(path: &Path) -> Result<StratTable, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers = rdr
        .headers()
        .map_err(|e| IoError::input(path, vec![ferr(Some(0), "header", e.to_string())]))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut errors = Vec::new();
    let need = |name: &str, errors: &mut Vec<FieldError>| {
        let c = col(name);
        if c.is_none() {
            errors.push(ferr(None, name, "required column missing from the header"));
        }
        c
    };
    let c_desc = need("DESCRIPTION", &mut errors);
    let c_bal = need("CURRENT BALANCE", &mut errors);
    let c_cnt = need("# OF LOANS", &mut errors);
    if !errors.is_empty() {
        return Err(IoError::input(path, errors));
    }
    let (c_desc, c_bal, c_cnt) = (c_desc.unwrap_or(0), c_bal.unwrap_or(0), c_cnt.unwrap_or(0));
    let opt_cols: Vec<(&str, Option<usize>)> = [
        "% OF TOTAL",
        "AVERAGE BALANCE",
        "MIN WAC",
        "MAX WAC",
        "GROSS WAC",
        "NET WAC",
        "REMG. TERM",
        "AGE",
        "FICO",
        "ORIG LTV",
        "WA MTR",
    ]
    .into_iter()
    .map(|n| (n, col(n)))
    .collect();
    let c_type = col("ROW_TYPE");
    let mut table = StratTable {
        title: title_from_path(path),
        rows: Vec::new(),
        total: None,
    };
    for (ri, rec) in rdr.records().enumerate() {
        let row = ri + 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(ferr(Some(row), "record", e.to_string()));
                continue;
            }
        };
        let get = |c: usize| rec.get(c).unwrap_or("");
        let num = |name: &str, c: Option<usize>, errors: &mut Vec<FieldError>| -> Option<f64> {
            let c = c?;
            match parse_num(get(c)) {
                Ok(v) => v,
                Err(m) => {
                    errors.push(ferr(Some(row), name, m));
                    None
                }
            }
        };
        let balance = num("CURRENT BALANCE", Some(c_bal), &mut errors);
        let count = num("# OF LOANS", Some(c_cnt), &mut errors);
        let mut vals = [None; 11];
        for (k, (name, c)) in opt_cols.iter().enumerate() {
            vals[k] = num(name, *c, &mut errors);
        }
        let (Some(balance), Some(count)) = (balance, count) else {
            if errors.is_empty() {
                errors.push(ferr(
                    Some(row),
                    "CURRENT BALANCE",
                    "balance and loan count are required",
                ));
            }
            continue;
        };
        if count < 0.0 || count.fract() != 0.0 {
            errors.push(ferr(
                Some(row),
                "# OF LOANS",
                format!("expected a whole number of loans, got {count}"),
            ));
            continue;
        }
        if balance < 0.0 {
            errors.push(ferr(
                Some(row),
                "CURRENT BALANCE",
                "expected a balance >= 0",
            ));
            continue;
        }
        let r = StratRow {
            label: get(c_desc).trim().to_string(),
            balance,
            count: count as usize,
            pct: vals[0],
            avg_balance: vals[1],
            min_wac: vals[2],
            max_wac: vals[3],
            gross_wac: vals[4],
            net_wac: vals[5],
            rem_term: vals[6],
            age: vals[7],
            fico: vals[8],
            ltv: vals[9],
            wa_mtr: vals[10],
        };
        let kind = c_type
            .map(|c| get(c).trim().to_ascii_lowercase())
            .unwrap_or_default();
        match kind.as_str() {
            "total" => table.total = Some(r),
            "" | "data" => table.rows.push(r),
            other => errors.push(ferr(
                Some(row),
                "ROW_TYPE",
                format!("expected `data` or `total`, got `{other}`"),
            )),
        }
        if errors.len() > 50 {
            break;
        }
    }
    if table.rows.is_empty() && errors.is_empty() {
        errors.push(ferr(None, "rows", "the table has no data rows"));
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(IoError::input(path, errors))
    }
}

/// Reads every `*.csv` of a directory, in file-name order.
pub fn read_strat_dir(dir: &Path) -> Result<Vec<StratTable>, IoError> {
    let rd = std::fs::read_dir(dir).map_err(|e| IoError::io(dir, e))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for e in rd {
        let p = e.map_err(|e| IoError::io(dir, e))?.path();
        if p.extension()
            .map(|x| x.eq_ignore_ascii_case("csv"))
            .unwrap_or(false)
        {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(IoError::input(
            dir,
            vec![ferr(None, "directory", "no .csv strat tables found")],
        ));
    }
    files.iter().map(|p| read_strat_csv(p)).collect()
}

/// The key of a summary figure: section and label slugged (`%` reads `pct`).
pub fn figure_key(section: Option<&str>, label: &str) -> String {
    let raw = format!("{} {}", section.unwrap_or(""), label).replace('%', " pct ");
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Reads a pool summary JSON: `figures: [{section, label, value, range_min, range_max}]`
/// (and/or `figures_by_key: {key: value}`).
pub fn read_pool_summary(path: &Path) -> Result<PoolSummary, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| IoError::input(path, vec![ferr(Some(e.line()), "json", e.to_string())]))?;
    let mut out = PoolSummary::default();
    let mut errors = Vec::new();
    if let Some(figs) = v.get("figures").and_then(|f| f.as_array()) {
        for (i, f) in figs.iter().enumerate() {
            let label = f.get("label").and_then(|x| x.as_str());
            let value = f.get("value").and_then(|x| x.as_f64());
            let (Some(label), Some(value)) = (label, value) else {
                errors.push(ferr(
                    None,
                    &format!("figures[{i}]"),
                    "expected `label` (text) and `value` (number)",
                ));
                continue;
            };
            let section = f.get("section").and_then(|x| x.as_str());
            out.figures.insert(
                figure_key(section, label),
                SummaryFigure {
                    value,
                    min: f.get("range_min").and_then(|x| x.as_f64()),
                    max: f.get("range_max").and_then(|x| x.as_f64()),
                },
            );
        }
    }
    if let Some(m) = v.get("figures_by_key").and_then(|f| f.as_object()) {
        for (k, x) in m {
            match x.as_f64() {
                Some(value) => {
                    out.figures.entry(k.clone()).or_insert(SummaryFigure {
                        value,
                        min: None,
                        max: None,
                    });
                }
                None => errors.push(ferr(
                    None,
                    &format!("figures_by_key.{k}"),
                    "expected a number",
                )),
            }
        }
    }
    if out.figures.is_empty() && errors.is_empty() {
        errors.push(ferr(
            None,
            "figures",
            "no figures found (expected `figures` or `figures_by_key`)",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(IoError::input(path, errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_number_names_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("01_state.csv");
        std::fs::write(
            &p,
            "DESCRIPTION,CURRENT BALANCE,# OF LOANS,GROSS WAC\nCA,100,1,5.0\nNV,abc,1,5.0\n",
        )
        .unwrap();
        let e = read_strat_csv(&p).unwrap_err().to_string();
        assert!(
            e.contains("01_state.csv") && e.contains("row 2") && e.contains("CURRENT BALANCE"),
            "{e}"
        );
    }

    #[test]
    fn reads_rows_total_and_title() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("16_range_of_months_to_roll.csv");
        std::fs::write(&p, "DESCRIPTION,WA MTR,CURRENT BALANCE,# OF LOANS,ROW_TYPE\n1 - 6,5,\"1,000\",2,data\n27,5,1000,2,total\n").unwrap();
        let t = read_strat_csv(&p).unwrap();
        assert_eq!(t.title, "range of months to roll");
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].balance, 1000.0);
        assert_eq!(t.rows[0].wa_mtr, Some(5.0));
        assert!(t.total.is_some());
    }

    #[test]
    fn summary_keys() {
        assert_eq!(
            figure_key(Some("ARM Characteristics"), "WA Gross Margin"),
            "arm_characteristics_wa_gross_margin"
        );
        assert_eq!(figure_key(None, "WA DTI%"), "wa_dti_pct");
        assert_eq!(
            figure_key(None, "Prepayment Penalty at Loan Orig (% of all loans)"),
            "prepayment_penalty_at_loan_orig_pct_of_all_loans"
        );
    }
}
