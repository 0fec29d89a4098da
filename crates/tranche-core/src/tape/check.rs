//! The rules a loan must satisfy against itself, beyond each field's own range: the tape's
//! semantic checks, run once per loan when a tape is read (never in the projection).
//!
//! A broken rule is an error, or — when real tapes break it for reasons the projection
//! handles — a warning, which the reader counts per rule ([`LoanWarnings`]) and a front end
//! prints once per rule (or refuses, when strict). Messages name tape columns and speak
//! percent, as the tape does.

use super::{AmortType, Loan};
use std::collections::BTreeMap;

/// A rule a loan can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoanRule {
    /// Remaining term above the original term.
    RemTermOverOrigTerm,
    /// Interest-only months above the original term.
    IoOverOrigTerm,
    /// An ARM's lifetime cap below its current rate.
    LifeCapBelowRate,
    /// An ARM's lifetime floor above its lifetime cap.
    LifeFloorAboveCap,
    /// An ARM's margin above its lifetime cap: the fully indexed rate exceeds the cap at
    /// every index level from 0 up.
    MarginAboveLifeCap,
    /// An ARM's next rate change after its last payment.
    ResetAfterMaturity,
    /// A fixed-rate loan whose servicing and MI fees take all of its coupon or more.
    FixedFeesAtOrAboveRate,
    /// Warning: an ARM whose fees take all of its current coupon or more (a teaser rate);
    /// its next rate change sets a new coupon.
    ArmFeesAtOrAboveRate,
    /// Warning: an ARM's current rate below its lifetime floor (a teaser rate); the floor
    /// applies from the next rate change.
    RateBelowLifeFloor,
    /// Warning: age + remaining term above the original term (tapes count age from
    /// origination or from the first payment, a month or two apart; extensions).
    AgePlusRemOverOrigTerm,
    /// Warning: interest-only months left (io_months − age) beyond the remaining term: the
    /// loan pays interest only to maturity and its whole balance with the last payment.
    IoPastMaturity,
}

impl LoanRule {
    /// Every rule, errors first.
    pub const ALL: [LoanRule; 11] = [
        LoanRule::RemTermOverOrigTerm,
        LoanRule::IoOverOrigTerm,
        LoanRule::LifeCapBelowRate,
        LoanRule::LifeFloorAboveCap,
        LoanRule::MarginAboveLifeCap,
        LoanRule::ResetAfterMaturity,
        LoanRule::FixedFeesAtOrAboveRate,
        LoanRule::ArmFeesAtOrAboveRate,
        LoanRule::RateBelowLifeFloor,
        LoanRule::AgePlusRemOverOrigTerm,
        LoanRule::IoPastMaturity,
    ];

    /// True for a rule that only warns (unless strict).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            LoanRule::ArmFeesAtOrAboveRate
                | LoanRule::RateBelowLifeFloor
                | LoanRule::AgePlusRemOverOrigTerm
                | LoanRule::IoPastMaturity
        )
    }

    /// The tape column the rule's message names.
    pub fn column(self) -> &'static str {
        match self {
            LoanRule::RemTermOverOrigTerm => "rem_term",
            LoanRule::IoOverOrigTerm | LoanRule::IoPastMaturity => "io_months",
            LoanRule::LifeCapBelowRate => "life_cap_pct",
            LoanRule::LifeFloorAboveCap | LoanRule::RateBelowLifeFloor => "life_floor_pct",
            LoanRule::MarginAboveLifeCap => "margin_pct",
            LoanRule::ResetAfterMaturity => "months_to_reset",
            LoanRule::FixedFeesAtOrAboveRate | LoanRule::ArmFeesAtOrAboveRate => {
                "servicing_fee_pct"
            }
            LoanRule::AgePlusRemOverOrigTerm => "age",
        }
    }

    /// What the projection does with a loan that breaks a warning rule.
    pub fn consequence(self) -> &'static str {
        match self {
            LoanRule::ArmFeesAtOrAboveRate => {
                "its fees exceed its interest until its next rate change"
            }
            LoanRule::RateBelowLifeFloor => {
                "the rate holds until the next rate change, which applies the floor"
            }
            LoanRule::AgePlusRemOverOrigTerm => {
                "projected over its remaining term, with its age as given"
            }
            LoanRule::IoPastMaturity => {
                "interest only to maturity, the whole balance paid with the last payment"
            }
            _ => "",
        }
    }
}

/// One broken rule of one loan.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanFinding {
    pub rule: LoanRule,
    pub message: String,
}

/// A decimal rate as a percent without float noise (0.0575 → "5.75").
pub fn fmt_pct(v: f64) -> String {
    let s = format!("{:.6}", v * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Rates compared as read from percent text: a difference below this is equality.
const RATE_EPS: f64 = 1e-12;

/// Every rule `loan` breaks, errors and warnings, in [`LoanRule::ALL`] order.
pub fn check_loan(l: &Loan) -> Vec<LoanFinding> {
    let mut out = Vec::new();
    let mut hit = |rule, message: String| out.push(LoanFinding { rule, message });
    if l.rem_term > l.orig_term {
        hit(
            LoanRule::RemTermOverOrigTerm,
            format!(
                "remaining term {} exceeds the original term {}",
                l.rem_term, l.orig_term
            ),
        );
    }
    if l.io_months > l.orig_term {
        hit(
            LoanRule::IoOverOrigTerm,
            format!(
                "interest-only months {} exceed the original term {}",
                l.io_months, l.orig_term
            ),
        );
    }
    let arm = l.arm.as_ref().filter(|_| l.amort == AmortType::Arm);
    if let Some(a) = arm {
        if a.life_cap < l.gross_rate - RATE_EPS {
            hit(
                LoanRule::LifeCapBelowRate,
                format!(
                    "lifetime cap {}% is below the current rate {}%",
                    fmt_pct(a.life_cap),
                    fmt_pct(l.gross_rate)
                ),
            );
        }
        if a.life_floor > a.life_cap + RATE_EPS {
            hit(
                LoanRule::LifeFloorAboveCap,
                format!(
                    "lifetime floor {}% is above the lifetime cap {}%",
                    fmt_pct(a.life_floor),
                    fmt_pct(a.life_cap)
                ),
            );
        }
        if a.margin > a.life_cap + RATE_EPS {
            hit(
                LoanRule::MarginAboveLifeCap,
                format!(
                    "margin {}% is above the lifetime cap {}%: the rate would sit at the cap at every index level; expected a margin at or below the cap",
                    fmt_pct(a.margin),
                    fmt_pct(a.life_cap)
                ),
            );
        }
        // The new rate applies from period months_to_reset + 1; the last payment is in
        // period rem_term.
        if a.months_to_reset > l.rem_term {
            hit(
                LoanRule::ResetAfterMaturity,
                format!(
                    "the next rate change, {} months after the cut-off, comes after the loan's last payment in month {}",
                    a.months_to_reset, l.rem_term
                ),
            );
        }
    }
    let fees = l.servicing_fee + l.mi_fee;
    if fees > 0.0 && fees >= l.gross_rate - RATE_EPS {
        let rule = if arm.is_some() {
            LoanRule::ArmFeesAtOrAboveRate
        } else {
            LoanRule::FixedFeesAtOrAboveRate
        };
        hit(
            rule,
            format!(
                "the servicing fee {}% and MI fee {}% take all of the gross rate {}% or more",
                fmt_pct(l.servicing_fee),
                fmt_pct(l.mi_fee),
                fmt_pct(l.gross_rate)
            ),
        );
    }
    if let Some(a) = arm {
        if l.gross_rate < a.life_floor - RATE_EPS && a.life_floor <= a.life_cap + RATE_EPS {
            hit(
                LoanRule::RateBelowLifeFloor,
                format!(
                    "the current rate {}% is below the lifetime floor {}%",
                    fmt_pct(l.gross_rate),
                    fmt_pct(a.life_floor)
                ),
            );
        }
    }
    if l.rem_term <= l.orig_term
        && u64::from(l.age) + u64::from(l.rem_term) > u64::from(l.orig_term)
    {
        hit(
            LoanRule::AgePlusRemOverOrigTerm,
            format!(
                "age {} + remaining term {} = {} months exceeds the original term {}",
                l.age,
                l.rem_term,
                u64::from(l.age) + u64::from(l.rem_term),
                l.orig_term
            ),
        );
    }
    let io_left = l.io_remaining();
    if l.io_months <= l.orig_term && io_left > l.rem_term {
        hit(
            LoanRule::IoPastMaturity,
            format!(
                "{io_left} interest-only months remain (io_months {} − age {}), more than the remaining term {}",
                l.io_months, l.age, l.rem_term
            ),
        );
    }
    out
}

/// How often one warning rule was broken, and where first.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTally {
    pub count: usize,
    /// 1-based data row of the first loan that broke it.
    pub first_row: usize,
    pub first_loan: String,
    /// That loan's message.
    pub first_message: String,
}

/// The warnings of a tape, counted per rule: what a front end prints once per rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoanWarnings {
    rules: BTreeMap<LoanRule, RuleTally>,
}

impl LoanWarnings {
    /// Counts a broken warning rule of the loan in data row `row`.
    pub fn add(&mut self, row: usize, loan_id: &str, f: &LoanFinding) {
        self.rules
            .entry(f.rule)
            .and_modify(|t| t.count += 1)
            .or_insert_with(|| RuleTally {
                count: 1,
                first_row: row,
                first_loan: loan_id.to_string(),
                first_message: f.message.clone(),
            });
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules broken, in [`LoanRule::ALL`] order, with their tallies.
    pub fn iter(&self) -> impl Iterator<Item = (LoanRule, &RuleTally)> {
        self.rules.iter().map(|(r, t)| (*r, t))
    }

    /// Count of `rule`'s breaks (0 if none).
    pub fn count(&self, rule: LoanRule) -> usize {
        self.rules.get(&rule).map_or(0, |t| t.count)
    }

    /// One line per rule, without the file name:
    /// ``row 3, field `age`: age 10 + ... (loan `L3`, the first of 2 loans); consequence``.
    pub fn lines(&self) -> Vec<String> {
        self.iter()
            .map(|(rule, t)| {
                let which = if t.count == 1 {
                    format!("loan `{}`", t.first_loan)
                } else {
                    format!("loan `{}`, the first of {} loans", t.first_loan, t.count)
                };
                format!(
                    "row {}, field `{}`: {} ({which}); {}",
                    t.first_row,
                    rule.column(),
                    t.first_message,
                    rule.consequence()
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
