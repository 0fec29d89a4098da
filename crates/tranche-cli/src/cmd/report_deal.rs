//! A deal directory, loaded and ready for the report: the deal behind the engine's
//! [`DealRunner`] (collateral projection + waterfall) and what the report prints about it.

use crate::Failure;
use chrono::NaiveDate;
use std::path::Path;
use tranche_core::analytics::IndexAssumption;
use tranche_core::assumptions::DefaultCurve;
use tranche_core::assumptions::Scenario;
use tranche_core::collateral::{LoanPool, PoolFees};
use tranche_core::deal::{Coupon, Deal, SpeedCurve};
use tranche_core::strats::{compute_all, default_tables, summarize, StratContext};
use tranche_core::tables::{afr_from_run, AfrOptions, ClassInfo, DealRunner, RunSpec, TableRates};
use tranche_core::tape::RateIndex;
use tranche_core::waterfall::{run_deal, run_deal_with_ledger, DealRun};
use tranche_io::render::Table;
use tranche_io::report::ReportSpec;
use tranche_io::strats_out::{render_all, StratsReport};

/// The deal and its pool as struct-of-arrays.
pub struct DealModel {
    pub deal: Deal,
    pool: LoanPool,
}

impl DealModel {
    pub fn new(deal: Deal, pool: LoanPool) -> Self {
        DealModel { deal, pool }
    }

    fn scenario(&self, spec: &RunSpec) -> Scenario {
        self.deal.scenario(
            spec.speed_pct,
            DefaultCurve::Cdr { cdr: spec.cdr },
            spec.severity,
            spec.lag,
            spec.rates.clone(),
        )
    }

    /// Cash received on the derivative contracts in each period of `run` (negative when
    /// the trust pays), at the index levels of `spec`.
    fn derivative_cash(&self, spec: &RunSpec, run: &DealRun) -> Vec<f64> {
        run.periods
            .iter()
            .map(|p| {
                let bonds: f64 = run
                    .bonds
                    .iter()
                    .filter_map(|b| b.periods.iter().find(|bp| bp.period == p.period))
                    .map(|bp| bp.begin_balance)
                    .sum();
                self.deal
                    .derivatives
                    .iter()
                    .map(|d| {
                        let mut notional = d.notional_at(p.payment_date);
                        if d.limited_to_bond_balance {
                            notional = notional.min(bonds);
                        }
                        let index = spec
                            .rates
                            .rate(&RateIndex::parse(&d.index), p.period as usize)
                            .unwrap_or(p.bond_index_rate);
                        notional * d.payoff_rate(index) * f64::from(p.accrual_days) / 360.0
                    })
                    .sum()
            })
            .collect()
    }
}

impl DealRunner for DealModel {
    fn settlement(&self) -> NaiveDate {
        self.deal.dates.settlement
    }

    fn run(&self, spec: &RunSpec) -> tranche_core::Result<DealRun> {
        run_deal(&self.deal, &self.pool, &self.scenario(spec), spec.horizon)
    }

    fn available_funds_rates(&self, run: &DealRun) -> tranche_core::Result<Vec<f64>> {
        // Without the run's spec, derivatives are valued at the bonds' index of each period.
        let spec = RunSpec::pricing(
            100.0,
            tranche_core::rates::RateCurves::default(),
            run.horizon,
        );
        Ok(afr_from_run(run, &self.derivative_cash(&spec, run)))
    }

    /// The waterfall's own "Available Rate" (net interest and net derivative flows over
    /// the bonds, act/360), from the trust ledger of the same run.
    fn available_funds_rates_for(
        &self,
        spec: &RunSpec,
        run: &DealRun,
    ) -> tranche_core::Result<Vec<f64>> {
        let (_, ledger) =
            run_deal_with_ledger(&self.deal, &self.pool, &self.scenario(spec), spec.horizon)?;
        Ok(run
            .periods
            .iter()
            .map(|p| {
                ledger
                    .periods
                    .iter()
                    .find(|l| l.period == p.period)
                    .map_or(f64::NAN, |l| l.available_rate)
            })
            .collect())
    }
}

fn speed_text(c: &SpeedCurve) -> String {
    match c {
        SpeedCurve::Cpr { cpr_pct } => format!("{cpr_pct}% CPR"),
        SpeedCurve::Psa { psa_pct } => format!("{psa_pct}% PSA"),
        SpeedCurve::Ramp {
            start_cpr_pct,
            end_cpr_pct,
            months,
        } => format!("{start_cpr_pct}% to {end_cpr_pct}% CPR over {months} months"),
        SpeedCurve::Vector { .. } => "a CPR vector".to_string(),
    }
}

fn tranche_type(c: &Coupon) -> &'static str {
    match c {
        Coupon::Floating { .. } => "Floating Rate",
        Coupon::Fixed { .. } => "Fixed Rate",
    }
}

/// The collateral tables: pool summary, its short lists, every default strat table.
/// Ids get a `collateral-` prefix so they never meet the bond tables' ids.
fn collateral_tables(
    loaded: &tranche_io::deal::LoadedDeal,
    fees: PoolFees,
) -> Result<Vec<Table>, Failure> {
    let ctx = StratContext {
        fees,
        cutoff: Some(loaded.deal.dates.cut_off),
    };
    let report = StratsReport {
        summary: summarize(&loaded.loans, &ctx)?,
        tables: compute_all(&default_tables(), &loaded.loans, &ctx)?,
        master_servicing_pct: loaded.deal.collateral.master_servicing_fee_pct,
        trustee_pct: loaded.deal.collateral.trustee_fee_pct,
        cutoff_date: Some(loaded.deal.dates.cut_off),
    };
    Ok(render_all(&report)
        .into_iter()
        .map(|mut t| {
            t.id = format!("collateral-{}", t.id);
            t
        })
        .collect())
}

/// Loads `path` and prepares the report's runner and spec.
pub fn load(path: &Path, price: f64, speeds: &[f64]) -> Result<(DealModel, ReportSpec), Failure> {
    let loaded = tranche_io::deal::load_deal(path)?;
    let pool = LoanPool::from_loans(&loaded.loans)?;
    let model = DealModel::new(loaded.deal.clone(), pool);
    let deal = &model.deal;
    let collateral = collateral_tables(&loaded, deal.pool_fees())?;
    let spec = ReportSpec {
        deal_name: if deal.title.is_empty() {
            deal.name.clone()
        } else {
            deal.title.clone()
        },
        pricing_speed: speed_text(&deal.pricing.arm_curve),
        classes: deal
            .bonds
            .iter()
            .map(|b| ClassInfo {
                name: b.name.clone(),
                balance: b.balance,
                tranche_type: tranche_type(&b.coupon).to_string(),
            })
            .collect(),
        price,
        speeds: speeds.to_vec(),
        rates: TableRates {
            run: deal.pricing_rates(),
            discount: IndexAssumption::Flat {
                rate: deal.pricing.index_rate_pct / 100.0,
            },
        },
        afr: loaded.curves.clone().map(AfrOptions::standard),
        collateral,
        notes: vec![format!(
            "Pricing runs: {} flat at {:.2}%; no defaults.",
            deal.pricing.index, deal.pricing.index_rate_pct
        )],
    };
    Ok((model, spec))
}
