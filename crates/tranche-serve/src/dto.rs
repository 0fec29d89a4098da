//! The API's response types: the engine's results as JSON, described in the OpenAPI
//! document by these types. Figures are the engine's, unrounded; dates `YYYY-MM-DD`,
//! months `YYYY-MM`.

use crate::scenario::ScenarioJson;
use serde::{Deserialize, Serialize};
use tranche_core::dates::yyyy_mm;
use tranche_core::summary::BondSummary;
use tranche_core::tables::{PriceTableRow, SummaryRow};
use tranche_io::render::{Cell, RowKind, Table};
use utoipa::ToSchema;

/// A deal of the deals folder.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealListItem {
    /// The deal's folder name: its id in every other path.
    pub id: String,
    pub name: String,
    pub title: String,
    /// Why the deal cannot be opened (its deal file's first problem), when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealList {
    pub deals: Vec<DealListItem>,
}

/// One number of the scenario: its unit and range (the core's table of fields).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldInfo {
    pub name: String,
    pub unit: String,
    pub min: f64,
    pub max: f64,
    /// The minimum itself is not allowed.
    pub min_open: bool,
    /// Whole numbers only.
    pub whole: bool,
    pub doc: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealDates {
    pub cut_off: String,
    pub closing: String,
    pub settlement: String,
    pub first_payment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassDto {
    pub name: String,
    pub balance: f64,
    pub tranche_type: String,
}

/// One line of the term-sheet summary (100% of the pricing speed, at par).
#[derive(Debug, Serialize, ToSchema)]
pub struct TermSheetRow {
    pub class: String,
    pub balance: f64,
    pub tranche_type: String,
    pub wal_call: Option<f64>,
    pub wal_maturity: Option<f64>,
    pub mod_duration_call: Option<f64>,
    pub mod_duration_maturity: Option<f64>,
    /// Payment window to call, first and last period.
    pub window_call: Option<[u32; 2]>,
    pub window_maturity: Option<[u32; 2]>,
    pub last_scheduled_payment: Option<String>,
}

impl From<&SummaryRow> for TermSheetRow {
    fn from(r: &SummaryRow) -> Self {
        TermSheetRow {
            class: r.class.clone(),
            balance: r.balance,
            tranche_type: r.tranche_type.clone(),
            wal_call: r.wal_call,
            wal_maturity: r.wal_maturity,
            mod_duration_call: r.mod_duration_call,
            mod_duration_maturity: r.mod_duration_maturity,
            window_call: r.window_call.map(|(a, b)| [a, b]),
            window_maturity: r.window_maturity.map(|(a, b)| [a, b]),
            last_scheduled_payment: r.last_scheduled_payment.map(|d| d.to_string()),
        }
    }
}

/// One cell of a report table: as a person reads it and, for figures, the plain value.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellDto {
    pub text: String,
    /// The figure without `$`, `%` or separators (months `YYYY-MM`); absent for text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TableRowDto {
    /// A total line.
    pub total: bool,
    pub cells: Vec<CellDto>,
}

/// A report table (collateral summary, strats), as the report's HTML page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TableDto {
    pub id: String,
    pub title: String,
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<TableRowDto>,
}

impl From<&Table> for TableDto {
    fn from(t: &Table) -> Self {
        let cell = |c: &Cell| CellDto {
            text: c.display(),
            value: (c.is_numeric() || matches!(c, Cell::Month(_))).then(|| c.plain()),
        };
        TableDto {
            id: t.id.clone(),
            title: t.title.clone(),
            notes: t.notes.clone(),
            columns: t.columns.clone(),
            rows: (0..t.rows.len())
                .map(|r| TableRowDto {
                    total: t.kind(r) == RowKind::Total,
                    cells: (0..t.columns.len()).map(|c| cell(t.cell(r, c))).collect(),
                })
                .collect(),
        }
    }
}

/// A deal: its terms, its term-sheet summary and its collateral.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealInfo {
    pub id: String,
    pub name: String,
    pub title: String,
    pub dates: DealDates,
    /// 100% of the pricing speed, in words (e.g. "30% CPR").
    pub pricing_speed: String,
    pub pricing_index: String,
    pub pricing_index_rate_pct: f64,
    /// The deal folder holds forward curves (`rates: "deal_curves"` runs).
    pub has_curves: bool,
    /// Indices a scenario may name (`shock_index`, `index_levels`).
    pub indices: Vec<String>,
    pub classes: Vec<ClassDto>,
    pub term_sheet: Vec<TermSheetRow>,
    /// Collateral summary and stratification tables.
    pub collateral: Vec<TableDto>,
}

/// One bond's figures over one run.
#[derive(Debug, Serialize, ToSchema)]
pub struct BondDto {
    pub bond: String,
    pub original_balance: f64,
    /// Weighted average life, years; absent when the bond receives no principal.
    pub wal_years: Option<f64>,
    /// Discount margin at the run's price, basis points.
    pub dm_bps: Option<f64>,
    /// Bond-equivalent yield at the run's price, percent.
    pub yield_pct: Option<f64>,
    /// Modified duration at the run's price, years.
    pub mod_duration: Option<f64>,
    /// Principal window: first and last period, first and last month.
    pub first_period: Option<u32>,
    pub last_period: Option<u32>,
    pub first_principal: Option<String>,
    pub last_principal: Option<String>,
    pub principal_paid: f64,
    /// Principal written down, before reimbursement.
    pub writedown: f64,
    pub reimbursed: f64,
    /// Principal never repaid when the run ended.
    pub unpaid_principal: f64,
    /// Write-downs not reimbursed plus unpaid principal, percent of the original balance.
    pub principal_loss_pct: f64,
    /// Clean price the figures are at (the quote's, or the one its DM, yield or spread
    /// gives), percent of the balance at settlement.
    pub price: Option<f64>,
    /// Accrued interest at settlement, percent of the balance then.
    pub accrued_pct: Option<f64>,
    /// Balance at settlement over the original balance.
    pub factor: Option<f64>,
    /// Spread to the forward curve, basis points (absent without forward curves).
    pub spread_bps: Option<f64>,
    /// Spread duration, years.
    pub spread_duration: Option<f64>,
    /// Effective duration by full revaluation, rates shifted 25 bp up and down, years.
    pub eff_duration: Option<f64>,
    /// Effective convexity, as the effective duration.
    pub eff_convexity: Option<f64>,
    /// First month the class loses principal (`YYYY-MM`).
    pub first_loss: Option<String>,
}

impl From<&BondSummary> for BondDto {
    fn from(b: &BondSummary) -> Self {
        BondDto {
            bond: b.bond.clone(),
            original_balance: b.original_balance,
            wal_years: b.wal_years,
            dm_bps: b.dm_bps,
            yield_pct: b.yield_pct,
            mod_duration: b.mod_duration,
            first_period: b.window.map(|w| w.first_period),
            last_period: b.window.map(|w| w.last_period),
            first_principal: b.window.map(|w| yyyy_mm(w.first_date)),
            last_principal: b.window.map(|w| yyyy_mm(w.last_date)),
            principal_paid: b.principal_paid,
            writedown: b.writedown,
            reimbursed: b.reimbursed,
            unpaid_principal: b.unpaid_principal,
            principal_loss_pct: b.principal_loss_pct,
            price: b.price,
            accrued_pct: b.accrued_pct,
            factor: b.factor,
            spread_bps: b.spread_bps,
            spread_duration: b.spread_duration,
            eff_duration: b.eff_duration,
            eff_convexity: b.eff_convexity,
            first_loss: b.first_loss_date.map(yyyy_mm),
        }
    }
}

/// A bond's balance at the end of each period.
#[derive(Debug, Serialize, ToSchema)]
pub struct BondSeries {
    pub bond: String,
    pub balance: Vec<f64>,
}

/// The run period by period, for the charts.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunSeries {
    pub period: Vec<u32>,
    pub payment_date: Vec<String>,
    /// The pool's balance at the end of each period.
    pub pool_balance: Vec<f64>,
    /// The Available Funds Rate, percent per annum.
    pub afr_pct: Vec<f64>,
    /// The bonds' index rate, percent per annum.
    pub index_pct: Vec<f64>,
    pub bonds: Vec<BondSeries>,
}

/// A run's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunResponse {
    /// The run's prepayment speed in words.
    pub speed: String,
    /// `call`, `maturity` or `call:YYYY-MM`.
    pub horizon: String,
    /// Price the figures are at, percent of par, when priced at a price (absent when
    /// priced at a DM, yield or spread: each bond's `price` is then solved).
    pub price: Option<f64>,
    /// What the figures are solved from, in words ("a price of 100", "a discount margin
    /// of 50 bp").
    pub quote: String,
    /// Settlement date of the figures.
    pub settlement: Option<String>,
    /// The period the clean-up call was exercised in (call runs).
    pub call_period: Option<u32>,
    /// Cumulative realized pool losses, currency and percent of the cut-off balance.
    pub pool_loss: f64,
    pub pool_loss_pct: f64,
    pub bonds: Vec<BondDto>,
    pub series: RunSeries,
    /// Rows of the period tables (`POST .../periods`).
    pub bond_rows: usize,
    pub ledger_rows: usize,
    /// Time the server spent on the request, milliseconds.
    pub elapsed_ms: f64,
    /// The run was one the server kept from an earlier request (not run again).
    pub kept: bool,
}

/// The period-by-period tables of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodTable {
    /// One row per period per bond (`tranche run`).
    Bonds,
    /// One row per period per waterfall step (`tranche run --ledger`).
    Ledger,
}

/// A page of a period table.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodsRequest {
    #[serde(default)]
    pub scenario: ScenarioJson,
    pub table: PeriodTable,
    /// First row (0-based).
    #[serde(default)]
    pub offset: usize,
    /// Rows wanted (at most 500).
    #[serde(default = "default_limit")]
    pub limit: usize,
}

fn default_limit() -> usize {
    100
}

/// Rows of a table as the CSV download has them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub offset: usize,
    /// Rows in the whole table.
    pub total: usize,
}

/// The Price/DM table's request: the scenario's rates, defaults and price, at `speeds`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceTableRequest {
    /// The base scenario; its speed and horizon are the table's columns, so a CPR, PSA
    /// or CPR vector is refused.
    #[serde(default)]
    pub scenario: ScenarioJson,
    /// Percent of the pricing speed (default 0, 80, 100, 150, 180; at most 20).
    #[serde(default)]
    pub speeds: Option<Vec<f64>>,
}

/// One class at one horizon and speed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceRowDto {
    pub class: String,
    pub horizon: String,
    pub speed_pct: f64,
    pub dm_bps: Option<f64>,
    pub wal_years: Option<f64>,
    pub mod_duration: Option<f64>,
    pub first_principal: Option<String>,
    pub last_principal: Option<String>,
    pub first_period: Option<u32>,
    pub last_period: Option<u32>,
}

impl From<&PriceTableRow> for PriceRowDto {
    fn from(r: &PriceTableRow) -> Self {
        PriceRowDto {
            class: r.class.clone(),
            horizon: r.horizon.name(),
            speed_pct: r.speed_pct,
            dm_bps: r.dm_bps,
            wal_years: r.wal_years,
            mod_duration: r.mod_duration,
            first_principal: r.first_principal.map(yyyy_mm),
            last_principal: r.last_principal.map(yyyy_mm),
            first_period: r.first_period,
            last_period: r.last_period,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceTableDto {
    pub price: f64,
    pub speeds: Vec<f64>,
    /// Class (deal order), horizon (call, maturity), speed (as given).
    pub rows: Vec<PriceRowDto>,
}
