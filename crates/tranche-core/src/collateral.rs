//! Collateral projection: loan-level, monthly, to the last maturity.
//!
//! Within a month: defaults first, then the scheduled payment on surviving loans, then
//! voluntary prepayment on what is left (BMA SF-C). The tape is turned into
//! struct-of-arrays once ([`LoanPool`]); the projection does not allocate per period.

use crate::assumptions::Assumptions;
use crate::error::{FieldError, Location};
use crate::tape::{AmortType, Loan, RateIndex};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Deal-level fee rates charged on the pool balance (decimal per annum).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolFees {
    pub master_servicing: f64,
    pub trustee: f64,
}

/// Pool totals for one monthly period. Interest and fees are cash for the period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolPeriod {
    /// 1-based period after the cut-off date.
    pub period: u32,
    /// Performing balance at the start of the period.
    pub begin_balance: f64,
    pub scheduled_principal: f64,
    pub prepaid_principal: f64,
    /// Balance that defaulted this period (leaves the performing balance).
    pub defaulted_principal: f64,
    /// Liquidation proceeds received this period (from defaults `lag` months ago).
    pub recoveries: f64,
    /// Defaulted balance less recoveries, realized at liquidation.
    pub realized_loss: f64,
    /// Principal advanced by the servicer on defaulted, not yet liquidated loans.
    pub advanced_principal: f64,
    /// Gross interest collected (plus advanced, when advancing is on).
    pub gross_interest: f64,
    pub servicing_fee: f64,
    pub master_servicing_fee: f64,
    pub trustee_fee: f64,
    pub mi_fee: f64,
    /// Gross interest less the four fees above.
    pub net_interest: f64,
    /// Performing balance at the end of the period.
    pub end_balance: f64,
    /// Defaulted balance awaiting liquidation at the end of the period.
    pub pending_default_balance: f64,
    /// Balance-weighted gross coupon on the beginning balance (decimal).
    pub wac: f64,
    /// `wac` less servicing, master servicing, trustee and MI fee rates (decimal).
    pub net_wac: f64,
}

impl PoolPeriod {
    /// Principal cash received: scheduled + prepaid + recoveries (+ advances).
    pub fn principal_cash(&self) -> f64 {
        self.scheduled_principal
            + self.prepaid_principal
            + self.recoveries
            + self.advanced_principal
    }
}

/// Per-loan output of one period (only when asked for).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LoanPeriod {
    pub loan: u32,
    pub period: u32,
    pub begin_balance: f64,
    pub rate: f64,
    pub scheduled_principal: f64,
    pub prepaid_principal: f64,
    pub defaulted_principal: f64,
    pub interest: f64,
    pub end_balance: f64,
}

/// The pool's monthly cash flows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PoolCashflows {
    pub periods: Vec<PoolPeriod>,
    /// Filled only when [`ProjectionOptions::per_loan`] is set.
    pub loans: Vec<LoanPeriod>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProjectionOptions {
    pub per_loan: bool,
    /// Hard limit on periods; a longer projection is an error, not a silent cut.
    pub max_periods: u32,
}

impl Default for ProjectionOptions {
    fn default() -> Self {
        ProjectionOptions {
            per_loan: false,
            max_periods: 720,
        }
    }
}

/// Loans per work unit. Fixed, so that the partition (and the order in which chunk
/// results are summed) never depends on the number of threads: results are bit-identical
/// with 1 or many threads.
pub const CHUNK_LOANS: usize = 512;

/// Marker in [`LoanPool::index_id`] for a fixed-rate loan.
pub const NO_INDEX: u16 = u16::MAX;

/// The tape as struct-of-arrays, validated and ready to project many times.
///
/// Every array has one entry per loan. ARM arrays hold zeros for fixed-rate loans.
#[derive(Debug, Clone, Default)]
pub struct LoanPool {
    /// Loan ids (for per-loan output and error messages).
    pub loan_id: Vec<String>,
    pub balance: Vec<f64>,
    /// Current gross coupon, decimal.
    pub rate: Vec<f64>,
    pub rem_term: Vec<u32>,
    pub age: Vec<u32>,
    /// Interest-only months left at the cut-off date.
    pub io_remaining: Vec<u32>,
    pub servicing_fee: Vec<f64>,
    pub mi_fee: Vec<f64>,
    pub is_arm: Vec<bool>,
    /// Distinct indices the ARMs use; `index_id` points into it.
    pub indices: Vec<RateIndex>,
    /// Position in `indices`, or [`NO_INDEX`] for a fixed-rate loan.
    pub index_id: Vec<u16>,
    pub margin: Vec<f64>,
    /// First projection period with a new rate (`months_to_reset + 1`, at least 1).
    pub first_reset_period: Vec<u32>,
    pub reset_freq: Vec<u32>,
    /// The next rate change is the loan's first (the initial cap applies).
    pub first_reset_pending: Vec<bool>,
    pub initial_cap: Vec<f64>,
    pub periodic_cap: Vec<f64>,
    pub life_cap: Vec<f64>,
    pub life_floor: Vec<f64>,
    pub rounding: Vec<f64>,
    pub lookback: Vec<u32>,
}

fn row_err(errors: &mut Vec<FieldError>, row: usize, id: &str, field: &str, msg: String) {
    errors.push(FieldError {
        location: Location {
            row: Some(row),
            field: Some(field.to_string()),
        },
        message: format!("loan `{id}`: {msg}"),
    });
}

fn check_rate(
    errors: &mut Vec<FieldError>,
    row: usize,
    id: &str,
    field: &str,
    v: f64,
    lo: f64,
    hi: f64,
) {
    if !v.is_finite() || v < lo || v > hi {
        row_err(
            errors,
            row,
            id,
            field,
            format!("expected a rate between {lo} and {hi} (decimal), got {v}"),
        );
    }
}

impl LoanPool {
    /// Validates the loans and lays them out as arrays. Every invalid value is reported
    /// (row = 1-based position in `loans`).
    pub fn from_loans(loans: &[Loan]) -> Result<Self> {
        if loans.is_empty() {
            return Err(Error::invalid("loans", "the pool has no loans"));
        }
        let n = loans.len();
        let mut p = LoanPool {
            loan_id: Vec::with_capacity(n),
            balance: Vec::with_capacity(n),
            rate: Vec::with_capacity(n),
            rem_term: Vec::with_capacity(n),
            age: Vec::with_capacity(n),
            io_remaining: Vec::with_capacity(n),
            servicing_fee: Vec::with_capacity(n),
            mi_fee: Vec::with_capacity(n),
            is_arm: Vec::with_capacity(n),
            indices: Vec::new(),
            index_id: Vec::with_capacity(n),
            margin: Vec::with_capacity(n),
            first_reset_period: Vec::with_capacity(n),
            reset_freq: Vec::with_capacity(n),
            first_reset_pending: Vec::with_capacity(n),
            initial_cap: Vec::with_capacity(n),
            periodic_cap: Vec::with_capacity(n),
            life_cap: Vec::with_capacity(n),
            life_floor: Vec::with_capacity(n),
            rounding: Vec::with_capacity(n),
            lookback: Vec::with_capacity(n),
        };
        let mut errors = Vec::new();
        for (i, l) in loans.iter().enumerate() {
            let row = i + 1;
            let id = l.loan_id.as_str();
            if !l.balance.is_finite() || l.balance < 0.0 {
                row_err(
                    &mut errors,
                    row,
                    id,
                    "balance",
                    format!("expected a balance >= 0, got {}", l.balance),
                );
            }
            check_rate(&mut errors, row, id, "gross_rate", l.gross_rate, 0.0, 1.0);
            check_rate(
                &mut errors,
                row,
                id,
                "servicing_fee",
                l.servicing_fee,
                0.0,
                1.0,
            );
            check_rate(&mut errors, row, id, "mi_fee", l.mi_fee, 0.0, 1.0);
            if l.rem_term == 0 && l.balance > 0.0 {
                row_err(
                    &mut errors,
                    row,
                    id,
                    "rem_term",
                    "expected at least 1 month remaining for a loan with a balance".into(),
                );
            }
            if l.rem_term > l.orig_term {
                row_err(
                    &mut errors,
                    row,
                    id,
                    "rem_term",
                    format!(
                        "remaining term {} exceeds original term {}",
                        l.rem_term, l.orig_term
                    ),
                );
            }
            if l.io_months > l.orig_term {
                row_err(
                    &mut errors,
                    row,
                    id,
                    "io_months",
                    format!(
                        "interest-only months {} exceed original term {}",
                        l.io_months, l.orig_term
                    ),
                );
            }
            p.loan_id.push(l.loan_id.clone());
            p.balance.push(l.balance);
            p.rate.push(l.gross_rate);
            p.rem_term.push(l.rem_term);
            p.age.push(l.age);
            p.io_remaining.push(l.io_remaining().min(l.rem_term));
            p.servicing_fee.push(l.servicing_fee);
            p.mi_fee.push(l.mi_fee);
            let arm = match (l.amort, &l.arm) {
                (AmortType::Arm, Some(a)) => Some(a),
                (AmortType::Arm, None) => {
                    row_err(
                        &mut errors,
                        row,
                        id,
                        "amort_type",
                        "an ARM needs its index, margin, caps and reset terms".into(),
                    );
                    None
                }
                (AmortType::Fixed, _) => None,
            };
            p.is_arm.push(arm.is_some());
            match arm {
                Some(a) => {
                    check_rate(&mut errors, row, id, "margin", a.margin, -1.0, 1.0);
                    check_rate(&mut errors, row, id, "initial_cap", a.initial_cap, 0.0, 1.0);
                    check_rate(
                        &mut errors,
                        row,
                        id,
                        "periodic_cap",
                        a.periodic_cap,
                        0.0,
                        1.0,
                    );
                    check_rate(&mut errors, row, id, "life_cap", a.life_cap, 0.0, 1.0);
                    check_rate(&mut errors, row, id, "life_floor", a.life_floor, 0.0, 1.0);
                    check_rate(&mut errors, row, id, "rounding", a.rounding, 0.0, 0.01);
                    if a.life_floor > a.life_cap {
                        row_err(
                            &mut errors,
                            row,
                            id,
                            "life_floor",
                            format!(
                                "floor {} is above the lifetime cap {}",
                                a.life_floor, a.life_cap
                            ),
                        );
                    }
                    if a.reset_freq == 0 {
                        row_err(
                            &mut errors,
                            row,
                            id,
                            "reset_freq",
                            "expected at least 1 month between rate changes".into(),
                        );
                    }
                    let pos = match p.indices.iter().position(|x| *x == a.index) {
                        Some(k) => k,
                        None => {
                            p.indices.push(a.index.clone());
                            p.indices.len() - 1
                        }
                    };
                    p.index_id.push(u16::try_from(pos).unwrap_or(NO_INDEX - 1));
                    p.margin.push(a.margin);
                    p.first_reset_period.push(a.months_to_reset + 1);
                    p.reset_freq.push(a.reset_freq.max(1));
                    p.first_reset_pending.push(a.first_reset_pending);
                    p.initial_cap.push(a.initial_cap);
                    p.periodic_cap.push(a.periodic_cap);
                    p.life_cap.push(a.life_cap);
                    p.life_floor.push(a.life_floor);
                    p.rounding.push(a.rounding);
                    p.lookback.push(a.lookback_months);
                }
                None => {
                    p.index_id.push(NO_INDEX);
                    p.margin.push(0.0);
                    p.first_reset_period.push(0);
                    p.reset_freq.push(0);
                    p.first_reset_pending.push(false);
                    p.initial_cap.push(0.0);
                    p.periodic_cap.push(0.0);
                    p.life_cap.push(0.0);
                    p.life_floor.push(0.0);
                    p.rounding.push(0.0);
                    p.lookback.push(0);
                }
            }
        }
        if p.indices.len() >= usize::from(NO_INDEX) {
            return Err(Error::invalid("index", "too many distinct rate indices"));
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(Error::InvalidMany(errors))
        }
    }

    pub fn len(&self) -> usize {
        self.balance.len()
    }

    pub fn is_empty(&self) -> bool {
        self.balance.is_empty()
    }

    /// Sum of the cut-off balances.
    pub fn total_balance(&self) -> f64 {
        self.balance.iter().sum()
    }

    /// Appends the loans of `other` after this pool's, so a large tape can be laid out in
    /// chunks without holding every [`Loan`] at once. Indices keep their order of first
    /// appearance, so the result is the pool [`LoanPool::from_loans`] builds from all the
    /// loans in the same order, and projects identically.
    pub fn append(&mut self, mut other: LoanPool) {
        let remap: Vec<u16> = other
            .indices
            .iter()
            .map(|ix| {
                let k = match self.indices.iter().position(|j| j == ix) {
                    Some(k) => k,
                    None => {
                        self.indices.push(ix.clone());
                        self.indices.len() - 1
                    }
                };
                u16::try_from(k).unwrap_or(NO_INDEX - 1)
            })
            .collect();
        for id in &mut other.index_id {
            if *id != NO_INDEX {
                *id = remap.get(usize::from(*id)).copied().unwrap_or(NO_INDEX - 1);
            }
        }
        self.loan_id.append(&mut other.loan_id);
        self.balance.append(&mut other.balance);
        self.rate.append(&mut other.rate);
        self.rem_term.append(&mut other.rem_term);
        self.age.append(&mut other.age);
        self.io_remaining.append(&mut other.io_remaining);
        self.servicing_fee.append(&mut other.servicing_fee);
        self.mi_fee.append(&mut other.mi_fee);
        self.is_arm.append(&mut other.is_arm);
        self.index_id.append(&mut other.index_id);
        self.margin.append(&mut other.margin);
        self.first_reset_period
            .append(&mut other.first_reset_period);
        self.reset_freq.append(&mut other.reset_freq);
        self.first_reset_pending
            .append(&mut other.first_reset_pending);
        self.initial_cap.append(&mut other.initial_cap);
        self.periodic_cap.append(&mut other.periodic_cap);
        self.life_cap.append(&mut other.life_cap);
        self.life_floor.append(&mut other.life_floor);
        self.rounding.append(&mut other.rounding);
        self.lookback.append(&mut other.lookback);
    }

    /// Number of monthly periods a projection under `scenario` runs: the last maturity,
    /// plus the recovery lag when defaults are possible (so every default is liquidated).
    pub fn periods_needed(&self, scenario: &Assumptions) -> u32 {
        let last = self.rem_term.iter().copied().max().unwrap_or(0);
        if scenario.default.is_zero() {
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
        validate_scenario(scenario, fees)?;
        let n_periods = self.periods_needed(scenario);
        if n_periods > opts.max_periods {
            return Err(Error::invalid(
                "max_periods",
                format!(
                    "the projection needs {n_periods} monthly periods, more than the limit of {}",
                    opts.max_periods
                ),
            ));
        }
        let np = n_periods as usize;
        let tables = Tables::build(self, scenario, np)?;
        let ctx = Ctx {
            pool: self,
            tables: &tables,
            np,
            first_fraction: scenario.timing.first_period_fraction,
            per_loan: opts.per_loan,
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
        for part in parts {
            for (a, b) in acc.iter_mut().zip(part.acc.iter()) {
                for k in 0..ACC_FIELDS {
                    a[k] += b[k];
                }
            }
            if opts.per_loan {
                loans_out.extend(part.loans);
            }
        }
        Ok(PoolCashflows {
            periods: assemble(&acc, np, scenario, fees),
            loans: loans_out,
        })
    }
}

fn validate_scenario(s: &Assumptions, fees: &PoolFees) -> Result<()> {
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
struct CurveTable {
    by_age: bool,
    /// Entry `k` is the rate for age month `k` (by age) or period `k` (by period).
    v: Vec<f64>,
    /// `1 − v[k]`: the fraction that stays (computed once rather than per loan and month).
    keep: Vec<f64>,
}

impl CurveTable {
    fn new(by_age: bool, v: Vec<f64>) -> Self {
        let keep = v.iter().map(|x| 1.0 - x).collect();
        CurveTable { by_age, v, keep }
    }

    /// The rates and their complements seen by a loan of age `age`, indexed by period.
    /// Tables are built long enough for every (age, period) of the pool.
    fn for_age(&self, age: u32) -> (&[f64], &[f64]) {
        let from = if self.by_age { age as usize } else { 0 };
        (
            self.v.get(from..).unwrap_or(&[]),
            self.keep.get(from..).unwrap_or(&[]),
        )
    }
}

/// Everything the loan loop reads besides the loan itself, built once per projection.
struct Tables {
    smm_fixed: CurveTable,
    smm_arm: CurveTable,
    mdr: CurveTable,
    /// Per index id: the index value observed in period `k` (`k` = 0..=np).
    index: Vec<Vec<f64>>,
}

impl Tables {
    fn build(pool: &LoanPool, s: &Assumptions, np: usize) -> Result<Self> {
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
        let mut index = Vec::with_capacity(pool.indices.len());
        for ix in &pool.indices {
            let path = s.rates.get(ix).ok_or_else(|| {
                Error::invalid(
                    "index",
                    format!(
                        "the tape's ARMs use index {ix}, which has no rate path in the scenario"
                    ),
                )
            })?;
            index.push((0..=np).map(|k| path.at(k)).collect());
        }
        Ok(Tables {
            smm_fixed: prepay(&s.prepay.fixed),
            smm_arm: prepay(&s.prepay.arm),
            mdr,
            index,
        })
    }
}

// Per-period accumulator layout (one `[f64; ACC_FIELDS]` per period).
const A_BEGIN: usize = 0; // Σ beginning balance
const A_B_RATE: usize = 1; // Σ beginning balance × rate
const A_B_SVC: usize = 2; // Σ beginning balance × servicing fee rate
const A_B_MI: usize = 3; // Σ beginning balance × MI fee rate
const A_DEF: usize = 4; // Σ defaulted balance
const A_D_RATE: usize = 5; // Σ defaulted × rate
const A_D_SVC: usize = 6; // Σ defaulted × servicing fee rate
const A_D_MI: usize = 7; // Σ defaulted × MI fee rate
const A_SCHED: usize = 8; // Σ scheduled principal
const A_PREPAID: usize = 9; // Σ voluntary prepayments
const ACC_FIELDS: usize = 10;

struct ChunkOut {
    acc: Vec<[f64; ACC_FIELDS]>,
    loans: Vec<LoanPeriod>,
}

struct Ctx<'a> {
    pool: &'a LoanPool,
    tables: &'a Tables,
    np: usize,
    first_fraction: f64,
    per_loan: bool,
}

/// Level monthly payment that retires `balance` over `n` months at annual `rate`.
#[inline]
pub fn level_payment(balance: f64, rate: f64, n: u32) -> f64 {
    let [(num, den)] = level_payment_terms([rate / 12.0], [n]);
    balance * num / den
}

/// The level payment at monthly rate `i` as `balance × num / den`, the same operations (so
/// the same bits) as `balance` (`n` = 0), `balance / n` (a zero rate) or
/// `balance × i / (1 − (1 + i)^−n)`. `num` and `den` depend only on the rate and term, so
/// they can be worked out ahead, several at once (their powers side by side).
#[inline]
fn level_payment_terms<const W: usize>(i: [f64; W], n: [u32; W]) -> [(f64, f64); W] {
    let inv = recip_powi(i.map(|i| 1.0 + i), n);
    std::array::from_fn(|k| {
        if n[k] == 0 {
            (1.0, 1.0)
        } else if i[k].abs() < 1e-12 {
            (1.0, f64::from(n[k]))
        } else {
            (i[k], 1.0 - inv[k])
        }
    })
}

/// What a coupon implies for `n` months left: its monthly rate and level-payment terms.
#[derive(Clone, Copy, Default)]
struct RateTerms {
    monthly: f64,
    num: f64,
    den: f64,
}

/// [`RateTerms`] of several (coupon, months left) pairs, side by side.
#[inline]
fn rate_terms<const W: usize>(rate: [f64; W], n: [u32; W]) -> [RateTerms; W] {
    let monthly = rate.map(|r| r / 12.0);
    let pay = level_payment_terms(monthly, n);
    std::array::from_fn(|k| RateTerms {
        monthly: monthly[k],
        num: pay[k].0,
        den: pay[k].1,
    })
}

/// [`RateTerms`] already worked out, by (coupon bits, months left). ARM coupons are reset
/// on the same index path and rounded to a common step, and loans of one vintage share
/// their reset dates, so many loans and resets meet the same pair: a look-up is cheaper
/// than a power and two divisions. An entry holds exactly what [`rate_terms`] gives for
/// its key, so results do not depend on what happens to be cached. Direct-mapped: a
/// colliding pair replaces the entry.
struct TermsCache {
    slots: Vec<(u64, u32, RateTerms)>,
}

impl TermsCache {
    /// 8,192 entries (320 KB): a synthetic ARM pool meets a few thousand pairs, and with
    /// fewer entries collisions evict entries still in use (measured: 1,024 entries are
    /// slower than no cache).
    const BITS: u32 = 13;
    /// No loan has this many months left, so an empty slot never matches.
    const EMPTY: u32 = u32::MAX;

    fn new() -> Self {
        TermsCache {
            slots: vec![(0, Self::EMPTY, RateTerms::default()); 1 << Self::BITS],
        }
    }

    fn slot(rate: f64, n: u32) -> usize {
        const MUL: u64 = 0x9E37_79B9_7F4A_7C15; // 2^64 / golden ratio (Fibonacci hashing)
        let h = (rate.to_bits() ^ u64::from(n).wrapping_mul(MUL)).wrapping_mul(MUL);
        (h >> (64 - Self::BITS)) as usize
    }

    #[inline]
    fn get(&self, rate: f64, n: u32) -> Option<RateTerms> {
        match self.slots.get(Self::slot(rate, n)) {
            Some(&(bits, m, t)) if bits == rate.to_bits() && m == n => Some(t),
            _ => None,
        }
    }

    fn put(&mut self, rate: f64, n: u32, t: RateTerms) {
        if let Some(s) = self.slots.get_mut(Self::slot(rate, n)) {
            *s = (rate.to_bits(), n, t);
        }
    }
}

/// `1 / x^n` for each entry, by repeated squaring: the products, in the order, of the
/// compiler runtime's `powi` (`x.powi(-n)`, so the result is the same bits). Written out
/// so that it inlines, multiplies by 1 (exact) rather than branching on each bit of `n`
/// (a pattern that changes with every call, so the branches are mispredicted), and runs
/// several chains of dependent products side by side; an entry whose bits are used up
/// multiplies by 1 until the others are done.
#[inline]
fn recip_powi<const W: usize>(x: [f64; W], n: [u32; W]) -> [f64; W] {
    let (mut a, mut k, mut r) = (x, n, [1.0f64; W]);
    loop {
        for j in 0..W {
            r[j] *= select(k[j] & 1 == 1, a[j], 1.0);
        }
        k = k.map(|k| k >> 1);
        if k.iter().all(|k| *k == 0) {
            break;
        }
        a = a.map(|a| a * a);
    }
    r.map(|r| 1.0 / r)
}

/// The rate after a change: fully indexed (index + margin) rounded to the nearest
/// `rounding`, limited to `prev ± cap`, then to `[floor, life_cap]`.
#[inline]
pub fn reset_rate(
    prev: f64,
    index: f64,
    margin: f64,
    rounding: f64,
    cap: f64,
    floor: f64,
    life_cap: f64,
) -> f64 {
    let mut r = index + margin;
    if rounding > 0.0 {
        // The nudge makes exact halves (held inexactly in binary) round up.
        r = round_half_away((r / rounding) + 1e-9) * rounding;
    }
    r = clamp(r, prev - cap, prev + cap);
    r.min(life_cap).max(floor)
}

/// `x.round()` (to the nearest integer, halves away from zero; the same result, sign of
/// zero included) without a call into the math library, which the baseline x86-64
/// instruction set has no instruction for.
#[inline]
fn round_half_away(x: f64) -> f64 {
    // From 2^52 up every double is an integer; NaN and infinities pass through too.
    if x.abs() >= 4_503_599_627_370_496.0 || x.is_nan() {
        return x;
    }
    let t = x as i64 as f64; // truncated toward zero, exactly
    let frac = x - t; // exact: the bits of `x` below the binary point
                      // Masks rather than branches: which way a coupon rounds is as good as random, so a
                      // branch would be mispredicted about every other reset. Adding ±1 or 0 is exact, and
                      // `copysign` restores the sign of a zero result.
    let up = select(frac >= 0.5, 1.0, 0.0) - select(frac <= -0.5, 1.0, 0.0);
    (t + up).copysign(x)
}

/// Loans stepped side by side through the months. Each loan's months form one dependent
/// chain (balance → interest → principal → next balance) whose latency, not the amount of
/// arithmetic, bounds a loan-at-a-time loop; advancing several loans together lets the CPU
/// overlap their chains. Each period's flows are still added to the sums in loan order.
const LANES: usize = 4;

/// A change of a loan's coupon or level payment in one period. A loan's changes depend only
/// on its terms and the index path, not on its balance, so they are worked out before the
/// month-by-month loop: the divisions, rounding and powers they take stay off the balance
/// chain, and the changes of a loan overlap one another.
#[derive(Clone, Copy)]
struct RateEvent {
    per: usize,
    /// Coupon from this period on, and its monthly rate.
    rate: f64,
    monthly: f64,
    /// The level payment is reset to `balance × pay_num / pay_den` (amortizing loans).
    pay: bool,
    pay_num: f64,
    pay_den: f64,
}

impl RateEvent {
    fn set_terms(&mut self, t: RateTerms) {
        self.monthly = t.monthly;
        if self.pay {
            (self.pay_num, self.pay_den) = (t.num, t.den);
        }
    }
}

/// Works out the terms of the events at positions `at` (at most four) of a loan with
/// `rem` months left, side by side, and caches them.
fn fill_terms(events: &mut [RateEvent], at: &[usize], rem: usize, cache: &mut TermsCache) {
    if at.is_empty() {
        return;
    }
    let e = |k: usize| at.get(k).and_then(|&j| events.get(j));
    let rate: [f64; 4] = std::array::from_fn(|k| e(k).map_or(0.0, |e| e.rate));
    let n: [u32; 4] = std::array::from_fn(|k| e(k).map_or(0, |e| (rem + 1 - e.per) as u32));
    let terms = rate_terms(rate, n);
    for (k, &j) in at.iter().enumerate() {
        if let Some(e) = events.get_mut(j) {
            e.set_terms(terms[k]);
            cache.put(rate[k], n[k], terms[k]);
        }
    }
}

/// One period's flows of the loans of a group, one entry per lane.
#[derive(Clone, Copy, Default)]
struct Flows {
    begin: [f64; LANES],
    defaulted: [f64; LANES],
    interest: [f64; LANES],
    scheduled: [f64; LANES],
    prepaid: [f64; LANES],
    end: [f64; LANES],
}

/// Up to `LANES` consecutive loans as they walk through the months, one entry per lane
/// (struct-of-arrays, so each step is the same arithmetic across the lanes).
///
/// A loan that has stopped (paid off, or past its last period) keeps a balance of exactly
/// zero, so every flow it yields is a zero. Its lane goes on computing them and adding them
/// to the period sums: the sums start at +0, so they can never be −0 (IEEE round-to-nearest
/// makes an exact cancellation +0), and adding ±0 to anything else leaves it bit for bit
/// the same. That keeps the monthly step free of a branch per lane.
struct Group<'t> {
    /// Pool position of each lane's loan.
    loan: [usize; LANES],
    /// Last period each lane can run (0 for an unused lane of a short last group).
    last: [usize; LANES],
    rem: [usize; LANES],
    io: [usize; LANES],
    svc: [f64; LANES],
    mi: [f64; LANES],
    /// Fractions not defaulting and not prepaying, by period; the latter's first period
    /// apart (a partial month).
    mdr_keep: [&'t [f64]; LANES],
    smm_keep: [&'t [f64]; LANES],
    stay_first: [f64; LANES],
    /// Rate and payment changes in period order, the next one's position and period, and
    /// the first period with a change in any lane.
    events: [&'t [RateEvent]; LANES],
    next: [usize; LANES],
    next_per: [usize; LANES],
    next_any: usize,
    bal: [f64; LANES],
    rate: [f64; LANES],
    monthly: [f64; LANES],
    /// Level payment of the surviving loan fraction; set when amortization starts and at
    /// each rate change, then scaled by survival (defaults and prepayments remove a
    /// fraction of the loan and of its payment alike).
    pmt: [f64; LANES],
}

impl<'t> Group<'t> {
    /// Loans `g..g + n` (`1 <= n <= LANES`); their rate events are written into `events`.
    fn new(
        ctx: &Ctx<'t>,
        g: usize,
        n: usize,
        events: &'t mut [Vec<RateEvent>; LANES],
        cache: &mut TermsCache,
    ) -> Self {
        let p = ctx.pool;
        let t = ctx.tables;
        // Lanes past the end of a short last group repeat its last loan with no balance.
        let loan: [usize; LANES] = lanes(|k| g + k.min(n - 1));
        let last = lanes(|k| {
            if k < n {
                (p.rem_term[loan[k]] as usize).min(ctx.np)
            } else {
                0
            }
        });
        ctx.rate_events(&loan, &last, events, cache);
        let events = events.each_ref().map(|ev| &ev[..]);
        let smm_tab = |i: usize| {
            if p.is_arm[i] {
                &t.smm_arm
            } else {
                &t.smm_fixed
            }
        };
        let rate = loan.map(|i| p.rate[i]);
        let next_per = events.map(|e| e.first().map_or(usize::MAX, |e| e.per));
        Group {
            loan,
            last,
            rem: loan.map(|i| p.rem_term[i] as usize),
            io: loan.map(|i| p.io_remaining[i] as usize),
            svc: loan.map(|i| p.servicing_fee[i]),
            mi: loan.map(|i| p.mi_fee[i]),
            mdr_keep: loan.map(|i| t.mdr.for_age(p.age[i]).1),
            smm_keep: loan.map(|i| smm_tab(i).for_age(p.age[i]).1),
            stay_first: loan.map(|i| {
                let smm = smm_tab(i).for_age(p.age[i]).0;
                1.0 - smm.get(1).copied().unwrap_or(0.0) * ctx.first_fraction
            }),
            next: [0; LANES],
            next_any: next_per.iter().copied().min().unwrap_or(usize::MAX),
            next_per,
            events,
            bal: lanes(|k| if k < n { p.balance[loan[k]] } else { 0.0 }),
            monthly: rate.map(|r| r / 12.0),
            rate,
            pmt: [0.0; LANES],
        }
    }

    /// The period after which every lane has stopped.
    fn last_period(&self) -> usize {
        self.last.iter().copied().max().unwrap_or(0)
    }

    /// Every lane has stopped (paid off or past its last period).
    fn all_stopped(&self) -> bool {
        self.bal.iter().all(|b| *b <= 0.0)
    }

    /// Applies the rate events of period `per` (a new coupon, a new level payment or both).
    /// Out of line, so that the monthly step stays small.
    #[inline(never)]
    fn apply_events(&mut self, per: usize) {
        for k in 0..LANES {
            if self.next_per[k] != per {
                continue;
            }
            if let Some(e) = self.events[k].get(self.next[k]) {
                self.rate[k] = e.rate;
                self.monthly[k] = e.monthly;
                if e.pay {
                    self.pmt[k] = self.bal[k] * e.pay_num / e.pay_den;
                }
            }
            self.next[k] += 1;
            self.next_per[k] = self.events[k]
                .get(self.next[k])
                .map_or(usize::MAX, |e| e.per);
        }
        self.next_any = self.next_per.iter().copied().min().unwrap_or(usize::MAX);
    }

    /// Advances every lane through period `per` (defaults, scheduled payment, prepayment)
    /// and returns their flows. Written as one operation at a time across the lanes.
    #[inline(always)]
    ///
    /// `DEFAULTS = false` when no loan can default: every survival factor is then exactly 1,
    /// so the survivors `s` are `b` itself, the defaulted balances exact zeros, and their
    /// products with the rates zeros too, which leave the default sums (+0) unchanged: the
    /// step leaves them out, with the same results.
    fn step<const DEFAULTS: bool>(&mut self, per: usize) -> Flows {
        if per == self.next_any {
            self.apply_events(per);
        }
        let survive = if DEFAULTS {
            lanes(|k| self.mdr_keep[k].get(per).copied().unwrap_or(1.0))
        } else {
            [1.0; LANES]
        };
        let stay = if per == 1 {
            self.stay_first
        } else {
            lanes(|k| self.smm_keep[k].get(per).copied().unwrap_or(1.0))
        };
        // The balance chain (b → s → interest → sched → after → end) is the critical path:
        // survival factors and the monthly rate are computed off it.
        let b = self.bal;
        let s = lanes(|k| b[k] * survive[k]);
        let interest = lanes(|k| s[k] * self.monthly[k]);
        // The payment only matters while amortizing; scaling it in other months too
        // saves a branch (it is set again when amortization starts).
        let pmt = lanes(|k| self.pmt[k] * survive[k]);
        let sched = lanes(|k| {
            let amortizing = select(
                per > self.io[k],
                clamp(pmt[k] - interest[k], 0.0, s[k]),
                0.0,
            );
            select(per == self.rem[k], s[k], amortizing)
        });
        let after = lanes(|k| s[k] - sched[k]);
        let end = lanes(|k| after[k] * stay[k]);
        self.bal = end;
        self.pmt = lanes(|k| pmt[k] * stay[k]);
        Flows {
            begin: b,
            defaulted: lanes(|k| b[k] - s[k]),
            interest,
            scheduled: sched,
            prepaid: lanes(|k| after[k] - end[k]),
            end,
        }
    }

    /// Adds the lanes' flows to a period's sums, in loan order (a stopped lane adds zeros).
    #[inline(always)]
    fn add_to<const DEFAULTS: bool>(&self, a: &mut [f64; ACC_FIELDS], f: &Flows) {
        // A local copy stays in registers across the lanes.
        let mut t = *a;
        for k in 0..LANES {
            let (b, d, r) = (f.begin[k], f.defaulted[k], self.rate[k]);
            t[A_BEGIN] += b;
            t[A_B_RATE] += b * r;
            t[A_B_SVC] += b * self.svc[k];
            t[A_B_MI] += b * self.mi[k];
            if DEFAULTS {
                t[A_DEF] += d;
                t[A_D_RATE] += d * r;
                t[A_D_SVC] += d * self.svc[k];
                t[A_D_MI] += d * self.mi[k];
            }
            t[A_SCHED] += f.scheduled[k];
            t[A_PREPAID] += f.prepaid[k];
        }
        *a = t;
    }

    /// Appends the per-loan rows of the lanes still paying in period `per` (a
    /// loan-at-a-time loop stops a loan after its last period or once `balance <= 0`).
    fn push_rows(&self, per: usize, f: &Flows, rows: &mut [Vec<LoanPeriod>; LANES]) {
        for (k, out) in rows.iter_mut().enumerate() {
            let b = f.begin[k];
            if per <= self.last[k] && (b > 0.0 || b.is_nan()) {
                out.push(LoanPeriod {
                    loan: self.loan[k] as u32,
                    period: per as u32,
                    begin_balance: f.begin[k],
                    rate: self.rate[k],
                    scheduled_principal: f.scheduled[k],
                    prepaid_principal: f.prepaid[k],
                    defaulted_principal: f.defaulted[k],
                    interest: f.interest[k],
                    end_balance: f.end[k],
                });
            }
        }
    }
}

/// One value per lane.
#[inline(always)]
fn lanes<T>(f: impl FnMut(usize) -> T) -> [T; LANES] {
    std::array::from_fn(f)
}

/// `if c { a } else { b }` with a bit mask rather than a branch: the lanes' conditions
/// differ, so a branch per lane would be mispredicted and would split the lanes' arithmetic.
#[inline(always)]
fn select(c: bool, a: f64, b: f64) -> f64 {
    let mask = 0u64.wrapping_sub(u64::from(c));
    f64::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

/// `x.clamp(lo, hi)` (same comparisons, same result) without its check that `lo <= hi`,
/// which holds here and would cost a branch per loan and month.
#[inline(always)]
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x < lo { lo } else { x };
    if x > hi {
        hi
    } else {
        x
    }
}

impl Ctx<'_> {
    /// Loan `i`'s rate changes (ARM resets) and level-payment resets (the start of
    /// amortization, then each rate change while amortizing) up to period `last`, without
    /// their monthly rates and payment terms (see [`fill_rate_terms`]).
    fn coupon_path(&self, i: usize, last: usize) -> CouponPath<'_> {
        let p = self.pool;
        let idx: &[f64] = if p.is_arm[i] {
            self.tables
                .index
                .get(usize::from(p.index_id[i]))
                .map(|v| v.as_slice())
                .unwrap_or(&[])
        } else {
            &[]
        };
        CouponPath {
            idx,
            last,
            io: p.io_remaining[i] as usize,
            freq: p.reset_freq[i] as usize,
            lookback: p.lookback[i] as usize,
            next_reset: if p.is_arm[i] {
                p.first_reset_period[i] as usize
            } else {
                usize::MAX
            },
            amort_start: p.io_remaining[i] as usize + 1,
            first_pending: p.first_reset_pending[i],
            rate: p.rate[i],
            margin: p.margin[i],
            rounding: p.rounding[i],
            initial_cap: p.initial_cap[i],
            periodic_cap: p.periodic_cap[i],
            floor: p.life_floor[i],
            life_cap: p.life_cap[i],
        }
    }

    /// The rate events of the lanes' loans (`last` = each lane's last period), into
    /// `events`: first the coupon path (each reset depends on the coupon before it), then
    /// the monthly rates and payment terms.
    fn rate_events(
        &self,
        loan: &[usize; LANES],
        last: &[usize; LANES],
        events: &mut [Vec<RateEvent>; LANES],
        cache: &mut TermsCache,
    ) {
        for (k, out) in events.iter_mut().enumerate() {
            out.clear();
            out.extend(self.coupon_path(loan[k], last[k]));
            fill_rate_terms(out, self.pool.rem_term[loan[k]] as usize, cache);
        }
    }
}

/// One loan's coupon changes in period order, as an iterator (see [`Ctx::coupon_path`]).
struct CouponPath<'a> {
    /// The loan's index, by observation period.
    idx: &'a [f64],
    last: usize,
    io: usize,
    freq: usize,
    lookback: usize,
    next_reset: usize,
    amort_start: usize,
    first_pending: bool,
    rate: f64,
    margin: f64,
    rounding: f64,
    initial_cap: f64,
    periodic_cap: f64,
    floor: f64,
    life_cap: f64,
}

impl Iterator for CouponPath<'_> {
    type Item = RateEvent;

    #[inline]
    fn next(&mut self) -> Option<RateEvent> {
        let per = self.next_reset.min(self.amort_start);
        if per > self.last {
            return None;
        }
        if per == self.next_reset {
            let obs = per.saturating_sub(self.lookback);
            let cap = if self.first_pending {
                self.initial_cap
            } else {
                self.periodic_cap
            };
            let index = self.idx.get(obs).copied().unwrap_or(0.0);
            self.rate = reset_rate(
                self.rate,
                index,
                self.margin,
                self.rounding,
                cap,
                self.floor,
                self.life_cap,
            );
            self.first_pending = false;
            self.next_reset += self.freq;
        }
        if per == self.amort_start {
            self.amort_start = usize::MAX;
        }
        Some(RateEvent {
            per,
            rate: self.rate,
            monthly: 0.0,
            pay: per > self.io,
            pay_num: 0.0,
            pay_den: 1.0,
        })
    }
}

/// Fills in the monthly rates and payment terms of a loan's events (`rem` months left at
/// the cut-off), which are independent of one another: from the cache, and those not there
/// worked out four at a time, side by side (so the CPU overlaps their divisions and powers).
fn fill_rate_terms(out: &mut [RateEvent], rem: usize, cache: &mut TermsCache) {
    let (mut missed, mut m) = ([0usize; 4], 0);
    for j in 0..out.len() {
        let Some(e) = out.get_mut(j) else { break };
        match cache.get(e.rate, (rem + 1 - e.per) as u32) {
            Some(t) => e.set_terms(t),
            None => {
                missed[m] = j;
                m += 1;
                if m == missed.len() {
                    fill_terms(out, &missed, rem, cache);
                    m = 0;
                }
            }
        }
    }
    fill_terms(out, &missed[..m], rem, cache);
}

impl Ctx<'_> {
    fn project_chunk(&self, lo: usize, hi: usize, cache: &mut TermsCache) -> ChunkOut {
        let mut acc = vec![[0.0f64; ACC_FIELDS]; self.np + 1];
        let mut loans = Vec::new();
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
        }
        ChunkOut { acc, loans }
    }

    /// Steps a group through its months, adding its flows to the period sums `acc`.
    fn run_group<const DEFAULTS: bool>(
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

/// Pool totals from the summed accumulators: liquidations `lag` months after default,
/// interest advanced on loans awaiting liquidation, fees.
fn assemble(
    acc: &[[f64; ACC_FIELDS]],
    np: usize,
    s: &Assumptions,
    fees: &PoolFees,
) -> Vec<PoolPeriod> {
    let lag = s.recovery_lag as usize;
    let mut out = Vec::with_capacity(np);
    let mut pending = 0.0;
    for (per, a) in acc.iter().enumerate().take(np + 1).skip(1) {
        let begin = a[A_BEGIN];
        let defaulted = a[A_DEF];
        let liquidated = if per > lag {
            acc[per - lag][A_DEF]
        } else {
            0.0
        };
        pending += defaulted - liquidated;
        if pending.abs() < 1e-9 {
            pending = 0.0;
        }
        let recoveries = (1.0 - s.severity) * liquidated;
        let realized_loss = liquidated - recoveries;
        // Loans defaulted in months per-lag+1 ..= per are still awaiting liquidation.
        let (adv_int, adv_svc, adv_mi) = if s.advancing && lag > 0 {
            let from = (per + 1).saturating_sub(lag).max(1);
            (from..=per).fold((0.0, 0.0, 0.0), |(x, y, z), k| {
                (
                    x + acc[k][A_D_RATE] / 12.0,
                    y + acc[k][A_D_SVC] / 12.0,
                    z + acc[k][A_D_MI] / 12.0,
                )
            })
        } else {
            (0.0, 0.0, 0.0)
        };
        let gross_interest = (a[A_B_RATE] - a[A_D_RATE]) / 12.0 + adv_int;
        let servicing_fee = (a[A_B_SVC] - a[A_D_SVC]) / 12.0 + adv_svc;
        let mi_fee = (a[A_B_MI] - a[A_D_MI]) / 12.0 + adv_mi;
        let master_servicing_fee = begin * fees.master_servicing / 12.0;
        let trustee_fee = begin * fees.trustee / 12.0;
        let net_interest =
            gross_interest - servicing_fee - mi_fee - master_servicing_fee - trustee_fee;
        let end_balance = begin - a[A_SCHED] - a[A_PREPAID] - defaulted;
        let (wac, net_wac) = if begin > 0.0 {
            let wac = a[A_B_RATE] / begin;
            (
                wac,
                wac - (a[A_B_SVC] + a[A_B_MI]) / begin - fees.master_servicing - fees.trustee,
            )
        } else {
            (0.0, 0.0)
        };
        out.push(PoolPeriod {
            period: per as u32,
            begin_balance: begin,
            scheduled_principal: a[A_SCHED],
            prepaid_principal: a[A_PREPAID],
            defaulted_principal: defaulted,
            recoveries,
            realized_loss,
            advanced_principal: 0.0,
            gross_interest,
            servicing_fee,
            master_servicing_fee,
            trustee_fee,
            mi_fee,
            net_interest,
            end_balance: end_balance.max(0.0),
            pending_default_balance: pending,
            wac,
            net_wac,
        });
    }
    out
}

#[cfg(test)]
#[path = "collateral_tests.rs"]
mod tests;
