//! Every bond's analytics of one run, computed in one place for every front end: the
//! `run --summary` rows, the Price/DM table, the term-sheet summary, grid cells and the
//! Arrow results all read a [`RunSummary`].
//!
//! The discount margin discounts at the index path the run itself used for the bonds'
//! coupons (under the deal's flat pricing rates, the flat pricing level).

use crate::analytics::{payment_window, wal, PaymentWindow};
use crate::deal::{Bond, DayCount};
use crate::pricing::{day_count_of, factor, measure};
use crate::scenario::{Pricing, Quote};
use crate::waterfall::{BondFlows, DealRun, PeriodInfo};
use crate::Result;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One bond's figures over one run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BondSummary {
    pub bond: String,
    pub original_balance: f64,
    /// Weighted average life, years; `None` when the bond receives no principal.
    pub wal_years: Option<f64>,
    /// Discount margin at the run's price, basis points; `None` when the flows cannot
    /// reach the price (e.g. a bond written off).
    pub dm_bps: Option<f64>,
    /// Bond-equivalent yield at the run's price, percent.
    pub yield_pct: Option<f64>,
    /// Modified duration at the run's price, years.
    pub mod_duration: Option<f64>,
    pub window: Option<PaymentWindow>,
    pub principal_paid: f64,
    /// Principal written down (Allocated Realized Loss Amounts), before reimbursement.
    pub writedown: f64,
    /// Write-downs later reimbursed.
    pub reimbursed: f64,
    /// Principal never repaid when the run ended.
    pub unpaid_principal: f64,
    /// Write-downs not reimbursed plus unpaid principal, percent of the original balance.
    pub principal_loss_pct: f64,
    /// Clean price the figures are at, percent of the balance at settlement (the quote's
    /// price, or the price its discount margin, yield or spread gives).
    #[serde(default)]
    pub price: Option<f64>,
    /// Accrued interest at settlement, percent of the balance then (0 settling flat).
    #[serde(default)]
    pub accrued_pct: Option<f64>,
    /// Balance at settlement over the original balance.
    #[serde(default)]
    pub factor: Option<f64>,
    /// Spread to the forward curve, basis points (`None` without forward curves).
    #[serde(default)]
    pub spread_bps: Option<f64>,
    /// The yield compounded monthly, percent.
    #[serde(default)]
    pub yield_monthly_pct: Option<f64>,
    /// −(1/P)·∂P/∂DM with the cash flows fixed, years.
    #[serde(default)]
    pub spread_duration: Option<f64>,
    /// Effective duration by full revaluation (filled by
    /// [`crate::pricing::run_with_risk`]; `None` otherwise), years.
    #[serde(default)]
    pub eff_duration: Option<f64>,
    /// Effective convexity by full revaluation (as `eff_duration`).
    #[serde(default)]
    pub eff_convexity: Option<f64>,
    /// First period in which the class loses principal (a write-down not reimbursed, or
    /// principal never repaid at the end), beyond rounding dust ([`LOSS_DUST_PCT`]).
    #[serde(default)]
    pub first_loss_period: Option<u32>,
    #[serde(default)]
    pub first_loss_date: Option<NaiveDate>,
}

/// Losses below this share of a class's original balance (percent: one part in a
/// million) are rounding dust, not a loss.
pub const LOSS_DUST_PCT: f64 = 1e-4;

/// The first period (and its payment date) in which `b` has lost more than
/// [`LOSS_DUST_PCT`] of its original balance: cumulative write-downs not reimbursed, or,
/// at the end of the run, those plus principal never repaid.
pub fn first_loss(b: &BondFlows, periods: &[PeriodInfo]) -> Option<(u32, NaiveDate)> {
    let dust = LOSS_DUST_PCT / 100.0 * b.original_balance;
    let mut cum = 0.0;
    let hit = b
        .periods
        .iter()
        .find(|p| {
            cum += p.writedown - p.reimbursement;
            cum > dust
        })
        .or_else(|| b.periods.last().filter(|_| b.principal_loss() > dust))?;
    let date = periods
        .iter()
        .find(|i| i.period == hit.period)?
        .payment_date;
    Some((hit.period, date))
}

/// A run's pool losses and every bond's figures at one price.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunSummary {
    /// Price the figures are at, percent of par.
    pub price: f64,
    /// The quote the figures are solved from (`None`: at `price`).
    #[serde(default)]
    pub quote: Option<Quote>,
    /// Settlement date of the figures.
    #[serde(default)]
    pub settlement: Option<NaiveDate>,
    /// Cumulative realized pool losses, currency.
    pub pool_loss: f64,
    /// The same, percent of the cut-off pool balance.
    pub pool_loss_pct: f64,
    pub bonds: Vec<BondSummary>,
}

impl RunSummary {
    /// The bond named `name`.
    pub fn bond(&self, name: &str) -> Option<&BondSummary> {
        self.bonds.iter().find(|b| b.bond == name)
    }
}

/// One bond's figures at `price` (percent of par), settling flat on the run's settlement
/// date.
pub fn summarize_bond(run: &DealRun, b: &BondFlows, price: f64) -> Result<BondSummary> {
    let pricing = flat_pricing(run, price);
    summarize_bond_at(run, b, &pricing, DayCount::Act360)
}

fn flat_pricing(run: &DealRun, price: f64) -> Pricing {
    Pricing {
        quote: Quote::Price { pct: price },
        settlement: run.settlement,
        forward: None,
        settles_flat: true,
    }
}

/// One bond's figures at `pricing`'s quote and settlement date.
pub fn summarize_bond_at(
    run: &DealRun,
    b: &BondFlows,
    pricing: &Pricing,
    day_count: DayCount,
) -> Result<BondSummary> {
    let m = measure(b, &run.periods, pricing, day_count).ok();
    let first = first_loss(b, &run.periods);
    let principal_paid = b.periods.iter().map(|p| p.principal_paid).sum();
    let writedown = b.periods.iter().map(|p| p.writedown).sum();
    let reimbursed = b.periods.iter().map(|p| p.reimbursement).sum();
    Ok(BondSummary {
        bond: b.name.clone(),
        original_balance: b.original_balance,
        wal_years: wal(b, &run.periods, pricing.settlement)?,
        dm_bps: m.map(|m| m.dm * 10_000.0),
        yield_pct: m.map(|m| m.yield_ * 100.0),
        mod_duration: m.map(|m| m.mod_duration),
        window: payment_window(b, &run.periods)?,
        principal_paid,
        writedown,
        reimbursed,
        unpaid_principal: b.unpaid_principal(),
        principal_loss_pct: if b.original_balance > 0.0 {
            100.0 * b.principal_loss() / b.original_balance
        } else {
            0.0
        },
        price: m.map(|m| m.price),
        accrued_pct: m.map(|m| m.accrued),
        factor: factor(b, &run.periods, pricing.settlement),
        spread_bps: m.and_then(|m| m.spread).map(|s| s * 10_000.0),
        yield_monthly_pct: m.map(|m| m.yield_monthly * 100.0),
        spread_duration: m.map(|m| m.spread_duration),
        eff_duration: None,
        eff_convexity: None,
        first_loss_period: first.map(|f| f.0),
        first_loss_date: first.map(|f| f.1),
    })
}

/// Pool losses and every bond's figures at `price` (percent of par), settling flat on
/// the run's settlement date.
pub fn summarize_run(run: &DealRun, price: f64) -> Result<RunSummary> {
    summarize_run_at(run, price, &flat_pricing(run, price), &[])
}

/// Pool losses and every bond's figures at `pricing`'s quote and settlement date (`price`:
/// the scenario's price, kept in the summary); `bonds` gives the classes' day counts
/// (accrued interest), act/360 for a class not listed.
pub fn summarize_run_at(
    run: &DealRun,
    price: f64,
    pricing: &Pricing,
    bonds: &[Bond],
) -> Result<RunSummary> {
    let cut_off = run
        .collateral
        .periods
        .first()
        .map(|p| p.begin_balance)
        .unwrap_or(0.0);
    let pool_loss: f64 = run.collateral.periods.iter().map(|p| p.realized_loss).sum();
    Ok(RunSummary {
        price,
        quote: Some(pricing.quote),
        settlement: Some(pricing.settlement),
        pool_loss,
        pool_loss_pct: if cut_off > 0.0 {
            100.0 * pool_loss / cut_off
        } else {
            0.0
        },
        bonds: run
            .bonds
            .iter()
            .map(|b| summarize_bond_at(run, b, pricing, day_count_of(bonds, &b.name)))
            .collect::<Result<_>>()?,
    })
}
