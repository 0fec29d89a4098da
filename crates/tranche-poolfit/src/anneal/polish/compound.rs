//! Compound moves for the buckets the one-exchange polish leaves beyond tolerance.
//!
//! A bucket of one or two loans often needs one particular value (a coupon, an age) that
//! only some other loan carries. Exchanging it fixes the bucket but moves balance and
//! weighted averages in every other table where the two loans sit in different buckets,
//! so on its own the exchange costs more than it gains and the greedy polish rejects it.
//! Here the exchange is followed by a short greedy repair (balance transfers between the
//! loans involved and partners of their balance buckets, coupon and MI premium steps),
//! and the whole sequence is kept only when it lowers the objective and leaves fewer
//! errors beyond the published tolerances than before.

use super::{Mv, PAIR_MOVES, SINGLE_MOVES};
use crate::anneal::{beyond, Fit, Global, Group, NACC};
use crate::init::{State, NONE};
use crate::prng::Rng;

/// Exchanges carried to the repair stage, per bucket: the best by objective and the best
/// by the bucket's own cost.
const CANDIDATES: usize = 24;
/// Greedy repair steps after an exchange.
const REPAIR_STEPS: usize = 10;
/// Balance-bucket partners each involved loan tries per repair step.
const REPAIR_PARTNERS: usize = 160;
/// Loans of a large bucket that try exchanges, and partners each (buckets of up to three
/// loans try every partner).
const MAX_MEMBERS: usize = 12;
const PARTNERS: usize = 400;
/// Buckets beyond tolerance handled per pass, worst first (bounds the run time of a
/// poor fit).
const MAX_BUCKETS: usize = 12;
/// Buckets of up to this many loans try every partner in the first passes; the deep
/// passes (for what those leave beyond tolerance) widen it to `DEEP_EVERY`.
const EVERY: usize = 3;
pub(super) const DEEP_EVERY: usize = 8;

/// One applied change, recorded so the best sequence can be replayed.
#[derive(Debug, Clone, Copy)]
enum Step {
    Move(Mv, usize, usize),
    /// Dollars moved from the second loan to the first.
    Transfer(usize, usize, f64),
    /// The MI premium of a loan's LTV value set (percent).
    Mi(usize, f64),
}

/// Everything a compound trial may change, to restore after it.
struct Snapshot {
    st: State,
    acc: Vec<f64>,
    glob: Global,
    members: Vec<Vec<usize>>,
    pos: Vec<usize>,
    groups: Vec<Group>,
}

impl Fit<'_> {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            st: self.st.clone(),
            acc: self.acc.clone(),
            glob: self.glob.clone(),
            members: self.members.clone(),
            pos: self.pos.clone(),
            groups: self.groups.clone(),
        }
    }

    fn restore_snapshot(&mut self, s: &Snapshot) {
        self.st.clone_from(&s.st);
        self.acc.clone_from(&s.acc);
        self.glob.clone_from(&s.glob);
        self.members.clone_from(&s.members);
        self.pos.clone_from(&s.pos);
        self.groups.clone_from(&s.groups);
    }

    fn bucket_excess(&self, si: usize, k: usize) -> f64 {
        let g = self.off[si] + k;
        beyond(&self.tgt[g], &self.acc[g * NACC..(g + 1) * NACC], 1.0)
    }

    /// Sum over all buckets of the squared excess of their errors over the tolerances.
    pub(crate) fn violations(&self) -> f64 {
        self.buckets()
            .map(|(si, k)| self.bucket_excess(si, k))
            .sum()
    }

    fn apply_step(&mut self, s: Step) -> f64 {
        match s {
            Step::Move(mv, i, j) => self.apply_move(mv, i, j, true).unwrap_or(0.0),
            Step::Transfer(i, j, delta) => self.transfer(i, j, delta),
            Step::Mi(i, v) => self.set_mi(i, v),
        }
    }

    /// Sets the MI premium of loan `i`'s LTV value, returning the change of the objective.
    fn set_mi(&mut self, i: usize, v: f64) -> f64 {
        let a = self.st.slot_ltv[i];
        let mut fw = |s: &mut State| s.ltv[a].mi = v;
        self.trial(i, i, None, &mut fw)
    }

    /// The best MI premium for insured loan `i` (0.01% to the largest allowed, whole hundredths) and the change
    /// of the objective it brings, when it improves; the state is left unchanged. The
    /// objective is quadratic in the premium between the hinge's kinks.
    fn mi_probe(&mut self, i: usize) -> Option<(f64, f64)> {
        let a = self.st.slot_ltv[i];
        let m0 = self.st.ltv[a].mi;
        if m0 <= 0.0 {
            return None;
        }
        let h = 0.01;
        let dp = self.set_mi(i, m0 + h);
        self.set_mi(i, m0);
        let dm = self.set_mi(i, m0 - h);
        self.set_mi(i, m0);
        let q = (dp + dm) / (2.0 * h * h);
        let p = (dp - dm) / (2.0 * h);
        if q <= 0.0 || !q.is_finite() || !p.is_finite() {
            return None;
        }
        let mut step = -p / (2.0 * q);
        for _ in 0..4 {
            let v = (((m0 + step) * 100.0).round() / 100.0).clamp(0.01, self.mi_max);
            if (v - m0).abs() < 1e-9 {
                return None;
            }
            let d = self.set_mi(i, v);
            self.set_mi(i, m0);
            if d < 0.0 {
                return Some((d, v));
            }
            step /= 2.0;
        }
        None
    }

    /// For every bucket beyond tolerance, the best compound move (if any) is applied.
    /// Returns whether anything was applied.
    pub(super) fn compound_pass(&mut self, rng: &mut Rng) -> bool {
        self.compound_pass_upto(rng, EVERY)
    }

    /// [`Self::compound_pass`] where buckets of up to `every_upto` loans try every partner.
    pub(super) fn compound_pass_upto(&mut self, rng: &mut Rng, every_upto: usize) -> bool {
        let bad = self.worst_buckets(MAX_BUCKETS, 0.0, Self::bucket_excess);
        let mut applied = false;
        for &(_, si, k) in &bad {
            if self.bucket_excess(si, k) > 0.0 && self.compound_bucket(si, k, rng, every_upto) {
                applied = true;
            }
        }
        applied
    }

    /// Tries compound moves for bucket `k` of source `si`; applies the best.
    fn compound_bucket(&mut self, si: usize, k: usize, rng: &mut Rng, every_upto: usize) -> bool {
        let members = self.bucket_members(si, k, MAX_MEMBERS, rng);
        if members.is_empty() {
            return false;
        }
        let every = members.len() <= every_upto;

        // 1. every exchange that lowers this bucket's cost, with its full objective change
        let local0 = self.bucket_cost(si, k);
        self.probe = Some((si, k));
        let mut cands: Vec<(f64, f64, Step)> = Vec::new();
        let mut singles: Vec<Step> = Vec::new();
        for &i in &members {
            self.probe_pair_moves(i, every, PARTNERS, rng, &mut |fit, d, mv, j| {
                let local = fit.probe_cost - local0;
                if local < 0.0 {
                    cands.push((d, local, Step::Move(mv, i, j)));
                }
            });
            // single-loan steps start a sequence even when they alone do not help the
            // bucket (a coupon step that a balance transfer then completes)
            for mv in SINGLE_MOVES {
                if self.apply_move(mv, i, i, false).is_some() {
                    singles.push(Step::Move(mv, i, i));
                }
            }
        }
        self.probe = None;
        let mut picks: Vec<Step> = singles;
        cands.sort_by(|a, b| a.0.total_cmp(&b.0));
        picks.extend(cands.iter().take(CANDIDATES).map(|c| c.2));
        cands.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        picks.extend(cands.iter().take(CANDIDATES).map(|c| c.2));

        // 2. each candidate exchange, repaired, measured, undone
        let v0 = self.violations();
        let snap = self.snapshot();
        let mut best: Option<(f64, Vec<Step>)> = None;
        for (ci, &first) in picks.iter().enumerate() {
            if picks[..ci].iter().any(|p| same_step(*p, first)) {
                continue;
            }
            let mut steps = vec![first];
            let mut total = self.apply_step(first);
            // the members of a small bucket are repaired together (their weights set its
            // averages); in a large one, only the two loans of the exchange
            let mut involved = if every { members.clone() } else { Vec::new() };
            if let Step::Move(_, i, j) = first {
                for x in [i, j] {
                    if !involved.contains(&x) {
                        involved.push(x);
                    }
                }
            }
            total += self.repair(&involved, rng, &mut steps);
            let v = self.violations();
            if total < -1e-9 && v < v0 - 1e-12 && best.as_ref().map(|b| total < b.0).unwrap_or(true)
            {
                best = Some((total, steps));
            }
            self.restore_snapshot(&snap);
        }
        match best {
            Some((_, steps)) => {
                for s in steps {
                    self.apply_step(s);
                }
                true
            }
            None => false,
        }
    }

    /// Greedy repair: up to `REPAIR_STEPS` times, the best improving balance transfer
    /// (each involved loan with partners of its balance bucket) or single-loan step of
    /// an involved loan. Returns the objective change; records the steps.
    fn repair(&mut self, involved: &[usize], rng: &mut Rng, steps: &mut Vec<Step>) -> f64 {
        let mut total = 0.0;
        for _ in 0..REPAIR_STEPS {
            let mut best: (f64, Option<Step>) = (-1e-9, None);
            for &x in involved {
                let b = self.st.bal[x].b;
                let bk = if b == NONE { 0 } else { b as usize };
                let m = self.members.get(bk).cloned().unwrap_or_default();
                let all = m.len() <= REPAIR_PARTNERS;
                let tries = if all { m.len() } else { REPAIR_PARTNERS };
                for c in 0..tries {
                    let y = if all { m[c] } else { m[rng.below(m.len())] };
                    if let Some((d, delta)) = self.transfer_probe(x, y) {
                        if d < best.0 {
                            best = (d, Some(Step::Transfer(x, y, delta)));
                        }
                    }
                }
                for mv in [Mv::RateUp, Mv::RateDown] {
                    if let Some(d) = self.apply_move(mv, x, x, false) {
                        if d < best.0 {
                            best = (d, Some(Step::Move(mv, x, x)));
                        }
                    }
                }
                if let Some((d, v)) = self.mi_probe(x) {
                    if d < best.0 {
                        best = (d, Some(Step::Mi(x, v)));
                    }
                }
            }
            // exchanges between the loans involved (e.g. a coupon exchange followed by the
            // balance exchange that keeps the coupon table as it was)
            for (a, &x) in involved.iter().enumerate() {
                for &y in &involved[a + 1..] {
                    for mv in PAIR_MOVES {
                        if let Some(d) = self.apply_move(mv, x, y, false) {
                            if d < best.0 {
                                best = (d, Some(Step::Move(mv, x, y)));
                            }
                        }
                    }
                }
            }
            let Some(s) = best.1 else { break };
            total += self.apply_step(s);
            steps.push(s);
        }
        total
    }
}

fn same_step(a: Step, b: Step) -> bool {
    match (a, b) {
        (Step::Move(m1, i1, j1), Step::Move(m2, i2, j2)) => m1 == m2 && i1 == i2 && j1 == j2,
        _ => false,
    }
}
