//! A projection: the scenario checked, its curves laid out as tables, the pool cut into
//! fixed chunks projected in parallel and summed in chunk order.

use super::assemble::*;
use super::kernel::*;
use super::resets::*;
use super::*;
use crate::assumptions::Assumptions;
use crate::tape::RateIndex;
use crate::{Error, Result};
use rayon::prelude::*;

impl LoanPool {
    /// Number of monthly periods a projection under `scenario` runs: the last maturity,
    /// plus the recovery lag when defaults are possible (so every default is liquidated).
    pub fn periods_needed(&self, scenario: &Assumptions) -> u32 {
        let last = self.rem_term.iter().copied().max().unwrap_or(0);
        // A pool whose loans have all matured (a current tape) has no new defaults.
        if scenario.default.is_zero() || last == 0 {
            last
        } else {
            last + scenario.recovery_lag
        }
    }

    /// Projects the pool under `scenario`.
    pub fn project(
        &self,
        scenario: &Assumptions,
        fees: &PoolFees,
        opts: &ProjectionOptions,
    ) -> Result<PoolCashflows> {
        self.project_with(scenario, fees, opts, None)
    }

    /// Every loan's coupon changes and payment terms under `rates`, worked out once for
    /// several projections on the same rates (a table's speeds): they depend on the loan
    /// and the index paths only, not on prepayments or defaults. They serve projections
    /// from the cut-off and from a start with no index rates observed before it.
    pub fn rate_events(&self, rates: &crate::rates::RateCurves) -> Result<RateEvents> {
        let np = self.rem_term.iter().copied().max().unwrap_or(0) as usize;
        let (index, off) = index_table(self, rates, np, &PoolStart::default())?;
        let n = self.len();
        let starts: Vec<usize> = (0..n).step_by(CHUNK_LOANS).collect();
        let parts: Vec<(Vec<u32>, Vec<RateEvent>)> = starts
            .par_iter()
            .map_init(TermsCache::new, |cache, &lo| {
                let hi = (lo + CHUNK_LOANS).min(n);
                let (mut lens, mut all) = (Vec::with_capacity(hi - lo), Vec::new());
                let mut one = Vec::new();
                for i in lo..hi {
                    one.clear();
                    one.extend(coupon_path(self, &index, off, i, self.rem_term[i] as usize));
                    fill_rate_terms(&mut one, self.rem_term[i] as usize, cache);
                    lens.push(one.len() as u32);
                    all.extend_from_slice(&one);
                }
                (lens, all)
            })
            .collect();
        let mut starts = Vec::with_capacity(n + 1);
        let mut events = Vec::new();
        starts.push(0);
        for (lens, all) in parts {
            for l in lens {
                starts.push(starts.last().copied().unwrap_or(0) + l as usize);
            }
            events.extend(all);
        }
        Ok(RateEvents {
            rates: rates.clone(),
            starts,
            events,
        })
    }

    /// [`LoanPool::project`], reading the loans' rate changes from `events` when they were
    /// worked out for the same rates.
    pub fn project_with(
        &self,
        scenario: &Assumptions,
        fees: &PoolFees,
        opts: &ProjectionOptions,
        events: Option<&RateEvents>,
    ) -> Result<PoolCashflows> {
        self.project_from(scenario, fees, opts, &PoolStart::default(), events)
    }

    /// Projects the pool from `start`: the tape is the pool as it stands after
    /// `start.period` payment periods, and the flows are numbered from the period after.
    /// Vectors and rate paths are read from their period 1 on; the first period's partial
    /// month of prepayments applies to a projection from the cut-off only. `events` as in
    /// [`LoanPool::project_with`].
    pub fn project_from(
        &self,
        scenario: &Assumptions,
        fees: &PoolFees,
        opts: &ProjectionOptions,
        start: &PoolStart,
        events: Option<&RateEvents>,
    ) -> Result<PoolCashflows> {
        Ok(self
            .projection(scenario, fees, opts, start, None, events)?
            .0)
    }

    /// Projects at most `periods` periods from `start` and returns where the pool then
    /// stands (its period is where the flows stopped: earlier when the pool runs out).
    pub fn project_through(
        &self,
        scenario: &Assumptions,
        fees: &PoolFees,
        opts: &ProjectionOptions,
        start: &PoolStart,
        periods: u32,
    ) -> Result<(PoolCashflows, PoolEnd)> {
        self.projection(scenario, fees, opts, start, Some(periods), None)
    }

    fn projection(
        &self,
        scenario: &Assumptions,
        fees: &PoolFees,
        opts: &ProjectionOptions,
        start: &PoolStart,
        until: Option<u32>,
        events: Option<&RateEvents>,
    ) -> Result<(PoolCashflows, PoolEnd)> {
        // Shared events know no index rates observed before the start.
        let events = events.filter(|e| {
            e.rates == scenario.rates
                && e.starts.len() == self.len() + 1
                && start.fixings.is_empty()
        });
        validate_scenario(scenario, fees)?;
        let k0 = start.period;
        // Defaults already awaiting liquidation are liquidated within the projection.
        let liquidations = start
            .cohorts
            .iter()
            .map(|c| (c.period + scenario.recovery_lag).saturating_sub(k0).max(1))
            .max()
            .unwrap_or(0);
        let n_periods = self.periods_needed(scenario).max(liquidations);
        if n_periods.saturating_add(k0) > opts.max_periods {
            return Err(Error::invalid(
                "max_periods",
                format!(
                    "the projection needs {} monthly periods, more than the limit of {}",
                    n_periods.saturating_add(k0),
                    opts.max_periods
                ),
            ));
        }
        let np = until.map_or(n_periods, |u| u.min(n_periods)) as usize;
        let tables = Tables::build(self, scenario, np, start)?;
        let ctx = Ctx {
            pool: self,
            tables: &tables,
            np,
            first_fraction: if k0 == 0 {
                scenario.timing.first_period_fraction
            } else {
                1.0
            },
            per_loan: opts.per_loan,
            ends: until.is_some(),
            shared: events,
        };
        let n = self.len();
        let starts: Vec<usize> = (0..n).step_by(CHUNK_LOANS).collect();
        let parts: Vec<ChunkOut> = starts
            .par_iter()
            // A cache per worker: it only saves work, so results stay the same bits.
            .map_init(TermsCache::new, |cache, &s| {
                ctx.project_chunk(s, (s + CHUNK_LOANS).min(n), cache)
            })
            .collect();
        // Sum in chunk order: the result does not depend on the thread count.
        let mut acc = vec![[0.0f64; ACC_FIELDS]; np + 1];
        let mut loans_out = Vec::new();
        let mut lanes_end = Vec::new();
        for part in parts {
            for (a, b) in acc.iter_mut().zip(part.acc.iter()) {
                for k in 0..ACC_FIELDS {
                    a[k] += b[k];
                }
            }
            if opts.per_loan {
                loans_out.extend(part.loans);
            }
            lanes_end.extend(part.ends);
        }
        let (mut periods, pipeline) = assemble(&acc, np, scenario, fees, start);
        for p in &mut periods {
            p.period += k0;
        }
        for l in &mut loans_out {
            l.period += k0;
        }
        let end = if until.is_some() {
            PoolEnd {
                start: PoolStart {
                    period: k0 + np as u32,
                    pending: pipeline.0,
                    cohorts: pipeline.1,
                    fixings: tables.fixings(self, np),
                },
                loans: ctx.loan_ends(&lanes_end),
            }
        } else {
            PoolEnd::default()
        };
        Ok((
            PoolCashflows {
                periods,
                loans: loans_out,
            },
            end,
        ))
    }
}

pub(super) fn validate_scenario(s: &Assumptions, fees: &PoolFees) -> Result<()> {
    let unit = |field: &str, v: f64| -> Result<()> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(Error::invalid(
                field,
                format!("expected a value between 0 and 1, got {v}"),
            ))
        }
    };
    unit("severity", s.severity)?;
    unit("first_period_fraction", s.timing.first_period_fraction)?;
    unit("master_servicing_fee", fees.master_servicing)?;
    unit("trustee_fee", fees.trustee)?;
    if !s.prepay.multiplier.is_finite() || s.prepay.multiplier < 0.0 {
        return Err(Error::invalid(
            "prepay.multiplier",
            format!(
                "expected a speed multiplier >= 0, got {}",
                s.prepay.multiplier
            ),
        ));
    }
    use crate::assumptions::{DefaultCurve as D, PrepayCurve as P};
    for (name, c) in [
        ("prepay.arm", &s.prepay.arm),
        ("prepay.fixed", &s.prepay.fixed),
    ] {
        let vals: Vec<f64> = match c {
            P::Cpr { cpr } => vec![*cpr],
            P::Smm { smm } => vec![*smm],
            P::Psa { pct } => vec![pct / 100.0],
            P::Ramp { start, end, .. } => vec![*start, *end],
            P::Vector { cpr } => cpr.clone(),
        };
        if let Some(v) = vals.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(Error::invalid(
                name,
                format!("expected non-negative rates, got {v}"),
            ));
        }
        // PSA's peak is 6% CPR at 100% PSA.
        let peak = match c {
            P::Psa { pct } => 0.06 * pct / 100.0,
            _ => vals.iter().copied().fold(0.0, f64::max),
        };
        // Above 100% CPR (SMM) the rate would be cut to 100% in silence.
        let m = s.prepay.multiplier;
        if peak * m > 1.0 + 1e-12 {
            return Err(Error::invalid(
                "prepay.multiplier",
                format!(
                    "a speed of {}% of the {name} curve (peak {}%) gives a prepayment rate \
                     of {}%; expected at most 100%",
                    m * 100.0,
                    peak * 100.0,
                    peak * m * 100.0
                ),
            ));
        }
    }
    let dv: Vec<f64> = match &s.default {
        D::Cdr { cdr } => vec![*cdr],
        // A percent of the SDA curve, whose peak is 0.6% CDR.
        D::Sda { pct } => vec![pct * 0.006 / 100.0],
        D::Vector { cdr } => cdr.clone(),
    };
    if let Some(v) = dv.iter().find(|v| !v.is_finite() || **v < 0.0 || **v > 1.0) {
        return Err(Error::invalid(
            "default",
            format!("expected default rates between 0 and 1, got {v}"),
        ));
    }
    Ok(())
}

/// A monthly-rate curve laid out as a table: by loan-age month or by period.
pub(super) struct CurveTable {
    pub(super) by_age: bool,
    /// Entry `k` is the rate for age month `k` (by age) or period `k` (by period).
    pub(super) v: Vec<f64>,
    /// `1 − v[k]`: the fraction that stays (computed once rather than per loan and month).
    pub(super) keep: Vec<f64>,
}

impl CurveTable {
    pub(super) fn new(by_age: bool, v: Vec<f64>) -> Self {
        let keep = v.iter().map(|x| 1.0 - x).collect();
        CurveTable { by_age, v, keep }
    }

    /// The rates and their complements seen by a loan of age `age`, indexed by period.
    /// Tables are built long enough for every (age, period) of the pool.
    pub(super) fn for_age(&self, age: u32) -> (&[f64], &[f64]) {
        let from = if self.by_age { age as usize } else { 0 };
        (
            self.v.get(from..).unwrap_or(&[]),
            self.keep.get(from..).unwrap_or(&[]),
        )
    }
}

/// Everything the loan loop reads besides the loan itself, built once per projection.
pub(super) struct Tables {
    pub(super) smm_fixed: CurveTable,
    pub(super) smm_arm: CurveTable,
    pub(super) mdr: CurveTable,
    /// Per index id: the index value observed in period `k` at `index_off + k`
    /// (`k` = −`index_off`..=np; up to 0, observations before the first period).
    pub(super) index: Vec<Vec<f64>>,
    /// The pool's longest look-back.
    pub(super) index_off: usize,
}

impl Tables {
    pub(super) fn build(
        pool: &LoanPool,
        s: &Assumptions,
        np: usize,
        start: &PoolStart,
    ) -> Result<Self> {
        let max_age = pool.age.iter().copied().max().unwrap_or(0) as usize;
        let len = max_age + np + 1;
        let mult = s.prepay.multiplier;
        let prepay = |c: &crate::assumptions::PrepayCurve| {
            let by_age = c.by_age();
            let n = if by_age { len } else { np + 1 };
            CurveTable::new(
                by_age,
                (0..n).map(|k| c.smm_at(k as u32, k as u32, mult)).collect(),
            )
        };
        let by_age = s.default.by_age();
        let mdr = CurveTable::new(
            by_age,
            (0..if by_age { len } else { np + 1 })
                .map(|k| s.default.mdr_at(k as u32, k as u32))
                .collect(),
        );
        let (index, off) = index_table(pool, &s.rates, np, start)?;
        Ok(Tables {
            smm_fixed: prepay(&s.prepay.fixed),
            smm_arm: prepay(&s.prepay.arm),
            mdr,
            index,
            index_off: off,
        })
    }

    /// The index rates observed up to period `np`, as a projection resumed there needs
    /// them: per index, as many as its ARMs' longest look-back, the last `np`'s.
    pub(super) fn fixings(&self, pool: &LoanPool, np: usize) -> Vec<(RateIndex, Vec<f64>)> {
        let mut out = Vec::new();
        for (id, ix) in pool.indices.iter().enumerate() {
            let back = pool
                .index_id
                .iter()
                .zip(&pool.lookback)
                .filter(|(i, _)| usize::from(**i) == id)
                .map(|(_, l)| *l as usize)
                .max()
                .unwrap_or(0);
            let Some(v) = self.index.get(id) else {
                continue;
            };
            if back == 0 {
                continue;
            }
            let to = self.index_off + np;
            out.push((ix.clone(), v[to + 1 - back..=to].to_vec()));
        }
        out
    }
}

/// Per index id of the pool: the index value observed in period `k` at `off + k` (`k` =
/// −`off`..=np, `off` the pool's longest look-back; up to 0, observations before the first
/// period: the rates observed then when `start` knows them, else the path's first value),
/// and `off`.
fn index_table(
    pool: &LoanPool,
    rates: &crate::rates::RateCurves,
    np: usize,
    start: &PoolStart,
) -> Result<(Vec<Vec<f64>>, usize)> {
    let off = pool.lookback.iter().copied().max().unwrap_or(0) as usize;
    let mut index = Vec::with_capacity(pool.indices.len());
    for ix in &pool.indices {
        let path = rates.get(ix).ok_or_else(|| {
            Error::invalid(
                "index",
                format!("the tape's ARMs use index {ix}, which has no rate path in the scenario"),
            )
        })?;
        let seen = start
            .fixings
            .iter()
            .find(|(i, _)| i == ix)
            .map_or(&[][..], |(_, v)| v.as_slice());
        index.push(
            (0..=off + np)
                .map(|j| match j.checked_sub(off) {
                    Some(k) if k > 0 => path.at(k),
                    _ => {
                        let back = off - j;
                        seen.len()
                            .checked_sub(1 + back)
                            .and_then(|p| seen.get(p))
                            .copied()
                            .unwrap_or_else(|| path.at(0))
                    }
                })
                .collect(),
        );
    }
    Ok((index, off))
}

/// Every loan's rate events under one set of rates ([`LoanPool::rate_events`]).
#[derive(Debug, Clone)]
pub struct RateEvents {
    rates: crate::rates::RateCurves,
    /// Loan `i`'s events are `events[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    events: Vec<RateEvent>,
}

impl RateEvents {
    /// The rates the events were worked out on.
    pub fn rates(&self) -> &crate::rates::RateCurves {
        &self.rates
    }

    /// Loan `i`'s events.
    pub(super) fn of(&self, i: usize) -> &[RateEvent] {
        &self.events[self.starts[i]..self.starts[i + 1]]
    }
}

// Per-period accumulator layout (one `[f64; ACC_FIELDS]` per period).
pub(super) const A_BEGIN: usize = 0; // Σ beginning balance
pub(super) const A_B_RATE: usize = 1; // Σ beginning balance × rate
pub(super) const A_B_SVC: usize = 2; // Σ beginning balance × servicing fee rate
pub(super) const A_B_MI: usize = 3; // Σ beginning balance × MI fee rate
pub(super) const A_DEF: usize = 4; // Σ defaulted balance
pub(super) const A_D_RATE: usize = 5; // Σ defaulted × rate
pub(super) const A_D_SVC: usize = 6; // Σ defaulted × servicing fee rate
pub(super) const A_D_MI: usize = 7; // Σ defaulted × MI fee rate
pub(super) const A_SCHED: usize = 8; // Σ scheduled principal
pub(super) const A_PREPAID: usize = 9; // Σ voluntary prepayments
pub(super) const ACC_FIELDS: usize = 10;

pub(super) struct ChunkOut {
    pub(super) acc: Vec<[f64; ACC_FIELDS]>,
    pub(super) loans: Vec<LoanPeriod>,
    /// Each loan's (balance, level payment) after the last period (when asked for).
    pub(super) ends: Vec<(f64, f64)>,
}

pub(super) struct Ctx<'a> {
    pub(super) pool: &'a LoanPool,
    pub(super) tables: &'a Tables,
    pub(super) np: usize,
    pub(super) first_fraction: f64,
    pub(super) per_loan: bool,
    /// Keep each loan's balance and payment after the last period.
    pub(super) ends: bool,
    /// The loans' rate events, worked out ahead for these rates.
    pub(super) shared: Option<&'a RateEvents>,
}

impl Ctx<'_> {
    pub(super) fn project_chunk(&self, lo: usize, hi: usize, cache: &mut TermsCache) -> ChunkOut {
        let mut acc = vec![[0.0f64; ACC_FIELDS]; self.np + 1];
        let mut loans = Vec::new();
        let mut ends = Vec::new();
        // Per lane: its loan's rate events, and its per-loan rows (kept apart so that they
        // come out loan by loan).
        let mut events: [Vec<RateEvent>; LANES] = Default::default();
        let mut rows: [Vec<LoanPeriod>; LANES] = Default::default();
        // Without defaults every survival factor is exactly 1, so the months can be
        // stepped without them (see `Group::step`).
        let defaults = self.tables.mdr.keep.iter().any(|k| *k != 1.0);
        for g in (lo..hi).step_by(LANES) {
            let mut group = Group::new(self, g, LANES.min(hi - g), &mut events, cache);
            if defaults {
                self.run_group::<true>(&mut group, &mut acc, &mut rows);
            } else {
                self.run_group::<false>(&mut group, &mut acc, &mut rows);
            }
            for r in &mut rows {
                loans.append(r);
            }
            if self.ends {
                let used = LANES.min(hi - g);
                ends.extend((0..used).map(|k| (group.bal[k], group.pmt[k])));
            }
        }
        ChunkOut { acc, loans, ends }
    }

    /// Each loan where the projection left it, from its lanes' balance and payment.
    pub(super) fn loan_ends(&self, lanes: &[(f64, f64)]) -> Vec<LoanEnd> {
        let p = self.pool;
        (0..p.len())
            .map(|i| {
                let (balance, pmt) = lanes.get(i).copied().unwrap_or((0.0, 0.0));
                let last = (p.rem_term[i] as usize).min(self.np);
                // The coupon path, not the lane: a lane stops early once every loan of
                // its group is paid off.
                let rate = self
                    .coupon_path(i, last)
                    .last()
                    .map_or(p.rate[i], |e| e.rate);
                let amortizing =
                    p.level_payment[i].is_some() || (p.io_remaining[i] as usize) < last;
                LoanEnd {
                    balance,
                    rate,
                    level_payment: amortizing.then_some(pmt),
                }
            })
            .collect()
    }

    /// Steps a group through its months, adding its flows to the period sums `acc`.
    pub(super) fn run_group<const DEFAULTS: bool>(
        &self,
        group: &mut Group<'_>,
        acc: &mut [[f64; ACC_FIELDS]],
        rows: &mut [Vec<LoanPeriod>; LANES],
    ) {
        let last = group.last_period();
        for (per, a) in acc.iter_mut().enumerate().take(last + 1).skip(1) {
            let f = group.step::<DEFAULTS>(per);
            group.add_to::<DEFAULTS>(a, &f);
            if self.per_loan {
                group.push_rows(per, &f, rows);
            }
            if group.all_stopped() {
                break;
            }
        }
    }
}
