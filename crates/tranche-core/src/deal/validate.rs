//! Rules a deal file must satisfy, each field against the others (`docs/validation.md`).
//! Every error names the field path it concerns.

use super::{
    field_error, Condition, Coupon, Deal, Source, SpeedCurve, StepKind, YearMonth, FORMAT_VERSION,
    MAX_STEPS,
};
use crate::dates::add_months_on_day;
use crate::error::FieldError;
use crate::tape::RateIndex;
use chrono::NaiveDate;
use std::collections::HashSet;

/// Payment dates a deal may have: 60 years, the projection's default period limit. A date
/// after the last of them (a call, a stepdown, a contract's end) is outside the deal's life.
pub const MAX_LIFE_MONTHS: u32 = 720;
/// Most the deal-level fees (master servicing + trustee) may total, percent a year. Real
/// deals charge a few basis points; more is a unit slip (basis points written as percent).
pub const MAX_DEAL_FEES_PCT: f64 = 1.0;
/// Largest step-up multiple of a floating margin.
pub const MAX_STEP_UP_MULTIPLE: f64 = 10.0;
/// Largest strike (or swap rate) of a derivative, percent.
pub const MAX_STRIKE_PCT: f64 = 20.0;

mod credit;
mod fees;

struct Errs(Vec<FieldError>);

/// A number as the file might have written it: 1e300, not three hundred digits.
fn num(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl Errs {
    fn push(&mut self, field: impl Into<String>, msg: impl Into<String>) {
        self.0.push(field_error(field, msg));
    }

    /// A percentage that must be finite and within `[lo, hi]`; false when it is not.
    fn pct(&mut self, field: String, v: f64, lo: f64, hi: f64, what: &str) -> bool {
        let ok = v.is_finite() && v >= lo && v <= hi;
        if !ok {
            let range = if hi.is_infinite() {
                format!("at least {lo}")
            } else {
                format!("between {lo} and {hi}")
            };
            self.push(
                field,
                format!("expected {what} {range} (percent), found {}", num(v)),
            );
        }
        ok
    }

    /// A percentage that must be finite, above `lo` and at most `hi`; false when it is not.
    fn pct_above(&mut self, field: String, v: f64, lo: f64, hi: f64, what: &str) -> bool {
        let ok = v.is_finite() && v > lo && v <= hi;
        if !ok {
            self.push(
                field,
                format!(
                    "expected {what} above {lo} and at most {hi} (percent), found {}",
                    num(v)
                ),
            );
        }
        ok
    }

    /// A month that must fall within the deal's life: up to the last possible payment
    /// month, and from the first payment month on when `from_first`.
    fn month_in_life(&mut self, field: String, m: YearMonth, life: &Life, from_first: bool) {
        if from_first && m < life.first {
            self.push(
                field,
                format!(
                    "expected a month from the first payment month {} on, found {m}",
                    life.first
                ),
            );
        } else if m > life.last {
            self.push(field, life.beyond(&m.to_string()));
        }
    }
}

/// The span of payment dates a deal can have.
struct Life {
    first: YearMonth,
    last: YearMonth,
    last_date: NaiveDate,
}

impl Life {
    fn of(deal: &Deal) -> Life {
        let d = &deal.dates;
        // An invalid payment day is reported on its own; clamp it to bound the dates.
        let last_date = add_months_on_day(
            d.first_payment,
            MAX_LIFE_MONTHS - 1,
            d.payment_day.clamp(1, 31),
        );
        Life {
            first: YearMonth::of(d.first_payment),
            last: YearMonth::of(last_date),
            last_date,
        }
    }

    fn beyond(&self, found: &str) -> String {
        format!(
            "expected a date within the deal's life ({} payment dates from the first payment, to {}), found {found}",
            MAX_LIFE_MONTHS, self.last
        )
    }
}

fn index_declared(deal: &Deal, name: &str) -> bool {
    let idx = RateIndex::parse(name);
    idx.is_builtin()
        || deal
            .collateral
            .indices
            .iter()
            .any(|d| RateIndex::parse(d) == idx)
}

fn declared_list(deal: &Deal) -> String {
    let mut v: Vec<String> = ["LIBOR1M", "LIBOR6M", "LIBOR12M", "CMT1Y"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(deal.collateral.indices.iter().cloned());
    v.join(", ")
}

fn check_bond_refs(e: &mut Errs, deal: &Deal, field: &str, names: &[String]) {
    let mut seen = HashSet::new();
    for (i, n) in names.iter().enumerate() {
        if deal.bond_index(n).is_none() {
            e.push(
                format!("{field}[{i}]"),
                format!("bond `{n}` is not defined in [[bonds]]"),
            );
        } else if !seen.insert(n.as_str()) {
            e.push(
                format!("{field}[{i}]"),
                format!("bond `{n}` is listed twice"),
            );
        }
    }
}

pub(super) fn validate(deal: &Deal) -> Vec<FieldError> {
    let mut e = Errs(Vec::new());
    if deal.format_version != FORMAT_VERSION {
        e.push(
            "format_version",
            format!(
                "expected format_version {FORMAT_VERSION} (the version this build reads), found {}",
                deal.format_version
            ),
        );
    }
    let life = Life::of(deal);
    dates(&mut e, deal);
    collateral(&mut e, deal);
    bonds(&mut e, deal);
    credit::oc(&mut e, deal, &life);
    credit::triggers(&mut e, deal, &life);
    credit::derivatives(&mut e, deal, &life);
    credit::call(&mut e, deal, &life);
    check_bond_refs(
        &mut e,
        deal,
        "realized_losses.writedown_order",
        &deal.realized_losses.writedown_order,
    );
    waterfall(&mut e, deal);
    e.0
}

fn dates(e: &mut Errs, deal: &Deal) {
    let d = &deal.dates;
    if d.closing < d.cut_off {
        e.push(
            "dates.closing",
            format!(
                "expected a date on or after the cut-off date {}, found {}",
                d.cut_off, d.closing
            ),
        );
    }
    if d.settlement < d.closing {
        e.push(
            "dates.settlement",
            format!(
                "expected a date on or after the closing date {}, found {}",
                d.closing, d.settlement
            ),
        );
    }
    if d.first_payment <= d.closing {
        e.push(
            "dates.first_payment",
            format!(
                "expected a date after the closing date {}, found {}",
                d.closing, d.first_payment
            ),
        );
    }
    if d.first_payment > d.closing && d.settlement >= d.first_payment {
        e.push(
            "dates.settlement",
            format!(
                "expected a date before the first payment date {}, found {}",
                d.first_payment, d.settlement
            ),
        );
    }
    if !(1..=31).contains(&d.payment_day) {
        e.push(
            "dates.payment_day",
            format!(
                "expected a day of the month from 1 to 31, found {}",
                d.payment_day
            ),
        );
        return;
    }
    // Every payment date, the first included, is `payment_day` of its month: a first payment
    // on another day would be moved in silence. The rolled date (next business day) is
    // accepted, as term sheets often print it.
    let unadjusted = add_months_on_day(d.first_payment, 0, d.payment_day);
    if d.first_payment != unadjusted && d.first_payment != d.calendar.roll_following(unadjusted) {
        e.push(
            "dates.first_payment",
            format!(
                "expected day {} of its month (payment_day), {unadjusted}, or the business day it rolls to, found {}",
                d.payment_day, d.first_payment
            ),
        );
    }
}

fn collateral(e: &mut Errs, deal: &Deal) {
    let c = &deal.collateral;
    if c.tape.trim().is_empty() {
        e.push(
            "collateral.tape",
            "expected the loan tape's file name, found an empty string",
        );
    }
    for (i, n) in c.indices.iter().enumerate() {
        if RateIndex::parse(n).is_builtin() {
            e.push(
                format!("collateral.indices[{i}]"),
                format!("`{n}` is a built-in index; declare only user-named indices"),
            );
        }
    }
    let ms = e.pct(
        "collateral.master_servicing_fee_pct".into(),
        c.master_servicing_fee_pct,
        0.0,
        100.0,
        "a fee rate",
    );
    let tr = e.pct(
        "collateral.trustee_fee_pct".into(),
        c.trustee_fee_pct,
        0.0,
        100.0,
        "a fee rate",
    );
    let total = c.master_servicing_fee_pct + c.trustee_fee_pct;
    if ms && tr && total > MAX_DEAL_FEES_PCT {
        let field = if c.master_servicing_fee_pct >= c.trustee_fee_pct {
            "collateral.master_servicing_fee_pct"
        } else {
            "collateral.trustee_fee_pct"
        };
        e.push(
            field,
            format!(
                "the deal-level fees total {}% a year (master servicing {}% + trustee {}%); expected at most {MAX_DEAL_FEES_PCT}% (fee rates are percent: 0.03 is 3 bp)",
                // The sum without binary noise (0.3 + 0.82 is 1.1199999999999999).
                crate::tape::fmt_pct(total / 100.0),
                c.master_servicing_fee_pct,
                c.trustee_fee_pct
            ),
        );
    }
    fees::in_file(e, deal);
    if let Some(b) = c.cut_off_balance {
        if !(b.is_finite() && b > 0.0) {
            e.push(
                "collateral.cut_off_balance",
                format!("expected a balance above 0, found {b}"),
            );
        }
    }
    let p = &deal.pricing;
    if !index_declared(deal, &p.index) {
        e.push(
            "pricing.index",
            format!(
                "index `{}` is not declared; expected one of {}",
                p.index,
                declared_list(deal)
            ),
        );
    }
    e.pct(
        "pricing.index_rate_pct".into(),
        p.index_rate_pct,
        -100.0,
        100.0,
        "a rate",
    );
    for (name, v) in &p.other_index_rates_pct {
        let field = format!("pricing.other_index_rates_pct.{name}");
        if !index_declared(deal, name) {
            e.push(
                field.clone(),
                format!(
                    "index `{name}` is not declared; expected one of {}",
                    declared_list(deal)
                ),
            );
        }
        e.pct(field, *v, -100.0, 100.0, "a rate");
    }
    speed_curve(e, "pricing.arm_curve", &p.arm_curve);
    speed_curve(e, "pricing.fixed_curve", &p.fixed_curve);
    if !(0.0..=1.0).contains(&p.first_period_prepay_fraction) {
        e.push(
            "pricing.first_period_prepay_fraction",
            format!(
                "expected a fraction between 0 and 1, found {}",
                p.first_period_prepay_fraction
            ),
        );
    }
}

/// PSA percent at which the curve's peak (6% CPR at 100% PSA) reaches 100% CPR.
const MAX_PSA_PCT: f64 = 100.0 / 6.0 * 100.0;

/// A pricing curve's rates are CPRs from 0 to 100% (a higher CPR would be cut to 100% in
/// silence).
fn speed_curve(e: &mut Errs, field: &str, c: &SpeedCurve) {
    let cpr = "a CPR";
    match c {
        SpeedCurve::Cpr { cpr_pct } => {
            e.pct(format!("{field}.cpr_pct"), *cpr_pct, 0.0, 100.0, cpr);
        }
        SpeedCurve::Psa { psa_pct } => {
            e.pct(
                format!("{field}.psa_pct"),
                *psa_pct,
                0.0,
                MAX_PSA_PCT.floor(),
                "a PSA speed (its peak is 6% CPR at 100)",
            );
        }
        SpeedCurve::Ramp {
            start_cpr_pct,
            end_cpr_pct,
            ..
        } => {
            e.pct(
                format!("{field}.start_cpr_pct"),
                *start_cpr_pct,
                0.0,
                100.0,
                cpr,
            );
            e.pct(
                format!("{field}.end_cpr_pct"),
                *end_cpr_pct,
                0.0,
                100.0,
                cpr,
            );
        }
        SpeedCurve::Vector { cpr_pct } => {
            if cpr_pct.is_empty() {
                e.push(
                    format!("{field}.cpr_pct"),
                    "expected at least one CPR, found an empty list",
                );
            }
            for (i, v) in cpr_pct.iter().enumerate() {
                e.pct(format!("{field}.cpr_pct[{i}]"), *v, 0.0, 100.0, cpr);
            }
        }
    }
}

fn bonds(e: &mut Errs, deal: &Deal) {
    if deal.bonds.is_empty() {
        e.push("bonds", "expected at least one [[bonds]] entry");
    }
    let mut seen = HashSet::new();
    for (i, b) in deal.bonds.iter().enumerate() {
        let f = |s: &str| format!("bonds[{i}].{s}");
        if b.name.trim().is_empty() {
            e.push(f("name"), "expected a bond name, found an empty string");
        } else if !seen.insert(b.name.as_str()) {
            e.push(
                f("name"),
                format!(
                    "duplicate bond name `{}`; bond names must be unique",
                    b.name
                ),
            );
        }
        if !(b.balance.is_finite() && b.balance > 0.0) {
            e.push(
                f("balance"),
                format!("expected a balance above 0, found {}", num(b.balance)),
            );
        }
        // The cap's own range is reported below; compare only a cap in range.
        let cap = b
            .fixed_cap_pct
            .filter(|c| c.is_finite() && (0.0..=100.0).contains(c));
        match &b.coupon {
            Coupon::Floating {
                index,
                margin_pct,
                step_up_multiple,
            } => {
                if !index_declared(deal, index) {
                    e.push(
                        f("coupon.index"),
                        format!(
                            "index `{index}` is not declared; expected one of {}",
                            declared_list(deal)
                        ),
                    );
                }
                let margin_ok = e.pct(f("coupon.margin_pct"), *margin_pct, 0.0, 100.0, "a margin");
                if !(step_up_multiple.is_finite()
                    && (1.0..=MAX_STEP_UP_MULTIPLE).contains(step_up_multiple))
                {
                    e.push(
                        f("coupon.step_up_multiple"),
                        format!(
                            "expected a multiple from 1 (no step-up) to {MAX_STEP_UP_MULTIPLE}, found {}",
                            num(*step_up_multiple)
                        ),
                    );
                } else if *step_up_multiple > 1.0 && deal.clean_up_call.none {
                    e.push(f("coupon.step_up_multiple"), NO_CALL_NO_STEP_UP);
                }
                // The cap is index-independent; at or below the margin it binds at every
                // index level from 0 up, and the bond is not a floater.
                if let Some(c) = cap.filter(|_| margin_ok) {
                    if c <= *margin_pct {
                        e.push(
                            f("fixed_cap_pct"),
                            format!(
                                "a fixed cap of {c}% is at or below the margin {margin_pct}%: the coupon would be capped at every index level; expected a cap above the margin"
                            ),
                        );
                    }
                }
            }
            Coupon::Fixed {
                rate_pct,
                step_up_pct,
            } => {
                let rate_ok = e.pct(f("coupon.rate_pct"), *rate_pct, 0.0, 100.0, "a coupon");
                if e.pct(
                    f("coupon.step_up_pct"),
                    *step_up_pct,
                    0.0,
                    100.0,
                    "a step-up",
                ) && *step_up_pct > 0.0
                    && deal.clean_up_call.none
                {
                    e.push(f("coupon.step_up_pct"), NO_CALL_NO_STEP_UP);
                }
                if let Some(c) = cap.filter(|_| rate_ok) {
                    if c < *rate_pct {
                        e.push(
                            f("fixed_cap_pct"),
                            format!(
                                "a fixed cap of {c}% is below the fixed coupon {rate_pct}%; expected a cap at or above the coupon"
                            ),
                        );
                    }
                }
            }
        }
        if let Some(c) = b.fixed_cap_pct {
            e.pct(f("fixed_cap_pct"), c, 0.0, 100.0, "a cap");
        }
    }
    if let Some(cb) = deal.collateral.cut_off_balance {
        let total: f64 = deal.bonds.iter().map(|b| b.balance).sum();
        if total > cb + 0.005 {
            e.push(
                "bonds",
                format!(
                    "the bonds total {total:.2}, more than the collateral's Cut-off Date Balance {cb:.2}"
                ),
            );
        }
    }
}

const NO_CALL_NO_STEP_UP: &str = "a step-up applies after the first clean-up call date, but the deal has no clean-up call (clean_up_call.none = true); expected no step-up";

fn check_triggers(e: &mut Errs, deal: &Deal, field: &str, names: &[String]) {
    for (i, n) in names.iter().enumerate() {
        if !deal.triggers.iter().any(|t| &t.name == n) {
            e.push(
                format!("{field}[{i}]"),
                format!("trigger `{n}` is not defined in [[triggers]]"),
            );
        }
    }
}

fn waterfall(e: &mut Errs, deal: &Deal) {
    let w = &deal.waterfall;
    if w.len() > MAX_STEPS {
        e.push(
            "waterfall",
            format!("expected at most {MAX_STEPS} steps, found {}", w.len()),
        );
    }
    let mut seen_pda = false;
    for (i, s) in w.iter().enumerate() {
        let f = |x: &str| format!("waterfall[{i}].{x}");
        check_bond_refs(e, deal, &f("bonds"), &s.bonds);
        if let Some(c) = &s.when {
            let (key, names) = match c {
                Condition::AnyFailing(n) => ("any_failing", n),
                Condition::AllPassing(n) => ("all_passing", n),
            };
            check_triggers(e, deal, &f(&format!("when.{key}")), names);
        }
        let ok_source = match s.step {
            StepKind::Interest | StepKind::UnpaidInterest | StepKind::LossReimbursement => {
                !matches!(s.source, Source::DerivativeReceipts)
            }
            StepKind::PrincipalDistribution => {
                matches!(s.source, Source::PrincipalFunds | Source::AvailableFunds)
            }
            StepKind::OcBuild => !matches!(s.source, Source::DerivativeReceipts),
            StepKind::BasisRisk | StepKind::Residual => true,
        };
        if !ok_source {
            e.push(
                f("source"),
                format!(
                    "a `{}` step cannot be paid from `{}`",
                    step_name(s.step),
                    source_name(s.source)
                ),
            );
        }
        if s.source == Source::ExcessCashFlow && !seen_pda {
            e.push(
                f("source"),
                "excess_cash_flow is what remains after the Principal Distribution Amount; \
                 expected a `principal_distribution` step before this one",
            );
        }
        if s.step == StepKind::PrincipalDistribution {
            seen_pda = true;
        }
    }
    for (kind, what) in [
        (StepKind::Interest, "an `interest` step"),
        (
            StepKind::PrincipalDistribution,
            "a `principal_distribution` step",
        ),
        (
            StepKind::Residual,
            "a `residual` step (to the certificates)",
        ),
    ] {
        if !w.iter().any(|s| s.step == kind) {
            e.push(
                "waterfall",
                format!("the priority of payments is missing {what}"),
            );
        }
    }
    if !deal.realized_losses.writedown_order.is_empty()
        && !w.iter().any(|s| s.step == StepKind::LossReimbursement)
    {
        e.push(
            "waterfall",
            "the priority of payments is missing a `loss_reimbursement` step for the bonds in realized_losses.writedown_order",
        );
    }
}

pub(crate) fn step_name(k: StepKind) -> &'static str {
    match k {
        StepKind::Interest => "interest",
        StepKind::UnpaidInterest => "unpaid_interest",
        StepKind::PrincipalDistribution => "principal_distribution",
        StepKind::OcBuild => "oc_build",
        StepKind::LossReimbursement => "loss_reimbursement",
        StepKind::BasisRisk => "basis_risk",
        StepKind::Residual => "residual",
    }
}

pub(crate) fn source_name(s: Source) -> &'static str {
    match s {
        Source::InterestFunds => "interest_funds",
        Source::PrincipalFunds => "principal_funds",
        Source::AvailableFunds => "available_funds",
        Source::ExcessCashFlow => "excess_cash_flow",
        Source::DerivativeReceipts => "derivative_receipts",
    }
}

pub(super) fn against_pool(deal: &Deal, cut_off_balance: f64) -> Vec<FieldError> {
    let mut e = Errs(Vec::new());
    let total: f64 = deal.bonds.iter().map(|b| b.balance).sum();
    let declared = deal.collateral.cut_off_balance.unwrap_or(f64::INFINITY);
    if total > cut_off_balance + 0.005 && total <= declared + 0.005 {
        e.push(
            "bonds",
            format!(
                "the bonds total {total:.2}, more than the collateral's Cut-off Date Balance {cut_off_balance:.2}"
            ),
        );
    }
    if let Some(b) = deal.collateral.cut_off_balance {
        if (b - cut_off_balance).abs() > 1e-4 * b {
            e.push(
                "collateral.cut_off_balance",
                format!(
                    "the tape totals {cut_off_balance:.2}, more than 0.01% away from the declared {b:.2}"
                ),
            );
        }
    }
    e.0
}

pub(super) fn against_loans(deal: &Deal, loans: &[crate::tape::Loan]) -> Vec<FieldError> {
    fees::against_loans(deal, loans)
}

#[cfg(test)]
mod tests;
