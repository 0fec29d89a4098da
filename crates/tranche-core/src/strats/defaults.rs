//! The default table set: the twenty collateral tables of a Computational Materials
//! term sheet (titles, bucket labels, columns and row order as such a term sheet prints
//! them). Empty ranges are omitted, as term sheets do.

use super::defs::{
    Buckets, CategoryOrder, Closed, Column, Filter, FilterOp, FilterValue, StratTableDef,
    TotalLabel, UnknownPos,
};
use super::key::Key;
use std::collections::BTreeMap;

fn steps(from: f64, step: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|i| from + step * i as f64).collect()
}

fn ranges(edges: Vec<f64>, closed: Closed, decimals: u32) -> Buckets {
    Buckets::Ranges {
        edges,
        closed,
        decimals,
        currency: false,
        descending: false,
        show_empty: false,
        unknown: UnknownPos::Last,
    }
}

fn categories(order: CategoryOrder) -> Buckets {
    Buckets::Categories {
        order,
        values: Vec::new(),
        labels: BTreeMap::new(),
        decimals: 0,
        unknown: UnknownPos::Last,
    }
}

fn table(stem: &str, title: &str, key: Key, buckets: Buckets) -> StratTableDef {
    StratTableDef {
        file_stem: stem.into(),
        title: title.into(),
        key,
        buckets,
        columns: Column::standard(),
        filter: None,
        note: None,
        total_label: TotalLabel::Blank,
    }
}

fn with_total_average(mut t: StratTableDef) -> StratTableDef {
    t.total_label = TotalLabel::WeightedAverage;
    t
}

/// A table of ARM terms covers the adjustable-rate loans only; in a mixed pool it says how
/// many fixed-rate loans it leaves out, as term sheets do ("Excludes 116 Fixed Rate
/// Mortgages"), and in an all-ARM pool it prints no note.
fn arm_only(mut t: StratTableDef) -> StratTableDef {
    t.filter = Some(Filter {
        key: Key::AmortType,
        op: FilterOp::Eq,
        value: FilterValue::Text("arm".into()),
    });
    t.note = Some("(Excludes {excluded} Fixed Rate Mortgages)".into());
    t
}

/// The twenty standard tables, in term-sheet order.
pub fn default_tables() -> Vec<StratTableDef> {
    use CategoryOrder::*;
    // $50,000 ranges as far as jumbo loans go ("$1,450,000.01 - $1,500,000.00").
    let balance = Buckets::Ranges {
        edges: steps(0.0, 50_000.0, 60),
        closed: Closed::Upper,
        decimals: 2,
        currency: true,
        descending: false,
        show_empty: false,
        unknown: UnknownPos::Last,
    };
    let mut ltv_edges = vec![0.0];
    ltv_edges.extend(steps(20.0, 5.0, 16));
    let fico = Buckets::Ranges {
        edges: steps(300.0, 20.0, 30),
        closed: Closed::Upper,
        decimals: 0,
        currency: false,
        descending: true,
        show_empty: false,
        unknown: UnknownPos::First,
    };
    let prepay = Buckets::Categories {
        order: Numeric,
        values: Vec::new(),
        labels: BTreeMap::new(),
        decimals: 0,
        unknown: UnknownPos::Last,
    };
    let mi = Buckets::Categories {
        order: Listed,
        values: vec!["no MI".into(), "with MI".into()],
        labels: [
            ("no MI".to_string(), "> 80% LTV, no MI".to_string()),
            ("with MI".to_string(), "> 80% LTV, with MI".to_string()),
        ]
        .into_iter()
        .collect(),
        decimals: 0,
        unknown: UnknownPos::Last,
    };
    let mut pmi = table(
        "15_80_pct_ltv_pmi_analysis",
        "80% LTV/PMI Analysis",
        Key::MiCoverage,
        mi,
    );
    pmi.filter = Some(Filter {
        key: Key::OrigLtv,
        op: FilterOp::Gt,
        value: FilterValue::Num(80.0),
    });
    pmi.note = Some("(Excludes {excluded} 80% or less LTV Mortgages)".into());
    let mut mtr = arm_only(with_total_average(table(
        "16_range_of_months_to_roll",
        "Range of Months to Roll",
        Key::MonthsToReset,
        ranges(
            vec![
                0.0, 6.0, 12.0, 18.0, 24.0, 31.0, 37.0, 43.0, 49.0, 55.0, 61.0, 67.0, 73.0, 79.0,
                85.0,
            ],
            Closed::Upper,
            0,
        ),
    )));
    mtr.columns.insert(1, Column::WaMtr);
    let mut dti_edges = vec![0.0];
    dti_edges.extend(steps(5.0, 5.0, 10));

    vec![
        table(
            "01_description",
            "Description",
            Key::Product,
            categories(Product),
        ),
        table(
            "02_range_of_current_balance",
            "Range of Current Balance",
            Key::Balance,
            balance,
        ),
        table("03_state", "State", Key::State, categories(Alphabetical)),
        table(
            "04_loan_to_value_ratios_include_cltvs_for_2nd_liens",
            "Loan-to-Value Ratios(Include CLTVs for 2nd Liens)",
            Key::OrigLtv,
            ranges(ltv_edges, Closed::Upper, 2),
        ),
        table(
            "05_current_gross_coupon",
            "Current Gross Coupon",
            Key::GrossRate,
            ranges(steps(0.0, 0.5, 40), Closed::Lower, 3),
        ),
        table(
            "06_property_type",
            "Property Type",
            Key::PropertyType,
            categories(Balance),
        ),
        table("07_purpose", "Purpose", Key::Purpose, categories(Balance)),
        table(
            "08_occupancy",
            "Occupancy",
            Key::Occupancy,
            categories(Balance),
        ),
        table(
            "09_range_of_months_remaining_to_scheduled_maturity",
            "Range of Months Remaining to Scheduled Maturity",
            Key::RemTerm,
            ranges(steps(0.0, 60.0, 6), Closed::Upper, 0),
        ),
        table(
            "10_collateral_grouped_by_document_type",
            "Collateral Grouped by Document Type",
            Key::DocType,
            categories(Balance),
        ),
        table(
            "11_collateral_grouped_by_fico",
            "Collateral Grouped by FICO",
            Key::Fico,
            fico,
        ),
        table(
            "12_delinquency_status",
            "Delinquency Status",
            Key::Delinquency,
            categories(Balance),
        ),
        table(
            "13_collateral_grouped_by_12_month_payment_history",
            "Collateral Grouped by 12 Month Payment History",
            Key::PaymentHistory12m,
            categories(Balance),
        ),
        with_total_average(table(
            "14_collateral_grouped_by_prepayment_penalty_months",
            "Collateral Grouped by Prepayment/Penalty Months",
            Key::PrepayPenaltyMonths,
            prepay,
        )),
        pmi,
        mtr,
        arm_only(with_total_average(table(
            "17_range_of_margin",
            "Range of Margin",
            Key::Margin,
            ranges(steps(0.0, 0.25, 40), Closed::Lower, 3),
        ))),
        arm_only(with_total_average(table(
            "18_range_of_maximum_rates",
            "Range of Maximum Rates",
            Key::LifeCap,
            ranges(steps(0.0, 0.5, 40), Closed::Lower, 3),
        ))),
        arm_only(with_total_average(table(
            "19_next_interest_adjustment_date",
            "Next Interest Adjustment Date",
            Key::NextAdjustmentDate,
            Buckets::Months {
                unknown: UnknownPos::Last,
            },
        ))),
        with_total_average(table(
            "20_range_of_dti_pct",
            "Range of DTI%",
            Key::Dti,
            ranges(dti_edges, Closed::Upper, 2),
        )),
    ]
}
