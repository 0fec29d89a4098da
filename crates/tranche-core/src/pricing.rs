//! Pricing any way round: from a quote (price, discount margin, yield or spread to the
//! forward curve) to every other measure of a bond, at any settlement date; and the
//! effective duration and convexity of a deal's bonds by full revaluation.
//!
//! The math of each measure is [`crate::analytics::Priceable`]'s; this module decides what
//! is solved from what. Conventions and sources: `docs/conventions.md`.

use crate::analytics::{IndexAssumption, Priceable};
use crate::deal::{Bond, DayCount};
use crate::rates::RatePath;
use crate::runner::{DealModel, RunOutput};
use crate::scenario::{check_field, Field, Pricing, Quote, Scenario, Shock};
use crate::waterfall::{BondFlows, PeriodInfo};
use crate::{Error, Result};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

/// Every price-dependent measure of one bond at one quote. Rates are decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    /// Clean price, percent of the balance at settlement.
    pub price: f64,
    /// Accrued interest, percent of the balance at settlement.
    pub accrued: f64,
    /// Discount margin over the run's own index path.
    pub dm: f64,
    /// Bond-equivalent (semiannual) yield.
    pub yield_: f64,
    /// The same yield compounded monthly (the mortgage yield).
    pub yield_monthly: f64,
    /// Spread to the forward curve; `None` without forward curves.
    pub spread: Option<f64>,
    /// Modified duration at the yield (cash flows fixed), years.
    pub mod_duration: f64,
    /// −(1/P)·∂P/∂DM with the cash flows fixed, years.
    pub spread_duration: f64,
}

/// The balance outstanding at `settlement` over the original balance: the factor the
/// market quotes. `None` once the bond has paid off.
pub fn factor(flows: &BondFlows, periods: &[PeriodInfo], settlement: NaiveDate) -> Option<f64> {
    let next = next_period(flows, periods, settlement)?;
    (flows.original_balance > 0.0).then(|| next.0.begin_balance / flows.original_balance)
}

/// The bond period paid first after `settlement`, with its dates.
fn next_period<'a>(
    flows: &'a BondFlows,
    periods: &'a [PeriodInfo],
    settlement: NaiveDate,
) -> Option<(&'a crate::waterfall::BondPeriod, &'a PeriodInfo)> {
    flows.periods.iter().find_map(|bp| {
        let info = periods.iter().find(|p| p.period == bp.period)?;
        (info.payment_date > settlement).then_some((bp, info))
    })
}

/// Accrued interest at `settlement`, percent of the balance then: the coupon of the period
/// running at settlement, from its accrual start to settlement, in the bond's day count.
/// Zero when `flat` (the term sheet's settlement at issue) or before the accrual starts.
pub fn accrued(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
    day_count: DayCount,
    flat: bool,
) -> f64 {
    let Some((bp, info)) = next_period(flows, periods, settlement) else {
        return 0.0;
    };
    if flat || settlement <= info.accrual_start {
        return 0.0;
    }
    let days = match day_count {
        DayCount::Act360 => (settlement - info.accrual_start).num_days() as f64,
        DayCount::Thirty360 => days_30_360(info.accrual_start, settlement),
    };
    100.0 * bp.coupon * days / 360.0
}

/// Days between two dates on the 30/360 (US bond basis) convention.
pub fn days_30_360(start: NaiveDate, end: NaiveDate) -> f64 {
    let d1 = start.day().min(30);
    let d2 = if d1 == 30 {
        end.day().min(30)
    } else {
        end.day()
    };
    let years = f64::from(end.year() - start.year());
    let months = f64::from(end.month()) - f64::from(start.month());
    360.0 * years + 30.0 * months + f64::from(d2) - f64::from(d1)
}

/// A bond-equivalent yield (decimal) as the monthly-compounded yield with the same
/// discount factors: (1 + y/2)^2t = (1 + y_m/12)^12t.
pub fn monthly_from_bey(y: f64) -> f64 {
    12.0 * ((1.0 + y / 2.0).powf(1.0 / 6.0) - 1.0)
}

/// The inverse of [`monthly_from_bey`]: BEY = 2·[(1 + y_m/12)^6 − 1] (BMA SF §G.1).
pub fn bey_from_monthly(y_m: f64) -> f64 {
    2.0 * ((1.0 + y_m / 12.0).powi(6) - 1.0)
}

/// Every measure of one bond's flows at `pricing`'s quote and settlement.
pub fn measure(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    pricing: &Pricing,
    day_count: DayCount,
) -> Result<Measures> {
    let settle = pricing.settlement;
    let run = Priceable::new(flows, periods, settle, &IndexAssumption::Run)?;
    let fwd = pricing
        .forward
        .as_ref()
        .map(|path| {
            Priceable::new(
                flows,
                periods,
                settle,
                &IndexAssumption::Path { path: path.clone() },
            )
        })
        .transpose()?;
    let ai = accrued(flows, periods, settle, day_count, pricing.settles_flat);
    // The full price (clean + accrued) is what the cash flows are worth.
    let full = match pricing.quote {
        Quote::Price { pct } => pct + ai,
        Quote::Dm { bps } => run.price_from_dm(bps / 10_000.0),
        Quote::Yield { pct } => run.price_from_yield(pct / 100.0),
        Quote::Spread { bps } => fwd
            .as_ref()
            .ok_or_else(|| Error::invalid("spread_bps", "no forward curve to measure it from"))?
            .price_from_dm(bps / 10_000.0),
    };
    if !full.is_finite() || full <= 0.0 {
        return Err(Error::NoSolution(format!(
            "{}: {} gives no positive price",
            flows.name, pricing.quote
        )));
    }
    let dm = run.dm_from_price(full)?;
    let y = run.yield_from_price(full)?;
    Ok(Measures {
        price: full - ai,
        accrued: ai,
        dm,
        yield_: y,
        yield_monthly: monthly_from_bey(y),
        spread: fwd.and_then(|f| f.dm_from_price(full).ok()),
        mod_duration: run.macaulay_duration(y) / (1.0 + y / 2.0),
        spread_duration: run.dm_duration(dm),
    })
}

/// The day count of the bond named `name` (act/360 when the deal does not list it).
pub fn day_count_of(bonds: &[Bond], name: &str) -> DayCount {
    bonds
        .iter()
        .find(|b| b.name == name)
        .map_or(DayCount::Act360, Bond::day_count)
}

/// The rate shift of effective duration and convexity: its unit and range.
pub const EFFECTIVE_SHIFT: Field = Field {
    name: "eff_shift_bps",
    unit: "basis points",
    min: 0.0,
    max: 1_000.0,
    min_open: true,
    whole: false,
    doc: "shift of every index path, up and down, for effective duration and convexity",
};

/// The default shift, basis points.
pub const DEFAULT_SHIFT_BPS: f64 = 25.0;

/// Effective duration and convexity from the full prices at the base (`p0`) and with the
/// rates shifted up and down by `shift` (decimal): central differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effective {
    pub duration: f64,
    pub convexity: f64,
}

impl Effective {
    pub fn from_prices(p0: f64, up: f64, down: f64, shift: f64) -> Self {
        Effective {
            duration: (down - up) / (2.0 * p0 * shift),
            convexity: (up + down - 2.0 * p0) / (p0 * shift * shift),
        }
    }
}

/// Runs `s` and fills every bond's effective duration and convexity: the deal run again
/// with every index path shifted `shift_bps` up and down (collateral resets, coupons, caps,
/// derivatives and triggers all see the shift), each bond repriced at its base discount
/// margin over the shifted index path. The rates of the period running at settlement are
/// already fixed, so the run's paths shift from the next period on; the discounting shifts
/// from settlement.
pub fn run_with_risk(model: &DealModel, s: &Scenario, shift_bps: f64) -> Result<RunOutput> {
    let shift_bps = check_field(&EFFECTIVE_SHIFT, shift_bps)?;
    let base = model.run(s)?;
    let settle = model.resolve(s)?.pricing.settlement;
    let fixed = base
        .run
        .periods
        .iter()
        .find(|p| p.payment_date > settle)
        .map_or(1, |p| p.period);
    let shifted = |bps: f64| {
        let mut t = s.clone();
        t.rates.shocks.push(Shock {
            bps,
            from_period: fixed + 1,
            index: None,
        });
        t
    };
    let mut runs = [shifted(shift_bps), shifted(-shift_bps)]
        .par_iter()
        .map(|sc| model.run(sc))
        .collect::<Result<Vec<_>>>()?;
    let (Some(down), Some(up)) = (runs.pop(), runs.pop()) else {
        return Err(Error::Unrunnable("effective duration runs missing".into()));
    };
    let mut base = base;
    for (k, b) in base.summary.bonds.iter_mut().enumerate() {
        let (Some(dm), Some(price)) = (b.dm_bps, b.price) else {
            continue;
        };
        let dm = dm / 10_000.0;
        let p0 = price + b.accrued_pct.unwrap_or(0.0);
        let at = |out: &RunOutput, bps: f64| reprice(out, k, settle, fixed, bps / 10_000.0, dm);
        if let (Some(pu), Some(pd)) = (at(&up, shift_bps), at(&down, -shift_bps)) {
            let e = Effective::from_prices(p0, pu, pd, shift_bps / 10_000.0);
            b.eff_duration = Some(e.duration);
            b.eff_convexity = Some(e.convexity);
        }
    }
    Ok(base)
}

/// Bond `k` of a shifted run priced at `dm` over that run's index path, with the periods
/// up to `fixed` (whose rates the run kept) shifted by `shift` for the discounting only.
fn reprice(
    out: &RunOutput,
    k: usize,
    settle: NaiveDate,
    fixed: u32,
    shift: f64,
    dm: f64,
) -> Option<f64> {
    let b = out.run.bonds.get(k)?;
    let last = out.run.periods.iter().map(|p| p.period).max()?;
    let mut values = vec![0.0; last as usize];
    for p in &out.run.periods {
        let add = if p.period <= fixed { shift } else { 0.0 };
        values[(p.period - 1) as usize] = p.bond_index_rate + add;
    }
    let path = IndexAssumption::Path {
        path: RatePath { values },
    };
    Priceable::new(b, &out.run.periods, settle, &path)
        .ok()
        .map(|p| p.price_from_dm(dm))
}

#[cfg(test)]
mod tests;
