//! Actual performance: the pool's figures from a trustee's monthly remittance reports for
//! payment dates already past. They take the collateral model's place for their periods;
//! the model takes over after the last one, its loans scaled to the balances reported
//! then (docs/surveillance.md).

use super::check::agrees;
use crate::collateral::{Cohort, PoolEnd, PoolPeriod};
use crate::deal::YearMonth;
use crate::error::{FieldError, Location};
use crate::{Error, Result};

/// One payment date's pool figures, as a remittance report gives them: the pool's period
/// as the waterfall reads it (`pool`; its `pending_default_balance` is the reported
/// balance awaiting liquidation, its `delinquent_60_plus` follows from the buckets below)
/// and the delinquent balances at the end of the period, by status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActualPeriod {
    /// The payment date's month.
    pub month: YearMonth,
    pub pool: PoolPeriod,
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
        let p = &self.pool;
        [
            p.begin_balance,
            p.scheduled_principal,
            p.prepaid_principal,
            p.defaulted_principal,
            p.recoveries,
            p.realized_loss,
            p.advanced_principal,
            p.gross_interest,
            p.servicing_fee,
            p.master_servicing_fee,
            p.trustee_fee,
            p.mi_fee,
            p.net_interest,
            p.end_balance,
            p.pending_default_balance,
            p.wac,
            p.net_wac,
            self.delinquent_30,
            self.delinquent_60,
            self.delinquent_90_plus,
            self.foreclosure,
            self.reo,
        ]
    }

    /// The period from its numbers in [`ACTUALS_COLUMNS`] order (coupons as decimals).
    pub fn from_values(month: YearMonth, v: &[f64; 22]) -> Self {
        let mut a = ActualPeriod {
            month,
            pool: PoolPeriod {
                period: 0,
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
                pending_default_balance: v[14],
                delinquent_60_plus: 0.0,
                wac: v[15],
                net_wac: v[16],
            },
            delinquent_30: v[17],
            delinquent_60: v[18],
            delinquent_90_plus: v[19],
            foreclosure: v[20],
            reo: v[21],
        };
        a.pool.delinquent_60_plus = a.delinquent_60_plus();
        a
    }

    /// A model period written as actuals: the 60+ day delinquency it measured is its
    /// foreclosures (the model has no delinquency buckets).
    pub fn from_model(month: YearMonth, p: &PoolPeriod) -> Self {
        ActualPeriod {
            month,
            pool: *p,
            delinquent_30: 0.0,
            delinquent_60: 0.0,
            delinquent_90_plus: 0.0,
            foreclosure: p.delinquent_60_plus,
            reo: 0.0,
        }
    }

    /// What a delinquency trigger measures: 60+ days, foreclosure and REO.
    pub fn delinquent_60_plus(&self) -> f64 {
        self.delinquent_60 + self.delinquent_90_plus + self.foreclosure + self.reo
    }

    /// The period as the waterfall reads the pool's, numbered `period`.
    pub fn pool_period(&self, period: u32) -> PoolPeriod {
        PoolPeriod {
            period,
            delinquent_60_plus: self.delinquent_60_plus(),
            ..self.pool
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
            if a.pool.wac > 1.0 || a.pool.net_wac > a.pool.wac + 1e-12 {
                errs.push(err(
                    row,
                    "net_wac_pct",
                    format!(
                        "expected a net coupon at most the gross coupon ({}%) and a gross \
                         coupon at most 100%",
                        a.pool.wac * 100.0
                    ),
                ));
            }
            if sound {
                if !agrees(a.pool.begin_balance, bal) {
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
                            money(a.pool.begin_balance)
                        ),
                    ));
                }
                let end = a.pool.begin_balance
                    - a.pool.scheduled_principal
                    - a.pool.prepaid_principal
                    - a.pool.defaulted_principal;
                if !agrees(a.pool.end_balance, end) {
                    errs.push(err(
                        row,
                        "end_balance",
                        format!(
                            "expected begin_balance less scheduled, prepaid and defaulted \
                             principal ({}), found {}",
                            money(end),
                            money(a.pool.end_balance)
                        ),
                    ));
                }
                let left =
                    pending + a.pool.defaulted_principal - a.pool.recoveries - a.pool.realized_loss;
                if !agrees(a.pool.pending_default_balance, left) {
                    errs.push(err(
                        row,
                        "defaulted_balance",
                        format!(
                            "expected the previous balance awaiting liquidation plus \
                             defaulted_principal less recoveries and realized_loss ({}), \
                             found {}",
                            money(left),
                            money(a.pool.pending_default_balance)
                        ),
                    ));
                }
                let fees = a.pool.servicing_fee
                    + a.pool.master_servicing_fee
                    + a.pool.trustee_fee
                    + a.pool.mi_fee;
                if !agrees(a.pool.net_interest, a.pool.gross_interest - fees) {
                    errs.push(err(
                        row,
                        "net_interest",
                        format!(
                            "expected gross_interest less the four fees ({}), found {}",
                            money(a.pool.gross_interest - fees),
                            money(a.pool.net_interest)
                        ),
                    ));
                }
            }
            month = month.next();
            bal = a.pool.end_balance;
            pending = a.pool.pending_default_balance;
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
    let scale = if agrees(model, last.pool.end_balance) {
        // The model's own balance to the cent: its loans as they are.
        1.0
    } else if model > 0.0 {
        last.pool.end_balance / model
    } else if last.pool.end_balance > 0.0 {
        return Err(Error::Unrunnable(format!(
            "the tape's loans are paid off by {} but the actuals report a performing \
             balance of {}: the tape does not hold those loans",
            last.month,
            money(last.pool.end_balance)
        )));
    } else {
        1.0
    };
    for l in &mut end.loans {
        l.balance *= scale;
        l.level_payment = l.level_payment.map(|p| p * scale);
    }
    let s = &mut end.start;
    if agrees(s.pending, last.pool.pending_default_balance) {
        return Ok(());
    }
    if s.pending > 0.0 {
        let k = last.pool.pending_default_balance / s.pending;
        for c in &mut s.cohorts {
            c.balance *= k;
            c.interest *= k;
            c.servicing_fee *= k;
            c.mi_fee *= k;
        }
    } else if last.pool.pending_default_balance > 0.0 {
        let b = last.pool.pending_default_balance;
        let per = |fee: f64| {
            if last.pool.begin_balance > 0.0 {
                b * fee / last.pool.begin_balance
            } else {
                0.0
            }
        };
        s.cohorts = vec![Cohort {
            period,
            balance: b,
            interest: b * last.pool.wac / 12.0,
            servicing_fee: per(last.pool.servicing_fee),
            mi_fee: per(last.pool.mi_fee),
        }];
    }
    s.pending = last.pool.pending_default_balance;
    Ok(())
}
