//! Runs what the report shows through the engine's table functions: the term-sheet
//! summary, the Price/DM report, the Available Funds Rate schedule and the chart runs.
//! Works on any [`DealRunner`], so it does not depend on how a deal is loaded.

use super::build::ReportInputs;
use crate::render::Table;
use crate::IoError;
use tranche_core::tables::{
    afr_schedule, price_table, run_all, term_sheet_summary, AfrOptions, ClassInfo, DealRunner,
    PriceTableOptions, RunSpec, TableRates,
};
use tranche_core::waterfall::Horizon;

/// What to compute, besides the runner.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    pub deal_name: String,
    /// What 100% of the pricing speed is, in words (e.g. "30% CPR").
    pub pricing_speed: String,
    pub classes: Vec<ClassInfo>,
    /// Price of the Price/DM tables, percent of par.
    pub price: f64,
    /// Percentages of the pricing speed.
    pub speeds: Vec<f64>,
    /// Rates of the pricing runs and of discounting.
    pub rates: TableRates,
    /// The Available Funds Rate schedule's options; `None` leaves the schedule out
    /// (e.g. a deal without forward curves).
    pub afr: Option<AfrOptions>,
    pub collateral: Vec<Table>,
    pub notes: Vec<String>,
}

/// The steps [`gather`] reports through its callback, in order.
pub const STEPS: [&str; 4] = [
    "term-sheet summary",
    "Price/DM tables",
    "Available Funds Rate schedule",
    "chart runs",
];

/// Computes the report's figures; `step` is called as each step starts.
pub fn gather(
    runner: &impl DealRunner,
    spec: &ReportSpec,
    step: &mut dyn FnMut(&str),
) -> Result<ReportInputs, IoError> {
    step(STEPS[0]);
    let summary = term_sheet_summary(runner, &spec.classes, spec.price, &spec.rates)?;
    step(STEPS[1]);
    let opts = PriceTableOptions {
        price: spec.price,
        speeds: spec.speeds.clone(),
        rates: spec.rates.clone(),
    };
    let price_rows = price_table(runner, &opts)?;
    step(STEPS[2]);
    let (afr, afr_notes) = match &spec.afr {
        Some(o) => (afr_schedule(runner, o)?, afr_notes(o)),
        None => (
            Vec::new(),
            vec!["The deal has no forward curves: the schedule is left out.".to_string()],
        ),
    };
    step(STEPS[3]);
    let specs: Vec<RunSpec> = spec
        .speeds
        .iter()
        .map(|s| RunSpec::pricing(*s, spec.rates.run.clone(), Horizon::Call))
        .collect();
    let runs = run_all(runner, &specs)?;
    Ok(ReportInputs {
        deal_name: spec.deal_name.clone(),
        settlement: Some(runner.settlement()),
        price: spec.price,
        pricing_speed: spec.pricing_speed.clone(),
        classes: spec.classes.clone(),
        summary,
        price_rows,
        afr,
        afr_notes,
        runs: spec.speeds.iter().copied().zip(runs).collect(),
        collateral: spec.collateral.clone(),
        notes: spec.notes.clone(),
    })
}

fn afr_notes(o: &AfrOptions) -> Vec<String> {
    let horizon = match o.horizon {
        Horizon::Call => "to the clean-up call",
        Horizon::Maturity => "to maturity",
    };
    vec![
        format!(
            "Run at {:.0}% of the pricing prepayment speed, {horizon}; rates are per annum, actual/360 accrual.",
            o.speed_pct
        ),
        "Forward curves: every index at its forward path (the deal's curves file).".into(),
        format!(
            "Shocked curves: every index {:+.0} bp from period {} on.",
            o.shock_bps, o.shock_from
        ),
    ]
}

#[cfg(test)]
mod tests;
