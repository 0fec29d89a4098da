//! Scenario keyword arguments (`deal.run(speed=150, cdr=2, to="maturity")`) mapped onto
//! the Arrow crate's [`ScenarioInputs`], and so onto the core's one scenario type. Every
//! mistake is the core's message after the keyword's name (`cdr: expected percent CDR
//! from 0 to 100, found 120`), as the command line puts it after its flag (`--cdr: ...`).

use crate::errors::{input, to_py};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};
use std::collections::HashMap;
use std::path::PathBuf;
use tranche_arrow::scenarios::column_of;
use tranche_arrow::{ScenarioInputs, ScenarioRow, Spelling};
use tranche_core::scenario::Scenario;

/// Every scenario keyword and the input it sets (`index_rate_pct` also `index_path` when
/// given a list).
pub const KEYWORDS: [(&str, &str); 27] = [
    ("speed", "speed_pct"),
    ("cpr", "cpr_pct"),
    ("psa", "psa_pct"),
    ("cdr", "cdr_pct"),
    ("sda", "sda_pct"),
    ("severity", "severity_pct"),
    ("lag", "lag_months"),
    ("libor", "index_rate_pct"),
    ("index_rate", "index_rate_pct"),
    ("shock_bps", "shock_bps"),
    ("shock_from", "shock_from"),
    ("shock_index", "shock_index"),
    ("to", "horizon"),
    ("price", "price"),
    ("dm", "dm_bps"),
    ("yield_pct", "yield_pct"),
    ("spread", "spread_bps"),
    ("settle", "settlement"),
    ("fixed_prepay", "fixed_prepay"),
    ("arm_prepay", "arm_prepay"),
    ("cpr_vector", "cpr_vector"),
    ("cdr_vector", "cdr_vector"),
    ("dlq", "dlq_pct"),
    ("dlq_vector", "dlq_vector"),
    ("curves", "curves"),
    ("deal_curves", "rates"),
    ("index_rates", "index_levels"),
];

/// The scenario keywords given to a call, read and named.
pub struct Keywords {
    pub inputs: ScenarioInputs,
    /// The curves file given, as given.
    pub curves_file: Option<String>,
    /// Input -> the keyword (or axis) the caller used for it.
    names: HashMap<String, String>,
}

fn bad(kw: &str, expected: &str, v: &Bound<'_, PyAny>) -> PyErr {
    let found = v.repr().map(|r| r.to_string()).unwrap_or_default();
    input(format!("{kw}: expected {expected}, found {found}"))
}

/// A number (not a bool).
pub fn number(kw: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyString>() {
        return Err(bad(kw, "a number", v));
    }
    v.extract::<f64>().map_err(|_| bad(kw, "a number", v))
}

/// A sequence of numbers.
pub fn numbers(kw: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if v.is_instance_of::<PyString>() {
        return Err(bad(kw, "a list of numbers", v));
    }
    let it = v.try_iter().map_err(|_| bad(kw, "a list of numbers", v))?;
    it.map(|x| number(kw, &x?)).collect()
}

fn text(kw: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    v.extract::<String>().map_err(|_| bad(kw, "a string", v))
}

impl Keywords {
    /// Reads `kwargs`; `func` names the call in a message about an unknown keyword, and
    /// `own` lists the call's own keywords (shown in that message).
    pub fn read(kwargs: Option<&Bound<'_, PyDict>>, func: &str, own: &[&str]) -> PyResult<Self> {
        let mut k = Keywords {
            inputs: ScenarioInputs::default(),
            curves_file: None,
            names: HashMap::new(),
        };
        let Some(kwargs) = kwargs else {
            return Ok(k);
        };
        for (key, v) in kwargs.iter() {
            let kw: String = key.extract()?;
            let Some((_, target)) = KEYWORDS.iter().find(|(n, _)| *n == kw) else {
                let mut known: Vec<&str> = own.to_vec();
                known.extend(KEYWORDS.iter().map(|(n, _)| *n));
                return Err(PyTypeError::new_err(format!(
                    "{func}() got an unexpected keyword argument '{kw}'; expected one of: {}",
                    known.join(", ")
                )));
            };
            if v.is_none() || (*target == "rates" && !v.is_truthy()?) {
                continue;
            }
            let mut target = *target;
            let i = &mut k.inputs;
            match target {
                "index_rate_pct" if v.try_iter().is_ok() && !v.is_instance_of::<PyString>() => {
                    target = "index_path";
                    i.index_path = Some(numbers(&kw, &v)?);
                }
                "cpr_vector" => i.cpr_vector = Some(numbers(&kw, &v)?),
                "cdr_vector" => i.cdr_vector = Some(numbers(&kw, &v)?),
                "dlq_vector" => i.dlq_vector = Some(numbers(&kw, &v)?),
                "horizon" => i.horizon = Some(text(&kw, &v)?),
                "shock_index" => i.shock_index = Some(text(&kw, &v)?),
                "settlement" => i.settlement = Some(text(&kw, &v)?),
                "fixed_prepay" => i.fixed_prepay = Some(text(&kw, &v)?),
                "arm_prepay" => i.arm_prepay = Some(text(&kw, &v)?),
                "rates" => {
                    if !v.is_instance_of::<PyBool>() {
                        return Err(bad(&kw, "True or False", &v));
                    }
                    i.rates = Some("deal_curves".into());
                }
                "curves" => {
                    let p: PathBuf = v.extract().map_err(|_| bad(&kw, "a path", &v))?;
                    let c = tranche_io::curves::read_curves(&p).map_err(|e| to_py(e.into()))?;
                    i.curves = Some(c);
                    k.curves_file = Some(p.display().to_string());
                }
                "index_levels" => {
                    let d = v
                        .cast::<PyDict>()
                        .map_err(|_| bad(&kw, "a dict of index name -> percent", &v))?;
                    for (ix, pct) in d.iter() {
                        i.index_levels.push((text(&kw, &ix)?, number(&kw, &pct)?));
                    }
                }
                field => {
                    let field = tranche_core::scenario::field_spec(field)
                        .map(|f| f.name)
                        .unwrap_or("index_rate_pct");
                    i.numbers.push((field, number(&kw, &v)?));
                }
            }
            k.names.insert(target.to_string(), kw);
        }
        Ok(k)
    }

    /// True when a keyword set `input`.
    pub fn given(&self, input: &str) -> bool {
        self.names.contains_key(input)
    }

    /// Refuses keywords a call sets itself (e.g. `to` for a table of both horizons).
    pub fn refuse(&self, inputs: &[&str], why: &str) -> PyResult<()> {
        for i in inputs {
            if let Some(kw) = self.names.get(*i) {
                return Err(input(format!("{kw}: {why}")));
            }
        }
        Ok(())
    }

    /// Names `input` as the caller does (an axis, e.g.), in messages.
    pub fn name_as(&mut self, input: &str, name: &str) {
        self.names.insert(input.to_string(), name.to_string());
    }

    /// The keyword for `input` (or a core field): the one the caller used, else the
    /// first keyword that sets it.
    pub fn name(&self, input: &str) -> String {
        let input = match column_of(input) {
            "curves" if !self.names.contains_key("curves") => "rates",
            other => other,
        };
        if let Some(n) = self.names.get(input) {
            return n.clone();
        }
        KEYWORDS
            .iter()
            .find(|(_, t)| *t == input)
            .map_or_else(|| input.to_string(), |(k, _)| k.to_string())
    }

    /// The keywords applied onto `base`.
    pub fn scenario(&self, base: Scenario) -> PyResult<Scenario> {
        let name = |i: &str| self.name(i);
        let names = Spelling {
            prefix: String::new(),
            name: &name,
        };
        self.inputs.apply(base, &names).map_err(|e| to_py(e.into()))
    }

    /// The keywords applied onto `base`, as a row of `deal`.
    pub fn row(&self, deal: &str, base: Scenario) -> PyResult<ScenarioRow> {
        Ok(ScenarioRow {
            scenario: self.scenario(base)?,
            curves_file: self.curves_file.clone(),
            ..ScenarioRow::new(deal)
        })
    }
}
