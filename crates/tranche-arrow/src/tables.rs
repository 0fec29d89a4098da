//! Arrow tables of one deal run (collateral cash flows, bond cash flows, ledger), of the
//! strats, and of the report tables (Price/DM, Available Funds Rate, breakevens).

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use chrono::NaiveDate;
use std::sync::Arc;
use tranche_core::breakeven::Breakeven;
use tranche_core::collateral::PoolPeriod;
use tranche_core::strats::{Column, RowType, StratTable};
use tranche_core::tables::{AfrRow, PriceTableRow};
use tranche_core::waterfall::{CapBinding, DealRun, Ledger, LedgerPeriod};
use tranche_io::strats_out::{column_value, json_key};

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

/// A stratification table: `description`, `row_type` (`data` or `total`), then one
/// float column per figure in file units (rates in percent), named as in the JSON output.
pub fn strat_table(t: &StratTable) -> Result<RecordBatch, ArrowError> {
    let mut desc = StringBuilder::new();
    let mut kind = StringBuilder::new();
    for r in &t.rows {
        desc.append_value(&r.description);
        kind.append_value(match r.row_type {
            RowType::Total => "total",
            _ => "data",
        });
    }
    let mut fields = vec![
        Field::new("description", DataType::Utf8, false),
        Field::new("row_type", DataType::Utf8, false),
    ];
    let mut cols: Vec<ArrayRef> = vec![Arc::new(desc.finish()), Arc::new(kind.finish())];
    for c in t
        .columns
        .iter()
        .filter(|c| !matches!(c, Column::Description))
    {
        let mut b = Float64Builder::new();
        for r in &t.rows {
            b.append_option(column_value(r, *c));
        }
        fields.push(Field::new(json_key(*c), DataType::Float64, true));
        cols.push(Arc::new(b.finish()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
}

/// The trust's ledger, one row per period: available funds, the Available Funds Rate
/// (percent), overcollateralization, the Principal Distribution Amount, write-downs,
/// residual cash and the step-up / call flags. Amounts in currency.
pub fn ledger_table(ledger: &Ledger) -> Result<RecordBatch, ArrowError> {
    let p: &[LedgerPeriod] = &ledger.periods;
    let mut period = Int32Builder::new();
    let mut date = Date32Builder::new();
    let mut days_b = Int32Builder::new();
    let mut stepped = BooleanBuilder::new();
    let mut called = BooleanBuilder::new();
    for x in p {
        period.append_value(x.period as i32);
        date.append_value(days(x.payment_date));
        days_b.append_value(x.accrual_days as i32);
        stepped.append_value(x.stepped_up);
        called.append_value(x.called);
    }
    let f = |g: fn(&LedgerPeriod) -> f64| f64_col(p.iter().map(g));
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("period", Arc::new(period.finish())),
        ("payment_date", Arc::new(date.finish())),
        ("accrual_days", Arc::new(days_b.finish())),
        ("pool_begin_balance", f(|x| x.pool_begin_balance)),
        ("pool_end_balance", f(|x| x.pool_end_balance)),
        ("gross_interest", f(|x| x.gross_interest)),
        ("fees", f(|x| x.fees)),
        ("net_interest", f(|x| x.net_interest)),
        ("principal_collected", f(|x| x.principal_collected)),
        ("call_proceeds", f(|x| x.call_proceeds)),
        ("derivative_receipts", f(|x| x.derivative_receipts)),
        ("net_derivative_fees", f(|x| x.net_derivative_fees)),
        (
            "net_derivative_fees_unpaid",
            f(|x| x.net_derivative_fees_unpaid),
        ),
        ("available_funds", f(|x| x.available_funds)),
        ("realized_loss", f(|x| x.realized_loss)),
        ("net_mortgage_rate_pct", f(|x| x.net_mortgage_rate * 100.0)),
        ("afr_pct", f(|x| x.afr * 100.0)),
        ("available_rate_pct", f(|x| x.available_rate * 100.0)),
        ("bonds_begin_balance", f(|x| x.bonds_begin_balance)),
        ("bonds_end_balance", f(|x| x.bonds_end_balance)),
        ("oc_target", f(|x| x.oc_target)),
        ("oc_before", f(|x| x.oc_before)),
        ("oc_actual", f(|x| x.oc_actual)),
        (
            "principal_distribution_amount",
            f(|x| x.principal_distribution_amount),
        ),
        ("oc_release", f(|x| x.oc_release)),
        ("writedowns", f(|x| x.writedowns)),
        ("unabsorbed_loss", f(|x| x.unabsorbed_loss)),
        ("residual", f(|x| x.residual)),
        ("stepped_up", Arc::new(stepped.finish())),
        ("called", Arc::new(called.finish())),
    ];
    RecordBatch::try_from_iter(cols)
}

fn opt_col(vals: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    let mut b = Float64Builder::new();
    for v in vals {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

fn month_col(vals: impl Iterator<Item = Option<NaiveDate>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for v in vals {
        b.append_option(v.map(tranche_core::dates::yyyy_mm));
    }
    Arc::new(b.finish())
}

/// The Price/DM report with the columns of `tranche price-table --format csv`: `class`,
/// `horizon` (`call`|`maturity`), `speed_pct`, `dm_bps`, `wal_years` (null: no principal),
/// `mod_duration`, `first_principal` and `last_principal` (`YYYY-MM`, null: none).
pub fn price_table_batch(rows: &[PriceTableRow]) -> Result<RecordBatch, ArrowError> {
    let mut class = StringBuilder::new();
    let mut horizon = StringBuilder::new();
    let mut wal = Float64Builder::new();
    for r in rows {
        class.append_value(&r.class);
        horizon.append_value(r.horizon.name());
        wal.append_option(r.wal_years);
    }
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("class", Arc::new(class.finish())),
        ("horizon", Arc::new(horizon.finish())),
        ("speed_pct", f64_col(rows.iter().map(|r| r.speed_pct))),
        ("dm_bps", opt_col(rows.iter().map(|r| r.dm_bps))),
        ("wal_years", Arc::new(wal.finish())),
        ("mod_duration", opt_col(rows.iter().map(|r| r.mod_duration))),
        (
            "first_principal",
            month_col(rows.iter().map(|r| r.first_principal)),
        ),
        (
            "last_principal",
            month_col(rows.iter().map(|r| r.last_principal)),
        ),
    ];
    RecordBatch::try_from_iter(cols)
}

/// The Available Funds Rate schedule with the columns of `tranche afr --format csv`:
/// `period`, `payment_date`, `afr_pct`, `afr_shocked_pct` (percent).
pub fn afr_batch(rows: &[AfrRow]) -> Result<RecordBatch, ArrowError> {
    let mut period = Int32Builder::new();
    let mut date = Date32Builder::new();
    for r in rows {
        period.append_value(r.period as i32);
        date.append_value(days(r.payment_date));
    }
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("period", Arc::new(period.finish())),
        ("payment_date", Arc::new(date.finish())),
        ("afr_pct", f64_col(rows.iter().map(|r| 100.0 * r.afr))),
        (
            "afr_shocked_pct",
            f64_col(rows.iter().map(|r| 100.0 * r.afr_shocked)),
        ),
    ];
    RecordBatch::try_from_iter(cols)
}

/// Breakevens, unrounded, one row per (cell, class, target) in the solver's order:
/// `class`, `target` (as `--target` reads it), `over` (`cdr`, `sda`, ...), `speed_pct`
/// (null: the scenario's own prepayment), `severity_pct`, `lag_months`, `rate` (the
/// lowest default rate at which the target is reached, in `over`'s unit; null: not
/// reached up to `max_rate`), `max_rate`, `pool_loss_pct` and `class_loss_pct` there,
/// `monotone` (no run showed the class better off at a higher rate) and `note` (as the
/// command's table).
pub fn breakeven_batch(rows: &[Breakeven]) -> Result<RecordBatch, ArrowError> {
    let text = |f: &dyn Fn(&Breakeven) -> String| -> ArrayRef {
        let mut b = StringBuilder::new();
        for r in rows {
            b.append_value(f(r));
        }
        Arc::new(b.finish())
    };
    let mut lag = Int32Builder::new();
    let mut monotone = BooleanBuilder::new();
    for r in rows {
        lag.append_value(r.lag_months as i32);
        monotone.append_value(r.monotone);
    }
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("class", text(&|r| r.class.clone())),
        ("target", text(&|r| r.target.name())),
        ("over", text(&|r| r.over.name().to_string())),
        ("speed_pct", opt_col(rows.iter().map(|r| r.speed_pct))),
        ("severity_pct", f64_col(rows.iter().map(|r| r.severity_pct))),
        ("lag_months", Arc::new(lag.finish())),
        ("rate", opt_col(rows.iter().map(|r| r.rate))),
        ("max_rate", f64_col(rows.iter().map(|r| r.max_rate))),
        (
            "pool_loss_pct",
            opt_col(rows.iter().map(|r| r.pool_loss_pct)),
        ),
        (
            "class_loss_pct",
            opt_col(rows.iter().map(|r| r.class_loss_pct)),
        ),
        ("monotone", Arc::new(monotone.finish())),
        ("note", text(&|r| r.note())),
    ];
    RecordBatch::try_from_iter(cols)
}
