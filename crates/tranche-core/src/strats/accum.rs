//! Balance-weighted sums of one bucket, filled in one pass.

use super::Measures;
use crate::tape::Loan;

#[derive(Debug, Clone)]
pub(super) struct Acc<'a> {
    pub n: u64,
    pub bal: f64,
    min_rate: f64,
    max_rate: f64,
    s_rate: f64,
    s_net: f64,
    s_rem: f64,
    s_oterm: f64,
    s_age: f64,
    s_ltv: f64,
    fico_w: f64,
    s_fico: f64,
    arm_w: f64,
    s_mtr: f64,
    s_margin: f64,
    s_life_cap: f64,
    dti_w: f64,
    s_dti: f64,
    key_w: f64,
    s_key: f64,
    /// Product ordering: any fixed-rate loan, the first ARM index seen, the weighted
    /// initial fixed-rate period of the ARMs.
    pub has_fixed: bool,
    pub index: Option<&'a str>,
    s_period: f64,
}

impl Default for Acc<'_> {
    fn default() -> Self {
        Acc {
            n: 0,
            bal: 0.0,
            min_rate: f64::INFINITY,
            max_rate: f64::NEG_INFINITY,
            s_rate: 0.0,
            s_net: 0.0,
            s_rem: 0.0,
            s_oterm: 0.0,
            s_age: 0.0,
            s_ltv: 0.0,
            fico_w: 0.0,
            s_fico: 0.0,
            arm_w: 0.0,
            s_mtr: 0.0,
            s_margin: 0.0,
            s_life_cap: 0.0,
            dti_w: 0.0,
            s_dti: 0.0,
            key_w: 0.0,
            s_key: 0.0,
            has_fixed: false,
            index: None,
            s_period: 0.0,
        }
    }
}

fn wa(s: f64, w: f64) -> Option<f64> {
    (w > 0.0).then(|| s / w)
}

impl<'a> Acc<'a> {
    #[inline]
    pub fn add(&mut self, loan: &'a Loan, net: f64, key: Option<f64>, mtr: Option<u32>) {
        let b = loan.balance;
        self.n += 1;
        self.bal += b;
        self.min_rate = self.min_rate.min(loan.gross_rate);
        self.max_rate = self.max_rate.max(loan.gross_rate);
        self.s_rate += b * loan.gross_rate;
        self.s_net += b * net;
        self.s_rem += b * f64::from(loan.rem_term);
        self.s_oterm += b * f64::from(loan.orig_term);
        self.s_age += b * f64::from(loan.age);
        self.s_ltv += b * loan.orig_ltv;
        if let Some(f) = loan.fico {
            self.fico_w += b;
            self.s_fico += b * f64::from(f);
        }
        if let Some(d) = loan.dti {
            self.dti_w += b;
            self.s_dti += b * d;
        }
        if let Some(k) = key {
            self.key_w += b;
            self.s_key += b * k;
        }
        match &loan.arm {
            Some(a) => {
                self.arm_w += b;
                self.s_mtr += b * f64::from(mtr.unwrap_or(a.months_to_reset));
                self.s_margin += b * a.margin;
                self.s_life_cap += b * a.life_cap;
                let period = if a.first_reset_pending {
                    loan.age + a.months_to_reset
                } else {
                    a.reset_freq
                };
                self.s_period += b * f64::from(period);
                if self.index.is_none() {
                    self.index = Some(a.index.name());
                }
            }
            None => self.has_fixed = true,
        }
    }

    /// Weighted average of the key over loans that have it.
    pub fn key_average(&self) -> Option<f64> {
        wa(self.s_key, self.key_w)
    }

    /// Weighted initial fixed-rate period of the ARMs (for product ordering).
    pub fn initial_period(&self) -> f64 {
        wa(self.s_period, self.arm_w).unwrap_or(0.0)
    }

    /// Weighted original term (for ordering fixed-rate products).
    pub fn orig_term(&self) -> f64 {
        wa(self.s_oterm, self.bal).unwrap_or(0.0)
    }

    pub fn measures(&self, table_balance: f64) -> Measures {
        let w = self.bal;
        Measures {
            loans: self.n,
            balance: self.bal,
            pct_of_total: if table_balance > 0.0 {
                100.0 * self.bal / table_balance
            } else {
                0.0
            },
            average_balance: if self.n > 0 {
                self.bal / self.n as f64
            } else {
                0.0
            },
            min_wac: (self.n > 0).then_some(self.min_rate),
            max_wac: (self.n > 0).then_some(self.max_rate),
            gross_wac: wa(self.s_rate, w),
            net_wac: wa(self.s_net, w),
            rem_term: wa(self.s_rem, w),
            orig_term: wa(self.s_oterm, w),
            age: wa(self.s_age, w),
            fico: wa(self.s_fico, self.fico_w),
            orig_ltv: wa(self.s_ltv, w),
            wa_mtr: wa(self.s_mtr, self.arm_w),
            margin: wa(self.s_margin, self.arm_w),
            max_rate: wa(self.s_life_cap, self.arm_w),
            dti: wa(self.s_dti, self.dti_w),
        }
    }
}
