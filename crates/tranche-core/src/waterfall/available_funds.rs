//! Available funds: what a period collected, less the trust's fees and the Net Derivative
//! Fees, in that order ("Available funds from the Mortgage Loans (which are net of any
//! servicing, master servicing, indenture trustee, owner trustee, Net Derivative Fees and
//! private mortgage insurance premium fees)").
//!
//! Both are paid from interest collected first, then from principal collected, and never
//! from anything else: what a period cannot pay is carried to the next period (without
//! interest) and shown in the ledger. So the pots the steps draw from are never negative
//! and no payment is funded from nothing.

use crate::collateral::PoolPeriod;
use crate::deal::Source;

/// The money pots of one period, each never below zero.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Funds {
    pub interest: f64,
    pub principal: f64,
    pub derivative: f64,
}

impl Funds {
    pub fn available(&self, s: Source) -> f64 {
        match s {
            Source::InterestFunds => self.interest,
            Source::PrincipalFunds => self.principal,
            Source::AvailableFunds | Source::ExcessCashFlow => self.interest + self.principal,
            Source::DerivativeReceipts => self.derivative,
        }
    }

    /// Takes up to `amount` from `s`; principal-like uses draw principal first.
    pub fn draw(&mut self, s: Source, amount: f64, principal_first: bool) -> f64 {
        let amount = amount.max(0.0);
        let take = |pot: &mut f64, want: f64| {
            let t = want.min(*pot).max(0.0);
            *pot -= t;
            t
        };
        match s {
            Source::InterestFunds => take(&mut self.interest, amount),
            Source::PrincipalFunds => take(&mut self.principal, amount),
            Source::DerivativeReceipts => take(&mut self.derivative, amount),
            Source::AvailableFunds | Source::ExcessCashFlow => {
                if principal_first {
                    let a = take(&mut self.principal, amount);
                    a + take(&mut self.interest, amount - a)
                } else {
                    let a = take(&mut self.interest, amount);
                    a + take(&mut self.principal, amount - a)
                }
            }
        }
    }
}

/// Senior amounts owed from earlier periods and not yet paid.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SeniorArrears {
    /// Servicing, master servicing, trustee and mortgage insurance fees.
    pub fees: f64,
    /// Net payments owed by the trust to derivative counterparties.
    pub net_derivative_fees: f64,
}

/// What one period paid ahead of the bonds.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SeniorPaid {
    pub fees_paid: f64,
    pub net_derivative_fees_paid: f64,
}

/// The period's funds after fees and Net Derivative Fees (`ndf_due`, this period's net
/// payment owed to the counterparties), updating the arrears.
pub(super) fn available_funds(
    p: &PoolPeriod,
    principal: f64,
    derivative_receipts: f64,
    ndf_due: f64,
    arrears: &mut SeniorArrears,
) -> (Funds, SeniorPaid) {
    let fees_due =
        arrears.fees + p.servicing_fee + p.master_servicing_fee + p.trustee_fee + p.mi_fee;
    // `net_interest` is gross interest less this period's fees; with no arrears and enough
    // interest it is the interest funds exactly.
    let after_fees = p.net_interest - arrears.fees;
    let mut funds = Funds {
        interest: after_fees.max(0.0),
        principal,
        derivative: derivative_receipts,
    };
    let fee_short = (-after_fees).max(0.0);
    let fee_from_principal = funds.draw(Source::PrincipalFunds, fee_short, true);
    arrears.fees = (fee_short - fee_from_principal).max(0.0);
    let ndf_owed = arrears.net_derivative_fees + ndf_due;
    let ndf_paid = funds.draw(Source::AvailableFunds, ndf_owed, false);
    arrears.net_derivative_fees = (ndf_owed - ndf_paid).max(0.0);
    (
        funds,
        SeniorPaid {
            fees_paid: fees_due - arrears.fees,
            net_derivative_fees_paid: ndf_paid,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(gross: f64, fees: f64) -> PoolPeriod {
        PoolPeriod {
            gross_interest: gross,
            servicing_fee: fees,
            net_interest: gross - fees,
            ..PoolPeriod::default()
        }
    }

    #[test]
    fn fees_above_interest_take_principal_then_carry() {
        let mut arr = SeniorArrears::default();
        // 100 of interest against 250 of fees: 150 from principal's 120, 30 carried.
        let (f, paid) = available_funds(&period(100.0, 250.0), 120.0, 0.0, 0.0, &mut arr);
        assert_eq!((f.interest, f.principal), (0.0, 0.0));
        assert_eq!(paid.fees_paid, 220.0);
        assert_eq!(arr.fees, 30.0);
        // Next period: the 30 in arrears come first, then 10 of this period's fees.
        let (f, paid) = available_funds(&period(100.0, 10.0), 50.0, 0.0, 5.0, &mut arr);
        assert_eq!(paid.fees_paid, 40.0);
        assert_eq!(paid.net_derivative_fees_paid, 5.0);
        assert_eq!((f.interest, f.principal), (55.0, 50.0));
        assert_eq!(arr.fees, 0.0);
    }

    #[test]
    fn net_derivative_fees_beyond_collections_are_carried() {
        let mut arr = SeniorArrears::default();
        let (f, paid) = available_funds(&period(100.0, 10.0), 40.0, 7.0, 200.0, &mut arr);
        assert_eq!(paid.net_derivative_fees_paid, 130.0);
        assert_eq!(arr.net_derivative_fees, 70.0);
        assert_eq!((f.interest, f.principal, f.derivative), (0.0, 0.0, 7.0));
    }

    #[test]
    fn the_usual_period_is_untouched() {
        let mut arr = SeniorArrears::default();
        let p = period(1000.0, 37.5);
        let (f, paid) = available_funds(&p, 500.0, 0.0, 0.0, &mut arr);
        assert_eq!(f.interest, p.net_interest);
        assert_eq!(f.principal, 500.0);
        assert_eq!(paid.fees_paid, 37.5);
    }
}
