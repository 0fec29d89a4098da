//! What a strat table groups by: one field (or derived field) of a loan.
//!
//! Keys read values in the units the tape uses: rates and ratios in percent, terms in
//! months, balances in currency. Text fields that are empty are *missing* and fall in
//! the table's `Unknown` bucket.

use crate::tape::{AmortType, Loan};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A loan field a strat table can group by. The serde names follow the tape's column
/// names (`gross_rate_pct`, `orig_ltv_pct`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Product description as printed (`2/28 LIB6M`).
    Product,
    /// Current balance.
    Balance,
    State,
    PropertyType,
    Occupancy,
    Purpose,
    DocType,
    Delinquency,
    /// Current gross coupon, percent.
    #[serde(rename = "gross_rate_pct")]
    GrossRate,
    /// Net coupon (gross less the fees of [`super::NetFees`] and the loan's fees), percent.
    #[serde(rename = "net_rate_pct")]
    NetRate,
    #[serde(rename = "orig_ltv_pct")]
    OrigLtv,
    #[serde(rename = "dti_pct")]
    Dti,
    Fico,
    OrigTerm,
    RemTerm,
    Age,
    IoMonths,
    PrepayPenaltyMonths,
    /// `hard`, `soft`; missing when the loan has no penalty type.
    PrepayPenaltyType,
    /// ARM gross margin, percent (missing for fixed-rate loans).
    #[serde(rename = "margin_pct")]
    Margin,
    /// Months to the next rate change (ARMs), counted from the loan's own cut-off date
    /// (see [`months_to_roll`]).
    #[serde(alias = "months_to_roll")]
    MonthsToReset,
    /// Lifetime maximum rate, percent (ARMs).
    #[serde(rename = "life_cap_pct")]
    LifeCap,
    #[serde(rename = "life_floor_pct")]
    LifeFloor,
    #[serde(rename = "initial_cap_pct")]
    InitialCap,
    #[serde(rename = "periodic_cap_pct")]
    PeriodicCap,
    /// ARM index name (`LIBOR6M`); missing for fixed-rate loans.
    Index,
    /// `fixed` or `arm`.
    AmortType,
    Lien,
    /// `with MI` when the loan pays an MI premium through the trust (`mi_fee_pct > 0`),
    /// else `no MI`. The tape carries no other mortgage-insurance flag.
    MiCoverage,
    /// Not carried on the tape: every loan is missing (the `Unknown` bucket), as in term
    /// sheets whose issuer did not report payment histories.
    PaymentHistory12m,
    /// Month of the next rate change: the cut-off month plus `months_to_reset`.
    /// Needs the cut-off date.
    NextAdjustmentDate,
}

/// The value of a key for one loan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyValue<'a> {
    Num(f64),
    Text(&'a str),
    /// Months since year 0 (`year * 12 + month0`).
    Month(i32),
    Missing,
}

impl Key {
    /// True for keys whose values are numbers (ranges apply to them).
    pub fn is_numeric(self) -> bool {
        !matches!(
            self,
            Key::Product
                | Key::State
                | Key::PropertyType
                | Key::Occupancy
                | Key::Purpose
                | Key::DocType
                | Key::Delinquency
                | Key::PrepayPenaltyType
                | Key::Index
                | Key::AmortType
                | Key::MiCoverage
                | Key::PaymentHistory12m
                | Key::NextAdjustmentDate
        )
    }

    pub fn needs_cutoff(self) -> bool {
        matches!(self, Key::NextAdjustmentDate)
    }

    /// Reads the key from a loan. `net_rate` is the loan's net coupon (decimal), computed
    /// once by the caller; `cutoff` is the pool's cut-off date.
    pub fn value<'a>(
        self,
        loan: &'a Loan,
        net_rate: f64,
        cutoff: Option<NaiveDate>,
    ) -> KeyValue<'a> {
        let cutoff_month = cutoff.map(month_index);
        use KeyValue::{Missing, Num, Text};
        let text = |s: &'a str| {
            let t = s.trim();
            if t.is_empty() {
                Missing
            } else {
                Text(t)
            }
        };
        let arm = loan.arm.as_ref();
        let arm_num = |f: fn(&crate::tape::ArmTerms) -> f64| arm.map_or(Missing, |a| Num(f(a)));
        match self {
            Key::Product => text(&loan.product),
            Key::Balance => Num(loan.balance),
            Key::State => text(&loan.state),
            Key::PropertyType => text(&loan.property_type),
            Key::Occupancy => text(&loan.occupancy),
            Key::Purpose => text(&loan.purpose),
            Key::DocType => text(&loan.doc_type),
            Key::Delinquency => text(&loan.delinquency),
            Key::GrossRate => Num(loan.gross_rate * 100.0),
            Key::NetRate => Num(net_rate * 100.0),
            Key::OrigLtv => Num(loan.orig_ltv),
            Key::Dti => loan.dti.map_or(Missing, Num),
            Key::Fico => loan.fico.map_or(Missing, |f| Num(f64::from(f))),
            Key::OrigTerm => Num(f64::from(loan.orig_term)),
            Key::RemTerm => Num(f64::from(loan.rem_term)),
            Key::Age => Num(f64::from(loan.age)),
            Key::IoMonths => Num(f64::from(loan.io_months)),
            Key::PrepayPenaltyMonths => Num(f64::from(loan.prepay_penalty_months)),
            Key::PrepayPenaltyType => text(&loan.prepay_penalty_type),
            Key::Margin => arm_num(|a| a.margin * 100.0),
            Key::MonthsToReset => {
                months_to_roll(loan, cutoff).map_or(Missing, |m| Num(f64::from(m)))
            }
            Key::LifeCap => arm_num(|a| a.life_cap * 100.0),
            Key::LifeFloor => arm_num(|a| a.life_floor * 100.0),
            Key::InitialCap => arm_num(|a| a.initial_cap * 100.0),
            Key::PeriodicCap => arm_num(|a| a.periodic_cap * 100.0),
            Key::Index => arm.map_or(Missing, |a| Text(a.index.name())),
            Key::AmortType => Text(match loan.amort {
                AmortType::Fixed => "fixed",
                AmortType::Arm => "arm",
            }),
            Key::Lien => Num(f64::from(loan.lien)),
            Key::MiCoverage => Text(if loan.mi_fee > 0.0 {
                "with MI"
            } else {
                "no MI"
            }),
            Key::PaymentHistory12m => Missing,
            Key::NextAdjustmentDate => match (arm, cutoff_month) {
                (Some(a), Some(c)) => KeyValue::Month(
                    c.saturating_add(i32::try_from(a.months_to_reset).unwrap_or(i32::MAX)),
                ),
                _ => Missing,
            },
        }
    }
}

/// Months to roll as term sheets count them: from the loan's own cut-off date, the later
/// of the pool's cut-off date and the loan's origination date, to its next rate change
/// (the first day of the month `months_to_reset` after the pool's cut-off month), in whole
/// months. A loan originated after the cut-off thus counts fewer months than its
/// `months_to_reset` (e.g. originated January 15 with its next change on August 1: 6, not
/// 7). Without a cut-off date or an origination date after it: `months_to_reset`.
/// `None` for fixed-rate loans.
pub fn months_to_roll(loan: &Loan, cutoff: Option<NaiveDate>) -> Option<u32> {
    let a = loan.arm.as_ref()?;
    let (Some(c), Some(o)) = (cutoff, loan.orig_date) else {
        return Some(a.months_to_reset);
    };
    if o <= c {
        return Some(a.months_to_reset);
    }
    let next = i64::from(month_index(c)) + i64::from(a.months_to_reset);
    // Whole months from `o` to the first day of month `next`: a partial month does not count.
    let whole = next - i64::from(month_index(o)) - i64::from(o.day() > 1);
    Some(u32::try_from(whole.max(0)).unwrap_or(0))
}

/// A date as months since year 0.
pub fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// `MM/YY` of a month index.
pub fn month_label(m: i32) -> String {
    let y = m.div_euclid(12);
    let mo = m.rem_euclid(12) + 1;
    format!("{mo:02}/{:02}", y.rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels() {
        let d = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
        assert_eq!(month_label(month_index(d)), "01/04");
        assert_eq!(month_label(month_index(d) + 26), "03/06");
        assert_eq!(month_label(month_index(d) + 119), "12/13");
    }
}
