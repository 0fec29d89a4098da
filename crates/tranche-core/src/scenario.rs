//! The one scenario type: everything a user asks a deal run to assume.
//!
//! Every front end (command-line flags, the Arrow scenario table, Python keywords, the
//! HTTP API) maps its inputs onto [`Scenario`] and nothing else; [`FIELDS`] is the one
//! table of the scenario's numbers with their units and ranges, and [`Scenario::set`] the
//! one place a number is checked against it. A front end tells a mistake with its own
//! spelling of the field (`--severity`, `severity=`, column `severity_pct`) followed by the
//! message the core gives.
//!
//! Files and front ends speak percent; [`resolve`] turns a scenario into the engine's
//! decimals against a deal: its pricing curves, pricing rates and forward curves.

use crate::assumptions::{Assumptions, DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming};
use crate::deal::{Deal, SpeedCurve, YearMonth};
use crate::rates::{RateCurves, RatePath};
use crate::tape::RateIndex;
use crate::waterfall::Horizon;
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub mod inputs;
pub use inputs::{InputError, ScenarioInputs, Spelling};

/// One number of a scenario: its name (the Arrow column, the Python keyword), unit and
/// range (both ends included unless `min_open`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// The minimum itself is not allowed (a price of 0).
    pub min_open: bool,
    /// Whole numbers only (months, periods).
    pub whole: bool,
    pub doc: &'static str,
}

const fn field(name: &'static str, unit: &'static str, min: f64, max: f64) -> Field {
    Field {
        name,
        unit,
        min,
        max,
        min_open: false,
        whole: false,
        doc: "",
    }
}

/// Most periods a vector may give (60 years of months).
pub const MAX_VECTOR: usize = 720;

/// Every number a scenario holds, in the order grids cross their axes.
pub const FIELDS: &[Field] = &[
    Field {
        doc: "prepayment speed, percent of the deal's pricing curves (both loan types)",
        ..field("speed_pct", "percent of the pricing speed", 0.0, 10_000.0)
    },
    Field {
        doc: "constant prepayment rate for every loan, percent CPR",
        ..field("cpr_pct", "percent CPR", 0.0, 100.0)
    },
    Field {
        doc: "PSA prepayment speed for every loan (100 = 0.2% CPR rising to 6% at month 30)",
        ..field("psa_pct", "percent PSA", 0.0, 1_666.0)
    },
    Field {
        doc: "constant annual default rate, percent CDR",
        ..field("cdr_pct", "percent CDR", 0.0, 100.0)
    },
    Field {
        doc: "SDA default speed (100 = 0.02% CDR rising to 0.6% at month 30)",
        ..field("sda_pct", "percent SDA", 0.0, 16_666.0)
    },
    Field {
        doc: "loss severity on the defaulted balance",
        ..field("severity_pct", "percent", 0.0, 100.0)
    },
    Field {
        doc: "months from default to liquidation",
        whole: true,
        ..field("lag_months", "months", 0.0, 360.0)
    },
    Field {
        doc: "every index held flat at this level",
        ..field("index_rate_pct", "percent per annum", -10.0, 100.0)
    },
    Field {
        doc: "parallel shift of the index paths",
        ..field("shock_bps", "basis points", -10_000.0, 10_000.0)
    },
    Field {
        doc: "first period (1-based) the shift applies to",
        whole: true,
        ..field("shock_from", "period", 1.0, MAX_VECTOR as f64)
    },
    Field {
        doc: "price for the analytics, percent of par",
        min_open: true,
        ..field("price", "percent of par", 0.0, 1_000.0)
    },
    Field {
        doc: "discount margin the analytics are priced at, in place of a price",
        ..field("dm_bps", "basis points", -5_000.0, 50_000.0)
    },
    Field {
        doc: "bond-equivalent yield the analytics are priced at, in place of a price",
        ..field("yield_pct", "percent per annum", -99.0, 1_000.0)
    },
    Field {
        doc: "spread to the forward curve the analytics are priced at, in place of a price",
        ..field("spread_bps", "basis points", -5_000.0, 50_000.0)
    },
    Field {
        doc: "one value of a CPR vector, by period",
        ..field("cpr_vector", "percent CPR", 0.0, 100.0)
    },
    Field {
        doc: "one value of a CDR vector, by period",
        ..field("cdr_vector", "percent CDR", 0.0, 100.0)
    },
    Field {
        doc: "balance 60 days or more delinquent (foreclosure and REO included) that delinquency triggers measure in projected periods, percent of the pool balance (default: the defaults awaiting liquidation)",
        ..field("dlq_pct", "percent of the pool balance", 0.0, 100.0)
    },
    Field {
        doc: "one value of a 60+ day delinquency vector, by period",
        ..field("dlq_vector", "percent of the pool balance", 0.0, 100.0)
    },
];

/// The field named `name`.
pub fn field_spec(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Checks `v` against the range of field `name`: the one error text per mistake.
pub fn check(name: &str, v: f64) -> Result<f64> {
    let f = field_spec(name)
        .ok_or_else(|| Error::invalid(name, "is not a scenario field".to_string()))?;
    check_field(f, v)
}

/// Checks `v` against the range of `f` (a [`FIELDS`] entry, or a number of an analysis
/// that is not part of a scenario) with the same messages.
pub fn check_field(f: &Field, v: f64) -> Result<f64> {
    let low_ok = if f.min_open { v > f.min } else { v >= f.min };
    if !v.is_finite() || !low_ok || v > f.max {
        let range = if f.min_open {
            format!("above {} and at most {}", num(f.min), num(f.max))
        } else {
            format!("from {} to {}", num(f.min), num(f.max))
        };
        return Err(Error::invalid(
            f.name,
            format!("expected {} {range}, found {v}", f.unit),
        ));
    }
    if f.whole && v.fract() != 0.0 {
        return Err(Error::invalid(
            f.name,
            format!("expected a whole number of {}, found {v}", f.unit),
        ));
    }
    Ok(v)
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// A vector by period (1-based; the last value holds), every value checked as `name`.
pub fn check_vector(name: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() || v.len() > MAX_VECTOR {
        return Err(Error::invalid(
            name,
            format!(
                "expected from 1 to {MAX_VECTOR} values (one per period), found {}",
                v.len()
            ),
        ));
    }
    for (i, x) in v.iter().enumerate() {
        check(name, *x).map_err(|e| match e {
            Error::Invalid(mut fe) => {
                fe.message = format!("period {}: {}", i + 1, fe.message);
                Error::Invalid(fe)
            }
            other => other,
        })?;
    }
    Ok(())
}

/// A prepayment speed for one type of loan. Percent throughout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Speed {
    /// Percent of the deal's pricing curve for that loan type.
    Pricing { pct: f64 },
    /// Constant CPR.
    Cpr { pct: f64 },
    /// Percent PSA.
    Psa { pct: f64 },
    /// CPR rising linearly by loan age from `start_pct` (month 1) to `end_pct` (month
    /// `months`), flat after: a prospectus PPC.
    Ramp {
        start_pct: f64,
        end_pct: f64,
        months: u32,
    },
    /// CPR by projection period; the last value holds.
    Vector { cpr_pct: Vec<f64> },
}

impl Speed {
    fn validate(&self) -> Result<()> {
        match self {
            Speed::Pricing { pct } => check("speed_pct", *pct).map(drop),
            Speed::Cpr { pct } => check("cpr_pct", *pct).map(drop),
            Speed::Psa { pct } => check("psa_pct", *pct).map(drop),
            Speed::Ramp {
                start_pct,
                end_pct,
                months,
            } => {
                check("cpr_pct", *start_pct)?;
                check("cpr_pct", *end_pct)?;
                if *months == 0 || *months as usize > MAX_VECTOR {
                    return Err(Error::invalid(
                        "ramp_months",
                        format!("expected from 1 to {MAX_VECTOR} months, found {months}"),
                    ));
                }
                Ok(())
            }
            Speed::Vector { cpr_pct } => check_vector("cpr_vector", cpr_pct),
        }
    }

    /// The engine's curve and its multiplier, against the deal's pricing curve.
    fn resolve(&self, pricing: &SpeedCurve) -> (PrepayCurve, f64) {
        match self {
            Speed::Pricing { pct } => (pricing.to_prepay_curve(), pct / 100.0),
            Speed::Cpr { pct } => (PrepayCurve::Cpr { cpr: pct / 100.0 }, 1.0),
            Speed::Psa { pct } => (PrepayCurve::Psa { pct: *pct }, 1.0),
            Speed::Ramp {
                start_pct,
                end_pct,
                months,
            } => (
                PrepayCurve::Ramp {
                    start: start_pct / 100.0,
                    end: end_pct / 100.0,
                    months: *months,
                },
                1.0,
            ),
            Speed::Vector { cpr_pct } => (
                PrepayCurve::Vector {
                    cpr: cpr_pct.iter().map(|c| c / 100.0).collect(),
                },
                1.0,
            ),
        }
    }

    /// The field a mistake in this speed is told against.
    fn field(&self) -> &'static str {
        match self {
            Speed::Pricing { .. } => "speed_pct",
            Speed::Cpr { .. } | Speed::Ramp { .. } => "cpr_pct",
            Speed::Psa { .. } => "psa_pct",
            Speed::Vector { .. } => "cpr_vector",
        }
    }
}

impl std::fmt::Display for Speed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Speed::Pricing { pct } => write!(f, "{pct}% of the pricing prepayment speed"),
            Speed::Cpr { pct } => write!(f, "{pct}% CPR"),
            Speed::Psa { pct } => write!(f, "{pct}% PSA"),
            Speed::Ramp {
                start_pct,
                end_pct,
                months,
            } => write!(f, "{start_pct}% to {end_pct}% CPR over {months} months"),
            Speed::Vector { cpr_pct } => write!(f, "a CPR vector of {} periods", cpr_pct.len()),
        }
    }
}

/// Prepayment speeds by loan type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prepay {
    pub arm: Speed,
    pub fixed: Speed,
}

impl Prepay {
    /// The same speed for every loan.
    pub fn all(speed: Speed) -> Self {
        Prepay {
            arm: speed.clone(),
            fixed: speed,
        }
    }
}

/// A default rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DefaultRate {
    /// Constant CDR, percent.
    Cdr { pct: f64 },
    /// Percent SDA.
    Sda { pct: f64 },
    /// CDR by projection period, percent; the last value holds.
    Vector { cdr_pct: Vec<f64> },
}

impl DefaultRate {
    fn validate(&self) -> Result<()> {
        match self {
            DefaultRate::Cdr { pct } => check("cdr_pct", *pct).map(drop),
            DefaultRate::Sda { pct } => check("sda_pct", *pct).map(drop),
            DefaultRate::Vector { cdr_pct } => check_vector("cdr_vector", cdr_pct),
        }
    }

    fn resolve(&self) -> DefaultCurve {
        match self {
            DefaultRate::Cdr { pct } => DefaultCurve::Cdr { cdr: pct / 100.0 },
            DefaultRate::Sda { pct } => DefaultCurve::Sda { pct: *pct },
            DefaultRate::Vector { cdr_pct } => DefaultCurve::Vector {
                cdr: cdr_pct.iter().map(|c| c / 100.0).collect(),
            },
        }
    }
}

/// Defaults, severity and liquidation lag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defaults {
    pub rate: DefaultRate,
    pub severity_pct: f64,
    pub lag_months: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            rate: DefaultRate::Cdr { pct: 0.0 },
            severity_pct: 0.0,
            lag_months: 0,
        }
    }
}

/// Where the index paths start from, before any level or shock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RateBase {
    /// The deal's stated pricing assumption (its indices flat at their pricing levels).
    Pricing,
    /// The deal's forward curves (`curves.csv` of its directory).
    DealCurves,
    /// Curves given with the scenario (read from a file by the front end).
    Curves { curves: RateCurves },
    /// Every index flat at this level, percent.
    Flat { pct: f64 },
    /// Every index following this path by period, percent (the last value holds).
    Path { pct: Vec<f64> },
}

/// A parallel shift of one index path (or all) from a period on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shock {
    pub bps: f64,
    /// First period (1-based) shifted.
    pub from_period: u32,
    /// The index shifted; `None` shifts every index.
    pub index: Option<String>,
}

/// The index paths of a run: a base, flat levels for named indices, then shocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub base: RateBase,
    /// Indices held flat at a level (percent), replacing the base's path.
    pub levels: Vec<(String, f64)>,
    pub shocks: Vec<Shock>,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            base: RateBase::Pricing,
            levels: Vec::new(),
            shocks: Vec::new(),
        }
    }
}

/// What a bond's analytics are solved from: its price, or the discount margin, yield or
/// spread to the forward curve that sets the price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Quote {
    /// Clean price, percent of the balance at settlement.
    Price { pct: f64 },
    /// Discount margin over the run's own index path, basis points.
    Dm { bps: f64 },
    /// Bond-equivalent yield, percent per annum.
    Yield { pct: f64 },
    /// Spread to the forward curve of the deal's pricing index, basis points.
    Spread { bps: f64 },
}

impl Quote {
    /// The scenario field that states it.
    pub fn field(&self) -> &'static str {
        match self {
            Quote::Price { .. } => "price",
            Quote::Dm { .. } => "dm_bps",
            Quote::Yield { .. } => "yield_pct",
            Quote::Spread { .. } => "spread_bps",
        }
    }

    /// The stated number, in its field's unit.
    pub fn value(&self) -> f64 {
        match *self {
            Quote::Price { pct } | Quote::Yield { pct } => pct,
            Quote::Dm { bps } | Quote::Spread { bps } => bps,
        }
    }
}

impl std::fmt::Display for Quote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Quote::Price { pct } => write!(f, "a price of {pct}"),
            Quote::Dm { bps } => write!(f, "a discount margin of {bps} bp"),
            Quote::Yield { pct } => write!(f, "a yield of {pct}%"),
            Quote::Spread { bps } => write!(f, "a spread of {bps} bp to the forward curve"),
        }
    }
}

/// A deal run's assumptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub rates: Rates,
    pub prepay: Prepay,
    pub defaults: Defaults,
    pub horizon: Horizon,
    /// Price for the analytics, percent of par.
    pub price: f64,
    /// Prices the analytics at a discount margin, yield or spread instead of `price`
    /// (`None`: at `price`).
    #[serde(default)]
    pub quote: Option<Quote>,
    /// Settlement date of the analytics (`None`: the deal's settlement date). The price is
    /// clean, percent of the balance outstanding at settlement; accrued interest is added.
    #[serde(default)]
    pub settlement: Option<NaiveDate>,
    /// Balance 60 days or more delinquent by period (foreclosure and REO included),
    /// percent of the pool balance; the last value holds. What delinquency triggers
    /// measure in projected periods (`None`: the defaults awaiting liquidation).
    #[serde(default)]
    pub delinquency_pct: Option<Vec<f64>>,
}

impl Default for Scenario {
    /// The deal's pricing assumption: 100% of its pricing speed, no defaults, its pricing
    /// rates, to the call, at par.
    fn default() -> Self {
        Scenario {
            rates: Rates::default(),
            prepay: Prepay::all(Speed::Pricing { pct: 100.0 }),
            defaults: Defaults::default(),
            horizon: Horizon::Call,
            price: 100.0,
            quote: None,
            settlement: None,
            delinquency_pct: None,
        }
    }
}

impl Scenario {
    /// Sets the numeric field `name` (a [`FIELDS`] name) after checking it. Setting a
    /// speed or a default rate replaces the whole prepayment or default assumption (every
    /// loan type); `shock_bps` and `shock_from` set the scenario's first shock; `price`,
    /// `dm_bps`, `yield_pct` and `spread_bps` each replace the quote the analytics are
    /// solved from.
    pub fn set(&mut self, name: &str, v: f64) -> Result<()> {
        let v = check(name, v)?;
        match name {
            "speed_pct" => self.prepay = Prepay::all(Speed::Pricing { pct: v }),
            "cpr_pct" => self.prepay = Prepay::all(Speed::Cpr { pct: v }),
            "psa_pct" => self.prepay = Prepay::all(Speed::Psa { pct: v }),
            "cdr_pct" => self.defaults.rate = DefaultRate::Cdr { pct: v },
            "sda_pct" => self.defaults.rate = DefaultRate::Sda { pct: v },
            "severity_pct" => self.defaults.severity_pct = v,
            "lag_months" => self.defaults.lag_months = v as u32,
            "index_rate_pct" => self.rates.base = RateBase::Flat { pct: v },
            "shock_bps" => self.first_shock().bps = v,
            "shock_from" => self.first_shock().from_period = v as u32,
            "price" => {
                self.price = v;
                self.quote = None;
            }
            "dm_bps" => self.quote = Some(Quote::Dm { bps: v }),
            "yield_pct" => self.quote = Some(Quote::Yield { pct: v }),
            "spread_bps" => self.quote = Some(Quote::Spread { bps: v }),
            "dlq_pct" => self.delinquency_pct = Some(vec![v]),
            other => {
                return Err(Error::invalid(
                    other,
                    "is a list of values, not one number".to_string(),
                ))
            }
        }
        Ok(())
    }

    fn first_shock(&mut self) -> &mut Shock {
        if self.rates.shocks.is_empty() {
            self.rates.shocks.push(Shock {
                bps: 0.0,
                from_period: 1,
                index: None,
            });
        }
        &mut self.rates.shocks[0]
    }

    /// Checks every number against [`FIELDS`] (for scenarios built field by field, e.g.
    /// deserialized).
    pub fn validate(&self) -> Result<()> {
        self.prepay.arm.validate()?;
        self.prepay.fixed.validate()?;
        self.defaults.rate.validate()?;
        check("severity_pct", self.defaults.severity_pct)?;
        check("lag_months", f64::from(self.defaults.lag_months))?;
        match &self.rates.base {
            RateBase::Flat { pct } => {
                check("index_rate_pct", *pct)?;
            }
            RateBase::Path { pct } => check_vector("index_rate_pct", pct)?,
            _ => {}
        }
        for (_, pct) in &self.rates.levels {
            check("index_rate_pct", *pct)?;
        }
        for s in &self.rates.shocks {
            check("shock_bps", s.bps)?;
            check("shock_from", f64::from(s.from_period))?;
        }
        check("price", self.price)?;
        if let Some(v) = &self.delinquency_pct {
            check_vector("dlq_vector", v)?;
        }
        if let Some(q) = &self.quote {
            check(q.field(), q.value())?;
        }
        Ok(())
    }

    /// The quote the analytics are solved from: `quote`, else the price.
    pub fn quote(&self) -> Quote {
        self.quote.unwrap_or(Quote::Price { pct: self.price })
    }
}

/// The scenario's 60+ day delinquency as decimals.
fn delinquency(s: &Scenario) -> Option<Vec<f64>> {
    s.delinquency_pct
        .as_ref()
        .map(|v| v.iter().map(|x| x / 100.0).collect())
}

/// A scenario resolved against a deal: what the collateral projection and the waterfall
/// read.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub assumptions: Assumptions,
    pub horizon: Horizon,
    pub price: f64,
    /// What the analytics solve from, and when they settle.
    pub pricing: Pricing,
}

/// How a run's bonds are priced: the quote, the settlement date and the forward curve the
/// spread is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    pub quote: Quote,
    pub settlement: NaiveDate,
    /// The forward path of the deal's pricing index (`None`: the deal has no forward
    /// curves and none were given).
    pub forward: Option<RatePath>,
    /// Settlement on the deal's own settlement date: flat, no accrued interest, as the
    /// term sheet states.
    pub settles_flat: bool,
}

/// Resolves `s` against `deal` and its forward curves (`deal_curves`, when it has some).
pub fn resolve(deal: &Deal, deal_curves: Option<&RateCurves>, s: &Scenario) -> Result<Resolved> {
    s.validate()?;
    let rates = resolve_rates(deal, deal_curves, &s.rates)?;
    let (arm, arm_mult) = s.prepay.arm.resolve(&deal.pricing.arm_curve);
    let (fixed, fixed_mult) = s.prepay.fixed.resolve(&deal.pricing.fixed_curve);
    check_peak(&s.prepay.arm, &arm, arm_mult, "ARM")?;
    check_peak(&s.prepay.fixed, &fixed, fixed_mult, "fixed-rate")?;
    // One multiplier for both curves; where the loan types differ, each curve carries
    // its own.
    let (arm, fixed, multiplier) = if arm_mult == fixed_mult {
        (arm, fixed, arm_mult)
    } else {
        (arm.scaled(arm_mult), fixed.scaled(fixed_mult), 1.0)
    };
    if let Horizon::CallOn(m) = s.horizon {
        let first = YearMonth::of(deal.dates.first_payment);
        if m < first {
            return Err(Error::invalid(
                "call_date",
                format!("expected a month from the first payment date ({first}) on, found {m}"),
            ));
        }
    }
    let pricing = resolve_pricing(deal, deal_curves, s)?;
    Ok(Resolved {
        pricing,
        assumptions: Assumptions {
            prepay: PrepayAssumption {
                arm,
                fixed,
                multiplier,
            },
            default: s.defaults.rate.resolve(),
            severity: s.defaults.severity_pct / 100.0,
            recovery_lag: s.defaults.lag_months,
            advancing: deal.pricing.advancing,
            timing: PrepayTiming {
                first_period_fraction: deal.pricing.first_period_prepay_fraction,
            },
            rates,
            delinquency: delinquency(s),
        },
        horizon: s.horizon,
        price: s.price,
    })
}

/// The quote, settlement date and forward curve of `s` against the deal.
fn resolve_pricing(deal: &Deal, deal_curves: Option<&RateCurves>, s: &Scenario) -> Result<Pricing> {
    let settlement = s.settlement.unwrap_or(deal.dates.settlement);
    if settlement < deal.dates.closing {
        return Err(Error::invalid(
            "settlement",
            format!(
                "expected a date on or after the closing date ({}), found {settlement}",
                deal.dates.closing
            ),
        ));
    }
    // The forward curve: the scenario's own curves when it runs on curves, else the
    // deal's; the scenario's levels and shocks move it as they move the run.
    let base = match &s.rates.base {
        b @ (RateBase::Curves { .. } | RateBase::DealCurves) => Some(b.clone()),
        _ => deal_curves.map(|_| RateBase::DealCurves),
    };
    let forward = match base {
        Some(base) => {
            let r = Rates {
                base,
                levels: s.rates.levels.clone(),
                shocks: s.rates.shocks.clone(),
            };
            resolve_rates(deal, deal_curves, &r)?
                .get(&RateIndex::parse(&deal.pricing.index))
                .cloned()
        }
        None => None,
    };
    let quote = s.quote();
    if matches!(quote, Quote::Spread { .. }) && forward.is_none() {
        return Err(Error::invalid(
            "spread_bps",
            "a spread to the forward curve needs forward curves: the deal has none (curves.csv in its directory); give a curves file",
        ));
    }
    Ok(Pricing {
        quote,
        settlement,
        forward,
        settles_flat: settlement == deal.dates.settlement,
    })
}

/// What a tape without a deal brings to a projection in place of the deal's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct TapeTerms {
    /// Index paths of the ARMs (a curves file or flat levels), if any.
    pub curves: Option<RateCurves>,
    /// The servicer advances interest on defaulted loans awaiting liquidation.
    pub advancing: bool,
    /// Fraction (0..=1) of a month's prepayments that fall in period 1.
    pub first_period_fraction: f64,
}

/// Resolves `s` for a tape projected without a deal: there is no pricing speed, no
/// pricing rates and no forward curves besides `terms.curves`.
pub fn resolve_tape(s: &Scenario, terms: &TapeTerms) -> Result<Assumptions> {
    s.validate()?;
    for sp in [&s.prepay.arm, &s.prepay.fixed] {
        if let Speed::Pricing { .. } = sp {
            return Err(Error::invalid(
                "speed_pct",
                "a tape without a deal has no pricing speed; give a CPR, a PSA speed or a CPR vector",
            ));
        }
    }
    let f = terms.first_period_fraction;
    if !(0.0..=1.0).contains(&f) {
        return Err(Error::invalid(
            "first_period_fraction",
            format!("expected a fraction between 0 and 1, got {f}"),
        ));
    }
    let none = SpeedCurve::Cpr { cpr_pct: 0.0 };
    let (arm, _) = s.prepay.arm.resolve(&none);
    let (fixed, _) = s.prepay.fixed.resolve(&none);
    check_peak(&s.prepay.arm, &arm, 1.0, "ARM")?;
    check_peak(&s.prepay.fixed, &fixed, 1.0, "fixed-rate")?;
    let mut rates = match (&s.rates.base, &terms.curves) {
        (RateBase::Flat { pct }, _) => RateCurves::flat_all(pct / 100.0),
        (RateBase::Path { pct }, _) => {
            let path = RatePath {
                values: pct.iter().map(|x| x / 100.0).collect(),
            };
            let mut rc = RateCurves::flat_all(0.0);
            for (_, p) in rc.paths.iter_mut() {
                *p = path.clone();
            }
            rc
        }
        (RateBase::Curves { curves }, _) => curves.clone(),
        (_, Some(c)) => c.clone(),
        (_, None) => RateCurves::default(),
    };
    for (name, pct) in &s.rates.levels {
        rates.set(RateIndex::parse(name), RatePath::flat(pct / 100.0));
    }
    for sh in &s.rates.shocks {
        if sh.bps != 0.0 {
            let only = sh.index.as_deref().map(RateIndex::parse);
            rates = rates.shocked_index(only.as_ref(), sh.bps, sh.from_period as usize);
        }
    }
    Ok(Assumptions {
        prepay: PrepayAssumption {
            arm,
            fixed,
            multiplier: 1.0,
        },
        default: s.defaults.rate.resolve(),
        severity: s.defaults.severity_pct / 100.0,
        recovery_lag: s.defaults.lag_months,
        advancing: terms.advancing,
        timing: PrepayTiming {
            first_period_fraction: f,
        },
        rates,
        delinquency: delinquency(s),
    })
}

/// A speed whose peak would exceed 100% CPR would be cut to 100% in silence: an error.
fn check_peak(speed: &Speed, curve: &PrepayCurve, mult: f64, kind: &str) -> Result<()> {
    let peak = curve.peak_cpr() * mult;
    if peak > 1.0 + 1e-12 {
        let what = match speed {
            Speed::Pricing { pct } => format!(
                "a speed of {pct}% of the deal's {kind} pricing curve (peak {}% CPR)",
                curve.peak_cpr() * 100.0
            ),
            _ => format!("the {kind} speed"),
        };
        return Err(Error::invalid(
            speed.field(),
            format!(
                "{what} gives a prepayment rate of {}% CPR; expected at most 100%",
                peak * 100.0
            ),
        ));
    }
    Ok(())
}

/// The index paths of `r` against the deal.
pub fn resolve_rates(
    deal: &Deal,
    deal_curves: Option<&RateCurves>,
    r: &Rates,
) -> Result<RateCurves> {
    let mut rc = match &r.base {
        RateBase::Pricing => deal.pricing_rates(),
        RateBase::DealCurves => deal_curves.cloned().ok_or_else(|| {
            Error::invalid(
                "curves",
                "the deal has no forward curves (curves.csv in its directory); give a curves file or flat rates",
            )
        })?,
        RateBase::Curves { curves } => curves.clone(),
        RateBase::Flat { pct } => every_index(deal, RatePath::flat(pct / 100.0)),
        RateBase::Path { pct } => every_index(
            deal,
            RatePath {
                values: pct.iter().map(|x| x / 100.0).collect(),
            },
        ),
    };
    for (name, pct) in &r.levels {
        rc.set(known_index(deal, name)?, RatePath::flat(pct / 100.0));
    }
    for s in &r.shocks {
        if s.bps == 0.0 {
            continue;
        }
        let only = s
            .index
            .as_deref()
            .map(|n| known_index(deal, n))
            .transpose()?;
        rc = rc.shocked_index(only.as_ref(), s.bps, s.from_period as usize);
    }
    Ok(rc)
}

/// Every built-in and declared index on `path`.
fn every_index(deal: &Deal, path: RatePath) -> RateCurves {
    let mut rc = RateCurves::flat_all(0.0);
    for (_, p) in rc.paths.iter_mut() {
        *p = path.clone();
    }
    for n in &deal.collateral.indices {
        rc.set(RateIndex::parse(n), path.clone());
    }
    rc
}

fn known_index(deal: &Deal, name: &str) -> Result<RateIndex> {
    let ix = RateIndex::parse(name);
    if ix.is_builtin()
        || deal
            .collateral
            .indices
            .iter()
            .any(|d| RateIndex::parse(d) == ix)
    {
        Ok(ix)
    } else {
        let mut known = vec!["LIBOR1M", "LIBOR6M", "LIBOR12M", "CMT1Y"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        known.extend(deal.collateral.indices.iter().cloned());
        Err(Error::invalid(
            "index",
            format!(
                "unknown index `{name}`; expected one of {}",
                known.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_per_mistake() {
        let e = check("severity_pct", 150.0).unwrap_err().to_string();
        assert!(
            e.contains("field `severity_pct`: expected percent from 0 to 100, found 150"),
            "{e}"
        );
        let e = check("price", 0.0).unwrap_err().to_string();
        assert!(
            e.contains("expected percent of par above 0 and at most 1000, found 0"),
            "{e}"
        );
        let e = check("lag_months", 2.5).unwrap_err().to_string();
        assert!(e.contains("a whole number of months"), "{e}");
        assert!(check("shock_bps", -250.0).is_ok());
        let e = check_vector("cpr_vector", &[5.0, 120.0])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("period 2: expected percent CPR from 0 to 100"),
            "{e}"
        );
    }

    #[test]
    fn docs_list_every_field_with_its_unit() {
        let doc = include_str!("../../../docs/scenarios.md");
        for f in FIELDS {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", f.name)))
                .unwrap_or_else(|| panic!("docs/scenarios.md has no row for {}", f.name));
            assert!(
                row.contains(f.unit),
                "{}: unit {} not in `{row}`",
                f.name,
                f.unit
            );
            assert!(
                row.contains(&format!("{}", f.max)),
                "{}: max {} not in `{row}`",
                f.name,
                f.max
            );
        }
    }

    #[test]
    fn every_field_has_a_unit_a_range_and_a_doc() {
        for f in FIELDS {
            assert!(
                f.min < f.max && !f.unit.is_empty() && !f.doc.is_empty(),
                "{f:?}"
            );
        }
        let mut names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
    }

    #[test]
    fn set_replaces_the_assumption_it_names() {
        let mut s = Scenario::default();
        s.set("cpr_pct", 25.0).unwrap();
        assert_eq!(s.prepay, Prepay::all(Speed::Cpr { pct: 25.0 }));
        s.set("speed_pct", 150.0).unwrap();
        assert_eq!(s.prepay.arm, Speed::Pricing { pct: 150.0 });
        s.set("shock_from", 2.0).unwrap();
        s.set("shock_bps", 100.0).unwrap();
        assert_eq!(
            s.rates.shocks,
            vec![Shock {
                bps: 100.0,
                from_period: 2,
                index: None
            }]
        );
        assert!(s.set("severity_pct", -1.0).is_err());
        assert!(s.set("cpr_vector", 1.0).is_err());
    }
}
