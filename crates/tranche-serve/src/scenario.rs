//! The API's scenario: named inputs, the same names as the Python keywords and the
//! scenario table's columns, mapped onto the core's one [`Scenario`] by the one mapping
//! every front end uses ([`tranche_core::scenario::inputs`]). Ranges and messages are
//! the core's; a message names the JSON field (`severity_pct: expected percent from 0 to
//! 100, found 150`).

use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tranche_core::scenario::inputs::{InputError, ScenarioInputs, Spelling};
use tranche_core::scenario::{field_spec, Scenario};
use utoipa::ToSchema;

/// A scenario as the API takes it. Every field is optional: an absent field keeps the
/// deal's pricing assumption (100% of its pricing speed, no defaults, its pricing rates,
/// to the call, at par). At most one field of each group may be given: the speed
/// (`speed_pct`, `cpr_pct`, `psa_pct`, `cpr_vector`), the default rate (`cdr_pct`,
/// `sda_pct`, `cdr_vector`) and the index rates (`index_rate_pct`, `index_path`,
/// `rates`). Units and ranges: `GET /api/v1/fields`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioJson {
    /// Prepayment speed, percent of the deal's pricing curves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_pct: Option<f64>,
    /// Constant prepayment rate, percent CPR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpr_pct: Option<f64>,
    /// PSA speed, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psa_pct: Option<f64>,
    /// CPR by period, percent; the last value holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpr_vector: Option<Vec<f64>>,
    /// Constant annual default rate, percent CDR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdr_pct: Option<f64>,
    /// SDA default speed, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sda_pct: Option<f64>,
    /// CDR by period, percent; the last value holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdr_vector: Option<Vec<f64>>,
    /// Balance 60 days or more delinquent (foreclosure and REO included) that delinquency
    /// triggers measure in projected periods, percent of the pool balance (default: the
    /// defaults awaiting liquidation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_pct: Option<f64>,
    /// 60+ day delinquency by period, percent of the pool balance; the last value holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_vector: Option<Vec<f64>>,
    /// Loss severity, percent of the defaulted balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_pct: Option<f64>,
    /// Months from default to liquidation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_months: Option<f64>,
    /// Every index flat at this level, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_rate_pct: Option<f64>,
    /// Every index following this path by period, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_path: Option<Vec<f64>>,
    /// `pricing` (the deal's pricing rates) or `deal_curves` (its forward curves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<String>,
    /// Indices held flat, percent (`{"LIBOR6M": 1.25}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_levels: Option<BTreeMap<String, f64>>,
    /// Parallel shift of the index paths, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shock_bps: Option<f64>,
    /// First period (1-based) the shift applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shock_from: Option<f64>,
    /// The index shifted (default every index); needs `shock_bps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shock_index: Option<String>,
    /// `call`, `maturity` or `call:YYYY-MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<String>,
    /// Clean price the analytics are at, percent of the balance at settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Discount margin the analytics are priced at, in place of a price, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dm_bps: Option<f64>,
    /// Bond-equivalent yield the analytics are priced at, in place of a price, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yield_pct: Option<f64>,
    /// Spread to the forward curve the analytics are priced at, in place of a price,
    /// basis points (needs forward curves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_bps: Option<f64>,
    /// Settlement date of the analytics, `YYYY-MM-DD` (default the deal's, flat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<String>,
    /// Speed of the fixed-rate loans only: `pricing:PCT`, `cpr:PCT`, `psa:PCT`,
    /// `ramp:START,END,MONTHS` or `vector:PCT,...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_prepay: Option<String>,
    /// Speed of the adjustable-rate loans only (the same forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arm_prepay: Option<String>,
}

/// The scalar fields of [`ScenarioJson`], by the core's field names.
pub const SCALARS: [&str; 15] = [
    "speed_pct",
    "cpr_pct",
    "psa_pct",
    "cdr_pct",
    "sda_pct",
    "severity_pct",
    "lag_months",
    "index_rate_pct",
    "shock_bps",
    "shock_from",
    "price",
    "dm_bps",
    "yield_pct",
    "spread_bps",
    "dlq_pct",
];

/// The API's name for a field the core tells an error about.
fn api_name(field: &str) -> String {
    match field {
        "call_date" => "horizon",
        "curves" => "rates",
        "index" => "shock_index",
        other => other,
    }
    .to_string()
}

impl ScenarioJson {
    fn scalar(&self, name: &str) -> Option<f64> {
        match name {
            "speed_pct" => self.speed_pct,
            "cpr_pct" => self.cpr_pct,
            "psa_pct" => self.psa_pct,
            "cdr_pct" => self.cdr_pct,
            "sda_pct" => self.sda_pct,
            "severity_pct" => self.severity_pct,
            "lag_months" => self.lag_months,
            "index_rate_pct" => self.index_rate_pct,
            "shock_bps" => self.shock_bps,
            "shock_from" => self.shock_from,
            "price" => self.price,
            "dm_bps" => self.dm_bps,
            "yield_pct" => self.yield_pct,
            "spread_bps" => self.spread_bps,
            "dlq_pct" => self.dlq_pct,
            _ => None,
        }
    }

    /// The named inputs of the one mapping.
    fn inputs(&self) -> ScenarioInputs {
        ScenarioInputs {
            numbers: SCALARS
                .iter()
                .filter_map(|n| Some((field_spec(n)?.name, self.scalar(n)?)))
                .collect(),
            cpr_vector: self.cpr_vector.clone(),
            cdr_vector: self.cdr_vector.clone(),
            dlq_vector: self.dlq_vector.clone(),
            horizon: self.horizon.clone(),
            rates: self.rates.clone(),
            curves: None,
            shock_index: self.shock_index.clone(),
            index_levels: self
                .index_levels
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            index_path: self.index_path.clone(),
            fixed_prepay: self.fixed_prepay.clone(),
            arm_prepay: self.arm_prepay.clone(),
            settlement: self.settlement.clone(),
        }
    }

    /// The core's scenario, every value checked; a mistake is a 400 naming the field.
    pub fn to_scenario(&self) -> ApiResult<Scenario> {
        let spell = Spelling {
            prefix: String::new(),
            name: &api_name,
        };
        self.inputs()
            .apply(Scenario::default(), &spell)
            .map_err(|e: InputError| ApiError::bad(e.message))
    }
}

/// An engine error met while running a scenario, told under the API's field names.
pub fn run_error(e: tranche_core::Error) -> ApiError {
    match e {
        tranche_core::Error::Invalid(fe) => match &fe.location.field {
            Some(f) => ApiError::bad(format!("{}: {}", api_name(f), fe.message)),
            None => ApiError::bad(fe.message),
        },
        other => ApiError::from(other),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tranche_core::scenario::{DefaultRate, Prepay, Speed, FIELDS};

    #[test]
    fn every_scalar_field_of_the_core_is_a_json_field() {
        for f in FIELDS.iter().filter(|f| !f.name.ends_with("_vector")) {
            assert!(SCALARS.contains(&f.name), "{} is not in the API", f.name);
            let mut j = serde_json::Map::new();
            j.insert(f.name.into(), serde_json::json!(f.max));
            let s: ScenarioJson = serde_json::from_value(j.into()).unwrap();
            assert_eq!(s.scalar(f.name), Some(f.max), "{}", f.name);
        }
        let vectors = FIELDS
            .iter()
            .filter(|f| f.name.ends_with("_vector"))
            .count();
        assert_eq!(SCALARS.len(), FIELDS.len() - vectors);
    }

    #[test]
    fn maps_onto_the_one_scenario() {
        let j: ScenarioJson = serde_json::from_str(
            r#"{"speed_pct": 150, "cdr_pct": 2, "severity_pct": 40, "lag_months": 6,
                "horizon": "maturity", "price": 99.5}"#,
        )
        .unwrap();
        let s = j.to_scenario().unwrap();
        assert_eq!(s.prepay, Prepay::all(Speed::Pricing { pct: 150.0 }));
        assert_eq!(s.defaults.rate, DefaultRate::Cdr { pct: 2.0 });
        assert_eq!((s.defaults.severity_pct, s.defaults.lag_months), (40.0, 6));
        assert_eq!(s.horizon.name(), "maturity");
        assert_eq!(s.price, 99.5);
        assert_eq!(s.quote, None);
        let j: ScenarioJson = serde_json::from_str(
            r#"{"settlement": "2004-03-15", "fixed_prepay": "cpr:12", "arm_prepay": "pricing:150"}"#,
        )
        .unwrap();
        let s = j.to_scenario().unwrap();
        assert_eq!(s.settlement, chrono::NaiveDate::from_ymd_opt(2004, 3, 15));
        assert_eq!(s.prepay.fixed, Speed::Cpr { pct: 12.0 });
        assert_eq!(s.prepay.arm, Speed::Pricing { pct: 150.0 });
        let j: ScenarioJson = serde_json::from_str(r#"{"yield_pct": 5.5}"#).unwrap();
        assert_eq!(
            j.to_scenario().unwrap().quote,
            Some(tranche_core::scenario::Quote::Yield { pct: 5.5 })
        );
        assert_eq!(
            ScenarioJson::default().to_scenario().unwrap(),
            Scenario::default()
        );
    }

    #[test]
    fn a_mistake_is_a_400_in_the_cores_words_under_the_json_name() {
        let bad = |text: &str| {
            let j: ScenarioJson = serde_json::from_str(text).unwrap();
            j.to_scenario().unwrap_err()
        };
        let e = bad(r#"{"severity_pct": 150}"#);
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(
            e.message,
            "severity_pct: expected percent from 0 to 100, found 150"
        );
        let e = bad(r#"{"speed_pct": 100, "cpr_pct": 5}"#);
        assert!(e.message.contains("sets the prepayment speed"), "{e:?}");
        let e = bad(r#"{"lag_months": 2.5}"#);
        assert!(e.message.starts_with("lag_months: expected a whole number"));
        let e = bad(r#"{"price": 99, "dm_bps": 50}"#);
        assert_eq!(
            e.message,
            "dm_bps: sets the quote the analytics are priced at, as price does; give one of them"
        );
        let e = bad(r#"{"settlement": "2004-13-01"}"#);
        assert_eq!(
            e.message,
            "settlement: expected a date YYYY-MM-DD, found `2004-13-01`"
        );
        let e = bad(r#"{"fixed_prepay": "fast:5"}"#);
        assert!(
            e.message.starts_with("fixed_prepay: expected pricing:PCT"),
            "{e:?}"
        );
        let e = serde_json::from_str::<ScenarioJson>(r#"{"sped_pct": 1}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `sped_pct`"), "{e}");
    }
}
