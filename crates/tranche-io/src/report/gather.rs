//! Runs what the report shows through the engine's table functions: the term-sheet
//! summary, the Price/DM report, the Available Funds Rate schedule, the chart runs and the
//! credit sensitivity (breakevens, loss and yield), every one through the one runner.

use super::build::{AsOfInputs, BondStanding, ReportInputs};
use super::credit::{gather_credit, CreditSpec};
use crate::render::Table;
use crate::IoError;
use tranche_core::runner::DealModel;
use tranche_core::scenario::{Scenario, Shock};
use tranche_core::tables::{afr_schedule, price_table, run_all, term_sheet_summary, ClassInfo};
use tranche_core::waterfall::Horizon;

/// What to compute, besides the deal.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    pub deal_name: String,
    /// What 100% of the pricing speed is, in words (e.g. "30% CPR").
    pub pricing_speed: String,
    pub classes: Vec<ClassInfo>,
    /// The pricing scenario (rates, defaults, price) of the summary, the Price/DM tables
    /// and the charts; its speed is replaced by each of `speeds`.
    pub base: Scenario,
    /// Percentages of the pricing speed.
    pub speeds: Vec<f64>,
    /// The Available Funds Rate schedule's scenario and the shock of its second column;
    /// `None` leaves the schedule out (e.g. a deal without forward curves).
    pub afr: Option<(Scenario, Shock)>,
    pub collateral: Vec<Table>,
    pub notes: Vec<String>,
    /// The credit sensitivity section's runs; `None` leaves it out (no class takes
    /// losses).
    pub credit: Option<CreditSpec>,
}

/// The steps [`gather`] reports through its callback, in order.
pub const STEPS: [&str; 5] = [
    "term-sheet summary",
    "Price/DM tables",
    "Available Funds Rate schedule",
    "chart runs",
    "credit sensitivity",
];

/// Computes the report's figures; `step` is called as each step starts.
pub fn gather(
    model: &DealModel,
    spec: &ReportSpec,
    step: &mut dyn FnMut(&str),
) -> Result<ReportInputs, IoError> {
    let as_of = as_of_inputs(model);
    // From an as-of date the classes stand at their current balances.
    let mut classes = spec.classes.clone();
    if let Some(a) = &as_of {
        for c in &mut classes {
            if let Some(b) = a.bonds.iter().find(|b| b.class == c.name) {
                c.balance = b.balance;
            }
        }
    }
    step(STEPS[0]);
    let summary = term_sheet_summary(model, &classes, &spec.base)?;
    step(STEPS[1]);
    let price_rows = price_table(model, &spec.base, &spec.speeds)?;
    step(STEPS[2]);
    let (afr, afr_notes) = match &spec.afr {
        Some((base, shock)) => (
            afr_schedule(model, base, shock)?,
            afr_notes(base, shock, model.position().map(|p| p.period)),
        ),
        None => (
            Vec::new(),
            vec!["The deal has no forward curves: the schedule is left out.".to_string()],
        ),
    };
    step(STEPS[3]);
    let scenarios = spec
        .speeds
        .iter()
        .map(|s| {
            let mut sc = spec.base.clone();
            sc.set("speed_pct", *s)?;
            sc.horizon = Horizon::Call;
            Ok(sc)
        })
        .collect::<tranche_core::Result<Vec<_>>>()?;
    let runs = run_all(model, &scenarios)?;
    step(STEPS[4]);
    let credit = spec
        .credit
        .as_ref()
        .map(|c| gather_credit(model, &spec.base, c))
        .transpose()?;
    Ok(ReportInputs {
        credit,
        deal_name: spec.deal_name.clone(),
        settlement: Some(
            as_of
                .as_ref()
                .map_or(model.deal.dates.settlement, |a| a.payment_date),
        ),
        price: spec.base.price,
        pricing_speed: spec.pricing_speed.clone(),
        classes,
        summary,
        price_rows,
        afr,
        afr_notes,
        runs: spec
            .speeds
            .iter()
            .copied()
            .zip(runs.into_iter().map(|r| r.run))
            .collect(),
        collateral: spec.collateral.clone(),
        notes: spec.notes.clone(),
        as_of,
    })
}

/// Where `model` starts when placed at a deal state: the as-of payment date and every
/// class's balance then.
fn as_of_inputs(model: &DealModel) -> Option<AsOfInputs> {
    let pos = model.position()?;
    Some(AsOfInputs {
        payment_date: model.deal.payment_date(pos.period),
        bonds: model
            .deal
            .bonds
            .iter()
            .zip(&pos.bonds)
            .map(|(b, c)| BondStanding {
                class: b.name.clone(),
                original_balance: b.balance,
                balance: c.balance,
                writedowns: c.allocated_loss,
            })
            .collect(),
    })
}

/// `as_of`: the periods already paid when the schedule starts after an as-of date.
fn afr_notes(base: &Scenario, shock: &Shock, as_of: Option<u32>) -> Vec<String> {
    let horizon = match base.horizon {
        Horizon::Call => "to the clean-up call".to_string(),
        Horizon::Maturity => "to maturity".to_string(),
        Horizon::CallOn(m) => format!("to a call in {m}"),
    };
    let from = match as_of {
        None => format!("period {}", shock.from_period),
        Some(paid) => format!(
            "the {} period after the as-of date (period {})",
            ordinal(shock.from_period),
            paid + shock.from_period
        ),
    };
    let mut notes = vec![
        format!(
            "Run at {}, {horizon}; rates are per annum, actual/360 accrual.",
            base.prepay.arm
        ),
        "Forward curves: every index at its forward path (the deal's curves file).".into(),
        format!(
            "Shocked curves: every index {:+.0} bp from {from} on.",
            shock.bps
        ),
    ];
    if let Some(paid) = as_of {
        notes.push(format!(
            "From the as-of date: the schedule starts in period {}; the curves are read from their first period on.",
            paid + 1
        ));
    }
    notes
}

/// "1st", "2nd", "3rd", "4th", ...
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests;
