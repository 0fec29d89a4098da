//! The tape laid out as struct-of-arrays, each loan checked once.

use super::{next_reset, LoanEnd, NO_INDEX};
use crate::error::{FieldError, Location};
use crate::tape::{AmortType, Loan, RateIndex};
use crate::{Error, Result};

/// The tape as struct-of-arrays, validated and ready to project many times.
///
/// Every array has one entry per loan. ARM arrays hold zeros for fixed-rate loans.
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// The level payment of a loan already amortizing at the tape's date (a current tape);
    /// `None`: worked out when amortization starts, or at once for an amortizing loan.
    pub level_payment: Vec<Option<f64>>,
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
            level_payment: vec![None; n],
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
        self.level_payment.append(&mut other.level_payment);
    }

    /// The pool `months` months on, each loan where a projection left it (`ends`, in pool
    /// order): the pool a current tape of that date lays out (as
    /// [`crate::surveillance::current_loans`] ages its rows).
    pub fn aged(&self, ends: &[LoanEnd], months: u32) -> Result<LoanPool> {
        if ends.len() != self.len() {
            return Err(Error::invalid(
                "loans",
                format!("expected {} loans, got {}", self.len(), ends.len()),
            ));
        }
        let mut p = self.clone();
        for (i, e) in ends.iter().enumerate() {
            p.balance[i] = e.balance;
            p.rate[i] = e.rate;
            p.level_payment[i] = e.level_payment;
            p.rem_term[i] = self.rem_term[i].saturating_sub(months);
            p.age[i] = self.age[i] + months;
            p.io_remaining[i] = self.io_remaining[i].saturating_sub(months);
            if self.is_arm[i] {
                let (next, passed) =
                    next_reset(self.first_reset_period[i], self.reset_freq[i], months);
                if passed {
                    p.first_reset_pending[i] = false;
                }
                p.first_reset_period[i] = (next - months - 1).min(p.rem_term[i]) + 1;
            }
        }
        Ok(p)
    }

    /// Sets the level payments of loans already amortizing (a current tape's
    /// `level_payment`, one entry per loan). A payment must be a finite amount >= 0, and
    /// only a loan past its interest-only months has one.
    pub fn set_level_payments(&mut self, payments: &[Option<f64>]) -> Result<()> {
        if payments.len() != self.len() {
            return Err(Error::invalid(
                "level_payment",
                format!(
                    "expected one entry per loan ({}), got {}",
                    self.len(),
                    payments.len()
                ),
            ));
        }
        let mut errors = Vec::new();
        for (i, p) in payments.iter().enumerate() {
            let Some(v) = *p else { continue };
            let id = &self.loan_id[i];
            if !v.is_finite() || v < 0.0 {
                row_err(
                    &mut errors,
                    i + 1,
                    id,
                    "level_payment",
                    format!("expected a payment >= 0, got {v}"),
                );
            } else if self.io_remaining[i] > 0 {
                row_err(
                    &mut errors,
                    i + 1,
                    id,
                    "level_payment",
                    format!(
                        "the loan has {} interest-only months left; a level payment is \
                         given only once it amortizes",
                        self.io_remaining[i]
                    ),
                );
            }
        }
        if !errors.is_empty() {
            return Err(Error::InvalidMany(errors));
        }
        self.level_payment = payments.to_vec();
        Ok(())
    }
}
