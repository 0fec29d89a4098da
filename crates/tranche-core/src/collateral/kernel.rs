//! The monthly step: loans side by side in lanes, with no allocation and no branch per
//! lane.

use super::project::*;
use super::resets::*;
use super::*;

/// Loans stepped side by side through the months. Each loan's months form one dependent
/// chain (balance → interest → principal → next balance) whose latency, not the amount of
/// arithmetic, bounds a loan-at-a-time loop; advancing several loans together lets the CPU
/// overlap their chains. Each period's flows are still added to the sums in loan order.
pub(super) const LANES: usize = 4;

/// One period's flows of the loans of a group, one entry per lane.
#[derive(Clone, Copy, Default)]
pub(super) struct Flows {
    pub(super) begin: [f64; LANES],
    pub(super) defaulted: [f64; LANES],
    pub(super) interest: [f64; LANES],
    pub(super) scheduled: [f64; LANES],
    pub(super) prepaid: [f64; LANES],
    pub(super) end: [f64; LANES],
}

/// Up to `LANES` consecutive loans as they walk through the months, one entry per lane
/// (struct-of-arrays, so each step is the same arithmetic across the lanes).
///
/// A loan that has stopped (paid off, or past its last period) keeps a balance of exactly
/// zero, so every flow it yields is a zero. Its lane goes on computing them and adding them
/// to the period sums: the sums start at +0, so they can never be −0 (IEEE round-to-nearest
/// makes an exact cancellation +0), and adding ±0 to anything else leaves it bit for bit
/// the same. That keeps the monthly step free of a branch per lane.
pub(super) struct Group<'t> {
    /// Pool position of each lane's loan.
    pub(super) loan: [usize; LANES],
    /// Last period each lane can run (0 for an unused lane of a short last group).
    pub(super) last: [usize; LANES],
    pub(super) rem: [usize; LANES],
    pub(super) io: [usize; LANES],
    pub(super) svc: [f64; LANES],
    pub(super) mi: [f64; LANES],
    /// Fractions not defaulting and not prepaying, by period; the latter's first period
    /// apart (a partial month).
    pub(super) mdr_keep: [&'t [f64]; LANES],
    pub(super) smm_keep: [&'t [f64]; LANES],
    pub(super) stay_first: [f64; LANES],
    /// Rate and payment changes in period order, the next one's position and period, and
    /// the first period with a change in any lane.
    pub(super) events: [&'t [RateEvent]; LANES],
    pub(super) next: [usize; LANES],
    pub(super) next_per: [usize; LANES],
    pub(super) next_any: usize,
    pub(super) bal: [f64; LANES],
    pub(super) rate: [f64; LANES],
    pub(super) monthly: [f64; LANES],
    /// Level payment of the surviving loan fraction; set when amortization starts and at
    /// each rate change, then scaled by survival (defaults and prepayments remove a
    /// fraction of the loan and of its payment alike).
    pub(super) pmt: [f64; LANES],
}

impl<'t> Group<'t> {
    /// Loans `g..g + n` (`1 <= n <= LANES`); their rate events are written into `events`.
    pub(super) fn new(
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
        // Worked out ahead for these rates, or here for the lanes' loans.
        let events: [&'t [RateEvent]; LANES] = match ctx.shared {
            Some(shared) => lanes(|k| if k < n { shared.of(loan[k]) } else { &[] }),
            None => {
                ctx.rate_events(&loan, &last, events, cache);
                events.each_ref().map(|ev| &ev[..])
            }
        };
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
            pmt: loan.map(|i| p.level_payment[i].unwrap_or(0.0)),
        }
    }

    /// The period after which every lane has stopped.
    pub(super) fn last_period(&self) -> usize {
        self.last.iter().copied().max().unwrap_or(0)
    }

    /// Every lane has stopped (paid off or past its last period).
    pub(super) fn all_stopped(&self) -> bool {
        self.bal.iter().all(|b| *b <= 0.0)
    }

    /// Applies the rate events of period `per` (a new coupon, a new level payment or both).
    /// Out of line, so that the monthly step stays small.
    #[inline(never)]
    pub(super) fn apply_events(&mut self, per: usize) {
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
    pub(super) fn step<const DEFAULTS: bool>(&mut self, per: usize) -> Flows {
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
    pub(super) fn add_to<const DEFAULTS: bool>(&self, a: &mut [f64; ACC_FIELDS], f: &Flows) {
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
    pub(super) fn push_rows(&self, per: usize, f: &Flows, rows: &mut [Vec<LoanPeriod>; LANES]) {
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
pub(super) fn lanes<T>(f: impl FnMut(usize) -> T) -> [T; LANES] {
    std::array::from_fn(f)
}

/// `if c { a } else { b }` with a bit mask rather than a branch: the lanes' conditions
/// differ, so a branch per lane would be mispredicted and would split the lanes' arithmetic.
#[inline(always)]
pub(super) fn select(c: bool, a: f64, b: f64) -> f64 {
    let mask = 0u64.wrapping_sub(u64::from(c));
    f64::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

/// `x.clamp(lo, hi)` (same comparisons, same result) without its check that `lo <= hi`,
/// which holds here and would cost a branch per loan and month.
#[inline(always)]
pub(super) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x < lo { lo } else { x };
    if x > hi {
        hi
    } else {
        x
    }
}
