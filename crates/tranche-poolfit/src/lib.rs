//! Building a loan-level pool whose stratification reproduces published tables.
//!
//! When a deal exists only as a term sheet, its collateral is known through stratification
//! tables ("strats": balance, count and weighted averages per bucket of one attribute) and a
//! pool summary. [`fit_pool`] builds a loan tape of exactly the published loan count and
//! balance whose own strats reproduce every table at once:
//!
//! 1. every table's buckets are filled with exactly the published number of loans (labels
//!    and in-bucket values are generated per table, so counts are exact by construction);
//!    ARM timing (product, next adjustment date, months to roll, age) is built jointly so it
//!    is coherent per loan;
//! 2. a seeded simulated annealing permutes those values between loans (and nudges values
//!    within their buckets) to minimise a weighted objective over all tables' balance
//!    shares and weighted averages (gross and net WAC, age, FICO, LTV, months to roll);
//! 3. remaining ARM terms (caps, floors, lifetime caps, rounding) and fees are set per loan
//!    to hit the pool summary's weighted averages.
//!
//! Everything is deterministic for a given seed. See `docs/pool-from-strats.md`.

mod anneal;
mod dims;
mod finish;
mod init;
pub mod prng;
mod repair;
mod report;

pub use dims::{parse_product, Dim, ProductSpec, RangeSpec};
pub use report::{stratify_check, FitReport, TableFit};

use chrono::NaiveDate;
use std::collections::BTreeMap;
use tranche_core::error::{Error, Result};
use tranche_core::tape::Loan;

/// One row of a published stratification table. Rates and percentages in percent, as printed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StratRow {
    /// Bucket label as printed (e.g. `2/28 LIB6M`, `3.000 - 3.499`, `Unknown`).
    pub label: String,
    pub balance: f64,
    pub count: usize,
    /// Share of the table's total balance, percent.
    pub pct: Option<f64>,
    pub avg_balance: Option<f64>,
    pub min_wac: Option<f64>,
    pub max_wac: Option<f64>,
    pub gross_wac: Option<f64>,
    pub net_wac: Option<f64>,
    pub rem_term: Option<f64>,
    pub age: Option<f64>,
    pub fico: Option<f64>,
    pub ltv: Option<f64>,
    /// Weighted average months to roll (only some tables print it).
    pub wa_mtr: Option<f64>,
}

/// A published stratification table: title (what it stratifies) and its data rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StratTable {
    pub title: String,
    pub rows: Vec<StratRow>,
    /// The printed totals row, if any.
    pub total: Option<StratRow>,
}

impl StratTable {
    pub fn total_balance(&self) -> f64 {
        self.rows.iter().map(|r| r.balance).sum()
    }
    pub fn total_count(&self) -> usize {
        self.rows.iter().map(|r| r.count).sum()
    }
}

/// One figure of a pool summary: value and, when printed, its range.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SummaryFigure {
    pub value: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A pool summary keyed by slug (`wa_mortgage_rate`, `arm_characteristics_wa_gross_margin`,
/// ...). Lookups match a key suffix, so section prefixes do not matter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolSummary {
    pub figures: BTreeMap<String, SummaryFigure>,
}

impl PoolSummary {
    /// The figure whose key is `key` or ends with `_key`.
    pub fn get(&self, key: &str) -> Option<SummaryFigure> {
        if let Some(f) = self.figures.get(key) {
            return Some(*f);
        }
        let suffix = format!("_{key}");
        self.figures
            .iter()
            .find(|(k, _)| k.ends_with(&suffix))
            .map(|(_, f)| *f)
    }
    pub fn value(&self, key: &str) -> Option<f64> {
        self.get(key).map(|f| f.value)
    }
}

/// Adjustable-rate or fixed-rate loans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanKind {
    Arm,
    Fixed,
}

impl LoanKind {
    /// `ARM` or `fixed-rate`, as messages say it.
    pub fn name(self) -> &'static str {
        match self {
            LoanKind::Arm => "ARM",
            LoanKind::Fixed => "fixed-rate",
        }
    }
}

/// Which loans a servicing fee tier applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TierScope {
    /// A share of the pool balance, percent; the fit chooses the loans.
    Share(f64),
    /// Every loan of one kind ("0.375% with respect to the Adjustable Rate Mortgage Loans").
    Kind(LoanKind),
}

/// A servicing fee tier: rate (percent) and the loans it applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeTier {
    pub rate_pct: f64,
    pub scope: TierScope,
}

impl FeeTier {
    /// The tier's share of the pool balance, for share tiers.
    pub fn share_pct(&self) -> Option<f64> {
        match self.scope {
            TierScope::Share(s) => Some(s),
            TierScope::Kind(_) => None,
        }
    }
}

/// What the tables do not say and the term sheet's text does, plus fit controls.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub seed: u64,
    /// Cut-off date: months to roll and next adjustment dates are counted from it.
    pub cutoff: NaiveDate,
    /// Loan-level servicing fee tiers: all by share of the pool balance, or all by loan
    /// kind. Empty: no loan-level servicing fee.
    pub servicing: Vec<FeeTier>,
    /// Deal-level fees inside the published NET WAC but not on the tape (master servicing,
    /// trustee), percent.
    pub trust_fee_pct: f64,
    /// Weighted average lender-paid MI premium over the whole pool, percent. `None`: taken
    /// from the summary's gross WAC minus "WA Mortgage Rate Net LPMI", else from the net WAC.
    pub premium_rate_pct: Option<f64>,
    /// Share of pool balance made interest-only, percent (spread proportionally across
    /// products).
    pub io_share_pct: f64,
    /// Interest-only period of the IO loans, months.
    pub io_months: u32,
    /// Products that may be interest-only: product labels as the product table prints
    /// them, or `arm` / `fixed` for every product of that kind. Empty: every product.
    pub io_products: Vec<String>,
    /// Largest lender-paid MI premium of one loan, percent.
    pub mi_max_pct: f64,
    /// Hold each loan's coupon inside the printed MIN WAC..MAX WAC of its row in every
    /// table (a soft constraint of the fit). Off: only the coupon table's are kept.
    pub wac_bounds: bool,
    /// Annealing moves (0 = default, scaled to the pool size).
    pub iterations: usize,
    /// Rounds of the greedy polish after the annealing (best balance transfers and
    /// targeted exchanges for the costliest buckets).
    pub polish_rounds: usize,
    /// Passes of compound moves after the polish rounds (an exchange followed by a greedy
    /// repair, for buckets still beyond tolerance); 0 = none.
    pub compound_passes: usize,
}

impl FitOptions {
    pub fn new(cutoff: NaiveDate) -> FitOptions {
        FitOptions {
            seed: 1,
            cutoff,
            servicing: Vec::new(),
            trust_fee_pct: 0.0,
            premium_rate_pct: None,
            io_share_pct: 0.0,
            io_months: 0,
            io_products: Vec::new(),
            mi_max_pct: 3.0,
            wac_bounds: false,
            iterations: 0,
            polish_rounds: 12,
            compound_passes: 8,
        }
    }
}

/// The fitted pool and how well its strats reproduce the input.
#[derive(Debug, Clone)]
pub struct FitResult {
    pub loans: Vec<Loan>,
    pub report: FitReport,
    /// Pool-level figures of the tape against the summary (`name: tape vs summary`).
    pub pool_lines: Vec<String>,
    /// What the fit read into the tables: each sub-population table and the population it
    /// covers, and any row the fit repaired (a typo its own figures contradict).
    pub notes: Vec<String>,
}

/// Builds a loan-level pool reproducing `tables` and `summary`.
pub fn fit_pool(
    tables: &[StratTable],
    summary: &PoolSummary,
    opts: &FitOptions,
) -> Result<FitResult> {
    validate(tables, summary, opts)?;
    let mut notes = Vec::new();
    let tables = &repair::reconcile_totals(tables, &mut notes);
    let spec = dims::classify_all(tables, summary, opts.cutoff)?;
    notes.extend(spec.population_notes(tables));
    let mut state = init::initial_state(&spec, tables, summary, opts)?;
    anneal::optimise(&mut state, &spec, tables, summary, opts);
    let loans = finish::build_loans(&state, &spec, tables, summary, opts)?;
    let report = report::stratify_check(&loans, tables, summary, opts.cutoff, opts.trust_fee_pct);
    let pool_lines = report::pool_check(&loans, summary, opts);
    Ok(FitResult {
        loans,
        report,
        pool_lines,
        notes,
    })
}

fn validate(tables: &[StratTable], summary: &PoolSummary, opts: &FitOptions) -> Result<()> {
    if tables.is_empty() {
        return Err(Error::invalid("tables", "no stratification tables given"));
    }
    if !(0.0..=100.0).contains(&opts.io_share_pct) {
        return Err(Error::invalid(
            "io_share_pct",
            format!("expected 0..=100, got {}", opts.io_share_pct),
        ));
    }
    if opts.io_share_pct > 0.0 && opts.io_months == 0 {
        return Err(Error::invalid(
            "io_months",
            "an IO share needs --io-months > 0",
        ));
    }
    validate_tiers(&opts.servicing)?;
    if !(opts.mi_max_pct.is_finite() && opts.mi_max_pct >= 0.01) {
        return Err(Error::invalid(
            "mi_max_pct",
            format!(
                "expected a largest MI premium of at least 0.01%, got {}",
                opts.mi_max_pct
            ),
        ));
    }
    for t in tables {
        for (i, r) in t.rows.iter().enumerate() {
            if r.count == 0 && r.balance > 0.0 {
                return Err(Error::invalid(
                    format!("{}: row {}", t.title, i + 1),
                    "balance without loans",
                ));
            }
            if r.balance < 0.0 {
                return Err(Error::invalid(
                    format!("{}: row {}", t.title, i + 1),
                    "negative balance",
                ));
            }
        }
    }
    let _ = summary;
    Ok(())
}

/// Tiers are all by share (summing to 100%) or all by loan kind (each kind once).
fn validate_tiers(tiers: &[FeeTier]) -> Result<()> {
    let shares: Vec<f64> = tiers.iter().filter_map(FeeTier::share_pct).collect();
    if !shares.is_empty() && shares.len() != tiers.len() {
        return Err(Error::invalid(
            "servicing",
            "tiers are either shares of the pool or by loan kind (arm, fixed), not both",
        ));
    }
    let share: f64 = shares.iter().sum();
    if !shares.is_empty() && (share - 100.0).abs() > 0.01 {
        return Err(Error::invalid(
            "servicing",
            format!("tier shares must sum to 100%, got {share}"),
        ));
    }
    for kind in [LoanKind::Arm, LoanKind::Fixed] {
        let n = tiers
            .iter()
            .filter(|t| t.scope == TierScope::Kind(kind))
            .count();
        if n > 1 {
            return Err(Error::invalid(
                "servicing",
                format!("{n} tiers for the {} loans; expected one", kind.name()),
            ));
        }
    }
    Ok(())
}
