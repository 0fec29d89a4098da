//! Printed tables against their own totals rows. Whole-dollar rounding aside, a table's rows
//! sum to its totals row; when they do not, one row whose balance contradicts its own
//! average balance × count (and its % of total) is a typo that the fit repairs, and says so.

use super::StratTable;

/// `tables` with each repairable typo repaired; a line per repair (or per mismatch left as
/// printed) in `notes`.
pub fn reconcile_totals(tables: &[StratTable], notes: &mut Vec<String>) -> Vec<StratTable> {
    let mut out = tables.to_vec();
    for t in &mut out {
        let Some(total) = &t.total else { continue };
        let diff = total.balance - t.total_balance();
        // Each printed balance is rounded to the dollar.
        if diff.abs() <= 0.5 * t.rows.len() as f64 + 1.0 {
            continue;
        }
        let total_bal = total.balance;
        let fits = |r: &super::StratRow| {
            let want = r.balance + diff;
            // The average is printed to the dollar: × count it is good to count / 2.
            let by_avg = r
                .avg_balance
                .is_some_and(|a| (a * r.count as f64 - want).abs() <= 0.5 * r.count as f64 + 1.0);
            // The share is printed to 0.01 pp.
            let by_pct = r.pct.map_or(true, |p| {
                (want / total_bal * 100.0 - p).abs() <= 0.005 + 1e-9
            });
            want > 0.0 && by_avg && by_pct
        };
        let hits: Vec<usize> = (0..t.rows.len()).filter(|&k| fits(&t.rows[k])).collect();
        if let [k] = hits[..] {
            let r = &mut t.rows[k];
            notes.push(format!(
                "{}: row `{}`: balance {:.0} read as {:.0} (its average balance x loans and the \
                 totals row both say so; the rows summed to {:.0} against a total of {:.0})",
                t.title,
                r.label,
                r.balance,
                r.balance + diff,
                total_bal - diff,
                total_bal
            ));
            r.balance += diff;
        } else {
            notes.push(format!(
                "{}: rows sum to {:.0}, the totals row says {:.0}; no single row explains the \
                 difference, the rows are fitted as printed",
                t.title,
                total_bal - diff,
                total_bal
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StratRow;

    fn row(label: &str, balance: f64, count: usize, avg: f64, pct: f64) -> StratRow {
        StratRow {
            label: label.into(),
            balance,
            count,
            avg_balance: Some(avg),
            pct: Some(pct),
            ..StratRow::default()
        }
    }

    fn table(rows: Vec<StratRow>, total: f64) -> StratTable {
        StratTable {
            title: "range of maximum rates".into(),
            rows,
            total: Some(StratRow {
                balance: total,
                ..StratRow::default()
            }),
        }
    }

    #[test]
    fn a_row_contradicting_its_own_average_is_repaired() {
        // The 2003-12 term sheet's `>= 20.000` row: $659,811 printed, 4 loans averaging
        // $214,953 (= $859,812) and 0.09% of $967,565,298 (= $870,809).
        let t = table(
            vec![
                row("19.500 - 19.999", 522_462.0, 4, 130_615.0, 0.05),
                row(">= 20.000", 659_811.0, 4, 214_953.0, 0.09),
                row("11.500 - 11.999", 966_183_025.0, 3827, 252_465.0, 99.86),
            ],
            967_565_298.0,
        );
        let mut notes = Vec::new();
        let out = reconcile_totals(&[t], &mut notes);
        assert_eq!(out[0].rows[1].balance, 859_811.0);
        assert_eq!(out[0].rows[0].balance, 522_462.0);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].contains("`>= 20.000`: balance 659811 read as 859811"),
            "{notes:?}"
        );
    }

    #[test]
    fn rounding_is_left_alone_and_an_unexplained_gap_is_reported() {
        let t = table(
            vec![
                row("a", 100.0, 1, 100.0, 50.0),
                row("b", 101.0, 1, 101.0, 50.0),
            ],
            202.0,
        );
        let mut notes = Vec::new();
        let out = reconcile_totals(std::slice::from_ref(&t), &mut notes);
        assert_eq!(out[0], t);
        assert!(notes.is_empty());
        let t = table(
            vec![
                row("a", 100.0, 1, 100.0, 40.0),
                row("b", 100.0, 1, 100.0, 40.0),
            ],
            250.0,
        );
        let out = reconcile_totals(std::slice::from_ref(&t), &mut notes);
        assert_eq!(out[0], t);
        assert!(notes[0].contains("no single row explains"), "{notes:?}");
    }
}
