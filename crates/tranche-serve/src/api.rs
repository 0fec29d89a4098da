//! The JSON API, version 1. Every figure comes from the core's one runner and table
//! functions; this module only maps requests onto them and results onto [`crate::dto`].

use crate::body::JsonBody;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::exec::AppState;
use crate::scenario::{run_error, ScenarioJson};
use axum::extract::{Path, State};
use axum::Json;
use std::sync::Arc;
use std::time::Instant;
use tranche_core::rates::RateCurves;
use tranche_core::scenario::{Prepay, Quote, Speed, FIELDS};
use tranche_core::tables::{price_table as core_price_table, ClassInfo};

type St = State<Arc<AppState>>;

/// The scenario's numbers: units, ranges and what each means.
#[utoipa::path(get, path = "/api/v1/fields", tag = "scenario",
    responses((status = 200, body = Vec<FieldInfo>)))]
pub async fn fields() -> Json<Vec<FieldInfo>> {
    Json(
        FIELDS
            .iter()
            .map(|f| FieldInfo {
                name: f.name.into(),
                unit: f.unit.into(),
                min: f.min,
                max: f.max,
                min_open: f.min_open,
                whole: f.whole,
                doc: f.doc.into(),
            })
            .collect(),
    )
}

/// The deals of the deals folder.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals",
    responses((status = 200, body = DealList)))]
pub async fn list(State(st): St) -> ApiResult<Json<DealList>> {
    let me = st.clone();
    let listed = st.blocking(move || me.store.list()).await?;
    Ok(Json(DealList {
        deals: listed
            .into_iter()
            .map(|l| DealListItem {
                id: l.id,
                name: l.name,
                title: l.title,
                error: l.error,
            })
            .collect(),
    }))
}

/// A deal: terms, term-sheet summary, collateral summary and strats.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals",
    params(("id" = String, Path, description = "the deal's folder name")),
    responses((status = 200, body = DealInfo),
        (status = 400, body = ErrorBody, description = "not a plain folder name, or the deal cannot be read"),
        (status = 403, body = ErrorBody, description = "the deal leads outside the deals folder"),
        (status = 404, body = ErrorBody)))]
pub async fn deal(State(st): St, Path(id): Path<String>) -> ApiResult<Json<DealInfo>> {
    let e = st.deal(id).await?;
    let d = &e.model.deal;
    let mut indices: Vec<String> = RateCurves::flat_all(0.0)
        .paths
        .iter()
        .map(|(ix, _)| ix.name().to_string())
        .collect();
    indices.extend(d.collateral.indices.iter().cloned());
    Ok(Json(DealInfo {
        id: e.id.clone(),
        name: d.name.clone(),
        title: d.title.clone(),
        dates: DealDates {
            cut_off: d.dates.cut_off.to_string(),
            closing: d.dates.closing.to_string(),
            settlement: d.dates.settlement.to_string(),
            first_payment: d.dates.first_payment.to_string(),
        },
        pricing_speed: e.spec.pricing_speed.clone(),
        pricing_index: d.pricing.index.clone(),
        pricing_index_rate_pct: d.pricing.index_rate_pct,
        has_curves: e.model.curves.is_some(),
        indices,
        classes: ClassInfo::of_deal(d)
            .into_iter()
            .map(|c| ClassDto {
                name: c.name,
                balance: c.balance,
                tranche_type: c.tranche_type,
            })
            .collect(),
        term_sheet: e.term_sheet.iter().map(TermSheetRow::from).collect(),
        collateral: e.spec.collateral.iter().map(TableDto::from).collect(),
    }))
}

/// Runs the deal under a scenario: every bond's figures and the series of the charts.
#[utoipa::path(post, path = "/api/v1/deals/{id}/run", tag = "runs",
    params(("id" = String, Path, description = "the deal's folder name")),
    request_body = ScenarioJson,
    responses((status = 200, body = RunResponse),
        (status = 400, body = ErrorBody, description = "a bad scenario, in the command line's words"),
        (status = 413, body = ErrorBody), (status = 503, body = ErrorBody, description = "past the time limit")))]
pub async fn run(
    State(st): St,
    Path(id): Path<String>,
    JsonBody(s): JsonBody<ScenarioJson>,
) -> ApiResult<Json<RunResponse>> {
    let start = Instant::now();
    let scenario = s.to_scenario()?;
    let (out, kept) = st.run(id, scenario.clone()).await?;
    let run = &out.run;
    let n = run.periods.len();
    let series = RunSeries {
        period: run.periods.iter().map(|p| p.period).collect(),
        payment_date: run
            .periods
            .iter()
            .map(|p| p.payment_date.to_string())
            .collect(),
        pool_balance: (0..n)
            .map(|i| run.collateral.periods.get(i).map_or(0.0, |p| p.end_balance))
            .collect(),
        afr_pct: run
            .periods
            .iter()
            .map(|p| p.available_rate * 100.0)
            .collect(),
        index_pct: run
            .periods
            .iter()
            .map(|p| p.bond_index_rate * 100.0)
            .collect(),
        bonds: run
            .bonds
            .iter()
            .map(|b| BondSeries {
                bond: b.name.clone(),
                balance: b.periods.iter().map(|p| p.end_balance).collect(),
            })
            .collect(),
    };
    let speed = if scenario.prepay.arm == scenario.prepay.fixed {
        scenario.prepay.arm.to_string()
    } else {
        format!(
            "ARM {}, fixed {}",
            scenario.prepay.arm, scenario.prepay.fixed
        )
    };
    Ok(Json(RunResponse {
        speed,
        horizon: scenario.horizon.name(),
        price: matches!(scenario.quote(), Quote::Price { .. }).then_some(out.summary.price),
        quote: scenario.quote().to_string(),
        settlement: out.summary.settlement.map(|d| d.to_string()),
        call_period: run.call_period,
        pool_loss: out.summary.pool_loss,
        pool_loss_pct: out.summary.pool_loss_pct,
        bonds: out.summary.bonds.iter().map(BondDto::from).collect(),
        bond_rows: run.bonds.iter().map(|b| b.periods.len()).sum(),
        ledger_rows: out.ledger.periods.iter().map(|p| p.steps.len()).sum(),
        series,
        elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
        kept,
    }))
}

/// A page of a run's period-by-period table, the cells as the CSV download has them.
#[utoipa::path(post, path = "/api/v1/deals/{id}/periods", tag = "runs",
    params(("id" = String, Path, description = "the deal's folder name")),
    request_body = PeriodsRequest,
    responses((status = 200, body = PageDto), (status = 400, body = ErrorBody)))]
pub async fn periods(
    State(st): St,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PeriodsRequest>,
) -> ApiResult<Json<PageDto>> {
    if req.limit == 0 || req.limit > st.limits.page_rows {
        return Err(ApiError::bad(format!(
            "limit: expected from 1 to {} rows, found {}",
            st.limits.page_rows, req.limit
        )));
    }
    let scenario = req.scenario.to_scenario()?;
    let (out, _) = st.run(id, scenario).await?;
    let table = match req.table {
        PeriodTable::Bonds => st.host.bond_flows(&out.run),
        PeriodTable::Ledger => st.host.ledger(&out.ledger),
    };
    let total = table.rows.len();
    Ok(Json(PageDto {
        columns: table.columns,
        rows: table
            .rows
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .collect(),
        offset: req.offset,
        total,
    }))
}

/// The scenario of a Price/DM table and its speeds, checked.
pub fn price_table_inputs(
    st: &AppState,
    scenario: &ScenarioJson,
    speeds: Option<&[f64]>,
) -> ApiResult<(tranche_core::scenario::Scenario, Vec<f64>)> {
    for (name, given) in [
        ("cpr_pct", scenario.cpr_pct.is_some()),
        ("psa_pct", scenario.psa_pct.is_some()),
        ("cpr_vector", scenario.cpr_vector.is_some()),
    ] {
        if given {
            return Err(ApiError::bad(format!(
                "{name}: the Price/DM table's columns are speeds in percent of the pricing speed; give them with speeds"
            )));
        }
    }
    for (name, given) in [
        ("dm_bps", scenario.dm_bps.is_some()),
        ("yield_pct", scenario.yield_pct.is_some()),
        ("spread_bps", scenario.spread_bps.is_some()),
    ] {
        if given {
            return Err(ApiError::bad(format!(
                "{name}: the Price/DM table is solved at a price; give price"
            )));
        }
    }
    let speeds = speeds.map_or_else(|| crate::deals::STANDARD_SPEEDS.to_vec(), <[f64]>::to_vec);
    if speeds.is_empty() || speeds.len() > st.limits.max_speeds {
        return Err(ApiError::bad(format!(
            "speeds: expected from 1 to {} speeds, found {}",
            st.limits.max_speeds,
            speeds.len()
        )));
    }
    let mut base = scenario.to_scenario()?;
    for s in &speeds {
        let mut probe = base.clone();
        probe.set("speed_pct", *s).map_err(|e| {
            ApiError::bad(format!("speeds: {}", crate::scenario::run_error(e).message))
        })?;
    }
    base.prepay = Prepay::all(Speed::Pricing { pct: 100.0 });
    Ok((base, speeds))
}

/// The Price/DM sensitivity table: every class, to call and to maturity, at each speed
/// (`tranche price-table`).
#[utoipa::path(post, path = "/api/v1/deals/{id}/price-table", tag = "runs",
    params(("id" = String, Path, description = "the deal's folder name")),
    request_body = PriceTableRequest,
    responses((status = 200, body = PriceTableDto), (status = 400, body = ErrorBody)))]
pub async fn price_table(
    State(st): St,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PriceTableRequest>,
) -> ApiResult<Json<PriceTableDto>> {
    let (base, speeds) = price_table_inputs(&st, &req.scenario, req.speeds.as_deref())?;
    let me = st.clone();
    let sp = speeds.clone();
    let price = base.price;
    let rows = st
        .blocking(move || {
            let e = me.store.get(&id)?;
            core_price_table(&e.model, &base, &sp).map_err(run_error)
        })
        .await?;
    Ok(Json(PriceTableDto {
        price,
        speeds,
        rows: rows.iter().map(PriceRowDto::from).collect(),
    }))
}

/// Any path under /api that is not one.
pub async fn no_such_path(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no such path: {}; the API is described at /api/openapi.json",
        uri.path()
    ))
}
