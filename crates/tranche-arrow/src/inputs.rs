//! A scenario as a front end gives it (scenario-table cells, Python keywords), mapped onto
//! the core's one [`Scenario`]. Numbers go through [`Scenario::set`], so ranges and
//! messages are the core's ([`tranche_core::scenario::FIELDS`]); this module adds only
//! what a set of named values needs besides: one assumption per group, and the order in
//! which they apply (the command line's).
//!
//! Inputs are named by their canonical names: the FIELDS names, `horizon`, `rates`,
//! `curves`, `shock_index`, `index_levels` and `index_path`. A front end spells a name its
//! own way in messages (a column `cdr_pct`, a keyword `cdr=`) through a `spell` function.

use crate::error::{spelled, RunError};
use tranche_core::rates::RateCurves;
use tranche_core::scenario::{check, check_vector, DefaultRate, Prepay, RateBase, Scenario, Speed};
use tranche_core::waterfall::Horizon;

/// How a front end names inputs in messages: `prefix` (e.g. `scenario table: row 3, `)
/// then `name(input)` (e.g. ``column `cdr_pct` `` or `cdr`).
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

/// The values a front end was given for one scenario; `None`: not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioInputs {
    /// Scalar fields by their FIELDS name.
    pub numbers: Vec<(&'static str, f64)>,
    pub cpr_vector: Option<Vec<f64>>,
    pub cdr_vector: Option<Vec<f64>>,
    /// `call`, `maturity` or `call:YYYY-MM`.
    pub horizon: Option<String>,
    /// `pricing` (the deal's pricing rates) or `deal_curves` (its curves.csv).
    pub rates: Option<String>,
    /// Forward curves read by the front end (e.g. from a file it names).
    pub curves: Option<RateCurves>,
    /// The index the shock shifts (default every index).
    pub shock_index: Option<String>,
    /// Indices held flat, percent (`LIBOR6M` -> 1.25).
    pub index_levels: Vec<(String, f64)>,
    /// Every index following this path by period, percent.
    pub index_path: Option<Vec<f64>>,
}

/// Inputs that set the same assumption: at most one of each group may be given.
const GROUPS: [(&str, &[&str]); 3] = [
    (
        "the prepayment speed",
        &["speed_pct", "cpr_pct", "psa_pct", "cpr_vector"],
    ),
    ("the default rate", &["cdr_pct", "sda_pct", "cdr_vector"]),
    (
        "the index rates",
        &["index_rate_pct", "index_path", "rates", "curves"],
    ),
];

impl ScenarioInputs {
    /// The canonical names of the inputs given, in the order they apply.
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
        flag(self.horizon.is_some(), "horizon");
        flag(self.shock_index.is_some(), "shock_index");
        out.extend(self.numbers.iter().map(|(n, _)| *n));
        out
    }

    /// `base` with these inputs applied; messages name inputs as `names` spells them.
    pub fn apply(&self, mut base: Scenario, names: &Spelling) -> Result<Scenario, RunError> {
        let spell = |f: &str| names.at(f);
        let given = self.given();
        for (what, members) in GROUPS {
            let mine: Vec<&str> = given
                .iter()
                .copied()
                .filter(|g| members.contains(g))
                .collect();
            if let [first, second, ..] = mine[..] {
                return Err(RunError::input(format!(
                    "{}: sets {what}, as {} does; give one of them",
                    spell(second),
                    (names.name)(first)
                )));
            }
        }
        let err = |e| spelled(e, &spell);
        match self.rates.as_deref().map(str::trim) {
            None => {}
            Some("pricing") => base.rates.base = RateBase::Pricing,
            Some("deal_curves") => base.rates.base = RateBase::DealCurves,
            Some(other) => {
                return Err(RunError::input(format!(
                    "{}: expected `pricing` or `deal_curves`, found `{other}`",
                    spell("rates")
                )))
            }
        }
        if let Some(c) = &self.curves {
            base.rates.base = RateBase::Curves { curves: c.clone() };
        }
        for (ix, pct) in &self.index_levels {
            check("index_rate_pct", *pct).map_err(|e| spelled_as(e, "index_levels", &spell))?;
            base.rates.levels.push((ix.clone(), *pct));
        }
        if let Some(v) = &self.index_path {
            check_vector("index_rate_pct", v).map_err(|e| spelled_as(e, "index_path", &spell))?;
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
        if let Some(h) = &self.horizon {
            base.horizon = Horizon::parse(h).map_err(err)?;
        }
        if let Some(ix) = &self.shock_index {
            if !self.numbers.iter().any(|(n, _)| *n == "shock_bps") {
                return Err(RunError::input(format!(
                    "{}: give the shift with {}",
                    spell("shock_index"),
                    (names.name)("shock_bps")
                )));
            }
            base.set("shock_bps", 0.0).map_err(err)?;
            if let Some(s) = base.rates.shocks.first_mut() {
                s.index = Some(ix.trim().to_string());
            }
        }
        for (name, v) in &self.numbers {
            base.set(name, *v).map_err(err)?;
        }
        base.validate().map_err(err)?;
        Ok(base)
    }
}

/// A core error about a field, told under another input's name (a level checked as
/// `index_rate_pct` but given as `index_levels`).
fn spelled_as(e: tranche_core::Error, input: &str, spell: &dyn Fn(&str) -> String) -> RunError {
    match e {
        tranche_core::Error::Invalid(fe) => {
            RunError::input(format!("{}: {}", spell(input), fe.message))
        }
        other => spelled(other, spell),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tranche_core::scenario::Shock;

    fn name(input: &str) -> String {
        format!("<{input}>")
    }

    fn spell() -> Spelling<'static> {
        Spelling {
            prefix: "at ".into(),
            name: &name,
        }
    }

    #[test]
    fn applies_in_the_command_line_order() {
        let i = ScenarioInputs {
            numbers: vec![("shock_bps", 50.0), ("cdr_pct", 2.0), ("shock_from", 3.0)],
            shock_index: Some("LIBOR1M".into()),
            rates: Some("deal_curves".into()),
            horizon: Some("call:2008-06".into()),
            ..Default::default()
        };
        let s = i.apply(Scenario::default(), &spell()).unwrap();
        assert_eq!(s.rates.base, RateBase::DealCurves);
        assert_eq!(
            s.rates.shocks,
            vec![Shock {
                bps: 50.0,
                from_period: 3,
                index: Some("LIBOR1M".into())
            }]
        );
        assert_eq!(s.defaults.rate, DefaultRate::Cdr { pct: 2.0 });
        assert_eq!(s.horizon.name(), "call:2008-06");
    }

    #[test]
    fn one_message_per_mistake_under_the_front_ends_name() {
        let bad = |i: ScenarioInputs| {
            i.apply(Scenario::default(), &spell())
                .unwrap_err()
                .to_string()
        };
        let e = bad(ScenarioInputs {
            numbers: vec![("severity_pct", 150.0)],
            ..Default::default()
        });
        assert_eq!(
            e,
            "at <severity_pct>: expected percent from 0 to 100, found 150"
        );
        let e = bad(ScenarioInputs {
            numbers: vec![("speed_pct", 50.0)],
            cpr_vector: Some(vec![5.0]),
            ..Default::default()
        });
        assert_eq!(
            e,
            "at <speed_pct>: sets the prepayment speed, as <cpr_vector> does; give one of them"
        );
        let e = bad(ScenarioInputs {
            cdr_vector: Some(vec![1.0, 101.0]),
            ..Default::default()
        });
        assert!(
            e.starts_with("at <cdr_vector>: period 2: expected percent CDR"),
            "{e}"
        );
        let e = bad(ScenarioInputs {
            rates: Some("forward".into()),
            ..Default::default()
        });
        assert_eq!(
            e,
            "at <rates>: expected `pricing` or `deal_curves`, found `forward`"
        );
        let e = bad(ScenarioInputs {
            shock_index: Some("LIBOR1M".into()),
            ..Default::default()
        });
        assert_eq!(e, "at <shock_index>: give the shift with <shock_bps>");
        let e = bad(ScenarioInputs {
            horizon: Some("soon".into()),
            ..Default::default()
        });
        assert!(
            e.starts_with("at <horizon>: expected `call`, `maturity`"),
            "{e}"
        );
        let e = bad(ScenarioInputs {
            index_levels: vec![("LIBOR6M".into(), 200.0)],
            ..Default::default()
        });
        assert!(
            e.starts_with("at <index_levels>: expected percent per annum"),
            "{e}"
        );
    }
}
