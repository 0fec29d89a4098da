//! Breakevens: the default rate at which a class first reaches a target (its first dollar
//! of principal loss, a loss percentage, a yield or a discount margin), for each cell of
//! speeds × severities × lags.
//!
//! Each cell scans the default rate upward in coarse steps from 0 until the target is
//! reached, then bisects the last step to the tolerance ([`Over::tolerance`]: 0.01% CDR,
//! 0.1% SDA); every point is a full deal run through the one runner. The solver works on
//! the tolerance's grid, so the answer is the first grid point, within the bracket, at
//! which the target is reached. Where losses are not monotone in the default rate (a
//! trigger, the clean-up call), the answer is the first crossing on the scan and the row
//! says so. Cells run in parallel; the classes and targets of one cell share its runs.

use crate::runner::DealModel;
use crate::scenario::{check, DefaultRate, Scenario};
use crate::summary::{BondSummary, RunSummary, LOSS_DUST_PCT};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a class must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    /// Its first dollar of principal loss (beyond rounding dust, [`LOSS_DUST_PCT`]).
    FirstLoss,
    /// A principal loss of at least this percent of its original balance.
    LossPct { pct: f64 },
    /// A yield (at the scenario's price) at or below this, percent.
    Yield { pct: f64 },
    /// A discount margin (at the scenario's price) at or below this, basis points.
    Dm { bps: f64 },
}

impl Target {
    /// Reads `first-loss`, `loss-pct=X`, `yield=Y` or `dm=D`.
    pub fn parse(s: &str) -> Result<Target> {
        let t = s.trim().to_ascii_lowercase();
        if t == "first-loss" || t == "first_loss" {
            return Ok(Target::FirstLoss);
        }
        let bad = || {
            Error::invalid(
                "target",
                format!("expected first-loss, loss-pct=X, yield=Y or dm=D, found `{s}`"),
            )
        };
        let (kind, v) = t.split_once('=').ok_or_else(bad)?;
        let v: f64 = v.trim().parse().map_err(|_| bad())?;
        match kind.trim() {
            "loss-pct" | "loss_pct" => {
                if !(v > 0.0 && v <= 100.0) {
                    return Err(Error::invalid(
                        "target",
                        format!("loss-pct: expected percent above 0 and at most 100, found {v}"),
                    ));
                }
                Ok(Target::LossPct { pct: v })
            }
            "yield" => Ok(Target::Yield {
                pct: check("yield_pct", v).map_err(|e| under_target("yield", e))?,
            }),
            "dm" => Ok(Target::Dm {
                bps: check("dm_bps", v).map_err(|e| under_target("dm", e))?,
            }),
            _ => Err(bad()),
        }
    }

    /// The spelling [`Target::parse`] reads.
    pub fn name(&self) -> String {
        match self {
            Target::FirstLoss => "first-loss".into(),
            Target::LossPct { pct } => format!("loss-pct={pct}"),
            Target::Yield { pct } => format!("yield={pct}"),
            Target::Dm { bps } => format!("dm={bps}"),
        }
    }

    /// How far the class is gone towards the target: rises as it gets worse (loss
    /// percent; yield and DM negated). A bond whose yield cannot be solved (no cash left
    /// to reach the price) is infinitely bad.
    pub fn badness(&self, b: &BondSummary) -> f64 {
        match self {
            Target::FirstLoss | Target::LossPct { .. } => b.principal_loss_pct,
            Target::Yield { .. } => b.yield_pct.map_or(f64::INFINITY, |y| -y),
            Target::Dm { .. } => b.dm_bps.map_or(f64::INFINITY, |d| -d),
        }
    }

    /// The target is reached by `b`.
    pub fn reached(&self, b: &BondSummary) -> bool {
        let x = self.badness(b);
        match self {
            Target::FirstLoss => x > LOSS_DUST_PCT,
            Target::LossPct { pct } => x >= *pct,
            Target::Yield { pct } => x >= -pct,
            Target::Dm { bps } => x >= -bps,
        }
    }

    /// Falls in `badness` smaller than this are noise, not a break in monotonicity: loss
    /// below the dust, yield or DM by less than a basis point (a floater's yield moves by
    /// fractions of one as defaults return principal sooner).
    fn noise(&self) -> f64 {
        match self {
            Target::FirstLoss | Target::LossPct { .. } => LOSS_DUST_PCT,
            Target::Yield { .. } => 0.01,
            Target::Dm { .. } => 1.0,
        }
    }
}

fn under_target(what: &str, e: Error) -> Error {
    match e {
        Error::Invalid(mut fe) => {
            fe.location.field = Some("target".into());
            fe.message = format!("{what}: {}", fe.message);
            Error::Invalid(fe)
        }
        other => other,
    }
}

/// The default rate the solver moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Over {
    /// Constant CDR, percent.
    Cdr,
    /// SDA speed, percent.
    Sda,
    /// A multiple, percent, of the scenario's CDR vector.
    DefaultVectorMultiple,
}

impl Over {
    /// Reads `cdr`, `sda` or `default-vector-multiple`.
    pub fn parse(s: &str) -> Result<Over> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "cdr" => Ok(Over::Cdr),
            "sda" => Ok(Over::Sda),
            "default-vector-multiple" | "vector-multiple" => Ok(Over::DefaultVectorMultiple),
            _ => Err(Error::invalid(
                "over",
                format!("expected cdr, sda or default-vector-multiple, found `{s}`"),
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Over::Cdr => "cdr",
            Over::Sda => "sda",
            Over::DefaultVectorMultiple => "default-vector-multiple",
        }
    }

    /// The unit of a rate, for people.
    pub fn unit(&self) -> &'static str {
        match self {
            Over::Cdr => "% CDR",
            Over::Sda => "% SDA",
            Over::DefaultVectorMultiple => "% of the CDR vector",
        }
    }

    /// How finely the answer is solved.
    pub fn tolerance(&self) -> f64 {
        match self {
            Over::Cdr => 0.01,
            Over::Sda | Over::DefaultVectorMultiple => 0.1,
        }
    }

    /// The scan's step unless one is given.
    pub fn default_step(&self) -> f64 {
        match self {
            Over::Cdr => 1.0,
            Over::Sda => 100.0,
            Over::DefaultVectorMultiple => 10.0,
        }
    }

    /// The highest rate scanned: 100% CDR, or what reaches it (SDA's peak, the vector's
    /// largest value).
    pub fn max(&self, base: &Scenario) -> Result<f64> {
        match self {
            Over::Cdr => Ok(100.0),
            // 16,666% SDA peaks at 99.996% CDR.
            Over::Sda => Ok(16_666.0),
            Over::DefaultVectorMultiple => match &base.defaults.rate {
                DefaultRate::Vector { cdr_pct } => {
                    let peak = cdr_pct.iter().copied().fold(0.0, f64::max);
                    if peak <= 0.0 {
                        return Err(Error::invalid(
                            "cdr_vector",
                            "a multiple of a CDR vector of zeros has no defaults to scale",
                        ));
                    }
                    Ok(100.0 * 100.0 / peak)
                }
                _ => Err(Error::invalid(
                    "over",
                    "default-vector-multiple scales a CDR vector; give one (--cdr-vector)",
                )),
            },
        }
    }

    /// `base` with its default rate at `x`.
    pub fn apply(&self, base: &Scenario, x: f64) -> Result<Scenario> {
        let mut s = base.clone();
        match self {
            Over::Cdr => s.set("cdr_pct", x)?,
            Over::Sda => s.set("sda_pct", x)?,
            Over::DefaultVectorMultiple => {
                if let DefaultRate::Vector { cdr_pct } = &base.defaults.rate {
                    s.defaults.rate = DefaultRate::Vector {
                        cdr_pct: cdr_pct.iter().map(|v| (v * x / 100.0).min(100.0)).collect(),
                    };
                }
            }
        }
        Ok(s)
    }
}

/// A breakeven's cells when a front end is given none: 100% of the pricing speed (when no
/// other prepayment assumption is given), 40% severity, a 12-month lag.
pub const DEFAULT_SPEED_PCT: f64 = 100.0;
pub const DEFAULT_SEVERITY_PCT: f64 = 40.0;
pub const DEFAULT_LAG_MONTHS: f64 = 12.0;

/// The scenario a breakeven starts from: the pricing assumption, to maturity.
pub fn default_base() -> Scenario {
    Scenario {
        horizon: crate::waterfall::Horizon::Maturity,
        ..Scenario::default()
    }
}

/// Why a breakeven over `over` refuses the scenario input `input` (a canonical name), if
/// it does: it solves for the default rate, and measures yield and DM targets at a price.
/// `name` spells the inputs the message points to as the front end does (`--over`).
pub fn refused(input: &str, over: Over, name: &dyn Fn(&str) -> String) -> Option<String> {
    let solves = || {
        format!(
            "the breakeven solves for the default rate ({})",
            name("over")
        )
    };
    match input {
        "cdr_pct" | "sda_pct" => Some(format!("{}; it is not an input", solves())),
        "cdr_vector" if over != Over::DefaultVectorMultiple => Some(format!(
            "{}; a CDR vector is scaled only with {} `default-vector-multiple`",
            solves(),
            name("over")
        )),
        "dm_bps" | "yield_pct" | "spread_bps" => Some(format!(
            "yield and DM targets are measured at a price; give {}",
            name("price")
        )),
        _ => None,
    }
}

/// What to solve: classes × targets in every cell of speeds × severities × lags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakevenSpec {
    /// Everything else: rates, horizon, price, and the speed, severity and lag used when
    /// their lists are empty.
    pub base: Scenario,
    pub classes: Vec<String>,
    pub targets: Vec<Target>,
    pub over: Over,
    /// Percent of the pricing speed.
    pub speeds: Vec<f64>,
    pub severities: Vec<f64>,
    pub lags: Vec<u32>,
    /// The scan's step in the rate's unit (`None`: [`Over::default_step`]).
    pub step: Option<f64>,
}

/// One point the solver ran.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub rate: f64,
    pub reached: bool,
    /// [`Target::badness`] there.
    pub badness: f64,
}

/// The answer for one class, target and cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakeven {
    pub class: String,
    pub target: Target,
    pub over: Over,
    /// `None`: the base scenario's prepayment assumption.
    pub speed_pct: Option<f64>,
    pub severity_pct: f64,
    pub lag_months: u32,
    /// The lowest rate (on the tolerance's grid) at which the target is reached; `None`
    /// when it is not reached up to `max_rate`.
    pub rate: Option<f64>,
    pub max_rate: f64,
    /// Cumulative pool loss at `rate`, percent of the cut-off balance.
    pub pool_loss_pct: Option<f64>,
    /// The class's principal loss at `rate`, percent of its original balance.
    pub class_loss_pct: Option<f64>,
    /// No run showed the class doing better at a higher default rate.
    pub monotone: bool,
    /// Every point run for this answer, by rate.
    pub probes: Vec<Probe>,
}

impl Breakeven {
    /// A note for people: not reached, or not monotone.
    pub fn note(&self) -> String {
        match (self.rate, self.monotone) {
            (None, _) => format!(
                "not reached up to {}{}",
                trim(self.max_rate),
                self.over.unit()
            ),
            (Some(_), false) => "not monotone in the default rate: the first crossing".into(),
            (Some(_), true) => String::new(),
        }
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One cell: its scenario, and its runs by grid point.
struct Cell {
    speed_pct: Option<f64>,
    severity_pct: f64,
    lag_months: u32,
    scenario: Scenario,
    runs: BTreeMap<i64, RunSummary>,
}

impl Cell {
    fn eval(&mut self, model: &DealModel, over: Over, k: i64) -> Result<&RunSummary> {
        if !self.runs.contains_key(&k) {
            let s = over.apply(&self.scenario, k as f64 * over.tolerance())?;
            let out = model.run(&s)?;
            self.runs.insert(k, out.summary);
        }
        self.runs
            .get(&k)
            .ok_or_else(|| Error::Unrunnable("breakeven run missing".into()))
    }
}

/// Solves every class and target in every cell, cells in parallel; `progress` is called
/// once per answer (from worker threads). Rows come back cell by cell (speeds outermost,
/// then severities, lags), then class, then target, whatever the thread count.
pub fn solve(
    model: &DealModel,
    spec: &BreakevenSpec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Breakeven>> {
    let cells = cells(model, spec)?;
    let max = spec.over.max(&spec.base)?;
    let tol = spec.over.tolerance();
    let step = spec.step.unwrap_or(spec.over.default_step());
    if !(step.is_finite() && step >= tol && step <= max) {
        return Err(Error::invalid(
            "step",
            format!(
                "expected a step from {tol} to {} {}, found {step}",
                trim(max),
                spec.over.unit()
            ),
        ));
    }
    let grid = Grid {
        step: (step / tol).round() as i64,
        max: (max / tol + 1e-9).floor() as i64,
    };
    let per_cell: Vec<Vec<Breakeven>> = cells
        .into_par_iter()
        .map(|mut cell| {
            let mut out = Vec::new();
            for class in &spec.classes {
                for target in &spec.targets {
                    out.push(solve_one(
                        model, spec.over, &grid, &mut cell, class, *target,
                    )?);
                    progress();
                }
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    Ok(per_cell.into_iter().flatten().collect())
}

/// The scan's points, in tolerance units.
struct Grid {
    step: i64,
    max: i64,
}

fn cells(model: &DealModel, spec: &BreakevenSpec) -> Result<Vec<Cell>> {
    if spec.classes.is_empty() || spec.targets.is_empty() {
        return Err(Error::invalid(
            "class",
            "need at least one class and one target",
        ));
    }
    for c in &spec.classes {
        if !model.deal.bonds.iter().any(|b| &b.name == c) {
            let known: Vec<&str> = model.deal.bonds.iter().map(|b| b.name.as_str()).collect();
            return Err(Error::invalid(
                "class",
                format!(
                    "no class `{c}` in the deal; expected one of {}",
                    known.join(", ")
                ),
            ));
        }
    }
    let speeds: Vec<Option<f64>> = if spec.speeds.is_empty() {
        vec![None]
    } else {
        spec.speeds.iter().copied().map(Some).collect()
    };
    let sevs = if spec.severities.is_empty() {
        vec![spec.base.defaults.severity_pct]
    } else {
        spec.severities.clone()
    };
    let lags = if spec.lags.is_empty() {
        vec![spec.base.defaults.lag_months]
    } else {
        spec.lags.clone()
    };
    let mut out = Vec::new();
    for sp in &speeds {
        for sev in &sevs {
            for lag in &lags {
                let mut s = spec.base.clone();
                if let Some(sp) = sp {
                    s.set("speed_pct", *sp)?;
                }
                s.set("severity_pct", *sev)?;
                s.set("lag_months", f64::from(*lag))?;
                // Checked against the deal now, so a bad cell is told before any run.
                model.resolve(&spec.over.apply(&s, 0.0)?)?;
                out.push(Cell {
                    speed_pct: *sp,
                    severity_pct: *sev,
                    lag_months: *lag,
                    scenario: s,
                    runs: BTreeMap::new(),
                });
            }
        }
    }
    Ok(out)
}

fn solve_one(
    model: &DealModel,
    over: Over,
    grid: &Grid,
    cell: &mut Cell,
    class: &str,
    target: Target,
) -> Result<Breakeven> {
    let bond = |s: &RunSummary| -> Result<BondSummary> {
        s.bond(class)
            .cloned()
            .ok_or_else(|| Error::invalid("class", format!("no class `{class}` in the run")))
    };
    let reached_at = |cell: &mut Cell, k: i64| -> Result<bool> {
        Ok(target.reached(&bond(cell.eval(model, over, k)?)?))
    };
    // Scan up: the first scan point that reaches the target, and the one before.
    let mut lo: Option<i64> = None;
    let mut hi: Option<i64> = None;
    let mut k = 0;
    loop {
        if reached_at(cell, k)? {
            hi = Some(k);
            break;
        }
        lo = Some(k);
        if k >= grid.max {
            break;
        }
        k = (k + grid.step).min(grid.max);
    }
    // Bisect the last step on the tolerance's grid, starting from what the runs of the
    // cell's other answers already show inside it.
    if let (Some(mut a), Some(mut b)) = (lo, hi) {
        let known: Vec<(i64, bool)> = cell
            .runs
            .range(a + 1..b)
            .map(|(k, s)| Ok((*k, target.reached(&bond(s)?))))
            .collect::<Result<_>>()?;
        for (k, reached) in known {
            if reached {
                b = k;
                break;
            }
            a = k;
        }
        while b - a > 1 {
            let mid = a + (b - a) / 2;
            if reached_at(cell, mid)? {
                b = mid;
            } else {
                a = mid;
            }
        }
        hi = Some(b);
    }
    let tol = over.tolerance();
    let mut probes = Vec::with_capacity(cell.runs.len());
    for (k, s) in &cell.runs {
        let b = bond(s)?;
        probes.push(Probe {
            rate: *k as f64 * tol,
            reached: target.reached(&b),
            badness: target.badness(&b),
        });
    }
    // Only the points up to the answer were run for this class; others in the cell's
    // cache (other classes' scans) count too.
    let monotone = probes.windows(2).all(|w| {
        let falls_back = w[0].reached && !w[1].reached;
        !falls_back && w[1].badness >= w[0].badness - target.noise()
    });
    let at = match hi {
        Some(k) => Some(cell.eval(model, over, k)?.clone()),
        None => None,
    };
    Ok(Breakeven {
        class: class.to_string(),
        target,
        over,
        speed_pct: cell.speed_pct,
        severity_pct: cell.severity_pct,
        lag_months: cell.lag_months,
        rate: hi.map(|k| k as f64 * tol),
        max_rate: grid.max as f64 * tol,
        pool_loss_pct: at.as_ref().map(|s| s.pool_loss_pct),
        class_loss_pct: match &at {
            Some(s) => Some(bond(s)?.principal_loss_pct),
            None => None,
        },
        monotone,
        probes,
    })
}

#[cfg(test)]
mod tests;
