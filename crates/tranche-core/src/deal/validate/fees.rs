//! The loan-level fee rules a deal may state (servicing fee by loan kind, the Premium Rate),
//! checked in the file and against the tape's loans.

use super::{num, Errs};
use crate::deal::Deal;
use crate::error::FieldError;
use crate::tape::{AmortType, Loan};

/// Most a loan-level fee rate (servicing, MI premium) may be, percent a year: real deals
/// charge well under 2%; more is a unit slip (basis points written as percent).
pub const MAX_LOAN_FEE_PCT: f64 = 5.0;

/// The Premium Rate is printed to 0.001%: the tape's weighted premium must round to it.
const PREMIUM_TOLERANCE_PCT: f64 = 0.0005;

pub(super) fn in_file(e: &mut Errs, deal: &Deal) {
    let c = &deal.collateral;
    if let Some(s) = &c.servicing_fee_pct {
        for (kind, v) in [("arm", s.arm), ("fixed", s.fixed)] {
            if let Some(v) = v {
                e.pct(
                    format!("collateral.servicing_fee_pct.{kind}"),
                    v,
                    0.0,
                    MAX_LOAN_FEE_PCT,
                    "a servicing fee rate",
                );
            }
        }
        if s.arm.is_none() && s.fixed.is_none() {
            e.push(
                "collateral.servicing_fee_pct",
                "expected a rate for `arm`, `fixed` or both",
            );
        }
    }
    if let Some(p) = c.premium_rate_pct {
        e.pct(
            "collateral.premium_rate_pct".into(),
            p,
            0.0,
            MAX_LOAN_FEE_PCT,
            "a premium rate",
        );
    }
}

pub(super) fn against_loans(deal: &Deal, loans: &[Loan]) -> Vec<FieldError> {
    let mut e = Errs(Vec::new());
    let c = &deal.collateral;
    if let Some(s) = &c.servicing_fee_pct {
        for (kind, amort, want) in [
            ("arm", AmortType::Arm, s.arm),
            ("fixed", AmortType::Fixed, s.fixed),
        ] {
            let Some(want) = want else { continue };
            let of_kind = loans.iter().filter(|l| l.amort == amort);
            let off: Vec<&Loan> = of_kind
                .clone()
                .filter(|l| (l.servicing_fee * 100.0 - want).abs() > 1e-9)
                .collect();
            if let Some(first) = off.first() {
                e.push(
                    format!("collateral.servicing_fee_pct.{kind}"),
                    format!(
                        "the deal charges {want}% on the {kind} loans, but {} of the tape's {} \
                         charge another rate (first: loan {} at {}%)",
                        off.len(),
                        of_kind.count(),
                        first.loan_id,
                        crate::tape::fmt_pct(first.servicing_fee)
                    ),
                );
            }
        }
    }
    if let Some(p) = c.premium_rate_pct {
        let total: f64 = loans.iter().map(|l| l.balance).sum();
        if total > 0.0 {
            let wa = loans.iter().map(|l| l.balance * l.mi_fee).sum::<f64>() / total * 100.0;
            if (wa - p).abs() > PREMIUM_TOLERANCE_PCT + 1e-12 {
                e.push(
                    "collateral.premium_rate_pct",
                    format!(
                        "the tape's MI premiums average {}% of the pool balance; the deal's \
                         Premium Rate is {p}%",
                        num((wa * 1e4).round() / 1e4)
                    ),
                );
            }
        }
    }
    e.0
}
