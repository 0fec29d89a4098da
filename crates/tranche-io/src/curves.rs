//! Forward-curve CSV: `period,LIBOR1M,LIBOR6M,LIBOR12M,CMT1Y[,more named indices]`, one
//! row per monthly period starting at 1, rates in percent.

use crate::table::{cell_error, file_error, more_errors, read_csv, read_csv_from, MAX_ERRORS};
use crate::IoError;
use std::path::Path;
use tranche_core::rates::{RateCurves, RatePath};
use tranche_core::tape::RateIndex;

/// Reads a curve file into decimal rate paths (one per index column).
pub fn read_curves(path: impl AsRef<Path>) -> Result<RateCurves, IoError> {
    let path = path.as_ref();
    curves_from_table(path, read_csv(path, "curve file")?)
}

/// Reads curves from any byte stream; `path` only names it in messages.
pub fn read_curves_from<R: std::io::Read>(path: &Path, reader: R) -> Result<RateCurves, IoError> {
    curves_from_table(path, read_csv_from(path, "curve file", reader)?)
}

/// Checks that the curves have a rate path for every index the loans use (`used`, e.g.
/// the ARMs' indices), so a missing
/// column is reported against the curve file rather than deep in the projection.
pub fn check_covers<'a>(
    path: &Path,
    curves: &RateCurves,
    used: impl IntoIterator<Item = &'a RateIndex>,
) -> Result<(), IoError> {
    let mut missing: Vec<&RateIndex> = Vec::new();
    for ix in used {
        if curves.get(ix).is_none() && !missing.contains(&ix) {
            missing.push(ix);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let have = named_columns(curves);
    Err(IoError::input(
        path,
        missing
            .into_iter()
            .map(|ix| {
                file_error(
                    Some(ix.name()),
                    format!(
                        "missing column: the tape's ARMs use index {}; the file has columns period, {}",
                        ix.name(),
                        have.join(", ")
                    ),
                )
            })
            .collect(),
    ))
}

fn named_columns(curves: &RateCurves) -> Vec<String> {
    curves
        .paths
        .iter()
        .map(|(i, _)| i.name().to_string())
        .collect()
}

fn curves_from_table(path: &Path, t: crate::table::RawTable) -> Result<RateCurves, IoError> {
    let cols = periodic_columns(
        path,
        t,
        "no index columns; expected e.g. period,LIBOR1M,LIBOR6M,LIBOR12M,CMT1Y",
        "a finite percent rate between -100 and 100",
        (-100.0, 100.0),
    )?;
    let mut errors = Vec::new();
    let indices: Vec<RateIndex> = cols.iter().map(|(h, _)| RateIndex::parse(h)).collect();
    for (k, ix) in indices.iter().enumerate() {
        if indices[..k].contains(ix) {
            errors.push(file_error(
                Some(ix.name()),
                "two columns name the same index",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(IoError::input(path, errors));
    }
    let mut curves = RateCurves::default();
    for (ix, (_, v)) in indices.into_iter().zip(cols) {
        curves.set(
            ix,
            RatePath {
                values: v.iter().map(|x| x / 100.0).collect(),
            },
        );
    }
    Ok(curves)
}

/// Reads a vector by period: a CSV with a `period` column (1, 2, 3, ...) and one value
/// column, e.g. `period,cpr_pct`. Values as written (percent); the core checks their range.
pub fn read_vector(path: impl AsRef<Path>) -> Result<Vec<f64>, IoError> {
    let path = path.as_ref();
    let t = read_csv(path, "vector file")?;
    let mut cols = periodic_columns(
        path,
        t,
        "no value column; expected period,value",
        "a finite number",
        (f64::MIN, f64::MAX),
    )?;
    if cols.len() != 1 {
        let names: Vec<&str> = cols.iter().map(|(h, _)| h.as_str()).collect();
        return Err(IoError::input(
            path,
            vec![file_error(
                None,
                format!(
                    "expected one value column beside `period`, found {}: {}",
                    cols.len(),
                    names.join(", ")
                ),
            )],
        ));
    }
    Ok(cols.remove(0).1)
}

/// The value columns of a table keyed by `period` (1, 2, 3, ... without gaps), each value
/// a finite number within `range`: (header, values) in file order.
fn periodic_columns(
    path: &Path,
    t: crate::table::RawTable,
    no_columns: &str,
    expected: &str,
    range: (f64, f64),
) -> Result<Vec<(String, Vec<f64>)>, IoError> {
    let Some(pcol) = t.column("period") else {
        return Err(IoError::input(
            path,
            vec![file_error(
                Some("period"),
                format!(
                    "missing required column; the header has: {}",
                    t.headers.join(", ")
                ),
            )],
        ));
    };
    let value_cols: Vec<usize> = (0..t.headers.len()).filter(|i| *i != pcol).collect();
    if value_cols.is_empty() {
        return Err(IoError::input(path, vec![file_error(None, no_columns)]));
    }
    let mut errors = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(t.rows.len()); value_cols.len()];
    let mut dropped = 0;
    for (i, cells) in t.rows.iter().enumerate() {
        let row = i + 1;
        let p = cells[pcol].trim();
        if p.parse::<u64>().ok() != Some(row as u64) {
            errors.push(cell_error(
                row,
                &t.headers[pcol],
                format!("expected period {row} (periods run 1, 2, 3, ... without gaps), got `{p}`"),
            ));
        }
        for (k, c) in value_cols.iter().enumerate() {
            let s = cells[*c].trim();
            let v = match s.parse::<f64>() {
                Ok(v) if v.is_finite() && (range.0..=range.1).contains(&v) => v,
                Ok(_) => {
                    errors.push(cell_error(
                        row,
                        &t.headers[*c],
                        format!("expected {expected}, got `{s}`"),
                    ));
                    0.0
                }
                Err(_) => {
                    errors.push(cell_error(
                        row,
                        &t.headers[*c],
                        format!("expected a percent rate, got `{s}`"),
                    ));
                    0.0
                }
            };
            values[k].push(v);
        }
        if errors.len() > MAX_ERRORS {
            dropped += errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
        }
    }
    if !errors.is_empty() {
        if dropped > 0 {
            errors.push(more_errors(dropped));
        }
        return Err(IoError::input(path, errors));
    }
    Ok(value_cols
        .iter()
        .map(|c| t.headers[*c].trim().to_string())
        .zip(values)
        .collect())
}

/// The user-named (non-built-in) indices of a curve set, e.g. to accept them in a tape.
pub fn named_indices(curves: &RateCurves) -> Vec<String> {
    curves
        .paths
        .iter()
        .filter(|(i, _)| !i.is_builtin())
        .map(|(i, _)| i.name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_to_decimal_and_named_columns() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(
            &p,
            "\u{feff}period,LIBOR1M,LIBOR6M,LIBOR12M,CMT1Y,SOFR30A\r\n1,1.10,1.21,1.48,1.25,1.0\r\n2,1.11,1.26,1.56,1.33,1.1\r\n",
        )
        .unwrap();
        let c = read_curves(&p).unwrap();
        assert!((c.rate(&RateIndex::Libor1M, 1).unwrap() - 0.011).abs() < 1e-15);
        assert!((c.rate(&RateIndex::Libor6M, 2).unwrap() - 0.0126).abs() < 1e-15);
        assert!((c.rate(&RateIndex::Libor6M, 99).unwrap() - 0.0126).abs() < 1e-15);
        assert_eq!(named_indices(&c), vec!["SOFR30A".to_string()]);
    }

    #[test]
    fn vectors_read_one_column_by_period() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.csv");
        std::fs::write(&p, "period,cpr_pct\n1,2\n2,4.5\n3,6\n").unwrap();
        assert_eq!(read_vector(&p).unwrap(), vec![2.0, 4.5, 6.0]);
        std::fs::write(&p, "period,a,b\n1,2,3\n").unwrap();
        let e = read_vector(&p).unwrap_err().to_string();
        assert!(
            e.ends_with("expected one value column beside `period`, found 2: a, b"),
            "{e}"
        );
        std::fs::write(&p, "period,cpr\n1,2\n3,4\n").unwrap();
        let e = read_vector(&p).unwrap_err().to_string();
        assert!(
            e.contains("row 2, field `period`: expected period 2"),
            "{e}"
        );
    }

    #[test]
    fn bad_curves_name_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "period,LIBOR1M,LIBOR6M\n1,1.1,abc\n3,NaN,1.2\n").unwrap();
        let e = read_curves(&p).unwrap_err().to_string();
        let name = p.display().to_string();
        assert_eq!(
            e,
            format!(
                "{name}: row 1, field `LIBOR6M`: expected a percent rate, got `abc`\n\
                 {name}: row 2, field `period`: expected period 2 (periods run 1, 2, 3, ... without gaps), got `3`\n\
                 {name}: row 2, field `LIBOR1M`: expected a finite percent rate between -100 and 100, got `NaN`"
            )
        );
        std::fs::write(&p, "LIBOR1M\n1.0\n").unwrap();
        let e = read_curves(&p).unwrap_err().to_string();
        assert!(
            e.ends_with("field `period`: missing required column; the header has: LIBOR1M"),
            "{e}"
        );
        std::fs::write(&p, "period,LIBOR1M\n").unwrap();
        let e = read_curves(&p).unwrap_err().to_string();
        assert!(
            e.ends_with("the curve file has a header but no data rows"),
            "{e}"
        );
    }
}
