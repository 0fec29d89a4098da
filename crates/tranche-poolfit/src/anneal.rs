//! The joint fit: seeded simulated annealing over permutations of the per-table values
//! (exact counts are kept by construction) and small in-bucket nudges, minimising one
//! weighted objective over every table's balance shares and weighted averages.

use super::dims::{Dim, PoolSpec, RangeSpec};
use super::init::{
    premium_target, State, NONE, TB_AGE, TB_MTR, TB_NEXTADJ, TB_ORIG, TB_PRODUCT, TB_REM,
};
use super::prng::Rng;
use super::{FitOptions, PoolSummary, StratTable};

mod polish;

/// Where a table's bucket comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    Timing(usize),
    Bal,
    Rate,
    Ltv,
    Pmi,
    Fico,
    Dti,
    Margin,
    MaxRate,
    Cat(usize),
}

const NACC: usize = 10;

/// The annealer's moves, each changing one or two loans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// Exchange two loans' balances.
    SwapBalances,
    /// Move dollars between two loans of one balance bucket.
    TransferBalance,
    SwapRates,
    /// Move a rate by one grid step within its bucket's printed range.
    NudgeRate,
    /// Exchange timings (ARM-only values follow when ARM status differs).
    SwapTimings,
    SwapLtvs,
    /// Exchange MI status and premium between two loans above 80% LTV.
    ExchangeMi,
    /// Move an LPMI premium.
    NudgeMi,
    SwapFico,
    SwapDti,
    SwapMargins,
    /// Move a margin by one grid step within its bucket.
    NudgeMargin,
    SwapMaxRates,
    /// Exchange one categorical field (a table's own categories).
    SwapCategory,
    /// Exchange pricing tiers.
    SwapTiers,
}

/// The unguided moves and their weights, percent of the draws (they add up to 100). A
/// draw of 0..100 picks by the running sum in this order, so the random stream, and with
/// it every fitted tape, depends on the order: append, do not reorder.
const MOVES: [(Move, usize); 15] = [
    (Move::SwapBalances, 18),
    (Move::TransferBalance, 16),
    (Move::SwapRates, 12),
    (Move::NudgeRate, 8),
    (Move::SwapTimings, 8),
    (Move::SwapLtvs, 7),
    (Move::ExchangeMi, 4),
    (Move::NudgeMi, 4),
    (Move::SwapFico, 4),
    (Move::SwapDti, 2),
    (Move::SwapMargins, 4),
    (Move::NudgeMargin, 1),
    (Move::SwapMaxRates, 4),
    (Move::SwapCategory, 6),
    (Move::SwapTiers, 2),
];

/// The move a draw of 0..100 picks.
fn pick(draw: usize) -> Move {
    let mut upto = 0;
    for (m, w) in MOVES {
        upto += w;
        if draw < upto {
            return m;
        }
    }
    MOVES[MOVES.len() - 1].0
}

/// What one step of the annealing knows besides the loans.
struct Step<'a> {
    frac: f64,
    temp: f64,
    grid: f64,
    cat_src: &'a [usize],
    has_fico: bool,
    has_dti: bool,
    has_margin: bool,
    has_maxrate: bool,
    multi_tier: bool,
}

/// Loans per bucket of one table, kept current as moves are accepted.
#[derive(Debug, Clone)]
struct Group {
    si: usize,
    lists: Vec<Vec<usize>>,
    of: Vec<u16>,
    at: Vec<usize>,
}
const A_B: usize = 0; // balance
const A_R: usize = 1; // balance x gross rate
const A_N: usize = 2; // balance x net rate
const A_A: usize = 3; // balance x age
const A_BF: usize = 4; // balance with a known FICO
const A_F: usize = 5; // balance x FICO
const A_L: usize = 6; // balance x LTV
const A_BM: usize = 7; // balance with a months-to-roll
const A_M: usize = 8; // balance x months to roll
const A_V: usize = 9; // squared coupon distance outside the row's MIN WAC..MAX WAC

#[derive(Debug, Clone, Copy, Default)]
struct Target {
    bal: f64,
    /// (target, weight / sigma^2) for each weighted average; weight 0 = unused
    g: (f64, f64),
    n: (f64, f64),
    a: (f64, f64),
    f: (f64, f64),
    l: (f64, f64),
    m: (f64, f64),
    wb: f64,
    /// normaliser of the averages' residuals: the target bucket balance
    norm: f64,
    /// The row's printed MIN WAC and MAX WAC (for `FitOptions::wac_bounds`).
    wac_lo: f64,
    wac_hi: f64,
    /// Tolerances of the polish's hinge: balance (dollars, 0.05 pp of the table) and, for
    /// the key tables (0 elsewhere), gross/net WAC and remaining term (0.02) and WA MTR
    /// (0.5: printed as a whole number).
    tol_bal: f64,
    tol_avg: f64,
    tol_mtr: f64,
}

/// Squared excess of a bucket's errors (accumulators `a`) over `at` times their tolerances.
fn beyond(t: &Target, a: &[f64], at: f64) -> f64 {
    let over = |err: f64, tol: f64| {
        if tol > 0.0 {
            (err.abs() / tol - at).max(0.0).powi(2)
        } else {
            0.0
        }
    };
    let mut c = over(a[A_B] - t.bal, t.tol_bal);
    if a[A_B] > 0.0 {
        for (s, (v, w)) in [(A_R, t.g), (A_N, t.n), (A_A, t.a)] {
            if w > 0.0 {
                c += over(a[s] / a[A_B] - v, t.tol_avg);
            }
        }
    }
    if a[A_BM] > 0.0 && t.m.1 > 0.0 {
        c += over(a[A_M] / a[A_BM] - t.m.0, t.tol_mtr);
    }
    c
}

/// Global (pool-level) accumulators.
#[derive(Debug, Clone, Default)]
struct Global {
    mi: f64,
    lpmi: f64,
    tier: Vec<f64>,
    margin: f64,
    arm: f64,
    pen: f64,
}

pub(super) struct Fit<'a> {
    st: &'a mut State,
    srcs: Vec<(usize, Src)>,
    off: Vec<usize>,
    tgt: Vec<Target>,
    acc: Vec<f64>,
    total: f64,
    trust: f64,
    tier_fee: Vec<f64>,
    tier_share: Vec<f64>,
    prem: f64,
    /// Largest MI premium of one loan, percent.
    mi_max: f64,
    margin_wa: Option<f64>,
    maxrate_hi: Vec<f64>,
    glob: Global,
    members: Vec<Vec<usize>>,
    pos: Vec<usize>,
    /// Member lists of the buckets of guided tables: (source index, lists, loan -> bucket,
    /// loan -> position).
    groups: Vec<Group>,
    rate_rng: Vec<(f64, f64)>,
    margin_rng: Vec<(f64, f64)>,
    bal_ranges: Vec<(f64, f64)>,
    /// Weight of the penalty on errors beyond 80% of the published tolerances (0 while
    /// annealing; the polish turns it on).
    hinge: f64,
    /// Weight of the smooth (squared-error) part of the bucket costs: 1 while annealing;
    /// the polish lowers it so that errors beyond the tolerances dominate.
    smooth: f64,
    /// Weight of a coupon outside its row's printed MIN WAC..MAX WAC, per percent squared
    /// (0: the bounds are not used).
    bounds_w: f64,
    /// A bucket (source, bucket) whose cost `trial` records after each change, in
    /// `probe_cost` (the polish's compound moves rank exchanges by it).
    probe: Option<(usize, usize)>,
    probe_cost: f64,
}

/// Weight of `FitOptions::wac_bounds`: a coupon 0.05% outside its row's printed range
/// costs as much as a key table's gross WAC one sigma (0.006%) off.
const WAC_BOUNDS_W: f64 = 1.0 / (0.05 * 0.05);

fn is_key(d: Dim) -> bool {
    matches!(
        d,
        Dim::Product | Dim::MonthsToRoll | Dim::Margin | Dim::Coupon | Dim::MaxRate
    )
}

impl<'a> Fit<'a> {
    pub(super) fn new(
        st: &'a mut State,
        spec: &PoolSpec,
        tables: &[StratTable],
        s: &PoolSummary,
        opts: &FitOptions,
    ) -> Fit<'a> {
        let mut srcs = Vec::new();
        let mut ci = 0usize;
        for (t, ts) in spec.tables.iter().enumerate() {
            if !ts.owner {
                continue;
            }
            let src = match ts.dim {
                Dim::Product => Some(Src::Timing(TB_PRODUCT)),
                Dim::MonthsToRoll => Some(Src::Timing(TB_MTR)),
                Dim::NextAdjustment => Some(Src::Timing(TB_NEXTADJ)),
                Dim::RemTerm => Some(Src::Timing(TB_REM)),
                Dim::OrigTerm => Some(Src::Timing(TB_ORIG)),
                Dim::Age => Some(Src::Timing(TB_AGE)),
                Dim::Balance => Some(Src::Bal),
                Dim::Coupon => Some(Src::Rate),
                Dim::Ltv => Some(Src::Ltv),
                Dim::PmiLtv => Some(Src::Pmi),
                Dim::Fico => Some(Src::Fico),
                Dim::Dti => Some(Src::Dti),
                Dim::Margin => Some(Src::Margin),
                Dim::MaxRate => Some(Src::MaxRate),
                _ => {
                    let c = st.cats.iter().position(|(tt, _)| *tt == t);
                    if c.is_some() {
                        ci += 1;
                    }
                    c.map(Src::Cat)
                }
            };
            if let Some(src) = src {
                srcs.push((t, src));
            }
        }
        let _ = ci;
        let mut off = Vec::with_capacity(srcs.len() + 1);
        let mut tgt = Vec::new();
        for &(t, _) in &srcs {
            off.push(tgt.len());
            let table = &tables[t];
            let dim = spec.tables[t].dim;
            let ttot = table.total_balance().max(1.0);
            let key = is_key(dim);
            let (sg, sa) = if key { (0.006, 0.006) } else { (0.04, 0.05) };
            for r in &table.rows {
                let w = |v: Option<f64>, sigma: f64, wt: f64| match v {
                    Some(x) => (x, wt / (sigma * sigma)),
                    None => (0.0, 0.0),
                };
                // remaining term (orig − age) carries both age and the term mix
                let age = r.rem_term;
                let tg = Target {
                    bal: r.balance,
                    g: w(r.gross_wac, sg, 1.0),
                    n: w(r.net_wac, sg, 1.0),
                    a: w(age, sa, 1.0),
                    f: w(r.fico, if key { 2.0 } else { 3.0 }, 0.2),
                    l: w(r.ltv, if key { 0.3 } else { 0.5 }, 0.2),
                    m: w(r.wa_mtr, 0.3, 0.3),
                    wb: 1.0 / (0.0001 * ttot).powi(2),
                    norm: r.balance.max(1.0),
                    wac_lo: r.min_wac.unwrap_or(f64::NEG_INFINITY),
                    wac_hi: r.max_wac.unwrap_or(f64::INFINITY),
                    tol_bal: 0.0005 * ttot,
                    tol_avg: if key { 0.02 } else { 0.0 },
                    tol_mtr: if key { 0.5 } else { 0.0 },
                };
                tgt.push(tg);
            }
        }
        off.push(tgt.len());
        let n = st.n;
        let total: f64 = st.bal.iter().filter_map(|v| v.v).sum();
        // Tiers by loan kind have no share to fit (`tier_share` empty).
        let (tier_fee, tier_share): (Vec<f64>, Vec<f64>) = if opts.servicing.is_empty() {
            (vec![0.0], vec![100.0])
        } else {
            (
                opts.servicing.iter().map(|t| t.rate_pct).collect(),
                opts.servicing
                    .iter()
                    .filter_map(|t| t.share_pct())
                    .collect(),
            )
        };
        let maxrate_hi = match spec.table(Dim::MaxRate) {
            Some(t) => spec.tables[t]
                .buckets
                .iter()
                .map(|b| {
                    if let RangeSpec::Range { hi, .. } = b {
                        *hi
                    } else {
                        f64::MAX
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        let rate_rng = match spec.table(Dim::Coupon) {
            Some(t) => tables[t]
                .rows
                .iter()
                .zip(spec.ranges(Dim::Coupon, (0.0, 100.0)))
                .map(|(r, (lo, hi))| (r.min_wac.unwrap_or(lo), r.max_wac.unwrap_or(hi)))
                .collect(),
            None => Vec::new(),
        };
        let margin_rng = spec.ranges(Dim::Margin, (0.0, 100.0));
        let nb = spec
            .table(Dim::Balance)
            .map(|t| tables[t].rows.len())
            .unwrap_or(1);
        let mut members = vec![Vec::new(); nb];
        let mut pos = vec![0; n];
        for (i, p) in pos.iter_mut().enumerate() {
            let b = st.bal[i].b;
            let b = if b == NONE { 0 } else { b as usize };
            *p = members[b].len();
            members[b].push(i);
        }
        let nt = tier_fee.len();
        let mut f = Fit {
            st,
            acc: vec![0.0; tgt.len() * NACC],
            srcs,
            off,
            tgt,
            total,
            trust: opts.trust_fee_pct,
            tier_fee,
            tier_share,
            prem: premium_target(s, opts),
            mi_max: opts.mi_max_pct,
            margin_wa: s.value("wa_gross_margin"),
            maxrate_hi,
            glob: Global {
                tier: vec![0.0; nt],
                ..Global::default()
            },
            members,
            pos,
            groups: Vec::new(),
            rate_rng,
            margin_rng,
            bal_ranges: Vec::new(),
            hinge: 0.0,
            smooth: 1.0,
            bounds_w: if opts.wac_bounds { WAC_BOUNDS_W } else { 0.0 },
            probe: None,
            probe_cost: 0.0,
        };
        for i in 0..n {
            f.add(i, 1.0, None);
        }
        f
    }

    fn bucket(&self, src: Src, i: usize) -> u16 {
        let st = &*self.st;
        match src {
            Src::Timing(k) => st.timing[st.slot_timing[i]].b[k],
            Src::Bal => st.bal[i].b,
            Src::Rate => st.rate[i].b,
            Src::Ltv => st.ltv[st.slot_ltv[i]].b,
            Src::Pmi => st.ltv[st.slot_ltv[i]].pmi_b,
            Src::Fico => st.fico.get(st.slot_fico[i]).map(|v| v.b).unwrap_or(NONE),
            Src::Dti => st.dti.get(st.slot_dti[i]).map(|v| v.b).unwrap_or(NONE),
            Src::Margin => st
                .margin
                .get(st.slot_margin[i])
                .map(|v| v.b)
                .unwrap_or(NONE),
            Src::MaxRate => st
                .maxrate
                .get(st.slot_maxrate[i])
                .map(|v| v.b)
                .unwrap_or(NONE),
            Src::Cat(c) => st.cats[c].1[st.slot_cat[c][i]],
        }
    }

    fn net(&self, i: usize) -> f64 {
        let st = &*self.st;
        st.rate[i].v.unwrap_or(0.0)
            - self.tier_fee[st.tier_index(i)]
            - self.trust
            - st.ltv[st.slot_ltv[i]].mi
    }

    /// Adds (`sign` = 1) or removes (-1) loan `i` in every table (or only table `only`).
    fn add(&mut self, i: usize, sign: f64, only: Option<usize>) {
        let st = &*self.st;
        let b = st.bal[i].v.unwrap_or(0.0) * sign;
        let r = st.rate[i].v.unwrap_or(0.0);
        let net = self.net(i);
        let tm = &st.timing[st.slot_timing[i]];
        let age = tm.orig_term.saturating_sub(tm.age) as f64;
        let fico = st.fico.get(st.slot_fico[i]).and_then(|v| v.v);
        let lv = &st.ltv[st.slot_ltv[i]];
        let mtr = tm.strat_mtr.map(|m| m as f64);
        for (si, &(_, src)) in self.srcs.iter().enumerate() {
            if let Some(o) = only {
                if o != si {
                    continue;
                }
            }
            let k = self.bucket(src, i);
            if k == NONE {
                continue;
            }
            let base = (self.off[si] + k as usize) * NACC;
            if self.bounds_w > 0.0 {
                let t = &self.tgt[self.off[si] + k as usize];
                let out = (t.wac_lo - r).max(0.0) + (r - t.wac_hi).max(0.0);
                self.acc[base + A_V] += sign * out * out;
            }
            let a = &mut self.acc[base..base + NACC];
            a[A_B] += b;
            a[A_R] += b * r;
            a[A_N] += b * net;
            a[A_A] += b * age;
            if let Some(f) = fico {
                a[A_BF] += b;
                a[A_F] += b * f;
            }
            a[A_L] += b * lv.ltv;
            if let Some(m) = mtr {
                a[A_BM] += b;
                a[A_M] += b * m;
            }
        }
        if only.is_none() {
            let g = &mut self.glob;
            g.mi += b * lv.mi;
            if lv.mi > 0.0 {
                g.lpmi += b;
            }
            g.tier[st.tier_index(i)] += b;
            if let Some(m) = st.margin.get(st.slot_margin[i]).and_then(|v| v.v) {
                g.margin += b * m;
                g.arm += b;
            }
            if let Some(mr) = st.maxrate.get(st.slot_maxrate[i]) {
                if let Some(&hi) = self.maxrate_hi.get(mr.b as usize) {
                    let over = (r - hi).max(0.0);
                    g.pen += sign * over * over * 1e4;
                }
            }
        }
    }

    fn bucket_cost(&self, si: usize, k: usize) -> f64 {
        let t = &self.tgt[self.off[si] + k];
        let a = &self.acc[(self.off[si] + k) * NACC..(self.off[si] + k + 1) * NACC];
        let mut c = (a[A_B] - t.bal).powi(2) * t.wb;
        let nrm = t.norm * t.norm;
        if t.g.1 > 0.0 {
            c += (a[A_R] - t.g.0 * a[A_B]).powi(2) / nrm * t.g.1;
        }
        if t.n.1 > 0.0 {
            c += (a[A_N] - t.n.0 * a[A_B]).powi(2) / nrm * t.n.1;
        }
        if t.a.1 > 0.0 {
            c += (a[A_A] - t.a.0 * a[A_B]).powi(2) / nrm * t.a.1;
        }
        if t.f.1 > 0.0 {
            c += (a[A_F] - t.f.0 * a[A_BF]).powi(2) / nrm * t.f.1;
        }
        if t.l.1 > 0.0 {
            c += (a[A_L] - t.l.0 * a[A_B]).powi(2) / nrm * t.l.1;
        }
        if t.m.1 > 0.0 {
            c += (a[A_M] - t.m.0 * a[A_BM]).powi(2) / nrm * t.m.1;
        }
        if self.bounds_w > 0.0 {
            c += self.bounds_w * a[A_V].max(0.0);
        }
        c *= self.smooth;
        if self.hinge > 0.0 {
            c += self.hinge * beyond(t, a, 0.8);
        }
        c
    }

    fn global_cost(&self) -> f64 {
        let g = &self.glob;
        let tot = self.total;
        let mut c = ((g.mi / tot - self.prem) / 0.0005).powi(2);
        if self.tier_share.len() > 1 {
            for (k, &sh) in self.tier_share.iter().enumerate() {
                c += ((g.tier[k] / tot * 100.0 - sh) / 0.01).powi(2);
            }
        }
        if let Some(m) = self.margin_wa {
            if g.arm > 0.0 {
                c += ((g.margin / g.arm - m) / 0.003).powi(2) * 0.5;
            }
        }
        c + g.pen
    }

    pub(super) fn total_cost(&self) -> f64 {
        // Summed in this order (global first) so the fit stays reproducible.
        self.buckets()
            .fold(self.global_cost(), |c, (si, k)| c + self.bucket_cost(si, k))
    }

    /// Every bucket of every table, as (table, bucket) indices.
    fn buckets(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.srcs.len())
            .flat_map(|si| (0..(self.off[si + 1] - self.off[si])).map(move |k| (si, k)))
    }

    /// The `most` buckets whose `score` exceeds `floor`, as (score, table, bucket),
    /// highest first.
    fn worst_buckets(
        &self,
        most: usize,
        floor: f64,
        score: impl Fn(&Self, usize, usize) -> f64,
    ) -> Vec<(f64, usize, usize)> {
        let mut worst: Vec<(f64, usize, usize)> = self
            .buckets()
            .map(|(si, k)| (score(self, si, k), si, k))
            .filter(|&(s, _, _)| s > floor)
            .collect();
        worst.sort_by(|a, b| b.0.total_cmp(&a.0));
        worst.truncate(most);
        worst
    }

    /// Applies `f` to loans `i`, `j` (tables: all, or only source `only`) and returns the
    /// change of the objective. `f` must only permute or change values within buckets.
    fn trial(
        &mut self,
        i: usize,
        j: usize,
        only: Option<usize>,
        f: &mut dyn FnMut(&mut State),
    ) -> f64 {
        let mut keys: [(usize, usize); 64] = [(0, 0); 64];
        let mut nk = 0;
        for (si, &(_, src)) in self.srcs.iter().enumerate() {
            if let Some(o) = only {
                if o != si {
                    continue;
                }
            }
            for l in [i, j] {
                let k = self.bucket(src, l);
                if k != NONE && !keys[..nk].contains(&(si, k as usize)) && nk < 64 {
                    keys[nk] = (si, k as usize);
                    nk += 1;
                }
            }
        }
        let mut old: f64 = keys[..nk]
            .iter()
            .map(|&(s, k)| self.bucket_cost(s, k))
            .sum();
        if only.is_none() {
            old += self.global_cost();
        }
        self.add(i, -1.0, only);
        if j != i {
            self.add(j, -1.0, only);
        }
        f(self.st);
        self.add(i, 1.0, only);
        if j != i {
            self.add(j, 1.0, only);
        }
        let mut new: f64 = keys[..nk]
            .iter()
            .map(|&(s, k)| self.bucket_cost(s, k))
            .sum();
        if only.is_none() {
            new += self.global_cost();
        }
        if let Some((s, k)) = self.probe {
            self.probe_cost = self.bucket_cost(s, k);
        }
        new - old
    }

    /// Undoes a rejected trial (f must be its own inverse or the given inverse).
    fn undo(&mut self, i: usize, j: usize, only: Option<usize>, f: &mut dyn FnMut(&mut State)) {
        self.add(i, -1.0, only);
        if j != i {
            self.add(j, -1.0, only);
        }
        f(self.st);
        self.add(i, 1.0, only);
        if j != i {
            self.add(j, 1.0, only);
        }
    }

    fn swap_bal_members(&mut self, i: usize, j: usize) {
        // after the balance values of i and j were swapped, their buckets exchanged
        let bi = self.st.bal[i].b;
        let bj = self.st.bal[j].b;
        if bi == bj || bi == NONE || bj == NONE {
            return;
        }
        let (pi, pj) = (self.pos[i], self.pos[j]);
        // i now sits in bucket bi (was bj) at j's old position and vice versa
        self.members[bi as usize][pj] = i;
        self.members[bj as usize][pi] = j;
        self.pos[i] = pj;
        self.pos[j] = pi;
    }

    pub(super) fn run(&mut self, iters: usize, rng: &mut Rng) {
        let n = self.st.n;
        if n < 2 {
            return;
        }
        let cur = self.total_cost();
        let t0 = (cur / (n as f64 * 50.0)).clamp(1e-3, 50.0);
        let t1 = 1e-4;
        let cat_src: Vec<usize> = self
            .srcs
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.1, Src::Cat(_)))
            .map(|(i, _)| i)
            .collect();
        let has_fico = !self.st.fico.is_empty();
        let has_dti = !self.st.dti.is_empty();
        let has_margin = !self.st.margin.is_empty();
        let has_maxrate = !self.st.maxrate.is_empty();
        let multi_tier = self.tier_share.len() > 1;
        let grid = self.st.grid;
        for it in 0..iters {
            let frac = it as f64 / iters as f64;
            let temp = t0 * (t1 / t0).powf(frac);
            let i = rng.below(n);
            let mut j = rng.below(n);
            if j == i {
                j = (j + 1) % n;
            }
            let d;
            let accept = |d: f64, rng: &mut Rng| d <= 0.0 || rng.f64() < (-d / temp).exp();
            if !self.groups.is_empty() && rng.below(100) < 25 {
                let gi = rng.below(self.groups.len());
                let Some((i, j)) = self.guided_pair(gi, rng) else {
                    continue;
                };
                let src = self.srcs[self.groups[gi].si].1;
                let fi = self.is_fixed(i);
                let fj = self.is_fixed(j);
                let mut sw = |s: &mut State| match src {
                    Src::Margin => s.slot_margin.swap(i, j),
                    Src::MaxRate => s.slot_maxrate.swap(i, j),
                    Src::Rate => {
                        s.rate.swap(i, j);
                        s.pinned_rate.swap(i, j);
                    }
                    _ => {
                        s.slot_timing.swap(i, j);
                        if fi != fj {
                            s.slot_margin.swap(i, j);
                            s.slot_maxrate.swap(i, j);
                        }
                    }
                };
                if matches!(src, Src::Margin | Src::MaxRate) && (fi || fj) {
                    continue;
                }
                if src == Src::Timing(TB_PRODUCT) {
                    // exchange the products of two timings (ages and dates stay)
                    let (a, b) = (self.st.slot_timing[i], self.st.slot_timing[j]);
                    if !self.product_swap_ok(a, b) {
                        continue;
                    }
                    let mut ps = |s: &mut State| {
                        let (pa, ba) = (s.timing[a].product, s.timing[a].b[TB_PRODUCT]);
                        s.timing[a].product = s.timing[b].product;
                        s.timing[a].b[TB_PRODUCT] = s.timing[b].b[TB_PRODUCT];
                        s.timing[b].product = pa;
                        s.timing[b].b[TB_PRODUCT] = ba;
                    };
                    d = self.trial(i, j, None, &mut ps);
                    if accept(d, rng) {
                        self.regroup(i);
                        self.regroup(j);
                    } else {
                        self.undo(i, j, None, &mut ps);
                    }
                    continue;
                }
                d = self.trial(i, j, None, &mut sw);
                if accept(d, rng) {
                    self.regroup(i);
                    self.regroup(j);
                } else {
                    self.undo(i, j, None, &mut sw);
                }
                continue;
            }
            let mv = pick(rng.below(100));
            let step = Step {
                frac,
                temp,
                grid,
                cat_src: &cat_src,
                has_fico,
                has_dti,
                has_margin,
                has_maxrate,
                multi_tier,
            };
            if !self.try_move(mv, i, j, &step, rng) {
                continue;
            }
            if !self.groups.is_empty() {
                self.regroup(i);
                self.regroup(j);
            }
        }
    }

    /// Tries one move on loans `i` and `j`: false when it does not apply to them (nothing
    /// was tried), true when it was tried (kept or undone by the annealing rule).
    fn try_move(&mut self, mv: Move, i: usize, j: usize, c: &Step, rng: &mut Rng) -> bool {
        let (frac, temp, grid) = (c.frac, c.temp, c.grid);
        let (has_fico, has_dti, has_margin, has_maxrate, multi_tier) = (
            c.has_fico,
            c.has_dti,
            c.has_margin,
            c.has_maxrate,
            c.multi_tier,
        );
        let cat_src = c.cat_src;
        let accept = |d: f64, rng: &mut Rng| d <= 0.0 || rng.f64() < (-d / temp).exp();
        match mv {
            Move::SwapBalances => {
                // swap balances
                let mut sw = |s: &mut State| {
                    s.bal.swap(i, j);
                    s.pinned_bal.swap(i, j);
                };
                let d = self.trial(i, j, None, &mut sw);
                if accept(d, rng) {
                    self.swap_bal_members(i, j);
                } else {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::TransferBalance => {
                // transfer dollars between two loans of the same balance bucket
                let b = self.st.bal[i].b;
                let bk = if b == NONE { 0 } else { b as usize };
                let m = &self.members[bk];
                if m.len() < 2 || self.st.pinned_bal[i] {
                    return false;
                }
                let j = m[rng.below(m.len())];
                if j == i || self.st.pinned_bal[j] {
                    return false;
                }
                let bi = self.st.bal[i].v.unwrap_or(0.0);
                let bj = self.st.bal[j].v.unwrap_or(0.0);
                let (lo, hi) = self.bal_range(bk);
                let scale = (1.0 + 2000.0 * rng.f64()) * (1.0 + 20.0 * (1.0 - frac) * rng.f64());
                let mut delta = (scale * (rng.f64() - 0.5) * 2.0).round();
                delta = delta.clamp(lo - bi, hi - bi).clamp(bj - hi, bj - lo);
                if delta == 0.0 {
                    return false;
                }
                let mut fw = |s: &mut State| {
                    s.bal[i].v = Some(bi + delta);
                    s.bal[j].v = Some(bj - delta);
                };
                let d = self.trial(i, j, None, &mut fw);
                if !accept(d, rng) {
                    let mut bw = |s: &mut State| {
                        s.bal[i].v = Some(bi);
                        s.bal[j].v = Some(bj);
                    };
                    self.undo(i, j, None, &mut bw);
                }
            }
            Move::SwapRates => {
                let mut sw = |s: &mut State| {
                    s.rate.swap(i, j);
                    s.pinned_rate.swap(i, j);
                };
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::NudgeRate => {
                // nudge a rate by 1/8 within its bucket's printed min..max
                if self.st.pinned_rate[i] {
                    return false;
                }
                let v = self.st.rate[i].v.unwrap_or(0.0);
                let b = self.st.rate[i].b;
                let Some(&(lo, hi)) = self.rate_rng.get(b as usize) else {
                    return false;
                };
                let step = if rng.below(2) == 0 { grid } else { -grid };
                let nv = ((v + step) / grid).round() * grid;
                if nv < lo - 1e-9 || nv > hi + 1e-9 {
                    return false;
                }
                let mut fw = |s: &mut State| s.rate[i].v = Some(nv);
                let d = self.trial(i, i, None, &mut fw);
                if !accept(d, rng) {
                    let mut bw = |s: &mut State| s.rate[i].v = Some(v);
                    self.undo(i, i, None, &mut bw);
                }
            }
            Move::SwapTimings => {
                // swap timings (ARM-only values follow when ARM status differs)
                let fi = self.is_fixed(i);
                let fj = self.is_fixed(j);
                let mut sw = |s: &mut State| {
                    s.slot_timing.swap(i, j);
                    if fi != fj {
                        s.slot_margin.swap(i, j);
                        s.slot_maxrate.swap(i, j);
                    }
                };
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::SwapLtvs => {
                let mut sw = |s: &mut State| s.slot_ltv.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::ExchangeMi => {
                // exchange MI status / premium between two loans above 80% LTV
                let (a, b) = (self.st.slot_ltv[i], self.st.slot_ltv[j]);
                let la = &self.st.ltv[a];
                let lb = &self.st.ltv[b];
                if la.pmi_b == NONE || lb.pmi_b == NONE || (la.pmi_b == lb.pmi_b && la.mi == lb.mi)
                {
                    return false;
                }
                let mut sw = |s: &mut State| {
                    let (x, y) = (s.ltv[a].pmi_b, s.ltv[a].mi);
                    s.ltv[a].pmi_b = s.ltv[b].pmi_b;
                    s.ltv[a].mi = s.ltv[b].mi;
                    s.ltv[b].pmi_b = x;
                    s.ltv[b].mi = y;
                };
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::NudgeMi => {
                // nudge an LPMI premium
                let a = self.st.slot_ltv[i];
                let mi = self.st.ltv[a].mi;
                if mi <= 0.0 {
                    return false;
                }
                let step = [0.01, 0.05, 0.1, 0.25][rng.below(4)]
                    * if rng.below(2) == 0 { 1.0 } else { -1.0 };
                let nv = ((mi + step) * 100.0).round() / 100.0;
                if !(0.01..=self.mi_max).contains(&nv) {
                    return false;
                }
                let mut fw = |s: &mut State| s.ltv[a].mi = nv;
                let d = self.trial(i, i, None, &mut fw);
                if !accept(d, rng) {
                    let mut bw = |s: &mut State| s.ltv[a].mi = mi;
                    self.undo(i, i, None, &mut bw);
                }
            }
            Move::SwapFico => {
                if !has_fico {
                    return false;
                }
                let mut sw = |s: &mut State| s.slot_fico.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::SwapDti => {
                if !has_dti {
                    return false;
                }
                let mut sw = |s: &mut State| s.slot_dti.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::SwapMargins => {
                if !has_margin || self.is_fixed(i) || self.is_fixed(j) {
                    return false;
                }
                let mut sw = |s: &mut State| s.slot_margin.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::NudgeMargin => {
                // nudge a margin within its bucket
                let a = self.st.slot_margin[i];
                if !has_margin || a == usize::MAX || self.st.pinned_margin[a] {
                    return false;
                }
                let Some(v) = self.st.margin[a].v else {
                    return false;
                };
                let Some(&(lo, hi)) = self.margin_rng.get(self.st.margin[a].b as usize) else {
                    return false;
                };
                let nv = v + if rng.below(2) == 0 { grid } else { -grid };
                if nv < lo - 1e-9 || nv > hi + 1e-9 {
                    return false;
                }
                let mut fw = |s: &mut State| s.margin[a].v = Some(nv);
                let d = self.trial(i, i, None, &mut fw);
                if !accept(d, rng) {
                    let mut bw = |s: &mut State| s.margin[a].v = Some(v);
                    self.undo(i, i, None, &mut bw);
                }
            }
            Move::SwapMaxRates => {
                if !has_maxrate || self.is_fixed(i) || self.is_fixed(j) {
                    return false;
                }
                let mut sw = |s: &mut State| s.slot_maxrate.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
            Move::SwapCategory => {
                if cat_src.is_empty() {
                    return false;
                }
                let si = cat_src[rng.below(cat_src.len())];
                let Src::Cat(c) = self.srcs[si].1 else {
                    return false;
                };
                let (a, b) = (self.st.slot_cat[c][i], self.st.slot_cat[c][j]);
                if self.st.cats[c].1[a] == self.st.cats[c].1[b] {
                    return false;
                }
                let mut sw = |s: &mut State| s.slot_cat[c].swap(i, j);
                let d = self.trial(i, j, Some(si), &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, Some(si), &mut sw);
                }
            }
            Move::SwapTiers => {
                if !multi_tier || self.st.tier[i] == self.st.tier[j] {
                    return false;
                }
                let mut sw = |s: &mut State| s.tier.swap(i, j);
                let d = self.trial(i, j, None, &mut sw);
                if !accept(d, rng) {
                    self.undo(i, j, None, &mut sw);
                }
            }
        }
        true
    }

    fn init_groups(&mut self) {
        let mut groups = Vec::new();
        for (si, &(_, src)) in self.srcs.iter().enumerate() {
            if !matches!(
                src,
                Src::Margin
                    | Src::MaxRate
                    | Src::Timing(TB_NEXTADJ)
                    | Src::Timing(TB_PRODUCT)
                    | Src::Rate
            ) {
                continue;
            }
            let nb = self.off[si + 1] - self.off[si];
            let mut g = Group {
                si,
                lists: vec![Vec::new(); nb],
                of: vec![NONE; self.st.n],
                at: vec![0; self.st.n],
            };
            for i in 0..self.st.n {
                let b = self.bucket(src, i);
                g.of[i] = b;
                if b != NONE {
                    g.at[i] = g.lists[b as usize].len();
                    g.lists[b as usize].push(i);
                }
            }
            groups.push(g);
        }
        self.groups = groups;
    }

    fn regroup(&mut self, i: usize) {
        for gi in 0..self.groups.len() {
            let src = self.srcs[self.groups[gi].si].1;
            let nb = self.bucket(src, i);
            let g = &mut self.groups[gi];
            let ob = g.of[i];
            if nb == ob {
                continue;
            }
            if ob != NONE {
                let l = &mut g.lists[ob as usize];
                let p = g.at[i];
                l.swap_remove(p);
                if p < l.len() {
                    let moved = l[p];
                    g.at[moved] = p;
                }
            }
            if nb != NONE {
                g.at[i] = g.lists[nb as usize].len();
                g.lists[nb as usize].push(i);
            }
            g.of[i] = nb;
        }
    }

    /// A guided pair for group `gi`: `i` from a bucket chosen uniformly (small buckets get
    /// as much attention as large ones), `j` outside it whose rate (or balance, or age) is
    /// closer to what the bucket is short of.
    fn guided_pair(&self, gi: usize, rng: &mut Rng) -> Option<(usize, usize)> {
        let g = &self.groups[gi];
        let nb = g.lists.len();
        let k = rng.below(nb);
        let l = &g.lists[k];
        if l.is_empty() {
            return None;
        }
        let i = l[rng.below(l.len())];
        let si = g.si;
        let t = &self.tgt[self.off[si] + k];
        let a = &self.acc[(self.off[si] + k) * NACC..(self.off[si] + k + 1) * NACC];
        let st = &*self.st;
        let rate = |x: usize| st.rate[x].v.unwrap_or(0.0);
        let bal = |x: usize| st.bal[x].v.unwrap_or(0.0);
        let age = |x: usize| {
            let t = &st.timing[st.slot_timing[x]];
            t.orig_term.saturating_sub(t.age) as f64
        };
        let same_next = false;
        let crit = rng.below(3);
        let cur_w = if a[A_B] > 0.0 { a[A_R] / a[A_B] } else { t.g.0 };
        let cur_age = if a[A_B] > 0.0 { a[A_A] / a[A_B] } else { t.a.0 };
        for _ in 0..60 {
            let j = rng.below(st.n);
            if g.of[j] as usize == k {
                continue;
            }
            if same_next
                && st.timing[st.slot_timing[j]].b[TB_NEXTADJ]
                    != st.timing[st.slot_timing[i]].b[TB_NEXTADJ]
            {
                continue;
            }
            let good = match crit {
                0 if t.g.1 > 0.0 => (rate(j) - rate(i)) * (t.g.0 - cur_w) > 0.0,
                1 => (bal(j) - bal(i)) * (t.bal - a[A_B]) > 0.0,
                _ if t.a.1 > 0.0 => (age(j) - age(i)) * (t.a.0 - cur_age) > 0.0,
                _ => true,
            };
            if good {
                return Some((i, j));
            }
        }
        None
    }

    /// Whether timings `a` and `b` stay coherent with their products exchanged.
    fn product_swap_ok(&self, a: usize, b: usize) -> bool {
        let st = &*self.st;
        let (ta, tb) = (&st.timing[a], &st.timing[b]);
        if ta.product == tb.product || ta.orig_term != tb.orig_term {
            return false;
        }
        let ok = |t: &super::init::Timing, p: usize| {
            let pr = &st.products[p];
            let (Some(m), false) = (t.mtr, pr.fixed) else {
                return false;
            };
            let f = pr.first_reset;
            let r = pr.reset_freq.max(1);
            let at = t.age + m;
            if t.delayed {
                t.age == 0 && m == f + 1
            } else {
                at == f || (at > f && m <= r && (at - f) % r == 0)
            }
        };
        ok(ta, tb.product) && ok(tb, ta.product)
    }

    fn is_fixed(&self, i: usize) -> bool {
        let st = &*self.st;
        st.products[st.timing[st.slot_timing[i]].product].fixed
    }

    fn bal_range(&self, k: usize) -> (f64, f64) {
        self.bal_ranges.get(k).copied().unwrap_or((1.0, f64::MAX))
    }
}

/// Runs the fit in place.
pub fn optimise(
    st: &mut State,
    spec: &PoolSpec,
    tables: &[StratTable],
    s: &PoolSummary,
    opts: &FitOptions,
) {
    let iters = if opts.iterations > 0 {
        opts.iterations
    } else {
        st.n * 2500
    };
    let mut rng = Rng::new(opts.seed);
    // Whole currency units inside each balance bucket.
    let bal_ranges: Vec<(f64, f64)> = spec
        .ranges(Dim::Balance, (1.0, f64::MAX))
        .into_iter()
        .map(|(lo, hi)| (lo.ceil().max(1.0), hi.floor()))
        .collect();
    let mut fit = Fit::new(st, spec, tables, s, opts);
    fit.bal_ranges = bal_ranges;
    fit.init_groups();
    fit.run(iters, &mut rng);
    fit.polish(opts.polish_rounds, opts.compound_passes, &mut rng);
}
