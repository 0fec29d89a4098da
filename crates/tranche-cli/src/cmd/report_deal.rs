//! A deal directory, loaded and ready for the report: the engine's [`DealModel`]
//! (collateral projection + waterfall) and what the report prints about it.

use super::as_of::AsOfArgs;
use crate::Failure;
use chrono::NaiveDate;
use std::path::Path;
use tranche_core::collateral::{LoanPool, PoolFees};
use tranche_core::deal::{Deal, SpeedCurve, YearMonth};
use tranche_core::runner::DealModel;
use tranche_core::scenario::Scenario;
use tranche_core::strats::{compute_all, default_tables, summarize, StratContext};
use tranche_core::tables::{afr_base, ClassInfo, AFR_SHOCK};
use tranche_core::tape::Loan;
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

/// The collateral tables: pool summary, its short lists, every default strat table, of
/// `loans` as they stand on `date` (the cut-off, or the first day of the as-of month for
/// a current tape). Ids get a `collateral-` prefix so they never meet the bond tables' ids.
fn collateral_tables(
    deal: &Deal,
    loans: &[Loan],
    date: NaiveDate,
    fees: PoolFees,
) -> Result<Vec<Table>, Failure> {
    let ctx = StratContext {
        fees,
        cutoff: Some(date),
    };
    let report = StratsReport {
        summary: summarize(loans, &ctx)?,
        tables: compute_all(&default_tables(), loans, &ctx)?,
        master_servicing_pct: deal.collateral.master_servicing_fee_pct,
        trustee_pct: deal.collateral.trustee_fee_pct,
        cutoff_date: Some(date),
    };
    Ok(render_all(&report)
        .into_iter()
        .map(|mut t| {
            t.id = format!("collateral-{}", t.id);
            t
        })
        .collect())
}

/// The collateral tables of a current tape: the loans outstanding after the as-of payment
/// date; those paid off (balance 0) are left out, and the first table says how many.
fn current_collateral_tables(
    deal: &Deal,
    loans: &[Loan],
    as_of: YearMonth,
    fees: PoolFees,
) -> Result<Vec<Table>, Failure> {
    let outstanding: Vec<Loan> = loans.iter().filter(|l| l.balance > 0.0).cloned().collect();
    let paid_off = loans.len() - outstanding.len();
    let date = NaiveDate::from_ymd_opt(as_of.year, as_of.month, 1)
        .ok_or_else(|| Failure::Internal(format!("as-of month {as_of}")))?;
    let mut tables = collateral_tables(deal, &outstanding, date, fees)?;
    if let Some(t) = tables.first_mut() {
        t.notes.insert(
            0,
            format!(
                "The current tape: the {} loans outstanding after the as-of payment date ({} paid off, balance 0, left out); ages, remaining terms and months to roll from {}.",
                outstanding.len(),
                paid_off,
                date.format("%m/%d/%y")
            ),
        );
    }
    Ok(tables)
}

/// Loads `path` (from its cut-off, or placed at `as_of`'s deal state with its current
/// tape) and prepares the report's runner and spec; also returns the files read and the
/// tape's warnings, for the caller to print.
pub fn load(
    path: &Path,
    price: f64,
    speeds: &[f64],
    check: super::TapeCheck,
    as_of: &AsOfArgs,
) -> Result<(DealModel, ReportSpec, Vec<Input>, TapeWarnings), Failure> {
    let (model, collateral, inputs, warnings) = if as_of.as_of.is_some() {
        // The as-of flags' own loader (it prints the current tape's warnings).
        let l = as_of.load(path, check, true)?;
        let at = l
            .model
            .as_of()
            .ok_or_else(|| Failure::Internal("an as-of model without its date".into()))?;
        let collateral =
            current_collateral_tables(&l.model.deal, &l.loans, at, l.model.deal.pool_fees())?;
        (l.model, collateral, l.inputs, TapeWarnings::default())
    } else {
        let loaded = tranche_io::deal::load_deal(path, check.strict)?;
        let pool = LoanPool::from_loans(&loaded.loans)?;
        let model = DealModel::new(loaded.deal.clone(), pool, loaded.curves.clone())?;
        let collateral = collateral_tables(
            &model.deal,
            &loaded.loans,
            model.deal.dates.cut_off,
            model.deal.pool_fees(),
        )?;
        (model, collateral, loaded.inputs, loaded.warnings)
    };
    let deal = &model.deal;
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
        afr: model.curves.as_ref().map(|_| (afr_base(), AFR_SHOCK)),
        collateral,
        credit: credit_classes(deal).map(CreditSpec::standard),
        notes: vec![format!(
            "Pricing runs: {} flat at {:.2}%; no defaults.",
            deal.pricing.index, deal.pricing.index_rate_pct
        )],
    };
    let mut spec = spec;
    if let Some(m) = model.as_of() {
        spec.notes.push(format!(
            "Run from the deal state as of {m} and its current tape: vectors and curves from the period after it; cumulative pool losses in percent of the Cut-off Date Balance."
        ));
    }
    Ok((model, spec, inputs, warnings))
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
