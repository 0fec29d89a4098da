//! Actual performance: the pool's figures from a trustee's monthly remittance reports for
//! payment dates already past. They take the collateral model's place for their periods;
//! the model takes over after the last one, its loans scaled to the balances reported
//! then (docs/surveillance.md).

use super::check::agrees;
use crate::collateral::{Cohort, PoolEnd, PoolPeriod};
use crate::deal::YearMonth;
use crate::error::{FieldError, Location};
use crate::{Error, Result};

/// One payment date's pool figures, as a remittance report gives them. Amounts are cash
/// for the period; balances are at its start or end; rates are decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActualPeriod {
    /// The payment date's month.
    pub month: YearMonth,
    /// Performing balance at the start of the period.
    pub begin_balance: f64,
    pub scheduled_principal: f64,
    /// Prepayments in full and curtailments.
    pub prepaid_principal: f64,
    /// Balance that defaulted (left the performing balance to await liquidation).
    pub defaulted_principal: f64,
    /// Net liquidation proceeds.
    pub recoveries: f64,
    /// Liquidated balance less its net proceeds.
    pub realized_loss: f64,
    /// Principal advanced by the servicer on loans awaiting liquidation.
    pub advanced_principal: f64,
    /// Interest collected and advanced.
    pub gross_interest: f64,
    pub servicing_fee: f64,
    pub master_servicing_fee: f64,
    pub trustee_fee: f64,
    pub mi_fee: f64,
    /// Gross interest less the four fees.
    pub net_interest: f64,
    /// Performing balance at the end of the period.
    pub end_balance: f64,
    /// Defaulted loans awaiting liquidation at the end of the period.
    pub defaulted_balance: f64,
    /// Weighted average gross coupon and net coupon on the beginning balance (decimal).
    pub wac: f64,
    pub net_wac: f64,
    /// Delinquent balances at the end of the period, by status.
    pub delinquent_30: f64,
    pub delinquent_60: f64,
    pub delinquent_90_plus: f64,
    pub foreclosure: f64,
    pub reo: f64,
}

/// The fields of [`ActualPeriod`] as a file names them: `month`, then amounts in dollars
/// and the coupons (in a file in percent: `wac_pct`, `net_wac_pct`).
pub const ACTUALS_COLUMNS: [&str; 23] = [
    "month",
    "begin_balance",
    "scheduled_principal",
    "prepaid_principal",
    "defaulted_principal",
    "recoveries",
    "realized_loss",
    "advanced_principal",
    "gross_interest",
    "servicing_fee",
    "master_servicing_fee",
    "trustee_fee",
    "mi_fee",
    "net_interest",
    "end_balance",
    "defaulted_balance",
    "wac_pct",
    "net_wac_pct",
    "delinquent_30",
    "delinquent_60",
    "delinquent_90_plus",
    "foreclosure",
    "reo",
];

impl ActualPeriod {
    /// Every number in [`ACTUALS_COLUMNS`] order after `month` (coupons as decimals).
    pub fn values(&self) -> [f64; 22] {
        [
            self.begin_balance,
            self.scheduled_principal,
            self.prepaid_principal,
            self.defaulted_principal,
            self.recoveries,
            self.realized_loss,
            self.advanced_principal,
            self.gross_interest,
            self.servicing_fee,
            self.master_servicing_fee,
            self.trustee_fee,
            self.mi_fee,
            self.net_interest,
            self.end_balance,
            self.defaulted_balance,
            self.wac,
            self.net_wac,
            self.delinquent_30,
            self.delinquent_60,
            self.delinquent_90_plus,
            self.foreclosure,
            self.reo,
        ]
    }

    /// The period from its numbers in [`ACTUALS_COLUMNS`] order (coupons as decimals).
    pub fn from_values(month: YearMonth, v: &[f64; 22]) -> Self {
        ActualPeriod {
            month,
            begin_balance: v[0],
            scheduled_principal: v[1],
            prepaid_principal: v[2],
            defaulted_principal: v[3],
            recoveries: v[4],
            realized_loss: v[5],
            advanced_principal: v[6],
            gross_interest: v[7],
            servicing_fee: v[8],
            master_servicing_fee: v[9],
            trustee_fee: v[10],
            mi_fee: v[11],
            net_interest: v[12],
            end_balance: v[13],
            defaulted_balance: v[14],
            wac: v[15],
            net_wac: v[16],
            delinquent_30: v[17],
            delinquent_60: v[18],
            delinquent_90_plus: v[19],
            foreclosure: v[20],
            reo: v[21],
        }
    }

    /// A model period written as actuals: the defaults awaiting liquidation are its
    /// foreclosures (the model has no earlier delinquency).
    pub fn from_model(month: YearMonth, p: &PoolPeriod) -> Self {
        ActualPeriod {
            month,
            begin_balance: p.begin_balance,
            scheduled_principal: p.scheduled_principal,
            prepaid_principal: p.prepaid_principal,
            defaulted_principal: p.defaulted_principal,
            recoveries: p.recoveries,
            realized_loss: p.realized_loss,
            advanced_principal: p.advanced_principal,
            gross_interest: p.gross_interest,
            servicing_fee: p.servicing_fee,
            master_servicing_fee: p.master_servicing_fee,
            trustee_fee: p.trustee_fee,
            mi_fee: p.mi_fee,
            net_interest: p.net_interest,
            end_balance: p.end_balance,
            defaulted_balance: p.pending_default_balance,
            wac: p.wac,
            net_wac: p.net_wac,
            delinquent_30: 0.0,
            delinquent_60: 0.0,
            delinquent_90_plus: 0.0,
            foreclosure: p.delinquent_60_plus,
            reo: 0.0,
        }
    }

    /// The period as the waterfall reads the pool's.
    pub fn pool_period(&self, period: u32) -> PoolPeriod {
        PoolPeriod {
            period,
            begin_balance: self.begin_balance,
            scheduled_principal: self.scheduled_principal,
            prepaid_principal: self.prepaid_principal,
            defaulted_principal: self.defaulted_principal,
            recoveries: self.recoveries,
            realized_loss: self.realized_loss,
            advanced_principal: self.advanced_principal,
            gross_interest: self.gross_interest,
            servicing_fee: self.servicing_fee,
            master_servicing_fee: self.master_servicing_fee,
            trustee_fee: self.trustee_fee,
            mi_fee: self.mi_fee,
            net_interest: self.net_interest,
            end_balance: self.end_balance,
            pending_default_balance: self.defaulted_balance,
            delinquent_60_plus: self.delinquent_60
                + self.delinquent_90_plus
                + self.foreclosure
                + self.reo,
            wac: self.wac,
            net_wac: self.net_wac,
        }
    }
}

/// Actual figures for consecutive payment dates, the first right after where the run
/// starts (the cut-off's first payment date, or the state's as-of date).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actuals {
    pub periods: Vec<ActualPeriod>,
}

fn err(row: usize, field: &str, message: String) -> FieldError {
    FieldError {
        location: Location {
            row: Some(row),
            field: Some(field.to_string()),
        },
        message,
    }
}

fn money(v: f64) -> String {
    format!("{v:.2}")
}

impl Actuals {
    /// Every way the figures contradict themselves or where the run starts: months not
    /// following `first` one by one, a negative or non-finite amount, balances that do not
    /// roll (begin less principal and defaults is the end; awaiting liquidation grows by
    /// the defaults and shrinks by what is liquidated), fees that do not make net
    /// interest. `begin` and `awaiting` are the performing and defaulted balances where
    /// the run starts. Errors name the 1-based data row and the column.
    pub fn check(&self, first: YearMonth, begin: f64, awaiting: f64) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if self.periods.is_empty() {
            errs.push(FieldError {
                location: Location::default(),
                message: "no periods; expected one row per payment date after the start".into(),
            });
            return errs;
        }
        let (mut month, mut bal, mut pending) = (first, begin, awaiting);
        for (i, a) in self.periods.iter().enumerate() {
            let row = i + 1;
            if a.month != month {
                errs.push(err(
                    row,
                    "month",
                    format!(
                        "expected {month} (one row per payment month, in order), found {}",
                        a.month
                    ),
                ));
            }
            let mut sound = true;
            for (name, v) in ACTUALS_COLUMNS[1..].iter().zip(a.values()) {
                if !v.is_finite() || v < 0.0 {
                    errs.push(err(
                        row,
                        name,
                        format!("expected an amount >= 0, found {v}"),
                    ));
                    sound = false;
                }
            }
            if a.wac > 1.0 || a.net_wac > a.wac + 1e-12 {
                errs.push(err(
                    row,
                    "net_wac_pct",
                    format!(
                        "expected a net coupon at most the gross coupon ({}%) and a gross \
                         coupon at most 100%",
                        a.wac * 100.0
                    ),
                ));
            }
            if sound {
                if !agrees(a.begin_balance, bal) {
                    let what = if row == 1 {
                        "the pool's performing balance where the run starts"
                    } else {
                        "the previous row's end_balance"
                    };
                    errs.push(err(
                        row,
                        "begin_balance",
                        format!(
                            "expected {} ({what}), found {}",
                            money(bal),
                            money(a.begin_balance)
                        ),
                    ));
                }
                let end = a.begin_balance
                    - a.scheduled_principal
                    - a.prepaid_principal
                    - a.defaulted_principal;
                if !agrees(a.end_balance, end) {
                    errs.push(err(
                        row,
                        "end_balance",
                        format!(
                            "expected begin_balance less scheduled, prepaid and defaulted \
                             principal ({}), found {}",
                            money(end),
                            money(a.end_balance)
                        ),
                    ));
                }
                let left = pending + a.defaulted_principal - a.recoveries - a.realized_loss;
                if !agrees(a.defaulted_balance, left) {
                    errs.push(err(
                        row,
                        "defaulted_balance",
                        format!(
                            "expected the previous balance awaiting liquidation plus \
                             defaulted_principal less recoveries and realized_loss ({}), \
                             found {}",
                            money(left),
                            money(a.defaulted_balance)
                        ),
                    ));
                }
                let fees = a.servicing_fee + a.master_servicing_fee + a.trustee_fee + a.mi_fee;
                if !agrees(a.net_interest, a.gross_interest - fees) {
                    errs.push(err(
                        row,
                        "net_interest",
                        format!(
                            "expected gross_interest less the four fees ({}), found {}",
                            money(a.gross_interest - fees),
                            money(a.net_interest)
                        ),
                    ));
                }
            }
            month = month.next();
            bal = a.end_balance;
            pending = a.defaulted_balance;
        }
        errs
    }
}

/// The model's pool at the end of the actuals made to agree with them: every loan's
/// balance and level payment scaled by the reported performing balance over the model's,
/// the defaults awaiting liquidation by the reported defaulted balance over the model's
/// (when the model has none, the reported balance is one cohort defaulted in the last
/// actual period, accruing at its coupon and fee rates). The market's usual treatment of
/// a tape older than the last remittance report. Balances within a cent of the model's
/// leave it as it is.
pub fn rescale(end: &mut PoolEnd, last: &ActualPeriod, period: u32) -> Result<()> {
    let model: f64 = end.loans.iter().map(|l| l.balance).sum();
    let scale = if agrees(model, last.end_balance) {
        // The model's own balance to the cent: its loans as they are.
        1.0
    } else if model > 0.0 {
        last.end_balance / model
    } else if last.end_balance > 0.0 {
        return Err(Error::Unrunnable(format!(
            "the tape's loans are paid off by {} but the actuals report a performing \
             balance of {}: the tape does not hold those loans",
            last.month,
            money(last.end_balance)
        )));
    } else {
        1.0
    };
    for l in &mut end.loans {
        l.balance *= scale;
        l.level_payment = l.level_payment.map(|p| p * scale);
    }
    let s = &mut end.start;
    if agrees(s.pending, last.defaulted_balance) {
        return Ok(());
    }
    if s.pending > 0.0 {
        let k = last.defaulted_balance / s.pending;
        for c in &mut s.cohorts {
            c.balance *= k;
            c.interest *= k;
            c.servicing_fee *= k;
            c.mi_fee *= k;
        }
    } else if last.defaulted_balance > 0.0 {
        let b = last.defaulted_balance;
        let per = |fee: f64| {
            if last.begin_balance > 0.0 {
                b * fee / last.begin_balance
            } else {
                0.0
            }
        };
        s.cohorts = vec![Cohort {
            period,
            balance: b,
            interest: b * last.wac / 12.0,
            servicing_fee: per(last.servicing_fee),
            mi_fee: per(last.mi_fee),
        }];
    }
    s.pending = last.defaulted_balance;
    Ok(())
}
