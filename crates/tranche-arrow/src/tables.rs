//! Arrow tables of one deal run: collateral cash flows and bond cash flows.

use arrow_array::builder::{Date32Builder, Float64Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use chrono::NaiveDate;
use std::sync::Arc;
use tranche_core::collateral::PoolPeriod;
use tranche_core::waterfall::{CapBinding, DealRun};

fn days(d: NaiveDate) -> i32 {
    match NaiveDate::from_ymd_opt(1970, 1, 1) {
        Some(epoch) => (d - epoch).num_days() as i32,
        None => 0,
    }
}

fn f64_col(vals: impl Iterator<Item = f64>) -> ArrayRef {
    let mut b = Float64Builder::new();
    for v in vals {
        b.append_value(v);
    }
    Arc::new(b.finish())
}

/// The pool's monthly cash flows, one row per period. Amounts in currency; `wac` and
/// `net_wac` in percent (as reports print them). `payment_date` is null for periods the
/// waterfall did not reach (e.g. after the call).
pub fn collateral_table(run: &DealRun) -> Result<RecordBatch, ArrowError> {
    let p: &[PoolPeriod] = &run.collateral.periods;
    let mut period = Int32Builder::new();
    let mut date = Date32Builder::new();
    for x in p {
        period.append_value(x.period as i32);
        let d = run
            .periods
            .iter()
            .find(|i| i.period == x.period)
            .map(|i| days(i.payment_date));
        date.append_option(d);
    }
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("period", Arc::new(period.finish())),
        ("payment_date", Arc::new(date.finish())),
        ("begin_balance", f64_col(p.iter().map(|x| x.begin_balance))),
        (
            "scheduled_principal",
            f64_col(p.iter().map(|x| x.scheduled_principal)),
        ),
        (
            "prepaid_principal",
            f64_col(p.iter().map(|x| x.prepaid_principal)),
        ),
        (
            "defaulted_principal",
            f64_col(p.iter().map(|x| x.defaulted_principal)),
        ),
        ("recoveries", f64_col(p.iter().map(|x| x.recoveries))),
        ("realized_loss", f64_col(p.iter().map(|x| x.realized_loss))),
        (
            "advanced_principal",
            f64_col(p.iter().map(|x| x.advanced_principal)),
        ),
        (
            "gross_interest",
            f64_col(p.iter().map(|x| x.gross_interest)),
        ),
        ("servicing_fee", f64_col(p.iter().map(|x| x.servicing_fee))),
        (
            "master_servicing_fee",
            f64_col(p.iter().map(|x| x.master_servicing_fee)),
        ),
        ("trustee_fee", f64_col(p.iter().map(|x| x.trustee_fee))),
        ("mi_fee", f64_col(p.iter().map(|x| x.mi_fee))),
        ("net_interest", f64_col(p.iter().map(|x| x.net_interest))),
        ("end_balance", f64_col(p.iter().map(|x| x.end_balance))),
        (
            "pending_default_balance",
            f64_col(p.iter().map(|x| x.pending_default_balance)),
        ),
        ("wac_pct", f64_col(p.iter().map(|x| x.wac * 100.0))),
        ("net_wac_pct", f64_col(p.iter().map(|x| x.net_wac * 100.0))),
    ];
    RecordBatch::try_from_iter(cols)
}

fn cap_name(c: CapBinding) -> &'static str {
    match c {
        CapBinding::None => "none",
        CapBinding::Afr => "afr",
        CapBinding::Fixed => "fixed",
    }
}

/// Every bond's cash flows, long format: one row per (bond, period), bonds in deal order.
/// `coupon_pct` in percent.
pub fn bond_table(run: &DealRun) -> Result<RecordBatch, ArrowError> {
    let mut bond = StringBuilder::new();
    let mut period = Int32Builder::new();
    let mut date = Date32Builder::new();
    let mut cap = StringBuilder::new();
    let names = [
        "begin_balance",
        "coupon_pct",
        "interest_due",
        "interest_paid",
        "interest_shortfall",
        "basis_risk_paid",
        "basis_risk_carryforward",
        "principal_paid",
        "writedown",
        "reimbursement",
        "end_balance",
    ];
    let mut nums: Vec<Float64Builder> = names.iter().map(|_| Float64Builder::new()).collect();
    for b in &run.bonds {
        for x in &b.periods {
            bond.append_value(&b.name);
            period.append_value(x.period as i32);
            date.append_option(
                run.periods
                    .iter()
                    .find(|i| i.period == x.period)
                    .map(|i| days(i.payment_date)),
            );
            cap.append_value(cap_name(x.cap_binding));
            let vals = [
                x.begin_balance,
                x.coupon * 100.0,
                x.interest_due,
                x.interest_paid,
                x.interest_shortfall,
                x.basis_risk_paid,
                x.basis_risk_carryforward,
                x.principal_paid,
                x.writedown,
                x.reimbursement,
                x.end_balance,
            ];
            for (bld, v) in nums.iter_mut().zip(vals) {
                bld.append_value(v);
            }
        }
    }
    let mut fields = vec![
        Field::new("bond", DataType::Utf8, false),
        Field::new("period", DataType::Int32, false),
        Field::new("payment_date", DataType::Date32, true),
        Field::new("cap_binding", DataType::Utf8, false),
    ];
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(bond.finish()),
        Arc::new(period.finish()),
        Arc::new(date.finish()),
        Arc::new(cap.finish()),
    ];
    for (n, mut b) in names.iter().zip(nums) {
        fields.push(Field::new(*n, DataType::Float64, false));
        cols.push(Arc::new(b.finish()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
}
