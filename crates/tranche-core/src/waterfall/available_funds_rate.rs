//! The Net Mortgage Rate and the Available Funds Rate.
//!
//! "The Available Funds Rate ... will equal the product of (a) the Net Mortgage Rate,
//! multiplied by a fraction equal to (x) the aggregate principal balance of the Mortgage
//! Loans as of the end of the prior Due Period divided by (y) the aggregate principal
//! balance of the Bonds immediately prior to such Payment Date, multiplied by (b) a
//! fraction equal to (i) 30 divided by (ii) the number of days in the related Interest
//! Accrual Period." The Net Mortgage Rate is the weighted gross rate less the fee rates
//! and the Net Derivative Fees as a rate.

use super::EPS;
use crate::collateral::PoolPeriod;
use crate::deal::AfrBasis;

/// The period's rates: all decimal per annum.
#[derive(Debug, Clone, Copy)]
pub(super) struct FundsRates {
    pub net_mortgage_rate: f64,
    /// The Available Funds Rate on the act/360 basis, capping the bonds' coupons.
    pub afr: f64,
    /// Net interest plus net derivative flows over the bonds, × 360 / days: the rate the
    /// term sheet's "Available Rate" schedule prints.
    pub available_rate: f64,
}

/// `interest_funds`: net interest actually left after fees and Net Derivative Fees.
#[allow(clippy::too_many_arguments)]
pub(super) fn available_funds_rate(
    basis: AfrBasis,
    p: &PoolPeriod,
    pool_begin: f64,
    bonds_begin: f64,
    days: f64,
    ndf_owed: f64,
    receipts: f64,
    interest_funds: f64,
) -> FundsRates {
    let nmr = if pool_begin > 0.0 {
        p.net_wac - ndf_owed * 12.0 / pool_begin
    } else {
        0.0
    };
    let afr = if bonds_begin > EPS {
        match basis {
            AfrBasis::NetMortgageRate => nmr * pool_begin / bonds_begin * 30.0 / days,
            AfrBasis::NetInterestCollected => interest_funds / bonds_begin * 360.0 / days,
        }
    } else {
        f64::INFINITY
    };
    let available_rate = if bonds_begin > EPS {
        (p.net_interest - ndf_owed + receipts) / bonds_begin * 360.0 / days
    } else {
        0.0
    };
    FundsRates {
        net_mortgage_rate: nmr,
        afr,
        available_rate,
    }
}
