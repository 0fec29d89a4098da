//! Breakevens (`tranche breakeven`): the default rate at which each class first reaches a
//! target, solved by the core's one solver ([`tranche_core::breakeven::solve`]) at the
//! scenario's speed and the request's severities and lags.

use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::exec::AppState;
use crate::scenario::{run_error, ScenarioJson};
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tranche_core::breakeven::{
    default_base, refused, solve, Breakeven, BreakevenSpec, Over, Target, DEFAULT_LAG_MONTHS,
    DEFAULT_SEVERITY_PCT, DEFAULT_SPEED_PCT,
};
use tranche_io::render::Table;
use tranche_io::report::credit::breakeven_table;
use utoipa::ToSchema;

/// Most cells (severities × lags) of one request.
pub const MAX_CELLS: usize = 20;

/// What to solve. Absent fields are the command line's defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakevenRequest {
    /// Everything but the default rate, which is solved for: speed, rates, horizon (default
    /// maturity), price. Its severity and lag are used when `severities` and `lags` are
    /// absent.
    #[serde(default)]
    pub scenario: ScenarioJson,
    /// Classes (default: every class of the deal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// `first-loss` (default), `loss-pct=X`, `yield=Y` or `dm=D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The default rate solved for: `cdr` (default), `sda` or `default-vector-multiple`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over: Option<String>,
    /// Severities, percent (default: the scenario's, else 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severities: Option<Vec<f64>>,
    /// Lags, months (default: the scenario's, else 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lags: Option<Vec<f64>>,
}

/// One class, target and cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakevenRow {
    pub class: String,
    pub target: String,
    /// Percent of the pricing speed (absent: the scenario's CPR, PSA or vector).
    pub speed_pct: Option<f64>,
    pub severity_pct: f64,
    pub lag_months: u32,
    /// The breakeven default rate, in `unit`; absent when not reached up to `max_rate`.
    pub rate: Option<f64>,
    pub max_rate: f64,
    /// Cumulative pool loss at the breakeven, percent of the cut-off balance.
    pub pool_loss_pct: Option<f64>,
    /// The class's principal loss there, percent of its original balance.
    pub class_loss_pct: Option<f64>,
    /// Not reached, or not monotone in the default rate.
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakevenDto {
    /// `cdr`, `sda` or `default-vector-multiple`.
    pub over: String,
    /// The rate's unit (`% CDR`).
    pub unit: String,
    pub rows: Vec<BreakevenRow>,
}

impl From<&Breakeven> for BreakevenRow {
    fn from(b: &Breakeven) -> Self {
        BreakevenRow {
            class: b.class.clone(),
            target: b.target.name(),
            speed_pct: b.speed_pct,
            severity_pct: b.severity_pct,
            lag_months: b.lag_months,
            rate: b.rate,
            max_rate: b.max_rate,
            pool_loss_pct: b.pool_loss_pct,
            class_loss_pct: b.class_loss_pct,
            note: b.note(),
        }
    }
}

/// A range error of one value of the list `name`, told under that name.
fn under(name: &str, e: tranche_core::Error) -> ApiError {
    match e {
        tranche_core::Error::Invalid(fe) => ApiError::bad(format!("{name}: {}", fe.message)),
        other => run_error(other),
    }
}

/// The core's problem for `req`, checked; the deal's classes fill an absent list.
pub fn spec(req: &BreakevenRequest, deal_classes: &[String]) -> ApiResult<BreakevenSpec> {
    let s = &req.scenario;
    let over_text = req.over.as_deref().unwrap_or("cdr");
    let over = Over::parse(over_text).map_err(run_error)?;
    let spell = |input: &str| input.to_string();
    for (name, given) in [
        ("cdr_pct", s.cdr_pct.is_some()),
        ("sda_pct", s.sda_pct.is_some()),
        ("cdr_vector", s.cdr_vector.is_some()),
        ("dm_bps", s.dm_bps.is_some()),
        ("yield_pct", s.yield_pct.is_some()),
        ("spread_bps", s.spread_bps.is_some()),
    ] {
        if let Some(why) = given.then(|| refused(name, over, &spell)).flatten() {
            return Err(ApiError::bad(format!("{name}: {why}")));
        }
    }
    let target = Target::parse(req.target.as_deref().unwrap_or("first-loss")).map_err(run_error)?;
    let mut base = s.to_scenario()?;
    // As `tranche breakeven`: to maturity unless told.
    if s.horizon.is_none() {
        base.horizon = default_base().horizon;
    }
    // As `tranche breakeven`: the speed is a cell's, 100% of pricing when none is given.
    let no_prepay = s.speed_pct.is_none()
        && s.cpr_pct.is_none()
        && s.psa_pct.is_none()
        && s.cpr_vector.is_none();
    let speeds = match s.speed_pct {
        Some(v) => vec![v],
        None if no_prepay => vec![DEFAULT_SPEED_PCT],
        None => vec![],
    };
    let severities = match (&req.severities, s.severity_pct) {
        (Some(v), _) => v.clone(),
        (None, Some(v)) => vec![v],
        (None, None) => vec![DEFAULT_SEVERITY_PCT],
    };
    let lags = match (&req.lags, s.lag_months) {
        (Some(v), _) => v.clone(),
        (None, Some(v)) => vec![v],
        (None, None) => vec![DEFAULT_LAG_MONTHS],
    };
    let cells = severities.len() * lags.len();
    if severities.is_empty() || lags.is_empty() || cells > MAX_CELLS {
        return Err(ApiError::bad(format!(
            "severities, lags: expected from 1 to {MAX_CELLS} cells (severities × lags), found {cells}"
        )));
    }
    let mut probe = base.clone();
    for v in &severities {
        probe
            .set("severity_pct", *v)
            .map_err(|e| under("severities", e))?;
    }
    for v in &lags {
        probe.set("lag_months", *v).map_err(|e| under("lags", e))?;
    }
    let classes = match &req.classes {
        Some(c) if !c.is_empty() => c.clone(),
        _ => deal_classes.to_vec(),
    };
    Ok(BreakevenSpec {
        base,
        classes,
        targets: vec![target],
        over,
        speeds,
        severities,
        lags: lags.iter().map(|l| *l as u32).collect(),
        step: None,
    })
}

/// Solves `req` on deal `id`: the rows and the over axis.
pub async fn solve_request(
    st: &Arc<AppState>,
    id: String,
    req: BreakevenRequest,
) -> ApiResult<(Over, Vec<Breakeven>)> {
    let me = st.clone();
    st.blocking(move || {
        let e = me.store.get(&id)?;
        let names: Vec<String> = e.model.deal.bonds.iter().map(|b| b.name.clone()).collect();
        let spec = spec(&req, &names)?;
        let rows = solve(&e.model, &spec, &|| {}).map_err(run_error)?;
        Ok((spec.over, rows))
    })
    .await
}

/// The rows as `tranche breakeven` prints them.
pub fn table(over: Over, rows: &[Breakeven]) -> Table {
    breakeven_table(over, rows)
}

/// Breakeven default rates of the deal's classes (`tranche breakeven`).
#[utoipa::path(post, path = "/api/v1/deals/{id}/breakeven", tag = "runs",
    params(("id" = String, Path, description = "the deal's folder name")),
    request_body = BreakevenRequest,
    responses((status = 200, body = BreakevenDto), (status = 400, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "past the time limit")))]
pub async fn breakeven(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BreakevenRequest>,
) -> ApiResult<Json<BreakevenDto>> {
    let (over, rows) = solve_request(&st, id, req).await?;
    Ok(Json(BreakevenDto {
        over: over.name().into(),
        unit: over.unit().into(),
        rows: rows.iter().map(BreakevenRow::from).collect(),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn req(text: &str) -> BreakevenRequest {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn defaults_are_the_command_lines() {
        let names = ["A".to_string(), "B".to_string()];
        let s = spec(&req("{}"), &names).unwrap();
        assert_eq!(s.classes, names);
        assert_eq!(s.targets, [Target::FirstLoss]);
        assert_eq!(s.over, Over::Cdr);
        assert_eq!(
            (s.speeds, s.severities, s.lags),
            (vec![100.0], vec![40.0], vec![12])
        );
        let s = spec(
            &req(
                r#"{"scenario": {"speed_pct": 150, "severity_pct": 35, "lag_months": 6},
                     "classes": ["B"], "target": "loss-pct=5", "over": "sda"}"#,
            ),
            &names,
        )
        .unwrap();
        assert_eq!(s.classes, ["B"]);
        assert_eq!(s.targets, [Target::LossPct { pct: 5.0 }]);
        assert_eq!(s.over, Over::Sda);
        assert_eq!(
            (s.speeds, s.severities, s.lags),
            (vec![150.0], vec![35.0], vec![6])
        );
    }

    #[test]
    fn the_rate_solved_for_is_not_an_input_and_mistakes_are_named() {
        let names = ["A".to_string()];
        let e = spec(&req(r#"{"scenario": {"cdr_pct": 2}}"#), &names).unwrap_err();
        assert!(
            e.message.starts_with("cdr_pct: the breakeven solves"),
            "{e:?}"
        );
        let e = spec(&req(r#"{"target": "worst"}"#), &names).unwrap_err();
        assert!(
            e.message.starts_with("target: expected first-loss"),
            "{e:?}"
        );
        let e = spec(&req(r#"{"severities": [120]}"#), &names).unwrap_err();
        assert_eq!(
            e.message,
            "severities: expected percent from 0 to 100, found 120"
        );
        let many: Vec<f64> = (0..21).map(f64::from).collect();
        let e = spec(
            &BreakevenRequest {
                lags: Some(many),
                ..req("{}")
            },
            &names,
        )
        .unwrap_err();
        assert!(e.message.contains("from 1 to 20 cells"), "{e:?}");
    }
}
