use super::*;
use crate::render::{csv, RowKind};
use tranche_core::testkit::small_model;

fn inputs() -> CreditInputs {
    let m = small_model();
    let mut spec = CreditSpec::standard(vec!["A".into(), "M".into()]);
    spec.speeds = vec![50.0, 100.0];
    spec.loss_cdrs = vec![0.0, 5.0, 12.5];
    spec.loss_severities = vec![50.0];
    gather_credit(&m, &Scenario::default(), &spec).unwrap()
}

#[test]
fn breakeven_table_one_row_per_class_and_speed() {
    let inp = inputs();
    let t = breakeven_table(Over::Cdr, &inp.breakevens);
    assert_eq!(t.id, "breakevens");
    assert_eq!(t.columns[5], "Breakeven CDR (%)");
    assert_eq!(
        breakeven_table(Over::Sda, &[]).columns[5],
        "Breakeven SDA (%)"
    );
    assert_eq!(t.rows.len(), 4);
    // Cell by cell: speeds outermost, then class.
    assert_eq!(t.cell(0, 0).display(), "A");
    assert_eq!(t.cell(1, 0).display(), "M");
    assert_eq!(t.cell(1, 1).display(), "first-loss");
    assert_eq!(t.cell(2, 2).display(), "100");
    let m50 = &inp.breakevens[1];
    assert_eq!(t.cell(1, 5).plain(), format!("{:.2}", m50.rate.unwrap()));
    assert!(t.kind(0) == RowKind::Data);
    // The senior class loses later than the subordinate one, or never.
    let a50 = &inp.breakevens[0];
    assert!(a50.rate.is_none_or_greater(m50.rate.unwrap()), "{a50:?}");
}

trait NoneOrGreater {
    fn is_none_or_greater(&self, x: f64) -> bool;
}

impl NoneOrGreater for Option<f64> {
    fn is_none_or_greater(&self, x: f64) -> bool {
        self.map_or(true, |v| v > x)
    }
}

#[test]
fn loss_yield_table_per_class_and_for_all() {
    let inp = inputs();
    let m = loss_yield_table(&inp.axes, &inp.cells, Some("M"));
    assert_eq!(m.title, "Class M: Loss and Yield");
    assert_eq!(
        m.columns,
        [
            "Speed (% of pricing)",
            "CDR (%)",
            "Severity (%)",
            "Cumulative Pool Loss (%)",
            "Price",
            "Yield (%)",
            "DM (bps)",
            "WAL (yrs)",
            "Principal Loss (%)",
            "First Loss"
        ]
    );
    assert_eq!(m.rows.len(), 2 * 3);
    assert_eq!(m.cell(2, 1).display(), "12.5");
    assert_eq!(m.cell(0, 4).display(), "100.000");
    // No defaults, no loss and no first-loss month; at 12.5% CDR the class loses.
    assert_eq!(m.cell(0, 8).display(), "0.00");
    assert_eq!(m.cell(0, 9), &Cell::Empty);
    let last: f64 = m.cell(2, 8).plain().parse().unwrap();
    assert!(last > 0.0);
    assert!(matches!(m.cell(2, 9), Cell::Month(_)));
    let all = loss_yield_table(&inp.axes, &inp.cells, None);
    assert_eq!(all.columns[3], "Class");
    assert_eq!(all.rows.len(), 2 * 3 * 2);
    let text = csv(&all).unwrap();
    assert!(text.starts_with("Speed (% of pricing),CDR (%),Severity (%),Class,"));
}

#[test]
fn the_chart_has_a_line_per_class_over_the_cdrs() {
    let inp = inputs();
    let c = loss_chart(&inp, 100.0, 50.0);
    assert_eq!(c.series.len(), 2);
    let m = &c.series[1];
    assert_eq!(m.name, "M");
    let x: Vec<f64> = m.points.iter().map(|p| p.0).collect();
    assert_eq!(x, [0.0, 5.0, 12.5]);
    assert!(m.points[2].1 > m.points[0].1);
    let s = section(&inp);
    assert_eq!(s.title, "Credit Sensitivity");
}

#[test]
fn axis_values_print_as_typed() {
    assert_eq!(dp(100.0), 0);
    assert_eq!(dp(2.5), 1);
    assert_eq!(dp(0.125), 3);
    assert_eq!(axis_label("dm_bps"), "Quoted DM (bps)");
    assert_eq!(axis_label("other"), "other");
}
