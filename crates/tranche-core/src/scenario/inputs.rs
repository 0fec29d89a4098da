//! A scenario as a front end gives it (command-line flags, scenario-table cells, Python
//! keywords, API fields), mapped onto the one [`Scenario`]. Numbers go through
//! [`Scenario::set`], so ranges and messages are those of [`FIELDS`](super::FIELDS); this
//! module adds only what a set of named values needs besides: one assumption per group,
//! the text forms (horizon, per-type speeds, settlement date) and the order in which they
//! apply (the command line's).
//!
//! Inputs are named by their canonical names: the FIELDS names, `horizon`, `rates`,
//! `curves`, `shock_index`, `index_levels`, `index_path`, `fixed_prepay`, `arm_prepay` and
//! `settlement`. A front end spells a name its own way in messages (a flag `--cdr`, a
//! column `cdr_pct`, a keyword `cdr=`) through [`Spelling`].

use super::{check, check_vector, DefaultRate, Prepay, RateBase, Scenario, Speed};
use crate::rates::RateCurves;
use crate::waterfall::Horizon;
use chrono::NaiveDate;

/// How a front end names inputs in messages: `prefix` (e.g. `scenario table: row 3, `)
/// then `name(input)` (e.g. `--cdr`, ``column `cdr_pct` ``).
pub struct Spelling<'a> {
    pub prefix: String,
    pub name: &'a dyn Fn(&str) -> String,
}

impl Spelling<'_> {
    /// The start of a message about `input`.
    pub fn at(&self, input: &str) -> String {
        format!("{}{}", self.prefix, (self.name)(input))
    }
}

/// A mistake in a front end's inputs, told in its own words (file, flag, column, keyword).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The canonical name of the input the mistake is about, where there is one.
    pub input: Option<String>,
    pub message: String,
}

/// The values a front end was given for one scenario; `None`: not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioInputs {
    /// Scalar fields by their FIELDS name.
    pub numbers: Vec<(&'static str, f64)>,
    pub cpr_vector: Option<Vec<f64>>,
    pub cdr_vector: Option<Vec<f64>>,
    /// 60+ day delinquency by period, percent of the pool balance.
    pub dlq_vector: Option<Vec<f64>>,
    /// `call`, `maturity` or `call:YYYY-MM`.
    pub horizon: Option<String>,
    /// `pricing` (the deal's pricing rates) or `deal_curves` (its forward curves).
    pub rates: Option<String>,
    /// Forward curves read by the front end (e.g. from a file it names).
    pub curves: Option<RateCurves>,
    /// The index the shock shifts (default every index).
    pub shock_index: Option<String>,
    /// Indices held flat, percent (`LIBOR6M` -> 1.25).
    pub index_levels: Vec<(String, f64)>,
    /// Every index following this path by period, percent.
    pub index_path: Option<Vec<f64>>,
    /// Speed of the fixed-rate loans only, as text (see [`parse_speed`]).
    pub fixed_prepay: Option<String>,
    /// Speed of the adjustable-rate loans only, as text.
    pub arm_prepay: Option<String>,
    /// Settlement date of the analytics, `YYYY-MM-DD`.
    pub settlement: Option<String>,
}

/// Inputs that set the same assumption: at most one of each group may be given.
const GROUPS: [(&str, &[&str]); 5] = [
    (
        "the prepayment speed",
        &["speed_pct", "cpr_pct", "psa_pct", "cpr_vector"],
    ),
    ("the default rate", &["cdr_pct", "sda_pct", "cdr_vector"]),
    ("the delinquency", &["dlq_pct", "dlq_vector"]),
    (
        "the index rates",
        &["index_rate_pct", "index_path", "rates", "curves"],
    ),
    (
        "the quote the analytics are priced at",
        &["price", "dm_bps", "yield_pct", "spread_bps"],
    ),
];

impl ScenarioInputs {
    /// The canonical names of the inputs given (the numbers last).
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut flag = |on: bool, name: &'static str| {
            if on {
                out.push(name);
            }
        };
        flag(self.rates.is_some(), "rates");
        flag(self.curves.is_some(), "curves");
        flag(!self.index_levels.is_empty(), "index_levels");
        flag(self.index_path.is_some(), "index_path");
        flag(self.cpr_vector.is_some(), "cpr_vector");
        flag(self.cdr_vector.is_some(), "cdr_vector");
        flag(self.dlq_vector.is_some(), "dlq_vector");
        flag(self.horizon.is_some(), "horizon");
        flag(self.settlement.is_some(), "settlement");
        flag(self.shock_index.is_some(), "shock_index");
        flag(self.fixed_prepay.is_some(), "fixed_prepay");
        flag(self.arm_prepay.is_some(), "arm_prepay");
        out.extend(self.numbers.iter().map(|(n, _)| *n));
        out
    }

    /// `base` with these inputs applied; messages name inputs as `names` spells them.
    pub fn apply(&self, mut base: Scenario, names: &Spelling) -> Result<Scenario, InputError> {
        let bad = |input: &str, message: String| InputError {
            input: Some(input.to_string()),
            message: format!("{}: {message}", names.at(input)),
        };
        // A core error about a field, told under its own input's name.
        let err = |e: crate::Error| spelled(e, None, names);
        // ... or under the input that gave the value (a level checked as
        // `index_rate_pct` but given as `index_levels`).
        let err_as = |input: &'static str| move |e: crate::Error| spelled(e, Some(input), names);
        let given = self.given();
        for (what, members) in GROUPS {
            let mine: Vec<&str> = given
                .iter()
                .copied()
                .filter(|g| members.contains(g))
                .collect();
            if let [first, second, ..] = mine[..] {
                return Err(bad(
                    second,
                    format!(
                        "sets {what}, as {} does; give one of them",
                        (names.name)(first)
                    ),
                ));
            }
        }
        match self.rates.as_deref().map(str::trim) {
            None => {}
            Some("pricing") => base.rates.base = RateBase::Pricing,
            Some("deal_curves") => base.rates.base = RateBase::DealCurves,
            Some(other) => {
                return Err(bad(
                    "rates",
                    format!("expected `pricing` or `deal_curves`, found `{other}`"),
                ))
            }
        }
        if let Some(c) = &self.curves {
            base.rates.base = RateBase::Curves { curves: c.clone() };
        }
        for (ix, pct) in &self.index_levels {
            check("index_rate_pct", *pct).map_err(err_as("index_levels"))?;
            base.rates.levels.push((ix.trim().to_string(), *pct));
        }
        if let Some(v) = &self.index_path {
            check_vector("index_rate_pct", v).map_err(err_as("index_path"))?;
            base.rates.base = RateBase::Path { pct: v.clone() };
        }
        if let Some(v) = &self.cpr_vector {
            check_vector("cpr_vector", v).map_err(err)?;
            base.prepay = Prepay::all(Speed::Vector { cpr_pct: v.clone() });
        }
        if let Some(v) = &self.cdr_vector {
            check_vector("cdr_vector", v).map_err(err)?;
            base.defaults.rate = DefaultRate::Vector { cdr_pct: v.clone() };
        }
        if let Some(v) = &self.dlq_vector {
            check_vector("dlq_vector", v).map_err(err)?;
            base.delinquency_pct = Some(v.clone());
        }
        if let Some(h) = &self.horizon {
            base.horizon = Horizon::parse(h).map_err(err_as("horizon"))?;
        }
        if let Some(d) = &self.settlement {
            let date = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                bad(
                    "settlement",
                    format!("expected a date YYYY-MM-DD, found `{d}`"),
                )
            })?;
            base.settlement = Some(date);
        }
        if let Some(ix) = &self.shock_index {
            if !self.numbers.iter().any(|(n, _)| *n == "shock_bps") {
                return Err(bad(
                    "shock_index",
                    format!("give the shift with {}", (names.name)("shock_bps")),
                ));
            }
            base.set("shock_bps", 0.0).map_err(err)?;
            if let Some(s) = base.rates.shocks.first_mut() {
                s.index = Some(ix.trim().to_string());
            }
        }
        for (name, v) in &self.numbers {
            base.set(name, *v).map_err(err)?;
        }
        if let Some(t) = &self.fixed_prepay {
            base.prepay.fixed = parse_speed(t).map_err(|m| bad("fixed_prepay", m))?;
            base.prepay
                .fixed
                .validate()
                .map_err(err_as("fixed_prepay"))?;
        }
        if let Some(t) = &self.arm_prepay {
            base.prepay.arm = parse_speed(t).map_err(|m| bad("arm_prepay", m))?;
            base.prepay.arm.validate().map_err(err_as("arm_prepay"))?;
        }
        base.validate().map_err(err)?;
        Ok(base)
    }
}

/// A per-type speed as text: `pricing:PCT`, `cpr:PCT`, `psa:PCT` (or `ppc:PCT`),
/// `ramp:START,END,MONTHS` or `vector:PCT,...`. The error is the message without a name.
pub fn parse_speed(s: &str) -> Result<Speed, String> {
    let bad = || {
        format!(
            "expected pricing:PCT, cpr:PCT, psa:PCT, ramp:START,END,MONTHS or vector:PCT,..., found `{s}`"
        )
    };
    let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
    let v: Vec<f64> = rest
        .split(',')
        .map(|x| x.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let one = || if v.len() == 1 { Ok(v[0]) } else { Err(bad()) };
    Ok(match kind.trim().to_ascii_lowercase().as_str() {
        "pricing" | "speed" => Speed::Pricing { pct: one()? },
        "cpr" => Speed::Cpr { pct: one()? },
        "psa" | "ppc" => Speed::Psa { pct: one()? },
        "ramp" if v.len() == 3 && v[2] >= 1.0 && v[2].fract() == 0.0 => Speed::Ramp {
            start_pct: v[0],
            end_pct: v[1],
            months: v[2] as u32,
        },
        "vector" => Speed::Vector { cpr_pct: v },
        _ => return Err(bad()),
    })
}

/// The text form of a speed that [`parse_speed`] reads back.
pub fn speed_spec(s: &Speed) -> String {
    let list = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(",");
    match s {
        Speed::Pricing { pct } => format!("pricing:{pct}"),
        Speed::Cpr { pct } => format!("cpr:{pct}"),
        Speed::Psa { pct } => format!("psa:{pct}"),
        Speed::Ramp {
            start_pct,
            end_pct,
            months,
        } => format!("ramp:{start_pct},{end_pct},{months}"),
        Speed::Vector { cpr_pct } => format!("vector:{}", list(cpr_pct)),
    }
}

/// A core error told under the front end's name: of `input` when given, else of the
/// error's own field.
fn spelled(e: crate::Error, input: Option<&str>, names: &Spelling) -> InputError {
    match e {
        crate::Error::Invalid(fe) => match input.or(fe.location.field.as_deref()) {
            Some(f) => InputError {
                input: Some(f.to_string()),
                message: format!("{}: {}", names.at(f), fe.message),
            },
            None => InputError {
                input: None,
                message: format!("{}{}", names.prefix, fe.message),
            },
        },
        other => InputError {
            input: None,
            message: format!("{}{other}", names.prefix),
        },
    }
}

#[cfg(test)]
mod tests;
