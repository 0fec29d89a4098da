//! A greedy polish after the annealing: the annealing leaves a few buckets whose fix needs
//! one particular exchange (a single-loan bucket that needs a given balance or coupon) or
//! a precise amount of dollars moved, which random moves at low temperature rarely find.
//!
//! 1. Balance transfers: between two loans of one balance bucket the objective is a
//!    quadratic function of the dollars moved, so the best amount is computed (from two
//!    probes) instead of guessed. Counts of every table stay exact (no loan changes bucket).
//! 2. Targeted exchanges: for the buckets that cost most, every member tries many partners
//!    and every kind of exchange (balance, coupon, timing, margin, maximum rate) or a
//!    coupon step; the best improving one is applied.

use super::{Fit, Src};
use crate::init::{State, NONE};
use crate::prng::Rng;

mod compound;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mv {
    Bal,
    Rate,
    Timing,
    Margin,
    MaxRate,
    RateUp,
    RateDown,
    /// Coupons exchanged, each insured loan's MI premium moved by its coupon's change (as
    /// far as 0.01–3%) so its net rate stays.
    RateNet,
    /// Lender-paid MI premium of an insured loan up or down by 0.01%.
    MiUp,
    MiDown,
}

/// Exchanges between two loans.
const PAIR_MOVES: [Mv; 6] = [
    Mv::Bal,
    Mv::Rate,
    Mv::RateNet,
    Mv::Timing,
    Mv::Margin,
    Mv::MaxRate,
];

/// Steps of one loan alone (tried as moves and, in compound moves, as repairs).
const SINGLE_MOVES: [Mv; 4] = [Mv::RateUp, Mv::RateDown, Mv::MiUp, Mv::MiDown];

impl Fit<'_> {
    /// Up to `most` loans of bucket `k` of table `si`, in random order.
    fn bucket_members(&self, si: usize, k: usize, most: usize, rng: &mut Rng) -> Vec<usize> {
        let src: Src = self.srcs[si].1;
        let mut members: Vec<usize> = (0..self.st.n)
            .filter(|&i| self.bucket(src, i) as usize == k)
            .collect();
        if !members.is_empty() {
            rng.shuffle(&mut members);
            members.truncate(most);
        }
        members
    }

    /// Probes every pair move of loan `i` with each partner (every loan when `every`,
    /// else `tries` random ones); `f` sees each feasible move and its objective change.
    fn probe_pair_moves(
        &mut self,
        i: usize,
        every: bool,
        tries: usize,
        rng: &mut Rng,
        f: &mut dyn FnMut(&Self, f64, Mv, usize),
    ) {
        let n = self.st.n;
        let tries = if every { n } else { tries };
        for c in 0..tries {
            let j = if every { c } else { rng.below(n) };
            if j == i {
                continue;
            }
            for mv in PAIR_MOVES {
                if let Some(d) = self.apply_move(mv, i, j, false) {
                    f(self, d, mv, j);
                }
            }
        }
    }

    /// Runs `rounds` of transfers and targeted exchanges, then up to `compound` passes of
    /// compound moves (each applies at most one per bucket beyond tolerance; they stop when
    /// none improves).
    pub(crate) fn polish(&mut self, rounds: usize, compound: usize, rng: &mut Rng) {
        if self.st.n < 2 {
            return;
        }
        self.hinge = 1000.0;
        self.smooth = 0.1;
        for _ in 0..rounds {
            self.transfer_pass(rng, 4);
            self.targeted_pass(rng, 40, 30, 4000);
        }
        self.transfer_pass(rng, 4);
        for _ in 0..compound {
            if !self.compound_pass(rng) {
                break;
            }
            self.transfer_pass(rng, 4);
        }
        // What is still beyond tolerance (often a bucket of a handful of loans that needs
        // two particular values): buckets of up to `DEEP_EVERY` loans try every partner.
        // A fit within tolerance never gets here.
        if self.violations() > 0.0 {
            for _ in 0..compound {
                if !self.compound_pass_upto(rng, compound::DEEP_EVERY) {
                    break;
                }
                self.transfer_pass(rng, 4);
            }
        }
        self.margin_pass();
    }

    /// Margins stepped by 1/8% inside their buckets while that brings the pool's WA margin
    /// closer to the summary's (exchanges that move balance between margin buckets shift
    /// it; a margin enters no bucket's averages, so nothing else changes).
    fn margin_pass(&mut self) {
        if self.margin_wa.is_none() || self.st.grid <= 0.0 {
            return;
        }
        for _ in 0..8 {
            let mut moved = false;
            for i in 0..self.st.n {
                for step in [self.st.grid, -self.st.grid] {
                    if self.margin_step(i, step) {
                        moved = true;
                        break;
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Moves loan `i`'s margin by `step` inside its bucket if that lowers the objective.
    fn margin_step(&mut self, i: usize, step: f64) -> bool {
        let a = self.st.slot_margin[i];
        if a == usize::MAX || self.st.pinned_margin.get(a).copied().unwrap_or(true) {
            return false;
        }
        let Some(v) = self.st.margin.get(a).and_then(|m| m.v) else {
            return false;
        };
        let Some(&(lo, hi)) = self.margin_rng.get(self.st.margin[a].b as usize) else {
            return false;
        };
        let nv = v + step;
        if nv < lo - 1e-9 || nv > hi + 1e-9 {
            return false;
        }
        let mut fw = |s: &mut State| s.margin[a].v = Some(nv);
        if self.trial(i, i, None, &mut fw) < -1e-12 {
            return true;
        }
        let mut bw = |s: &mut State| s.margin[a].v = Some(v);
        self.undo(i, i, None, &mut bw);
        false
    }

    /// Sets the balances of `i` and `j`, returning the change of the objective.
    fn set_pair(&mut self, i: usize, j: usize, vi: f64, vj: f64) -> f64 {
        let mut fw = |s: &mut State| {
            s.bal[i].v = Some(vi);
            s.bal[j].v = Some(vj);
        };
        self.trial(i, j, None, &mut fw)
    }

    /// Moves the best amount of dollars between `i` and `j` (same balance bucket).
    fn best_transfer(&mut self, i: usize, j: usize) {
        if let Some((_, delta)) = self.transfer_probe(i, j) {
            self.transfer(i, j, delta);
        }
    }

    /// Moves `delta` dollars from `j` to `i`, returning the change of the objective.
    fn transfer(&mut self, i: usize, j: usize, delta: f64) -> f64 {
        let (bi, bj) = (
            self.st.bal[i].v.unwrap_or(0.0),
            self.st.bal[j].v.unwrap_or(0.0),
        );
        self.set_pair(i, j, bi + delta, bj - delta)
    }

    /// The best amount of dollars to move from `j` to `i` (same balance bucket) and the
    /// change of the objective it brings, when it improves; the state is left unchanged.
    fn transfer_probe(&mut self, i: usize, j: usize) -> Option<(f64, f64)> {
        if i == j || self.st.pinned_bal[i] || self.st.pinned_bal[j] {
            return None;
        }
        let b = self.st.bal[i].b;
        if b != self.st.bal[j].b {
            return None;
        }
        let bk = if b == NONE { 0 } else { b as usize };
        let (lo, hi) = self.bal_range(bk);
        let (Some(bi), Some(bj)) = (self.st.bal[i].v, self.st.bal[j].v) else {
            return None;
        };
        let h = 1000.0;
        let dp = self.set_pair(i, j, bi + h, bj - h);
        self.restore(i, j, bi, bj);
        let dm = self.set_pair(i, j, bi - h, bj + h);
        self.restore(i, j, bi, bj);
        // c(δ) − c(0) = p δ + q δ²
        let q = (dp + dm) / (2.0 * h * h);
        let p = (dp - dm) / (2.0 * h);
        if q <= 0.0 || !q.is_finite() || !p.is_finite() {
            return None;
        }
        let mut delta = (-p / (2.0 * q))
            .round()
            .clamp(lo - bi, hi - bi)
            .clamp(bj - hi, bj - lo);
        // the hinge makes the objective only piecewise quadratic: shorten the step when
        // the full one does not improve
        for _ in 0..4 {
            if delta == 0.0 {
                return None;
            }
            let d = self.set_pair(i, j, bi + delta, bj - delta);
            self.restore(i, j, bi, bj);
            if d < 0.0 {
                return Some((d, delta));
            }
            delta = (delta / 2.0).round();
        }
        None
    }

    fn restore(&mut self, i: usize, j: usize, bi: f64, bj: f64) {
        let mut bw = |s: &mut State| {
            s.bal[i].v = Some(bi);
            s.bal[j].v = Some(bj);
        };
        self.undo(i, j, None, &mut bw);
    }

    /// Every loan tries `partners` random partners of its balance bucket.
    fn transfer_pass(&mut self, rng: &mut Rng, partners: usize) {
        for bk in 0..self.members.len() {
            let m = self.members[bk].clone();
            if m.len() < 2 {
                continue;
            }
            for &i in &m {
                for _ in 0..partners {
                    let j = m[rng.below(m.len())];
                    self.best_transfer(i, j);
                }
            }
        }
    }

    /// Applies move `mv` to `i` (and `j`); keeps it when `keep`, else undoes it. Returns
    /// the change of the objective, `None` when the move does not apply.
    fn apply_move(&mut self, mv: Mv, i: usize, j: usize, keep: bool) -> Option<f64> {
        let fi = self.is_fixed(i);
        let fj = self.is_fixed(j);
        let grid = self.st.grid;
        let d = match mv {
            Mv::Bal => {
                let mut sw = |s: &mut State| {
                    s.bal.swap(i, j);
                    s.pinned_bal.swap(i, j);
                };
                let d = self.trial(i, j, None, &mut sw);
                if keep {
                    self.swap_bal_members(i, j);
                } else {
                    self.undo(i, j, None, &mut sw);
                }
                d
            }
            Mv::Rate | Mv::Timing | Mv::Margin | Mv::MaxRate => {
                if matches!(mv, Mv::Margin | Mv::MaxRate) && (fi || fj) {
                    return None;
                }
                let mut sw = |s: &mut State| match mv {
                    Mv::Rate => {
                        s.rate.swap(i, j);
                        s.pinned_rate.swap(i, j);
                    }
                    Mv::Margin => s.slot_margin.swap(i, j),
                    Mv::MaxRate => s.slot_maxrate.swap(i, j),
                    _ => {
                        s.slot_timing.swap(i, j);
                        if fi != fj {
                            s.slot_margin.swap(i, j);
                            s.slot_maxrate.swap(i, j);
                        }
                    }
                };
                let d = self.trial(i, j, None, &mut sw);
                if !keep {
                    self.undo(i, j, None, &mut sw);
                }
                d
            }
            Mv::RateNet => {
                let (ai, aj) = (self.st.slot_ltv[i], self.st.slot_ltv[j]);
                if ai == aj {
                    return None;
                }
                let (Some(ri), Some(rj)) = (self.st.rate[i].v, self.st.rate[j].v) else {
                    return None;
                };
                let (mi, mj) = (self.st.ltv[ai].mi, self.st.ltv[aj].mi);
                if mi <= 0.0 && mj <= 0.0 {
                    return None;
                }
                let shift = |m: f64, d: f64| {
                    if m > 0.0 {
                        (((m + d) * 100.0).round() / 100.0).clamp(0.01, self.mi_max)
                    } else {
                        m
                    }
                };
                let (ni, nj) = (shift(mi, rj - ri), shift(mj, ri - rj));
                let mut fw = |s: &mut State| {
                    s.rate.swap(i, j);
                    s.pinned_rate.swap(i, j);
                    s.ltv[ai].mi = ni;
                    s.ltv[aj].mi = nj;
                };
                let d = self.trial(i, j, None, &mut fw);
                if !keep {
                    let mut bw = |s: &mut State| {
                        s.rate.swap(i, j);
                        s.pinned_rate.swap(i, j);
                        s.ltv[ai].mi = mi;
                        s.ltv[aj].mi = mj;
                    };
                    self.undo(i, j, None, &mut bw);
                }
                d
            }
            Mv::MiUp | Mv::MiDown => {
                let a = self.st.slot_ltv[i];
                let mi = self.st.ltv[a].mi;
                if mi <= 0.0 {
                    return None;
                }
                let step = if mv == Mv::MiUp { 0.01 } else { -0.01 };
                let nv = ((mi + step) * 100.0).round() / 100.0;
                if !(0.01..=self.mi_max).contains(&nv) {
                    return None;
                }
                let mut fw = |s: &mut State| s.ltv[a].mi = nv;
                let d = self.trial(i, i, None, &mut fw);
                if !keep {
                    let mut bw = |s: &mut State| s.ltv[a].mi = mi;
                    self.undo(i, i, None, &mut bw);
                }
                d
            }
            Mv::RateUp | Mv::RateDown => {
                if self.st.pinned_rate[i] || grid <= 0.0 {
                    return None;
                }
                let v = self.st.rate[i].v?;
                let &(lo, hi) = self.rate_rng.get(self.st.rate[i].b as usize)?;
                let step = if mv == Mv::RateUp { grid } else { -grid };
                let nv = ((v + step) / grid).round() * grid;
                if nv < lo - 1e-9 || nv > hi + 1e-9 {
                    return None;
                }
                let mut fw = |s: &mut State| s.rate[i].v = Some(nv);
                let d = self.trial(i, i, None, &mut fw);
                if !keep {
                    let mut bw = |s: &mut State| s.rate[i].v = Some(v);
                    self.undo(i, i, None, &mut bw);
                }
                d
            }
        };
        if keep && !self.groups.is_empty() {
            self.regroup(i);
            self.regroup(j);
        }
        Some(d)
    }

    /// The `worst` costliest buckets: up to `max_members` of their loans each try about
    /// `budget / members` random partners (every loan, for buckets of up to 3 loans) with
    /// every move; the best improving move of each bucket is applied.
    fn targeted_pass(&mut self, rng: &mut Rng, worst: usize, max_members: usize, budget: usize) {
        let costly = self.worst_buckets(worst, 1.0, Self::bucket_cost);
        for &(_, si, k) in &costly {
            let members = self.bucket_members(si, k, max_members, rng);
            if members.is_empty() {
                continue;
            }
            let cands = (budget / members.len()).clamp(40, budget);
            let mut best: (f64, Option<(Mv, usize, usize)>) = (-1e-9, None);
            // small buckets (often one loan that needs one particular value) try every
            // partner
            let every = members.len() <= 3;
            for &i in &members {
                self.probe_pair_moves(i, every, cands, rng, &mut |_, d, mv, j| {
                    if d < best.0 {
                        best = (d, Some((mv, i, j)));
                    }
                });
                for mv in SINGLE_MOVES {
                    if let Some(d) = self.apply_move(mv, i, i, false) {
                        if d < best.0 {
                            best = (d, Some((mv, i, i)));
                        }
                    }
                }
            }
            if let Some((mv, i, j)) = best.1 {
                let _ = self.apply_move(mv, i, j, true);
            }
        }
    }
}
