//! Actuals files: a CSV of the pool's figures for payment dates already past, one row per
//! payment month in the shape of a trustee's remittance report (the columns of
//! [`ACTUALS_COLUMNS`], see `docs/surveillance.md`). Numbers are written as the shortest
//! decimal that reads back as the same double.

use crate::outputs::Signature;
use crate::records::Records;
use crate::table::{capped, cell_error, file_error, read_csv};
use crate::tape::percent_to_decimal;
use crate::tape_write::exact_pct;
use crate::IoError;
use std::path::{Path, PathBuf};
use tranche_core::deal::YearMonth;
use tranche_core::runner::DealModel;
use tranche_core::surveillance::{ActualPeriod, Actuals, ACTUALS_COLUMNS};

/// The columns in percent (`wac_pct`, `net_wac_pct`).
const PERCENT: [usize; 2] = [16, 17];

/// An actuals file as read.
#[derive(Debug, Clone)]
pub struct ActualsFile {
    pub path: PathBuf,
    pub actuals: Actuals,
}

/// Reads an actuals file: every column of [`ACTUALS_COLUMNS`], no other, each cell a
/// number (a month in `month`). Every bad cell is reported by row and column.
pub fn read_actuals(path: &Path) -> Result<ActualsFile, IoError> {
    let t = read_csv(path, "remittance actuals file")?;
    let mut errors = Vec::new();
    let mut at = Vec::with_capacity(ACTUALS_COLUMNS.len());
    for name in ACTUALS_COLUMNS {
        match t.column(name) {
            Some(k) => at.push(k),
            None => errors.push(file_error(
                Some(name),
                format!(
                    "missing column; expected the columns {}",
                    ACTUALS_COLUMNS.join(",")
                ),
            )),
        }
    }
    for h in &t.headers {
        if !ACTUALS_COLUMNS
            .iter()
            .any(|c| h.trim().eq_ignore_ascii_case(c))
        {
            errors.push(file_error(
                Some(h.trim()),
                "unknown column; expected only the columns of docs/surveillance.md",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(IoError::input(path, errors));
    }
    let mut periods = Vec::with_capacity(t.rows.len());
    for (i, rec) in t.rows.iter().enumerate() {
        let row = i + 1;
        let cell = |k: usize| rec.get(at[k]).unwrap_or("").trim();
        let month = YearMonth::parse(cell(0));
        if month.is_none() {
            errors.push(cell_error(
                row,
                "month",
                format!("expected a payment month YYYY-MM, found `{}`", cell(0)),
            ));
        }
        let mut v = [0.0; 22];
        for (k, slot) in v.iter_mut().enumerate() {
            let raw = cell(k + 1);
            // The coupons are percent: read to the decimal exactly as written.
            let parsed = if PERCENT.contains(&(k + 1)) {
                percent_to_decimal(raw).ok_or(())
            } else {
                raw.parse::<f64>().map_err(|_| ())
            };
            match parsed {
                Ok(x) if x.is_finite() => *slot = x,
                _ => errors.push(cell_error(
                    row,
                    ACTUALS_COLUMNS[k + 1],
                    format!("expected a number, found `{raw}`"),
                )),
            }
        }
        if let Some(m) = month {
            periods.push(ActualPeriod::from_values(m, &v));
        }
    }
    if !errors.is_empty() {
        return Err(IoError::input(path, capped(errors)));
    }
    Ok(ActualsFile {
        path: path.to_path_buf(),
        actuals: Actuals { periods },
    })
}

impl ActualsFile {
    /// The model with these actuals for its first periods; figures that contradict
    /// themselves or where the model starts are reported by row and column of this file.
    pub fn place(&self, model: DealModel) -> Result<DealModel, IoError> {
        model
            .with_actuals(self.actuals.clone())
            .map_err(|e| match e {
                tranche_core::Error::Invalid(fe) => IoError::input(&self.path, vec![fe]),
                tranche_core::Error::InvalidMany(v) => IoError::input(&self.path, capped(v)),
                other => IoError::Core(other),
            })
    }
}

/// How every actuals file tranche writes begins: its header line.
pub fn actuals_signature() -> Signature {
    Signature(format!("{}\n", ACTUALS_COLUMNS.join(",")))
}

/// The actuals as the file tranche writes.
pub fn actuals_csv(actuals: &Actuals) -> Vec<u8> {
    let mut r = Records::new(&ACTUALS_COLUMNS, true);
    for p in &actuals.periods {
        let mut row = vec![p.month.to_string()];
        row.extend(p.values().iter().enumerate().map(|(k, v)| {
            if PERCENT.contains(&(k + 1)) {
                exact_pct(*v)
            } else {
                format!("{v}")
            }
        }));
        r.push(row);
    }
    r.csv().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(month: YearMonth) -> ActualPeriod {
        let v: [f64; 22] = std::array::from_fn(|k| 0.1 * k as f64 + 1.0 / 3.0);
        ActualPeriod::from_values(month, &v)
    }

    #[test]
    fn written_actuals_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let m = YearMonth {
            year: 2005,
            month: 2,
        };
        let a = Actuals {
            periods: vec![period(m), period(m.next())],
        };
        std::fs::write(&p, actuals_csv(&a)).unwrap();
        let back = read_actuals(&p).unwrap().actuals;
        assert_eq!(back.periods.len(), 2);
        for (x, y) in back.periods.iter().zip(&a.periods) {
            assert_eq!(x.month, y.month);
            assert_eq!(x.values(), y.values());
        }
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with(&actuals_signature().0));
    }

    #[test]
    fn bad_cells_and_columns_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let mut text = format!("{},extra\n", ACTUALS_COLUMNS.join(","));
        text.push_str("2005-13");
        for _ in 1..ACTUALS_COLUMNS.len() {
            text.push_str(",x");
        }
        text.push_str(",1\n");
        std::fs::write(&p, text).unwrap();
        let e = read_actuals(&p).unwrap_err().to_string();
        assert!(e.contains("field `extra`: unknown column"), "{e}");
        std::fs::write(
            &p,
            format!(
                "{}\n2005-13{}\n",
                ACTUALS_COLUMNS.join(","),
                ",x".repeat(22)
            ),
        )
        .unwrap();
        let e = read_actuals(&p).unwrap_err().to_string();
        assert!(
            e.contains("row 1, field `month`: expected a payment month"),
            "{e}"
        );
        assert!(
            e.contains("row 1, field `reo`: expected a number, found `x`"),
            "{e}"
        );
    }
}
