//! A deal directory, loaded and ready for the report: the engine's [`DealModel`]
//! (collateral projection + waterfall) and what the report prints about it.

use crate::Failure;
use std::path::Path;
use tranche_core::collateral::{LoanPool, PoolFees};
use tranche_core::deal::SpeedCurve;
use tranche_core::runner::DealModel;
use tranche_core::scenario::Scenario;
use tranche_core::strats::{compute_all, default_tables, summarize, StratContext};
use tranche_core::tables::{afr_base, ClassInfo, AFR_SHOCK};
use tranche_io::outputs::Input;
use tranche_io::render::Table;
use tranche_io::report::{CreditSpec, ReportSpec};
use tranche_io::strats_out::{render_all, StratsReport};
use tranche_io::tape::TapeWarnings;

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

/// Loads `path` and prepares the report's runner and spec; also returns the files read and
/// the tape's warnings, for the caller to print.
pub fn load(
    path: &Path,
    price: f64,
    speeds: &[f64],
    check: super::TapeCheck,
) -> Result<(DealModel, ReportSpec, Vec<Input>, TapeWarnings), Failure> {
    let loaded = tranche_io::deal::load_deal(path, check.strict)?;
    let pool = LoanPool::from_loans(&loaded.loans)?;
    let model = DealModel::new(loaded.deal.clone(), pool, loaded.curves.clone())?;
    let deal = &model.deal;
    let collateral = collateral_tables(&loaded, deal.pool_fees())?;
    let mut base = Scenario::default();
    base.set("price", price)
        .map_err(|e| Failure::Input(format!("--price: {}", field_message(e))))?;
    let spec = ReportSpec {
        deal_name: if deal.title.is_empty() {
            deal.name.clone()
        } else {
            deal.title.clone()
        },
        pricing_speed: speed_text(&deal.pricing.arm_curve),
        classes: ClassInfo::of_deal(deal),
        base,
        speeds: speeds.to_vec(),
        afr: loaded.curves.as_ref().map(|_| (afr_base(), AFR_SHOCK)),
        collateral,
        credit: credit_classes(deal).map(CreditSpec::standard),
        notes: vec![format!(
            "Pricing runs: {} flat at {:.2}%; no defaults.",
            deal.pricing.index, deal.pricing.index_rate_pct
        )],
    };
    Ok((model, spec, loaded.inputs, loaded.warnings))
}

/// The classes that take losses (the write-down order), in deal order; `None` when no
/// class does.
fn credit_classes(deal: &tranche_core::deal::Deal) -> Option<Vec<String>> {
    let order = &deal.realized_losses.writedown_order;
    let classes: Vec<String> = deal
        .bonds
        .iter()
        .filter(|b| order.contains(&b.name))
        .map(|b| b.name.clone())
        .collect();
    (!classes.is_empty()).then_some(classes)
}

fn field_message(e: tranche_core::Error) -> String {
    match e {
        tranche_core::Error::Invalid(fe) => fe.message,
        other => other.to_string(),
    }
}
