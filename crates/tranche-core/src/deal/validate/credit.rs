//! The credit enhancement and its timing: overcollateralization, triggers, derivative
//! contracts and the clean-up call, each checked against the deal's dates and bonds.

use super::{check_triggers, declared_list, index_declared, num, Errs, Life, MAX_STRIKE_PCT};
use crate::deal::{Deal, DerivativeKind};
use std::collections::HashSet;

pub(super) fn oc(e: &mut Errs, deal: &Deal, life: &Life) {
    let o = &deal.overcollateralization;
    let target_ok = e.pct(
        "overcollateralization.target_pct_of_cut_off".into(),
        o.target_pct_of_cut_off,
        0.0,
        100.0,
        "a target",
    );
    if let Some(z) = o.zero_through {
        // A zero period that ends before the first payment covers no payment date.
        e.month_in_life("overcollateralization.zero_through".into(), z, life, true);
    }
    if let Some(s) = &o.stepdown {
        e.pct_above(
            "overcollateralization.stepdown.target_pct_of_current".into(),
            s.target_pct_of_current,
            0.0,
            100.0,
            "a target",
        );
        let floor_ok = e.pct(
            "overcollateralization.stepdown.floor_pct_of_cut_off".into(),
            s.floor_pct_of_cut_off,
            0.0,
            100.0,
            "a floor",
        );
        // The stepped-down target is floored here: a floor above the initial target would
        // raise the target at the stepdown instead of lowering it.
        if floor_ok && target_ok && s.floor_pct_of_cut_off > o.target_pct_of_cut_off {
            e.push(
                "overcollateralization.stepdown.floor_pct_of_cut_off",
                format!(
                    "expected a floor at or below the initial target {}% of the cut-off balance, found {}%",
                    o.target_pct_of_cut_off, s.floor_pct_of_cut_off
                ),
            );
        }
        e.month_in_life(
            "overcollateralization.stepdown.on_or_after".into(),
            s.on_or_after,
            life,
            false,
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

pub(super) fn triggers(e: &mut Errs, deal: &Deal, life: &Life) {
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
            } else {
                e.month_in_life(
                    format!("triggers[{i}].thresholds[{j}].from"),
                    th.from,
                    life,
                    false,
                );
            }
        }
    }
}

pub(super) fn derivatives(e: &mut Errs, deal: &Deal, life: &Life) {
    let bonds_total: f64 = deal.bonds.iter().map(|b| b.balance).sum();
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
        e.pct(
            f("strike_pct"),
            d.strike_pct,
            0.0,
            MAX_STRIKE_PCT,
            "a strike",
        );
        match (d.kind, d.upper_strike_pct) {
            (DerivativeKind::Corridor, None) => {
                e.push(f("upper_strike_pct"), "a corridor needs an upper strike")
            }
            // A corridor whose upper strike is not above its strike never pays.
            (DerivativeKind::Corridor, Some(u)) if !u.is_finite() || u <= d.strike_pct => e.push(
                f("upper_strike_pct"),
                format!(
                    "expected an upper strike above the strike {}, found {u}",
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
        let ends_first = d.notional.first().is_some_and(|n| d.end < n.date);
        for (j, s) in d.notional.iter().enumerate() {
            if !(s.amount.is_finite() && s.amount >= 0.0) {
                e.push(
                    format!("derivatives[{i}].notional[{j}].amount"),
                    format!("expected a notional of at least 0, found {}", num(s.amount)),
                );
            } else if s.amount > bonds_total + 0.005 {
                // The trust's contracts hedge its bonds; a larger notional is a typo.
                e.push(
                    format!("derivatives[{i}].notional[{j}].amount"),
                    format!(
                        "expected a notional of at most the bonds' original total {bonds_total:.2}, found {}",
                        num(s.amount)
                    ),
                );
            }
            if !ends_first && s.date > d.end {
                e.push(
                    format!("derivatives[{i}].notional[{j}].date"),
                    format!(
                        "expected a date on or before the contract's end {}, found {}",
                        d.end, s.date
                    ),
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
        if let Some(first) = d.notional.first().filter(|_| ends_first) {
            e.push(
                f("end"),
                format!(
                    "expected an end on or after the first notional date {}, found {}",
                    first.date, d.end
                ),
            );
        } else if d.end < deal.dates.first_payment {
            e.push(
                f("end"),
                format!(
                    "expected an end on or after the first payment date {}, found {}",
                    deal.dates.first_payment, d.end
                ),
            );
        } else if d.end > life.last_date {
            e.push(f("end"), life.beyond(&d.end.to_string()));
        }
    }
}

pub(super) fn call(e: &mut Errs, deal: &Deal, life: &Life) {
    let c = &deal.clean_up_call;
    if c.none {
        if c.pool_pct_of_cut_off.is_some() || c.date.is_some() {
            e.push(
                "clean_up_call.none",
                "a deal with no clean-up call (none = true) gives neither pool_pct_of_cut_off nor date",
            );
        }
        return;
    }
    if c.pool_pct_of_cut_off.is_none() && c.date.is_none() {
        e.push(
            "clean_up_call",
            "expected pool_pct_of_cut_off, date, or both; a deal without a clean-up call says `none = true`",
        );
    }
    match c.pool_pct_of_cut_off {
        // 0% calls only a pool paid down to nothing: a "to call" run that is the maturity
        // run under another name.
        Some(0.0) => e.push(
            "clean_up_call.pool_pct_of_cut_off",
            "expected a pool percentage above 0 and at most 100 (percent), found 0: a call at 0% never comes before maturity; a deal without a clean-up call says `none = true`",
        ),
        Some(p) => {
            e.pct_above(
                "clean_up_call.pool_pct_of_cut_off".into(),
                p,
                0.0,
                100.0,
                "a pool percentage",
            );
        }
        None => {}
    }
    if let Some(m) = c.date {
        if m <= life.first {
            e.push(
                "clean_up_call.date",
                format!(
                    "expected a month after the first payment month {}, found {m}",
                    life.first
                ),
            );
        } else {
            e.month_in_life("clean_up_call.date".into(), m, life, false);
        }
    }
}
