//! Rules a deal file must satisfy. Every error names the field path it concerns.

use super::{
    field_error, Condition, Coupon, Deal, DerivativeKind, Source, SpeedCurve, StepKind,
    FORMAT_VERSION, MAX_STEPS,
};
use crate::error::FieldError;
use crate::tape::RateIndex;
use std::collections::HashSet;

struct Errs(Vec<FieldError>);

impl Errs {
    fn push(&mut self, field: impl Into<String>, msg: impl Into<String>) {
        self.0.push(field_error(field, msg));
    }

    /// A percentage that must be finite and within `[lo, hi]`.
    fn pct(&mut self, field: String, v: f64, lo: f64, hi: f64, what: &str) {
        if !v.is_finite() || v < lo || v > hi {
            let range = if hi.is_infinite() {
                format!("at least {lo}")
            } else {
                format!("between {lo} and {hi}")
            };
            self.push(
                field,
                format!("expected {what} {range} (percent), found {v}"),
            );
        }
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
    dates(&mut e, deal);
    collateral(&mut e, deal);
    bonds(&mut e, deal);
    oc(&mut e, deal);
    triggers(&mut e, deal);
    derivatives(&mut e, deal);
    call(&mut e, deal);
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
    if !(1..=31).contains(&d.payment_day) {
        e.push(
            "dates.payment_day",
            format!(
                "expected a day of the month from 1 to 31, found {}",
                d.payment_day
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
    e.pct(
        "collateral.master_servicing_fee_pct".into(),
        c.master_servicing_fee_pct,
        0.0,
        100.0,
        "a fee rate",
    );
    e.pct(
        "collateral.trustee_fee_pct".into(),
        c.trustee_fee_pct,
        0.0,
        100.0,
        "a fee rate",
    );
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
        SpeedCurve::Cpr { cpr_pct } => e.pct(format!("{field}.cpr_pct"), *cpr_pct, 0.0, 100.0, cpr),
        SpeedCurve::Psa { psa_pct } => e.pct(
            format!("{field}.psa_pct"),
            *psa_pct,
            0.0,
            MAX_PSA_PCT.floor(),
            "a PSA speed (its peak is 6% CPR at 100)",
        ),
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
                format!("expected a balance above 0, found {}", b.balance),
            );
        }
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
                e.pct(f("coupon.margin_pct"), *margin_pct, 0.0, 100.0, "a margin");
                if !(step_up_multiple.is_finite() && *step_up_multiple >= 1.0) {
                    e.push(
                        f("coupon.step_up_multiple"),
                        format!("expected a multiple of at least 1, found {step_up_multiple}"),
                    );
                }
            }
            Coupon::Fixed {
                rate_pct,
                step_up_pct,
            } => {
                e.pct(f("coupon.rate_pct"), *rate_pct, 0.0, 100.0, "a coupon");
                e.pct(
                    f("coupon.step_up_pct"),
                    *step_up_pct,
                    0.0,
                    100.0,
                    "a step-up",
                );
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

fn oc(e: &mut Errs, deal: &Deal) {
    let o = &deal.overcollateralization;
    e.pct(
        "overcollateralization.target_pct_of_cut_off".into(),
        o.target_pct_of_cut_off,
        0.0,
        100.0,
        "a target",
    );
    if let Some(s) = &o.stepdown {
        e.pct(
            "overcollateralization.stepdown.target_pct_of_current".into(),
            s.target_pct_of_current,
            0.0,
            100.0,
            "a target",
        );
        e.pct(
            "overcollateralization.stepdown.floor_pct_of_cut_off".into(),
            s.floor_pct_of_cut_off,
            0.0,
            100.0,
            "a floor",
        );
        if let Some(z) = o.zero_through {
            if s.on_or_after <= z {
                e.push(
                    "overcollateralization.stepdown.on_or_after",
                    format!(
                        "expected a month after zero_through {z}, found {}",
                        s.on_or_after
                    ),
                );
            }
        }
        check_triggers(
            e,
            deal,
            "overcollateralization.stepdown.blocked_by",
            &s.blocked_by,
        );
    }
}

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

fn triggers(e: &mut Errs, deal: &Deal) {
    let mut seen = HashSet::new();
    for (i, t) in deal.triggers.iter().enumerate() {
        if !seen.insert(t.name.as_str()) {
            e.push(
                format!("triggers[{i}].name"),
                format!("duplicate trigger name `{}`", t.name),
            );
        }
        if t.thresholds.is_empty() {
            e.push(
                format!("triggers[{i}].thresholds"),
                "expected at least one threshold",
            );
        }
        for (j, th) in t.thresholds.iter().enumerate() {
            e.pct(
                format!("triggers[{i}].thresholds[{j}].pct"),
                th.pct,
                0.0,
                100.0,
                "a threshold",
            );
            if j > 0 && th.from <= t.thresholds[j - 1].from {
                e.push(
                    format!("triggers[{i}].thresholds[{j}].from"),
                    format!(
                        "expected months in ascending order; {} does not follow {}",
                        th.from,
                        t.thresholds[j - 1].from
                    ),
                );
            }
        }
    }
}

fn derivatives(e: &mut Errs, deal: &Deal) {
    let mut seen = HashSet::new();
    for (i, d) in deal.derivatives.iter().enumerate() {
        let f = |s: &str| format!("derivatives[{i}].{s}");
        if !seen.insert(d.name.as_str()) {
            e.push(f("name"), format!("duplicate derivative name `{}`", d.name));
        }
        if !index_declared(deal, &d.index) {
            e.push(
                f("index"),
                format!(
                    "index `{}` is not declared; expected one of {}",
                    d.index,
                    declared_list(deal)
                ),
            );
        }
        e.pct(f("strike_pct"), d.strike_pct, 0.0, 100.0, "a strike");
        match (d.kind, d.upper_strike_pct) {
            (DerivativeKind::Corridor, None) => {
                e.push(f("upper_strike_pct"), "a corridor needs an upper strike")
            }
            (DerivativeKind::Corridor, Some(u)) if u.is_nan() || u < d.strike_pct => e.push(
                f("upper_strike_pct"),
                format!(
                    "expected an upper strike at or above the strike {}, found {u}",
                    d.strike_pct
                ),
            ),
            (DerivativeKind::Cap | DerivativeKind::Swap, Some(_)) => {
                e.push(f("upper_strike_pct"), "only a corridor has an upper strike")
            }
            _ => {}
        }
        if d.notional.is_empty() {
            e.push(f("notional"), "expected at least one notional entry");
        }
        for (j, s) in d.notional.iter().enumerate() {
            if !(s.amount.is_finite() && s.amount >= 0.0) {
                e.push(
                    format!("derivatives[{i}].notional[{j}].amount"),
                    format!("expected a notional of at least 0, found {}", s.amount),
                );
            }
            if j > 0 && s.date <= d.notional[j - 1].date {
                e.push(
                    format!("derivatives[{i}].notional[{j}].date"),
                    format!(
                        "expected dates in ascending order; {} does not follow {}",
                        s.date,
                        d.notional[j - 1].date
                    ),
                );
            }
        }
        if let Some(first) = d.notional.first() {
            if d.end < first.date {
                e.push(
                    f("end"),
                    format!(
                        "expected an end on or after the first notional date {}, found {}",
                        first.date, d.end
                    ),
                );
            }
        }
    }
}

fn call(e: &mut Errs, deal: &Deal) {
    let c = &deal.clean_up_call;
    if c.pool_pct_of_cut_off.is_none() && c.date.is_none() {
        e.push(
            "clean_up_call",
            "expected pool_pct_of_cut_off, date, or both",
        );
    }
    if let Some(p) = c.pool_pct_of_cut_off {
        e.pct(
            "clean_up_call.pool_pct_of_cut_off".into(),
            p,
            0.0,
            100.0,
            "a pool percentage",
        );
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
