//! Every bond's analytics of one run, computed in one place for every front end: the
//! `run --summary` rows, the Price/DM table, the term-sheet summary, grid cells and the
//! Arrow results all read a [`RunSummary`].
//!
//! The discount margin discounts at the index path the run itself used for the bonds'
//! coupons (under the deal's flat pricing rates, the flat pricing level).

use crate::analytics::{payment_window, wal, IndexAssumption, PaymentWindow, Priceable};
use crate::waterfall::{BondFlows, DealRun};
use crate::Result;
use serde::{Deserialize, Serialize};

/// One bond's figures over one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// A run's pool losses and every bond's figures at one price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Price the figures are at, percent of par.
    pub price: f64,
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

/// One bond's figures at `price` (percent of par).
pub fn summarize_bond(run: &DealRun, b: &BondFlows, price: f64) -> Result<BondSummary> {
    let priced = Priceable::new(b, &run.periods, run.settlement, &IndexAssumption::Run)
        .ok()
        .and_then(|p| {
            let dm = p.dm_from_price(price).ok()?;
            let y = p.yield_from_price(price).ok()?;
            Some((dm, y, p.macaulay_duration(y) / (1.0 + y / 2.0)))
        });
    let principal_paid = b.periods.iter().map(|p| p.principal_paid).sum();
    let writedown = b.periods.iter().map(|p| p.writedown).sum();
    let reimbursed = b.periods.iter().map(|p| p.reimbursement).sum();
    Ok(BondSummary {
        bond: b.name.clone(),
        original_balance: b.original_balance,
        wal_years: wal(b, &run.periods, run.settlement)?,
        dm_bps: priced.map(|p| p.0 * 10_000.0),
        yield_pct: priced.map(|p| p.1 * 100.0),
        mod_duration: priced.map(|p| p.2),
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
    })
}

/// Pool losses and every bond's figures at `price` (percent of par).
pub fn summarize_run(run: &DealRun, price: f64) -> Result<RunSummary> {
    let cut_off = run
        .collateral
        .periods
        .first()
        .map(|p| p.begin_balance)
        .unwrap_or(0.0);
    let pool_loss: f64 = run.collateral.periods.iter().map(|p| p.realized_loss).sum();
    Ok(RunSummary {
        price,
        pool_loss,
        pool_loss_pct: if cut_off > 0.0 {
            100.0 * pool_loss / cut_off
        } else {
            0.0
        },
        bonds: run
            .bonds
            .iter()
            .map(|b| summarize_bond(run, b, price))
            .collect::<Result<_>>()?,
    })
}
