//! ARM rate changes and level payments, worked out ahead of the monthly loop.

use super::kernel::*;
use super::project::*;
use super::LoanPool;

/// Level monthly payment that retires `balance` over `n` months at annual `rate`.
#[inline]
pub fn level_payment(balance: f64, rate: f64, n: u32) -> f64 {
    let [(num, den)] = level_payment_terms([rate / 12.0], [n]);
    balance * num / den
}

/// The level payment at monthly rate `i` as `balance × num / den`, the same operations (so
/// the same bits) as `balance` (`n` = 0), `balance / n` (a zero rate) or
/// `balance × i / (1 − (1 + i)^−n)`. `num` and `den` depend only on the rate and term, so
/// they can be worked out ahead, several at once (their powers side by side).
#[inline]
pub(super) fn level_payment_terms<const W: usize>(i: [f64; W], n: [u32; W]) -> [(f64, f64); W] {
    let inv = recip_powi(i.map(|i| 1.0 + i), n);
    std::array::from_fn(|k| {
        if n[k] == 0 {
            (1.0, 1.0)
        } else if i[k].abs() < 1e-12 {
            (1.0, f64::from(n[k]))
        } else {
            (i[k], 1.0 - inv[k])
        }
    })
}

/// What a coupon implies for `n` months left: its monthly rate and level-payment terms.
#[derive(Clone, Copy, Default)]
pub(super) struct RateTerms {
    pub(super) monthly: f64,
    pub(super) num: f64,
    pub(super) den: f64,
}

/// [`RateTerms`] of several (coupon, months left) pairs, side by side.
#[inline]
pub(super) fn rate_terms<const W: usize>(rate: [f64; W], n: [u32; W]) -> [RateTerms; W] {
    let monthly = rate.map(|r| r / 12.0);
    let pay = level_payment_terms(monthly, n);
    std::array::from_fn(|k| RateTerms {
        monthly: monthly[k],
        num: pay[k].0,
        den: pay[k].1,
    })
}

/// [`RateTerms`] already worked out, by (coupon bits, months left). ARM coupons are reset
/// on the same index path and rounded to a common step, and loans of one vintage share
/// their reset dates, so many loans and resets meet the same pair: a look-up is cheaper
/// than a power and two divisions. An entry holds exactly what [`rate_terms`] gives for
/// its key, so results do not depend on what happens to be cached. Direct-mapped: a
/// colliding pair replaces the entry.
pub(super) struct TermsCache {
    pub(super) slots: Vec<(u64, u32, RateTerms)>,
}

impl TermsCache {
    /// 8,192 entries (320 KB): a synthetic ARM pool meets a few thousand pairs, and with
    /// fewer entries collisions evict entries still in use (measured: 1,024 entries are
    /// slower than no cache).
    const BITS: u32 = 13;
    /// No loan has this many months left, so an empty slot never matches.
    const EMPTY: u32 = u32::MAX;

    pub(super) fn new() -> Self {
        TermsCache {
            slots: vec![(0, Self::EMPTY, RateTerms::default()); 1 << Self::BITS],
        }
    }

    pub(super) fn slot(rate: f64, n: u32) -> usize {
        const MUL: u64 = 0x9E37_79B9_7F4A_7C15; // 2^64 / golden ratio (Fibonacci hashing)
        let h = (rate.to_bits() ^ u64::from(n).wrapping_mul(MUL)).wrapping_mul(MUL);
        (h >> (64 - Self::BITS)) as usize
    }

    #[inline]
    pub(super) fn get(&self, rate: f64, n: u32) -> Option<RateTerms> {
        match self.slots.get(Self::slot(rate, n)) {
            Some(&(bits, m, t)) if bits == rate.to_bits() && m == n => Some(t),
            _ => None,
        }
    }

    pub(super) fn put(&mut self, rate: f64, n: u32, t: RateTerms) {
        if let Some(s) = self.slots.get_mut(Self::slot(rate, n)) {
            *s = (rate.to_bits(), n, t);
        }
    }
}

/// `1 / x^n` for each entry, by repeated squaring: the products, in the order, of the
/// compiler runtime's `powi` (`x.powi(-n)`, so the result is the same bits). Written out
/// so that it inlines, multiplies by 1 (exact) rather than branching on each bit of `n`
/// (a pattern that changes with every call, so the branches are mispredicted), and runs
/// several chains of dependent products side by side; an entry whose bits are used up
/// multiplies by 1 until the others are done.
#[inline]
pub(super) fn recip_powi<const W: usize>(x: [f64; W], n: [u32; W]) -> [f64; W] {
    let (mut a, mut k, mut r) = (x, n, [1.0f64; W]);
    loop {
        for j in 0..W {
            r[j] *= select(k[j] & 1 == 1, a[j], 1.0);
        }
        k = k.map(|k| k >> 1);
        if k.iter().all(|k| *k == 0) {
            break;
        }
        a = a.map(|a| a * a);
    }
    r.map(|r| 1.0 / r)
}

/// The rate after a change: fully indexed (index + margin) rounded to the nearest
/// `rounding`, limited to `prev ± cap`, then to `[floor, life_cap]`.
#[inline]
pub fn reset_rate(
    prev: f64,
    index: f64,
    margin: f64,
    rounding: f64,
    cap: f64,
    floor: f64,
    life_cap: f64,
) -> f64 {
    let mut r = index + margin;
    if rounding > 0.0 {
        // The nudge makes exact halves (held inexactly in binary) round up.
        r = round_half_away((r / rounding) + 1e-9) * rounding;
    }
    r = clamp(r, prev - cap, prev + cap);
    r.min(life_cap).max(floor)
}

/// `x.round()` (to the nearest integer, halves away from zero; the same result, sign of
/// zero included) without a call into the math library, which the baseline x86-64
/// instruction set has no instruction for.
#[inline]
pub(super) fn round_half_away(x: f64) -> f64 {
    // From 2^52 up every double is an integer; NaN and infinities pass through too.
    if x.abs() >= 4_503_599_627_370_496.0 || x.is_nan() {
        return x;
    }
    let t = x as i64 as f64; // truncated toward zero, exactly
    let frac = x - t; // exact: the bits of `x` below the binary point
                      // Masks rather than branches: which way a coupon rounds is as good as random, so a
                      // branch would be mispredicted about every other reset. Adding ±1 or 0 is exact, and
                      // `copysign` restores the sign of a zero result.
    let up = select(frac >= 0.5, 1.0, 0.0) - select(frac <= -0.5, 1.0, 0.0);
    (t + up).copysign(x)
}

/// A change of a loan's coupon or level payment in one period. A loan's changes depend only
/// on its terms and the index path, not on its balance, so they are worked out before the
/// month-by-month loop: the divisions, rounding and powers they take stay off the balance
/// chain, and the changes of a loan overlap one another.
#[derive(Debug, Clone, Copy)]
pub(super) struct RateEvent {
    pub(super) per: usize,
    /// Coupon from this period on, and its monthly rate.
    pub(super) rate: f64,
    pub(super) monthly: f64,
    /// The level payment is reset to `balance × pay_num / pay_den` (amortizing loans).
    pub(super) pay: bool,
    pub(super) pay_num: f64,
    pub(super) pay_den: f64,
}

impl RateEvent {
    pub(super) fn set_terms(&mut self, t: RateTerms) {
        self.monthly = t.monthly;
        if self.pay {
            (self.pay_num, self.pay_den) = (t.num, t.den);
        }
    }
}

/// Works out the terms of the events at positions `at` (at most four) of a loan with
/// `rem` months left, side by side, and caches them.
pub(super) fn fill_terms(
    events: &mut [RateEvent],
    at: &[usize],
    rem: usize,
    cache: &mut TermsCache,
) {
    if at.is_empty() {
        return;
    }
    let e = |k: usize| at.get(k).and_then(|&j| events.get(j));
    let rate: [f64; 4] = std::array::from_fn(|k| e(k).map_or(0.0, |e| e.rate));
    let n: [u32; 4] = std::array::from_fn(|k| e(k).map_or(0, |e| (rem + 1 - e.per) as u32));
    let terms = rate_terms(rate, n);
    for (k, &j) in at.iter().enumerate() {
        if let Some(e) = events.get_mut(j) {
            e.set_terms(terms[k]);
            cache.put(rate[k], n[k], terms[k]);
        }
    }
}

impl Ctx<'_> {
    /// Loan `i`'s rate changes (ARM resets) and level-payment resets (the start of
    /// amortization, then each rate change while amortizing) up to period `last`, without
    /// their monthly rates and payment terms (see [`fill_rate_terms`]).
    pub(super) fn coupon_path(&self, i: usize, last: usize) -> CouponPath<'_> {
        coupon_path(
            self.pool,
            &self.tables.index,
            self.tables.index_off,
            i,
            last,
        )
    }

    /// The rate events of the lanes' loans (`last` = each lane's last period), into
    /// `events`: first the coupon path (each reset depends on the coupon before it), then
    /// the monthly rates and payment terms.
    pub(super) fn rate_events(
        &self,
        loan: &[usize; LANES],
        last: &[usize; LANES],
        events: &mut [Vec<RateEvent>; LANES],
        cache: &mut TermsCache,
    ) {
        for (k, out) in events.iter_mut().enumerate() {
            out.clear();
            out.extend(self.coupon_path(loan[k], last[k]));
            fill_rate_terms(out, self.pool.rem_term[loan[k]] as usize, cache);
        }
    }
}

/// Loan `i`'s coupon changes up to period `last` on the index table `index` (per index id,
/// by observation period, `off` entries before period 0).
pub(super) fn coupon_path<'a>(
    p: &'a LoanPool,
    index: &'a [Vec<f64>],
    off: usize,
    i: usize,
    last: usize,
) -> CouponPath<'a> {
    let idx: &[f64] = if p.is_arm[i] {
        index
            .get(usize::from(p.index_id[i]))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    } else {
        &[]
    };
    CouponPath {
        idx,
        off,
        last,
        io: p.io_remaining[i] as usize,
        freq: p.reset_freq[i] as usize,
        lookback: p.lookback[i] as usize,
        next_reset: if p.is_arm[i] {
            p.first_reset_period[i] as usize
        } else {
            usize::MAX
        },
        // A loan amortizing with a known payment has no payment to work out.
        amort_start: if p.level_payment[i].is_some() {
            usize::MAX
        } else {
            p.io_remaining[i] as usize + 1
        },
        first_pending: p.first_reset_pending[i],
        rate: p.rate[i],
        margin: p.margin[i],
        rounding: p.rounding[i],
        initial_cap: p.initial_cap[i],
        periodic_cap: p.periodic_cap[i],
        floor: p.life_floor[i],
        life_cap: p.life_cap[i],
    }
}

/// One loan's coupon changes in period order, as an iterator (see [`Ctx::coupon_path`]).
pub(super) struct CouponPath<'a> {
    /// The loan's index, by observation period (`off` + period).
    pub(super) idx: &'a [f64],
    /// Entries of `idx` before period 0 (observations before the start).
    pub(super) off: usize,
    pub(super) last: usize,
    pub(super) io: usize,
    pub(super) freq: usize,
    pub(super) lookback: usize,
    pub(super) next_reset: usize,
    pub(super) amort_start: usize,
    pub(super) first_pending: bool,
    pub(super) rate: f64,
    pub(super) margin: f64,
    pub(super) rounding: f64,
    pub(super) initial_cap: f64,
    pub(super) periodic_cap: f64,
    pub(super) floor: f64,
    pub(super) life_cap: f64,
}

impl Iterator for CouponPath<'_> {
    type Item = RateEvent;

    #[inline]
    fn next(&mut self) -> Option<RateEvent> {
        let per = self.next_reset.min(self.amort_start);
        if per > self.last {
            return None;
        }
        if per == self.next_reset {
            // `off` is at least every look-back, so this never goes below 0.
            let obs = (per + self.off).saturating_sub(self.lookback);
            let cap = if self.first_pending {
                self.initial_cap
            } else {
                self.periodic_cap
            };
            let index = self.idx.get(obs).copied().unwrap_or(0.0);
            self.rate = reset_rate(
                self.rate,
                index,
                self.margin,
                self.rounding,
                cap,
                self.floor,
                self.life_cap,
            );
            self.first_pending = false;
            self.next_reset += self.freq;
        }
        if per == self.amort_start {
            self.amort_start = usize::MAX;
        }
        Some(RateEvent {
            per,
            rate: self.rate,
            monthly: 0.0,
            pay: per > self.io,
            pay_num: 0.0,
            pay_den: 1.0,
        })
    }
}

/// Fills in the monthly rates and payment terms of a loan's events (`rem` months left at
/// the cut-off), which are independent of one another: from the cache, and those not there
/// worked out four at a time, side by side (so the CPU overlaps their divisions and powers).
pub(super) fn fill_rate_terms(out: &mut [RateEvent], rem: usize, cache: &mut TermsCache) {
    let (mut missed, mut m) = ([0usize; 4], 0);
    for j in 0..out.len() {
        let Some(e) = out.get_mut(j) else { break };
        match cache.get(e.rate, (rem + 1 - e.per) as u32) {
            Some(t) => e.set_terms(t),
            None => {
                missed[m] = j;
                m += 1;
                if m == missed.len() {
                    fill_terms(out, &missed, rem, cache);
                    m = 0;
                }
            }
        }
    }
    fill_terms(out, &missed[..m], rem, cache);
}
