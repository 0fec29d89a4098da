//! Bond analytics: WAL, payment windows, discount margin, yield, price, duration, spread.
//!
//! Pure functions over one bond's projected flows ([`BondFlows`]), the run's period dates
//! ([`PeriodInfo`]) and a settlement date. Prices are percent of the bond's balance at
//! settlement and settle flat (no accrued interest): the term sheets of this deal family say
//! so ("settling flat"), so price = present value of the flows after settlement.
//!
//! Conventions (sources in `docs/conventions.md`):
//! - WAL: act/365 years from settlement to each business-day-adjusted payment date,
//!   weighted by principal paid.
//! - Discount margin: P = Σ CF_i / Π_{j≤i} (1 + (I_j + DM)·d_j/360), d_j the actual days
//!   from the prior payment date (first: settlement) to payment date j.
//! - Yield: P = Σ CF_i · (1 + y/2)^(−2·t_i), t_i act/360 years from settlement
//!   (semiannual compounding, the bond-equivalent basis).
//! - Modified duration: Macaulay duration at that yield (times in act/360 years) divided by
//!   (1 + y/2). With the yield solved at the table's price (par) this reproduces the
//!   published Price/DM tables of the reference deal.

use crate::dates::{act360, act365, days_between};
use crate::rates::RatePath;
use crate::waterfall::{BondFlows, BondPeriod, PeriodInfo};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Relative size below which a principal payment counts as none (rounding dust).
const DUST: f64 = 1e-9;

/// Cash a bondholder receives in a period: interest, Basis Risk Amounts, principal and
/// reimbursed Allocated Realized Loss Amounts.
pub fn period_cash(p: &BondPeriod) -> f64 {
    p.interest_paid + p.basis_risk_paid + p.principal_paid + p.reimbursement
}

/// One dated cash flow after settlement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DatedFlow {
    pub period: u32,
    pub date: NaiveDate,
    /// Actual days since the prior flow's date (first: since settlement).
    pub days: i64,
    /// Cash, currency.
    pub cash: f64,
    pub principal: f64,
}

/// The bond's flows paid strictly after `settlement`, matched to their period dates.
/// Periods are matched by number; a bond period without a date is an error.
pub fn dated_flows(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
) -> Result<Vec<DatedFlow>> {
    let mut out = Vec::with_capacity(flows.periods.len());
    let mut prev = settlement;
    for bp in &flows.periods {
        let info = find_period(periods, bp.period)?;
        if info.payment_date <= settlement {
            continue;
        }
        out.push(DatedFlow {
            period: bp.period,
            date: info.payment_date,
            days: days_between(prev, info.payment_date),
            cash: period_cash(bp),
            principal: bp.principal_paid,
        });
        prev = info.payment_date;
    }
    Ok(out)
}

fn find_period(periods: &[PeriodInfo], period: u32) -> Result<&PeriodInfo> {
    // Runs list periods in order starting at 1: try the direct slot first.
    let direct = (period as usize)
        .checked_sub(1)
        .and_then(|i| periods.get(i))
        .filter(|p| p.period == period);
    direct
        .or_else(|| periods.iter().find(|p| p.period == period))
        .ok_or_else(|| Error::invalid("periods", format!("no dates for period {period}")))
}

/// The balance the price refers to: the bond's balance at settlement.
fn settlement_balance(flows: &BondFlows, periods: &[PeriodInfo], settlement: NaiveDate) -> f64 {
    flows
        .periods
        .iter()
        .find(|bp| {
            find_period(periods, bp.period)
                .map(|i| i.payment_date > settlement)
                .unwrap_or(false)
        })
        .map(|bp| bp.begin_balance)
        .unwrap_or(flows.original_balance)
}

/// Weighted average life in years (act/365 from settlement), `None` if no principal is paid.
pub fn wal(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
) -> Result<Option<f64>> {
    let mut num = 0.0;
    let mut den = 0.0;
    for f in dated_flows(flows, periods, settlement)? {
        num += act365(settlement, f.date) * f.principal;
        den += f.principal;
    }
    Ok((den > DUST * flows.original_balance.max(1.0)).then(|| num / den))
}

/// First and last principal payments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PaymentWindow {
    pub first_period: u32,
    pub last_period: u32,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
}

impl PaymentWindow {
    /// Length in months, both ends included (a window "1 - 47" is 47 months).
    pub fn months(&self) -> u32 {
        self.last_period + 1 - self.first_period
    }
}

/// The principal payment window, `None` if the bond pays no principal.
pub fn payment_window(flows: &BondFlows, periods: &[PeriodInfo]) -> Result<Option<PaymentWindow>> {
    let tol = DUST * flows.original_balance.max(1.0);
    let paying: Vec<&BondPeriod> = flows
        .periods
        .iter()
        .filter(|p| p.principal_paid > tol)
        .collect();
    let (Some(first), Some(last)) = (paying.first(), paying.last()) else {
        return Ok(None);
    };
    Ok(Some(PaymentWindow {
        first_period: first.period,
        last_period: last.period,
        first_date: find_period(periods, first.period)?.payment_date,
        last_date: find_period(periods, last.period)?.payment_date,
    }))
}

/// The index path assumed when discounting at a margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IndexAssumption {
    /// One level for every period (decimal), the usual DM convention.
    Flat { rate: f64 },
    /// A path by period (e.g. forward 1M LIBOR); the last value holds.
    Path { path: RatePath },
    /// The index each period of the run used for the bond coupons.
    Run,
}

impl IndexAssumption {
    fn rate(&self, info: &PeriodInfo) -> f64 {
        match self {
            IndexAssumption::Flat { rate } => *rate,
            IndexAssumption::Path { path } => path.at(info.period as usize),
            IndexAssumption::Run => info.bond_index_rate,
        }
    }
}

/// Everything pricing needs, prepared once so root finding does not re-walk the run.
#[derive(Debug, Clone)]
pub struct Priceable {
    flows: Vec<DatedFlow>,
    /// Index rate per flow (decimal).
    index: Vec<f64>,
    /// act/360 years from settlement per flow.
    t360: Vec<f64>,
    balance: f64,
}

impl Priceable {
    pub fn new(
        flows: &BondFlows,
        periods: &[PeriodInfo],
        settlement: NaiveDate,
        index: &IndexAssumption,
    ) -> Result<Self> {
        let dated = dated_flows(flows, periods, settlement)?;
        let mut idx = Vec::with_capacity(dated.len());
        for f in &dated {
            idx.push(index.rate(find_period(periods, f.period)?));
        }
        let t360 = dated.iter().map(|f| act360(settlement, f.date)).collect();
        let balance = settlement_balance(flows, periods, settlement);
        if balance.is_nan() || balance <= 0.0 {
            return Err(Error::invalid(
                "balance",
                format!("bond {} has no balance at settlement", flows.name),
            ));
        }
        Ok(Priceable {
            flows: dated,
            index: idx,
            t360,
            balance,
        })
    }

    /// Price (percent of settlement balance) discounting at index + `dm` (decimal).
    pub fn price_from_dm(&self, dm: f64) -> f64 {
        let mut df = 1.0;
        let mut pv = 0.0;
        for (f, i) in self.flows.iter().zip(&self.index) {
            df /= 1.0 + (i + dm) * f.days as f64 / 360.0;
            pv += f.cash * df;
        }
        100.0 * pv / self.balance
    }

    /// Spread duration at discount margin `dm`: −(1/P)·∂P/∂DM with the flows fixed, in
    /// years, exact for the money-market discounting of [`Priceable::price_from_dm`]:
    /// Σ PVᵢ · Σ_{j≤i} τⱼ/(1 + (I_j + DM)·τⱼ) / Σ PVᵢ, τⱼ = d_j/360.
    pub fn dm_duration(&self, dm: f64) -> f64 {
        let (mut df, mut tau_sum) = (1.0, 0.0);
        let (mut pv, mut wpv) = (0.0, 0.0);
        for (f, i) in self.flows.iter().zip(&self.index) {
            let tau = f.days as f64 / 360.0;
            let g = 1.0 + (i + dm) * tau;
            df /= g;
            tau_sum += tau / g;
            pv += f.cash * df;
            wpv += f.cash * df * tau_sum;
        }
        if pv == 0.0 {
            0.0
        } else {
            wpv / pv
        }
    }

    /// Discount margin (decimal) that prices the flows at `price`.
    pub fn dm_from_price(&self, price: f64) -> Result<f64> {
        solve_decreasing(|dm| self.price_from_dm(dm) - price, 0.0, 0.01, -0.5, 5.0)
            .map_err(|e| no_solution("discount margin", price, e))
    }

    /// Price (percent) at bond-equivalent yield `y` (decimal, semiannual, act/360 times).
    pub fn price_from_yield(&self, y: f64) -> f64 {
        let base = 1.0 + y / 2.0;
        let pv: f64 = self
            .flows
            .iter()
            .zip(&self.t360)
            .map(|(f, t)| f.cash * base.powf(-2.0 * t))
            .sum();
        100.0 * pv / self.balance
    }

    /// Bond-equivalent yield (decimal) at `price`.
    pub fn yield_from_price(&self, price: f64) -> Result<f64> {
        solve_decreasing(
            |y| self.price_from_yield(y) - price,
            0.05,
            0.02,
            -0.99,
            10.0,
        )
        .map_err(|e| no_solution("yield", price, e))
    }

    /// Macaulay duration (act/360 years) at yield `y`.
    pub fn macaulay_duration(&self, y: f64) -> f64 {
        let base = 1.0 + y / 2.0;
        let (mut pv, mut tpv) = (0.0, 0.0);
        for (f, t) in self.flows.iter().zip(&self.t360) {
            let v = f.cash * base.powf(-2.0 * t);
            pv += v;
            tpv += t * v;
        }
        if pv == 0.0 {
            0.0
        } else {
            tpv / pv
        }
    }

    /// Modified duration at `price`: Macaulay duration at the yield for that price,
    /// divided by (1 + y/2).
    pub fn modified_duration(&self, price: f64) -> Result<f64> {
        let y = self.yield_from_price(price)?;
        Ok(self.macaulay_duration(y) / (1.0 + y / 2.0))
    }

    /// Z-spread (decimal): constant spread over a zero curve (semiannual compounding,
    /// act/360 times, rates interpolated linearly in time) that prices the flows at `price`.
    pub fn z_spread(&self, curve: &Curve, price: f64) -> Result<f64> {
        let zeros: Vec<f64> = self.t360.iter().map(|t| curve.rate_at(*t)).collect();
        let price_at = |s: f64| -> f64 {
            let pv: f64 = self
                .flows
                .iter()
                .zip(&self.t360)
                .zip(&zeros)
                .map(|((f, t), z)| f.cash * (1.0 + (z + s) / 2.0).powf(-2.0 * t))
                .sum();
            100.0 * pv / self.balance
        };
        solve_decreasing(|s| price_at(s) - price, 0.0, 0.01, -0.5, 5.0)
            .map_err(|e| no_solution("z-spread", price, e))
    }
}

fn no_solution(what: &str, price: f64, detail: String) -> Error {
    Error::NoSolution(format!("{what} for price {price}: {detail}"))
}

/// A yield curve: (years, rate decimal) points, linear in between, flat beyond the ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    pub fn new(mut points: Vec<(f64, f64)>) -> Result<Self> {
        if points.is_empty() || points.iter().any(|(t, r)| !t.is_finite() || !r.is_finite()) {
            return Err(Error::invalid(
                "curve",
                "need at least one finite (years, rate) point",
            ));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Curve { points })
    }

    pub fn rate_at(&self, t: f64) -> f64 {
        let p = &self.points;
        match p.iter().position(|(pt, _)| *pt >= t) {
            None => p.last().map(|x| x.1).unwrap_or(0.0),
            Some(0) => p[0].1,
            Some(i) => {
                let (t0, r0) = p[i - 1];
                let (t1, r1) = p[i];
                if t1 == t0 {
                    r1
                } else {
                    r0 + (r1 - r0) * (t - t0) / (t1 - t0)
                }
            }
        }
    }
}

/// Spread (decimal) of `yield_` over the curve's rate at the bond's WAL (the I-spread a
/// new-issue table quotes as "spread to the interpolated curve at the WAL").
pub fn spread_to_curve_at_wal(yield_: f64, wal_years: f64, curve: &Curve) -> f64 {
    yield_ - curve.rate_at(wal_years)
}

/// Price from a discount margin in one call (see [`Priceable::price_from_dm`]).
pub fn price_from_dm(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
    index: &IndexAssumption,
    dm: f64,
) -> Result<f64> {
    Ok(Priceable::new(flows, periods, settlement, index)?.price_from_dm(dm))
}

/// Discount margin from a price in one call (see [`Priceable::dm_from_price`]).
pub fn dm_from_price(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
    index: &IndexAssumption,
    price: f64,
) -> Result<f64> {
    Priceable::new(flows, periods, settlement, index)?.dm_from_price(price)
}

/// Modified duration at `price` in one call (see [`Priceable::modified_duration`]).
pub fn modified_duration(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
    price: f64,
) -> Result<f64> {
    Priceable::new(flows, periods, settlement, &IndexAssumption::Run)?.modified_duration(price)
}

/// The standard analytics of one bond at one price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BondAnalytics {
    /// Discount margin, decimal.
    pub dm: f64,
    /// Bond-equivalent yield, decimal.
    pub yield_: f64,
    pub wal: Option<f64>,
    pub mod_duration: f64,
    pub window: Option<PaymentWindow>,
}

/// DM, yield, WAL, modified duration and window of `flows` at `price`.
pub fn analyze(
    flows: &BondFlows,
    periods: &[PeriodInfo],
    settlement: NaiveDate,
    index: &IndexAssumption,
    price: f64,
) -> Result<BondAnalytics> {
    let p = Priceable::new(flows, periods, settlement, index)?;
    let y = p.yield_from_price(price)?;
    Ok(BondAnalytics {
        dm: p.dm_from_price(price)?,
        yield_: y,
        wal: wal(flows, periods, settlement)?,
        mod_duration: p.macaulay_duration(y) / (1.0 + y / 2.0),
        window: payment_window(flows, periods)?,
    })
}

/// Root of a function that decreases in `x` (price minus target as a rate rises).
/// Brackets outward from `x0` by doubling steps within `[lo, hi]`, then runs Brent.
fn solve_decreasing(
    f: impl Fn(f64) -> f64,
    x0: f64,
    step: f64,
    lo: f64,
    hi: f64,
) -> std::result::Result<f64, String> {
    let f0 = f(x0);
    if !f0.is_finite() {
        return Err(format!("function not finite at {x0}"));
    }
    if f0 == 0.0 {
        return Ok(x0);
    }
    // f decreasing: positive value → root to the right.
    let dir = if f0 > 0.0 { 1.0 } else { -1.0 };
    let (mut a, mut fa) = (x0, f0);
    let mut h = step;
    for _ in 0..200 {
        let b = (a + dir * h).clamp(lo, hi);
        let fb = f(b);
        if fb.is_finite() && fb.signum() != fa.signum() {
            return brent(&f, a, fa, b, fb, 1e-14, 200);
        }
        if b <= lo || b >= hi {
            return Err(format!("no sign change in [{lo}, {hi}]"));
        }
        if fb.is_finite() {
            a = b;
            fa = fb;
        }
        h *= 2.0;
    }
    Err("bracketing did not converge".into())
}

/// Brent's method on a bracket [a, b] with f(a)·f(b) < 0.
pub fn brent(
    f: &impl Fn(f64) -> f64,
    mut a: f64,
    mut fa: f64,
    mut b: f64,
    mut fb: f64,
    tol: f64,
    max_iter: usize,
) -> std::result::Result<f64, String> {
    if fa.signum() == fb.signum() {
        return Err("root not bracketed".into());
    }
    if fa.abs() < fb.abs() {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut fa, &mut fb);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut bisected = true;
    for _ in 0..max_iter {
        if fb == 0.0 || (b - a).abs() < tol {
            return Ok(b);
        }
        let mut s = if fa != fc && fb != fc {
            // Inverse quadratic interpolation.
            a * fb * fc / ((fa - fb) * (fa - fc))
                + b * fa * fc / ((fb - fa) * (fb - fc))
                + c * fa * fb / ((fc - fa) * (fc - fb))
        } else {
            b - fb * (b - a) / (fb - fa)
        };
        let m = (3.0 * a + b) / 4.0;
        let out_of_range = !((s > m.min(b)) && (s < m.max(b)));
        let slow = if bisected {
            (s - b).abs() >= (b - c).abs() / 2.0 || (b - c).abs() < tol
        } else {
            (s - b).abs() >= (c - d).abs() / 2.0 || (c - d).abs() < tol
        };
        bisected = out_of_range || slow;
        if bisected {
            s = (a + b) / 2.0;
        }
        let fs = f(s);
        d = c;
        c = b;
        fc = fb;
        if fa.signum() != fs.signum() {
            b = s;
            fb = fs;
        } else {
            a = s;
            fa = fs;
        }
        if fa.abs() < fb.abs() {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut fa, &mut fb);
        }
    }
    Err(format!("no convergence in {max_iter} iterations"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::waterfall::CapBinding;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    /// A floater paying index + margin on its balance with the given principal schedule.
    pub(crate) fn floater(
        settle: NaiveDate,
        dates: &[NaiveDate],
        index: &[f64],
        margin: f64,
        principal: &[f64],
    ) -> (BondFlows, Vec<PeriodInfo>) {
        let mut bal: f64 = principal.iter().sum();
        let orig = bal;
        let mut prev = settle;
        let mut periods = Vec::new();
        let mut bps = Vec::new();
        for (i, (&dt, &pr)) in dates.iter().zip(principal).enumerate() {
            let days = days_between(prev, dt) as u32;
            periods.push(PeriodInfo {
                period: i as u32 + 1,
                payment_date: dt,
                accrual_start: prev,
                accrual_days: days,
                bond_index_rate: index[i],
                available_rate: f64::NAN,
            });
            let coupon = index[i] + margin;
            let int = bal * coupon * days as f64 / 360.0;
            bps.push(BondPeriod {
                period: i as u32 + 1,
                begin_balance: bal,
                coupon,
                cap_binding: CapBinding::None,
                interest_due: int,
                interest_paid: int,
                principal_paid: pr,
                end_balance: bal - pr,
                ..Default::default()
            });
            bal -= pr;
            prev = dt;
        }
        (
            BondFlows {
                name: "A".into(),
                original_balance: orig,
                margin,
                periods: bps,
            },
            periods,
        )
    }

    fn three_period() -> (BondFlows, Vec<PeriodInfo>, NaiveDate) {
        let s = d(2004, 1, 29);
        let dates = [d(2004, 2, 25), d(2004, 3, 25), d(2004, 4, 26)];
        let (b, p) = floater(s, &dates, &[0.011; 3], 0.0034, &[300.0, 300.0, 400.0]);
        (b, p, s)
    }

    #[test]
    fn wal_three_periods_by_hand() {
        let (b, p, s) = three_period();
        // Days from 2004-01-29: 27, 56, 88.
        let expect = (27.0 * 300.0 + 56.0 * 300.0 + 88.0 * 400.0) / 365.0 / 1000.0;
        let w = wal(&b, &p, s).unwrap().unwrap();
        assert!((w - expect).abs() < 1e-12, "{w} vs {expect}");
        let win = payment_window(&b, &p).unwrap().unwrap();
        assert_eq!((win.first_period, win.last_period, win.months()), (1, 3, 3));
        assert_eq!(win.last_date, d(2004, 4, 26));
    }

    #[test]
    fn duration_three_periods_by_hand() {
        let (b, p, s) = three_period();
        let pr = Priceable::new(&b, &p, s, &IndexAssumption::Run).unwrap();
        let y = pr.yield_from_price(100.0).unwrap();
        // Hand computation of the same definition.
        let cash = [
            300.0 + 1000.0 * 0.0144 * 27.0 / 360.0,
            300.0 + 700.0 * 0.0144 * 29.0 / 360.0,
            400.0 + 400.0 * 0.0144 * 32.0 / 360.0,
        ];
        let t = [27.0 / 360.0, 56.0 / 360.0, 88.0 / 360.0];
        let pv: Vec<f64> = cash
            .iter()
            .zip(t)
            .map(|(c, t)| c * (1.0 + y / 2.0_f64).powf(-2.0 * t))
            .collect();
        let total: f64 = pv.iter().sum();
        assert!((total - 1000.0).abs() < 1e-8, "par yield prices to par");
        let mac: f64 = pv.iter().zip(t).map(|(v, t)| v * t).sum::<f64>() / total;
        let md = pr.modified_duration(100.0).unwrap();
        assert!((md - mac / (1.0 + y / 2.0)).abs() < 1e-12);
        // A monthly-paying 1.44% floater: BEY close to the money-market rate.
        assert!((y - 0.0144).abs() < 0.0005, "{y}");
        // Numerical check: modified duration ≈ −dP/dy / P.
        let h = 1e-6;
        let num = -(pr.price_from_yield(y + h) - pr.price_from_yield(y - h)) / (2.0 * h) / 100.0;
        assert!((num - md).abs() < 1e-6, "{num} vs {md}");
    }

    #[test]
    fn par_floater_dm_equals_margin() {
        let (b, p, s) = three_period();
        let dm = dm_from_price(&b, &p, s, &IndexAssumption::Flat { rate: 0.011 }, 100.0).unwrap();
        assert!((dm - 0.0034).abs() < 1e-10, "{dm}");
        // With the run's own index (same here) too.
        let dm2 = dm_from_price(&b, &p, s, &IndexAssumption::Run, 100.0).unwrap();
        assert!((dm2 - 0.0034).abs() < 1e-10);
    }

    #[test]
    fn par_floater_forward_path_dm_equals_margin() {
        let s = d(2004, 1, 29);
        let dates: Vec<NaiveDate> = (0..24)
            .map(|i| crate::dates::add_months_on_day(d(2004, 2, 25), i, 25))
            .collect();
        let idx: Vec<f64> = (0..24).map(|i| 0.011 + 0.0005 * i as f64).collect();
        let prin = vec![1000.0 / 24.0; 24];
        let (b, p) = floater(s, &dates, &idx, 0.0045, &prin);
        let path = IndexAssumption::Path {
            path: RatePath { values: idx },
        };
        let dm = dm_from_price(&b, &p, s, &path, 100.0).unwrap();
        assert!((dm - 0.0045).abs() < 1e-10, "{dm}");
        // Discounting at a flat index below the path: the bond is worth more than par
        // at the margin, so the DM at par is above the margin.
        let dm_flat =
            dm_from_price(&b, &p, s, &IndexAssumption::Flat { rate: 0.011 }, 100.0).unwrap();
        assert!(dm_flat > 0.0045);
    }

    #[test]
    fn no_flows_is_an_error_not_a_panic() {
        let (mut b, p, s) = three_period();
        for bp in &mut b.periods {
            bp.interest_paid = 0.0;
            bp.principal_paid = 0.0;
        }
        let r = dm_from_price(&b, &p, s, &IndexAssumption::Run, 100.0);
        assert!(matches!(r, Err(Error::NoSolution(_))), "{r:?}");
        assert_eq!(wal(&b, &p, s).unwrap(), None);
        assert_eq!(payment_window(&b, &p).unwrap(), None);
    }

    #[test]
    fn brent_finds_cubic_root() {
        let f = |x: f64| x * x * x - 2.0 * x - 5.0;
        let r = brent(&f, 2.0, f(2.0), 3.0, f(3.0), 1e-14, 100).unwrap();
        assert!((r - 2.094_551_481_542_326_5).abs() < 1e-12);
        assert!(brent(&f, 3.0, f(3.0), 4.0, f(4.0), 1e-14, 100).is_err());
    }

    #[test]
    fn curve_interpolation_and_spreads() {
        let c = Curve::new(vec![(5.0, 0.03), (1.0, 0.01)]).unwrap();
        assert!((c.rate_at(3.0) - 0.02).abs() < 1e-15);
        assert_eq!(c.rate_at(0.5), 0.01);
        assert_eq!(c.rate_at(10.0), 0.03);
        assert!((spread_to_curve_at_wal(0.025, 3.0, &c) - 0.005).abs() < 1e-15);
        let (b, p, s) = three_period();
        let pr = Priceable::new(&b, &p, s, &IndexAssumption::Run).unwrap();
        let y = pr.yield_from_price(100.0).unwrap();
        let flat = Curve::new(vec![(1.0, 0.01)]).unwrap();
        let z = pr.z_spread(&flat, 100.0).unwrap();
        assert!(
            (z - (y - 0.01)).abs() < 1e-10,
            "flat curve: z-spread = yield − rate"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]
        #[test]
        fn dm_price_round_trip(
            dm in -0.01f64..0.05,
            index in 0.0f64..0.12,
            margin in 0.0f64..0.03,
            n in 1usize..120,
        ) {
            let s = d(2004, 1, 29);
            let dates: Vec<NaiveDate> = (0..n as u32)
                .map(|i| crate::dates::add_months_on_day(d(2004, 2, 25), i, 25))
                .collect();
            let prin: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
            let (b, p) = floater(s, &dates, &vec![index; n], margin, &prin);
            let pr = Priceable::new(&b, &p, s, &IndexAssumption::Flat { rate: index }).unwrap();
            let price = pr.price_from_dm(dm);
            let back = pr.dm_from_price(price).unwrap();
            prop_assert!((back - dm).abs() < 1e-8, "dm {} back {}", dm, back);
            let y = pr.yield_from_price(price).unwrap();
            prop_assert!((pr.price_from_yield(y) - price).abs() < 1e-8);
        }
    }
}
