//! The starting point of the fit: every table's buckets filled with exactly the published
//! number of values, and ARM timing built jointly so each loan's product, age, months to
//! roll and next adjustment date agree.

use super::dims::{parse_product, Dim, PoolSpec, ProductSpec, RangeSpec};
use super::prng::Rng;
use super::{FitOptions, LoanKind, PoolSummary, StratTable, TierScope};
use tranche_core::error::{Error, Result};

pub const NONE: u16 = u16::MAX;

/// One loan's timing: product, age, terms and (ARMs) the next rate change.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub product: usize,
    pub age: u32,
    pub orig_term: u32,
    /// Months from the cut-off to the next rate change (ARMs).
    pub mtr: Option<u32>,
    /// Months to roll as the term sheet counts it (from the loan's own cut-off date).
    pub strat_mtr: Option<u32>,
    /// First payment two months after the cut-off (originated after it): age 0, and the
    /// first rate change one month later than for a loan paying in the first month.
    pub delayed: bool,
    /// Bucket per timing-owned table: product, months to roll, next adjustment, remaining
    /// term, original term, age (NONE when the table is absent or the loan is not in it).
    pub b: [u16; 6],
}

pub const TB_PRODUCT: usize = 0;
pub const TB_MTR: usize = 1;
pub const TB_NEXTADJ: usize = 2;
pub const TB_REM: usize = 3;
pub const TB_ORIG: usize = 4;
pub const TB_AGE: usize = 5;

/// LTV value with its mortgage-insurance status (PMI table bucket) and LPMI premium.
#[derive(Debug, Clone, PartialEq)]
pub struct LtvVal {
    pub ltv: f64,
    pub b: u16,
    pub pmi_b: u16,
    /// Lender-paid MI premium, percent.
    pub mi: f64,
}

/// A numeric value with the bucket of its owning table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Val {
    pub v: Option<f64>,
    pub b: u16,
}

/// Everything the optimiser permutes. `slot_*[i]` is the index of loan `i`'s value.
#[derive(Debug, Clone)]
pub struct State {
    pub n: usize,
    pub products: Vec<ProductSpec>,
    pub timing: Vec<Timing>,
    pub bal: Vec<Val>,
    pub rate: Vec<Val>,
    pub ltv: Vec<LtvVal>,
    pub fico: Vec<Val>,
    pub dti: Vec<Val>,
    pub margin: Vec<Val>,
    pub maxrate: Vec<Val>,
    /// Categorical tables: (table index, per-value bucket).
    pub cats: Vec<(usize, Vec<u16>)>,
    pub slot_timing: Vec<usize>,
    pub slot_ltv: Vec<usize>,
    pub slot_fico: Vec<usize>,
    pub slot_dti: Vec<usize>,
    pub slot_margin: Vec<usize>,
    pub slot_maxrate: Vec<usize>,
    pub slot_cat: Vec<Vec<usize>>,
    /// Servicing tier per loan (index into the options' tiers), for tiers by share.
    pub tier: Vec<u8>,
    /// For tiers by loan kind: the tier of the ARM loans and of the fixed-rate loans.
    pub tier_by_kind: Option<[u8; 2]>,
    /// Values pinned to the pool's printed minimum/maximum (never nudged).
    pub pinned_bal: Vec<bool>,
    pub pinned_rate: Vec<bool>,
    pub pinned_margin: Vec<bool>,
    /// Grid of rates and margins (1/8%).
    pub grid: f64,
}

impl State {
    /// Whether loan `i` (its current timing's product) is fixed-rate.
    pub fn is_fixed(&self, i: usize) -> bool {
        self.products[self.timing[self.slot_timing[i]].product].fixed
    }

    /// The servicing tier of loan `i`: its kind's tier, or its own.
    pub fn tier_index(&self, i: usize) -> usize {
        match self.tier_by_kind {
            Some(k) => k[usize::from(self.is_fixed(i))] as usize,
            None => self.tier[i] as usize,
        }
    }
}

fn snap(x: f64, grid: f64) -> f64 {
    if grid > 0.0 {
        (x / grid).round() * grid
    } else {
        x
    }
}

/// `count` values in `[lo, hi]` spread around `mean` (on `grid` when > 0), with a mean as
/// close to `mean` as the grid allows. Deterministic.
pub fn spread_values(
    count: usize,
    lo: f64,
    hi: f64,
    mean: f64,
    grid: f64,
    decimals: i32,
) -> Vec<f64> {
    if count == 0 {
        return Vec::new();
    }
    let mean = mean.clamp(lo, hi);
    let half = (mean - lo).min(hi - mean);
    let round = |x: f64| {
        let p = 10f64.powi(decimals);
        (x * p).round() / p
    };
    let fit = |x: f64| {
        let mut y = snap(x, grid);
        if y < lo - 1e-9 {
            y += grid;
        }
        if y > hi + 1e-9 {
            y -= grid;
        }
        round(y.clamp(lo, hi))
    };
    let mut v: Vec<f64> = (0..count)
        .map(|j| {
            let q = (j as f64 + 0.5) / count as f64;
            fit(mean + 2.0 * half * 0.9 * (q - 0.5))
        })
        .collect();
    // Walk values one step at a time toward the target mean.
    let step = if grid > 0.0 {
        grid
    } else {
        10f64.powi(-decimals)
    };
    for _ in 0..(count * 8) {
        let cur: f64 = v.iter().sum::<f64>() / count as f64;
        let err = cur - mean;
        if err.abs() <= step / (2.0 * count as f64) + 1e-12 {
            break;
        }
        let dir = if err > 0.0 { -step } else { step };
        // move the value with the most room in that direction
        let mut best = None;
        let mut room = 0.0;
        for (j, x) in v.iter().enumerate() {
            let r = if dir > 0.0 { hi - x } else { x - lo };
            if r >= step - 1e-12 && r > room {
                room = r;
                best = Some(j);
            }
        }
        match best {
            Some(j) => v[j] = round(v[j] + dir),
            None => break,
        }
    }
    v
}

fn range_of(b: &RangeSpec) -> (f64, f64) {
    match b {
        RangeSpec::Range { lo, hi } => (*lo, *hi),
        _ => (0.0, 0.0),
    }
}

fn find_bucket(buckets: &[RangeSpec], v: f64) -> u16 {
    if let Some(i) = buckets.iter().position(|b| b.contains(v)) {
        return i as u16;
    }
    // between printed ranges (rounding gaps): the last bucket starting at or below v
    let mut best = NONE;
    for (i, b) in buckets.iter().enumerate() {
        if let RangeSpec::Range { lo, .. } = b {
            if *lo <= v {
                best = i as u16;
            }
        }
    }
    best
}

/// Builds the starting state.
pub fn initial_state(
    spec: &PoolSpec,
    tables: &[StratTable],
    s: &PoolSummary,
    opts: &FitOptions,
) -> Result<State> {
    let n = spec.n;
    let mut rng = Rng::new(opts.seed ^ 0x0005_EED0_FF17);
    let grid = 0.125;

    let products: Vec<ProductSpec> = match spec.table(Dim::Product) {
        Some(t) => tables[t]
            .rows
            .iter()
            .map(|r| parse_product(&r.label))
            .collect(),
        None => vec![parse_product("FIXED")],
    };
    let timing = build_timing(spec, tables, s, opts, &products)?;

    // Balances: exact sums per bucket, whole dollars.
    let (bmin, bmax) = s
        .get("average_loan_balance")
        .map(|f| (f.min, f.max))
        .unwrap_or((None, None));
    let mut bal = Vec::with_capacity(n);
    let mut pinned_bal = Vec::with_capacity(n);
    if let Some(t) = spec.table(Dim::Balance) {
        for (k, r) in tables[t].rows.iter().enumerate() {
            let (mut lo, mut hi) = range_of(&spec.tables[t].buckets[k]);
            lo = lo.ceil().max(1.0);
            hi = hi.floor();
            let mut vals = balance_values(r.count, r.balance.round(), lo, hi);
            let mut pins = vec![false; vals.len()];
            for (ext, is_min) in [(bmin, true), (bmax, false)] {
                if let Some(x) = ext {
                    if x >= lo && x <= hi && vals.len() >= 2 {
                        let j = if is_min { 0 } else { vals.len() - 1 };
                        let o = if is_min { vals.len() - 1 } else { 0 };
                        let d = x - vals[j];
                        if vals[o] - d >= lo && vals[o] - d <= hi {
                            vals[j] = x;
                            vals[o] -= d;
                            pins[j] = true;
                        }
                    }
                }
            }
            for (v, p) in vals.into_iter().zip(pins) {
                bal.push(Val {
                    v: Some(v),
                    b: k as u16,
                });
                pinned_bal.push(p);
            }
        }
        // The pool total to the dollar (bucket totals may carry whole-dollar rounding).
        let target = s
            .value("total_outstanding_balance")
            .unwrap_or(spec.total)
            .round();
        let diff = target - bal.iter().filter_map(|v| v.v).sum::<f64>();
        if diff != 0.0 {
            // The last value that can take the difference inside its bucket.
            let room = |j: usize| {
                let (lo, hi) = range_of(&spec.tables[t].buckets[bal[j].b as usize]);
                let v = bal[j].v.unwrap_or(0.0) + diff;
                !pinned_bal[j] && v >= lo && v <= hi
            };
            if let Some(j) = (0..bal.len()).rev().find(|&j| room(j)) {
                bal[j].v = Some(bal[j].v.unwrap_or(0.0) + diff);
            }
        }
    } else {
        let avg = (spec.total / n as f64).floor();
        for j in 0..n {
            let v = if j + 1 == n {
                spec.total - avg * (n as f64 - 1.0)
            } else {
                avg
            };
            bal.push(Val {
                v: Some(v),
                b: NONE,
            });
            pinned_bal.push(false);
        }
    }

    // Rates: published min and max per bucket kept exactly, the rest on the 1/8 grid.
    let mut rate = Vec::with_capacity(n);
    let mut pinned_rate = Vec::with_capacity(n);
    if let Some(t) = spec.table(Dim::Coupon) {
        for (k, r) in tables[t].rows.iter().enumerate() {
            let (lo, hi) = range_of(&spec.tables[t].buckets[k]);
            let mn = r.min_wac.unwrap_or(lo);
            let mx = r.max_wac.unwrap_or(hi);
            let g = r.gross_wac.unwrap_or((mn + mx) / 2.0);
            let vals = rate_values(r.count, mn, mx, g, grid);
            for (j, v) in vals.into_iter().enumerate() {
                rate.push(Val {
                    v: Some(v),
                    b: k as u16,
                });
                pinned_rate.push(r.count >= 2 && (j == 0 || j == 1));
            }
        }
    } else {
        let g = s.value("wa_mortgage_rate").ok_or_else(|| {
            Error::invalid(
                "wa_mortgage_rate",
                "no coupon table and no WA rate in the summary",
            )
        })?;
        for _ in 0..n {
            rate.push(Val {
                v: Some(g),
                b: NONE,
            });
            pinned_rate.push(false);
        }
    }
    if rate.len() != n || bal.len() != n {
        return Err(Error::invalid(
            "tables",
            "bucket counts do not add up to the pool count",
        ));
    }

    let ltv = ltv_values(spec, tables, s, opts, n)?;
    let fico = simple_values(spec, tables, Dim::Fico, n, 0.0, 0, |r| r.fico)?;
    let dti = simple_values(spec, tables, Dim::Dti, n, 0.0, 2, |_| None)?;
    let n_arm = timing.iter().filter(|t| !products[t.product].fixed).count();
    let margin = match spec.table(Dim::Margin) {
        Some(_) => simple_values(spec, tables, Dim::Margin, n_arm, grid, 4, |_| None)?,
        None if n_arm > 0 => summary_margins(s, n_arm, grid)?,
        None => Vec::new(),
    };
    let maxrate = simple_values(spec, tables, Dim::MaxRate, n_arm, 0.0, 3, |_| None)?;
    let mut margin = margin;
    let mut pinned_margin = vec![false; margin.len()];
    if let Some(f) = s.get("wa_gross_margin") {
        for ext in [f.min, f.max].into_iter().flatten() {
            let near = margin.iter().position(|m| {
                m.v.map(|x| (x - ext).abs() < grid + 1e-9).unwrap_or(false)
                    && spec
                        .table(Dim::Margin)
                        .map(|t| spec.tables[t].buckets[m.b as usize].contains(ext))
                        .unwrap_or(false)
            });
            if let Some(j) = near {
                margin[j].v = Some(ext);
                pinned_margin[j] = true;
            }
        }
    }
    finish_state(FinishArgs {
        spec,
        tables,
        opts,
        n,
        rng: &mut rng,
        products,
        timing,
        bal,
        rate,
        ltv,
        fico,
        dti,
        margin,
        maxrate,
        pinned_bal,
        pinned_rate,
        pinned_margin,
        grid,
    })
}

struct FinishArgs<'a> {
    spec: &'a PoolSpec,
    tables: &'a [StratTable],
    opts: &'a FitOptions,
    n: usize,
    rng: &'a mut Rng,
    products: Vec<ProductSpec>,
    timing: Vec<Timing>,
    bal: Vec<Val>,
    rate: Vec<Val>,
    ltv: Vec<LtvVal>,
    fico: Vec<Val>,
    dti: Vec<Val>,
    margin: Vec<Val>,
    maxrate: Vec<Val>,
    pinned_bal: Vec<bool>,
    pinned_rate: Vec<bool>,
    pinned_margin: Vec<bool>,
    grid: f64,
}

fn finish_state(a: FinishArgs<'_>) -> Result<State> {
    let n = a.n;
    let rng = a.rng;
    // Categorical tables.
    let mut cats = Vec::new();
    for (ti, ts) in a.spec.tables.iter().enumerate() {
        if !ts.owner || ts.dim.is_numeric() && ts.dim != Dim::PrepayTerm {
            continue;
        }
        if matches!(ts.dim, Dim::Product | Dim::NextAdjustment | Dim::PmiLtv) {
            continue;
        }
        let mut v = Vec::with_capacity(n);
        for (k, r) in a.tables[ti].rows.iter().enumerate() {
            v.extend(std::iter::repeat(k as u16).take(r.count));
        }
        if v.len() != n {
            return Err(Error::invalid(
                a.tables[ti].title.clone(),
                format!("rows count {} loans, pool has {n}", v.len()),
            ));
        }
        cats.push((ti, v));
    }
    // Random initial arrangement of every attribute (timing is placed first: ARM-only
    // values go to ARM loans).
    let mut slot_timing: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut slot_timing);
    let perm = |rng: &mut Rng| {
        let mut p: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut p);
        p
    };
    let slot_ltv = perm(rng);
    let slot_fico = perm(rng);
    let slot_dti = perm(rng);
    let slot_cat: Vec<Vec<usize>> = cats.iter().map(|_| perm(rng)).collect();
    let mut bal = a.bal;
    let mut rate = a.rate;
    let mut pb = a.pinned_bal;
    let mut pr = a.pinned_rate;
    // balances and rates are stored per loan directly (they get nudged in place)
    let pb_perm = perm(rng);
    bal = pb_perm.iter().map(|&j| bal[j]).collect();
    pb = pb_perm.iter().map(|&j| pb[j]).collect();
    let pr_perm = perm(rng);
    rate = pr_perm.iter().map(|&j| rate[j]).collect();
    pr = pr_perm.iter().map(|&j| pr[j]).collect();
    // ARM values: slot per loan, NONE-like index usize::MAX for fixed loans.
    let mut slot_margin = vec![usize::MAX; n];
    let mut slot_maxrate = vec![usize::MAX; n];
    let mut next = 0usize;
    for i in 0..n {
        if !a.products[a.timing[slot_timing[i]].product].fixed {
            if next < a.margin.len() {
                slot_margin[i] = next;
            }
            if next < a.maxrate.len() {
                slot_maxrate[i] = next;
            }
            next += 1;
        }
    }
    // Servicing tiers: the largest tier by default; the others by count share.
    let tiers = &a.opts.servicing;
    let mut tier = vec![0u8; n];
    let kind_tier = |k: LoanKind| {
        tiers
            .iter()
            .position(|t| t.scope == TierScope::Kind(k))
            .map(|p| p as u8)
    };
    let typed = tiers.iter().any(|t| matches!(t.scope, TierScope::Kind(_)));
    let tier_by_kind = if typed {
        let mut ix = [0u8; 2];
        for (slot, kind, fixed) in [(0, LoanKind::Arm, false), (1, LoanKind::Fixed, true)] {
            match kind_tier(kind) {
                Some(t) => ix[slot] = t,
                None if a.products.iter().any(|p| p.fixed == fixed) => {
                    return Err(Error::invalid(
                        "servicing",
                        format!("no servicing fee tier for the pool's {} loans", kind.name()),
                    ))
                }
                None => {}
            }
        }
        Some(ix)
    } else {
        None
    };
    if tier_by_kind.is_none() && tiers.len() > 1 {
        let main = tiers
            .iter()
            .enumerate()
            .max_by(|x, y| {
                let sh = |t: &super::FeeTier| t.share_pct().unwrap_or(0.0);
                sh(x.1).total_cmp(&sh(y.1))
            })
            .map(|(i, _)| i)
            .unwrap_or(0);
        let order = perm(rng);
        let mut pos = 0;
        tier.iter_mut().for_each(|t| *t = main as u8);
        for (ti, t) in tiers.iter().enumerate() {
            if ti == main {
                continue;
            }
            let c = ((t.share_pct().unwrap_or(0.0) / 100.0) * n as f64).round() as usize;
            for _ in 0..c {
                if pos < n {
                    tier[order[pos]] = ti as u8;
                    pos += 1;
                }
            }
        }
    }
    Ok(State {
        n,
        products: a.products,
        timing: a.timing,
        bal,
        rate,
        ltv: a.ltv,
        fico: a.fico,
        dti: a.dti,
        margin: a.margin,
        maxrate: a.maxrate,
        cats,
        slot_timing,
        slot_ltv,
        slot_fico,
        slot_dti,
        slot_margin,
        slot_maxrate,
        slot_cat,
        tier,
        tier_by_kind,
        pinned_bal: pb,
        pinned_rate: pr,
        pinned_margin: a.pinned_margin,
        grid: a.grid,
    })
}

/// Without a margin table, the ARMs' margins spread over the summary's range around its
/// weighted average (the fit then holds the average); without either, there is no margin
/// to give an ARM.
fn summary_margins(s: &PoolSummary, n_arm: usize, grid: f64) -> Result<Vec<Val>> {
    let f = s.get("wa_gross_margin").ok_or_else(|| {
        Error::invalid(
            "wa_gross_margin",
            format!(
                "the pool has {n_arm} ARM loans but no margin table and no WA Gross Margin \
                 in the pool summary: their margins are unknown"
            ),
        )
    })?;
    let (lo, hi) = (f.min.unwrap_or(f.value), f.max.unwrap_or(f.value));
    Ok(spread_values(n_arm, lo, hi, f.value, grid, 4)
        .into_iter()
        .map(|v| Val {
            v: Some(v),
            b: NONE,
        })
        .collect())
}

fn balance_values(count: usize, sum: f64, lo: f64, hi: f64) -> Vec<f64> {
    if count == 0 {
        return Vec::new();
    }
    let avg = sum / count as f64;
    let mut v: Vec<f64> = spread_values(count, lo, hi, avg, 0.0, 0);
    let mut resid = sum - v.iter().sum::<f64>();
    // spread the residual dollars over values with room
    let mut guard = 0;
    while resid.abs() >= 0.5 && guard < 100 {
        guard += 1;
        let per = (resid / count as f64).trunc();
        for x in v.iter_mut() {
            let step = if per != 0.0 { per } else { resid.signum() };
            let y = (*x + step).clamp(lo, hi);
            resid -= y - *x;
            *x = y;
            if resid.abs() < 0.5 {
                break;
            }
        }
    }
    v
}

fn rate_values(count: usize, mn: f64, mx: f64, g: f64, grid: f64) -> Vec<f64> {
    match count {
        0 => Vec::new(),
        1 => vec![g],
        2 => vec![mn, mx],
        _ => {
            let inner_mean = (g * count as f64 - mn - mx) / (count - 2) as f64;
            let lo = (mn / grid).ceil() * grid;
            let hi = (mx / grid).floor() * grid;
            let mut v = vec![mn, mx];
            if lo <= hi {
                v.extend(spread_values(count - 2, lo, hi, inner_mean, grid, 4));
            } else {
                v.extend(std::iter::repeat(mn).take(count - 2));
            }
            v
        }
    }
}

fn simple_values(
    spec: &PoolSpec,
    tables: &[StratTable],
    dim: Dim,
    n: usize,
    grid: f64,
    decimals: i32,
    mean: impl Fn(&super::StratRow) -> Option<f64>,
) -> Result<Vec<Val>> {
    let Some(t) = spec.table(dim) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(n);
    for (k, r) in tables[t].rows.iter().enumerate() {
        match &spec.tables[t].buckets[k] {
            RangeSpec::Unknown => out.extend(
                std::iter::repeat(Val {
                    v: None,
                    b: k as u16,
                })
                .take(r.count),
            ),
            RangeSpec::Range { lo, hi } => {
                let (mut lo, mut hi) = (*lo, *hi);
                if decimals == 0 {
                    lo = lo.ceil();
                    hi = hi.floor();
                }
                let m = mean(r).unwrap_or((lo + hi) / 2.0);
                let g = if grid > 0.0 && (hi - lo) >= grid {
                    grid
                } else {
                    0.0
                };
                let (lo2, hi2) = if g > 0.0 {
                    ((lo / g).ceil() * g, (hi / g).floor() * g)
                } else {
                    (lo, hi)
                };
                out.extend(
                    spread_values(r.count, lo2, hi2, m, g, decimals)
                        .into_iter()
                        .map(|v| Val {
                            v: Some(v),
                            b: k as u16,
                        }),
                );
            }
            _ => {
                return Err(Error::invalid(
                    format!("{}: row `{}`", tables[t].title, r.label),
                    "expected a numeric range",
                ));
            }
        }
    }
    if out.len() != n {
        return Err(Error::invalid(
            tables[t].title.clone(),
            format!("rows count {} loans, expected {n}", out.len()),
        ));
    }
    Ok(out)
}

fn ltv_values(
    spec: &PoolSpec,
    tables: &[StratTable],
    s: &PoolSummary,
    opts: &FitOptions,
    n: usize,
) -> Result<Vec<LtvVal>> {
    let base = simple_values(spec, tables, Dim::Ltv, n, 0.0, 2, |r| r.ltv)?;
    let mut out: Vec<LtvVal> = if base.is_empty() {
        let w = s.value("wa_ltv").unwrap_or(75.0);
        (0..n)
            .map(|_| LtvVal {
                ltv: w,
                b: NONE,
                pmi_b: NONE,
                mi: 0.0,
            })
            .collect()
    } else {
        base.iter()
            .map(|v| LtvVal {
                ltv: v.v.unwrap_or(0.0),
                b: v.b,
                pmi_b: NONE,
                mi: 0.0,
            })
            .collect()
    };
    if let Some(f) = s.get("wa_ltv") {
        for (ext, is_min) in [(f.min, true), (f.max, false)] {
            if let Some(x) = ext {
                let pick = out
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| {
                        spec.table(Dim::Ltv)
                            .map(|t| {
                                spec.tables[t]
                                    .buckets
                                    .get(v.b as usize)
                                    .map(|b| b.contains(x))
                                    .unwrap_or(false)
                            })
                            .unwrap_or(true)
                    })
                    .min_by(|a, b| {
                        let da = if is_min { a.1.ltv } else { -a.1.ltv };
                        let db = if is_min { b.1.ltv } else { -b.1.ltv };
                        da.total_cmp(&db)
                    })
                    .map(|(j, _)| j);
                if let Some(j) = pick {
                    out[j].ltv = x;
                }
            }
        }
    }
    // Mortgage-insurance status of the loans above 80% LTV.
    if let Some(t) = spec.table(Dim::PmiLtv) {
        let rows = &tables[t].rows;
        let mut hi: Vec<usize> = (0..out.len())
            .filter(|&j| out[j].ltv > 80.0 + 1e-9)
            .collect();
        // lowest LTVs first: the "no MI" rows get the lowest by default
        hi.sort_by(|a, b| out[*a].ltv.total_cmp(&out[*b].ltv));
        let no_mi = rows.iter().position(|r| {
            let l = r.label.to_ascii_lowercase();
            l.contains("no mi") || l.contains("without")
        });
        let mut order: Vec<usize> = (0..rows.len()).collect();
        if let Some(nm) = no_mi {
            order.retain(|&k| k != nm);
            order.insert(0, nm);
        }
        let mut it = hi.iter();
        for k in order {
            for _ in 0..rows[k].count {
                if let Some(&j) = it.next() {
                    out[j].pmi_b = k as u16;
                }
            }
        }
        // Every insured loan pays a premium through the trust; start them all at the
        // pool's premium spread over the insured balance.
        let prem = premium_target(s, opts);
        let insured: Vec<usize> = hi
            .iter()
            .copied()
            .filter(|&j| out[j].pmi_b != NONE && Some(out[j].pmi_b as usize) != no_mi)
            .collect();
        if prem > 0.0 && !insured.is_empty() {
            let ins_bal = insured.len() as f64 * spec.total / n as f64;
            let rate = (prem * spec.total / ins_bal * 100.0).round() / 100.0;
            for &j in &insured {
                out[j].mi = rate.max(0.05).min(opts.mi_max_pct);
            }
        }
    }
    Ok(out)
}

/// WA lender-paid MI premium over the pool, percent.
pub fn premium_target(s: &PoolSummary, opts: &FitOptions) -> f64 {
    if let Some(p) = opts.premium_rate_pct {
        return p;
    }
    match (
        s.value("wa_mortgage_rate"),
        s.value("wa_mortgage_rate_net_lpmi"),
    ) {
        (Some(g), Some(n)) => (g - n).max(0.0),
        _ => 0.0,
    }
}

/// Builds the multiset of loan timings (product, age, months to roll) with exact counts per
/// product, next-adjustment month and months-to-roll bucket where those tables exist.
fn build_timing(
    spec: &PoolSpec,
    tables: &[StratTable],
    s: &PoolSummary,
    opts: &FitOptions,
    products: &[ProductSpec],
) -> Result<Vec<Timing>> {
    let n = spec.n;
    let default_term = s
        .get("wa_original_term_months")
        .map(|f| f.max.unwrap_or(f.value).round() as u32)
        .unwrap_or(360);
    let max_age = s
        .get("wa_age_months")
        .and_then(|f| f.max)
        .unwrap_or(360.0)
        .round() as u32;
    let prod_rows: Vec<(usize, f64)> = match spec.table(Dim::Product) {
        Some(t) => tables[t]
            .rows
            .iter()
            .map(|r| (r.count, r.age.unwrap_or(0.0)))
            .collect(),
        None => vec![(n, s.value("wa_age_months").unwrap_or(0.0))],
    };
    let term_of = |p: usize| products[p].orig_term.unwrap_or(default_term);
    let mut units: Vec<(usize, u32, Option<u32>, bool)> = Vec::with_capacity(n); // product, age, mtr, delayed

    match spec.table(Dim::NextAdjustment) {
        Some(t) if products.iter().any(|p| !p.fixed) => {
            let rows = &tables[t].rows;
            let months: Vec<i32> = spec.tables[t]
                .buckets
                .iter()
                .map(|b| if let RangeSpec::Month(m) = b { *m } else { 0 })
                .collect();
            // candidates for (row, product): (age, delayed)
            let cand = |k: usize, p: usize| -> Vec<(u32, bool)> {
                let pr = &products[p];
                let m = months[k];
                let mut c = Vec::new();
                if pr.fixed || m < 1 {
                    return c;
                }
                if m == pr.first_reset as i32 + 1 {
                    c.push((0, true));
                }
                c.extend(
                    coherent_ages(pr, m, max_age)
                        .into_iter()
                        .map(|a| (a, false)),
                );
                c
            };
            let target_age = |k: usize, p: usize| rows[k].age.unwrap_or(prod_rows[p].1);
            let cost = |k: usize, p: usize, a: u32| {
                (a as f64 - target_age(k, p)).abs() + 0.25 * (a as f64 - prod_rows[p].1).abs()
            };
            // min-cost transport of loans from next-adjustment rows to products
            let nk = rows.len();
            let np = products.len();
            let mut best: Vec<Vec<Option<(f64, u32, bool)>>> = vec![vec![None; np]; nk];
            for (k, bk) in best.iter_mut().enumerate() {
                for (p, slot) in bk.iter_mut().enumerate() {
                    *slot = cand(k, p)
                        .into_iter()
                        .map(|(a, d)| (cost(k, p, a), a, d))
                        .min_by(|x, y| x.0.total_cmp(&y.0));
                }
            }
            let supply: Vec<usize> = rows.iter().map(|r| r.count).collect();
            let demand: Vec<usize> = prod_rows
                .iter()
                .map(|r| if products.is_empty() { 0 } else { r.0 })
                .collect();
            let costs: Vec<Vec<Option<f64>>> = best
                .iter()
                .map(|b| b.iter().map(|x| x.map(|c| c.0)).collect())
                .collect();
            let flow = transport(&supply, &demand, &costs);
            let mut rem_k = supply.clone();
            let mut rem_p = demand.clone();
            for k in 0..nk {
                for p in 0..np {
                    let x = flow[k][p];
                    if x == 0 {
                        continue;
                    }
                    if let Some((_, a, d)) = best[k][p] {
                        rem_k[k] -= x;
                        rem_p[p] -= x;
                        // A row's printed age between two coherent ages (one reset cycle
                        // apart) is a mix of both: split the loans so their average is the
                        // row's age (balances fine-tune it later).
                        let (a_lo, a_hi, n_hi) = if d {
                            (a, a, 0)
                        } else {
                            let t = target_age(k, p);
                            let ages: Vec<u32> = cand(k, p)
                                .into_iter()
                                .filter(|c| !c.1)
                                .map(|c| c.0)
                                .collect();
                            let lo = ages.iter().copied().filter(|&g| f64::from(g) <= t).max();
                            let hi = ages.iter().copied().filter(|&g| f64::from(g) >= t).min();
                            match (lo, hi) {
                                (Some(l), Some(h)) if h > l => {
                                    let f = (t - f64::from(l)) / f64::from(h - l);
                                    (l, h, (f * x as f64).round() as usize)
                                }
                                _ => (a, a, 0),
                            }
                        };
                        for j in 0..x {
                            let age = if j < n_hi { a_hi } else { a_lo };
                            units.push((p, age, Some(months[k] as u32), d));
                        }
                    }
                }
            }
            if rem_k.iter().any(|&x| x > 0) {
                return Err(Error::NoSolution(format!(
                    "{}: no product/age combination fits {} loans of the next adjustment rows",
                    tables[t].title,
                    rem_k.iter().sum::<usize>()
                )));
            }
            for (p, &left) in rem_p.iter().enumerate() {
                // Fixed-rate loans: ages around the product's printed remaining term (its
                // strict figure), split between two whole ages to hit its average.
                let target = match spec
                    .table(Dim::Product)
                    .and_then(|t| tables[t].rows[p].rem_term)
                {
                    Some(rem) if products[p].fixed => f64::from(term_of(p)) - rem,
                    _ => prod_rows[p].1,
                }
                .clamp(0.0, f64::from(max_age));
                let lo = target.floor();
                let frac = target - lo;
                // Both ages present whenever the target lies between them, so balances
                // can fine-tune the average.
                let n_hi = if left < 2 || frac < 1e-6 {
                    (frac * left as f64).round() as usize
                } else {
                    ((frac * left as f64).round() as usize).clamp(1, left - 1)
                };
                for j in 0..left {
                    if products[p].fixed {
                        let age = if j < n_hi { lo + 1.0 } else { lo };
                        units.push((p, age as u32, None, false));
                    } else {
                        return Err(Error::NoSolution(format!(
                            "product {}: more loans than next adjustment rows can hold",
                            products[p].label
                        )));
                    }
                }
            }
            repair_mtr(spec, tables, products, max_age, &mut units);
        }
        _ => {
            for (p, &(c, age)) in prod_rows.iter().enumerate() {
                let lo = age.floor();
                let up = ((age - lo) * c as f64).round() as usize;
                for j in 0..c {
                    let a = if j < up { lo as u32 + 1 } else { lo as u32 };
                    let pr = &products[p];
                    let mtr = if pr.fixed {
                        None
                    } else if a < pr.first_reset {
                        Some(pr.first_reset - a)
                    } else {
                        let f = pr.reset_freq.max(1);
                        Some(f - (a - pr.first_reset) % f)
                    };
                    units.push((p, a, mtr, false));
                }
            }
        }
    }
    let _ = opts;
    let bucket = |dim: Dim, v: f64| -> u16 {
        match spec.table(dim) {
            Some(t) => find_bucket(&spec.tables[t].buckets, v),
            None => NONE,
        }
    };
    let next_b = |m: Option<u32>| -> u16 {
        match (spec.table(Dim::NextAdjustment), m) {
            (Some(t), Some(m)) => spec.tables[t]
                .buckets
                .iter()
                .position(|b| *b == RangeSpec::Month(m as i32))
                .map(|x| x as u16)
                .unwrap_or(NONE),
            _ => NONE,
        }
    };
    Ok(units
        .into_iter()
        .map(|(p, age, mtr, delayed)| {
            let term = term_of(p);
            let strat_mtr = mtr.map(|m| if delayed { m - 1 } else { m });
            Timing {
                product: p,
                age,
                orig_term: term,
                mtr,
                strat_mtr,
                delayed,
                b: [
                    if spec.table(Dim::Product).is_some() {
                        p as u16
                    } else {
                        NONE
                    },
                    strat_mtr
                        .map(|m| bucket(Dim::MonthsToRoll, m as f64))
                        .unwrap_or(NONE),
                    next_b(mtr),
                    bucket(Dim::RemTerm, term.saturating_sub(age) as f64),
                    bucket(Dim::OrigTerm, term as f64),
                    bucket(Dim::Age, age as f64),
                ],
            }
        })
        .collect())
}

/// Moves single loans to another coherent age (another reset cycle) until the months-to-roll
/// buckets hold their published counts, at the smallest change of age.
fn repair_mtr(
    spec: &PoolSpec,
    tables: &[StratTable],
    products: &[ProductSpec],
    max_age: u32,
    units: &mut [(usize, u32, Option<u32>, bool)],
) {
    let Some(t) = spec.table(Dim::MonthsToRoll) else {
        return;
    };
    let buckets = &spec.tables[t].buckets;
    let want: Vec<i64> = tables[t].rows.iter().map(|r| r.count as i64).collect();
    let smtr = |u: &(usize, u32, Option<u32>, bool)| u.2.map(|m| if u.3 { m - 1 } else { m });
    for _ in 0..units.len() {
        let mut have = vec![0i64; want.len()];
        for u in units.iter() {
            if let Some(m) = smtr(u) {
                let b = find_bucket(buckets, m as f64);
                if b != NONE {
                    have[b as usize] += 1;
                }
            }
        }
        let Some(surplus) = (0..want.len()).find(|&k| have[k] > want[k]) else {
            return;
        };
        let deficit: Vec<usize> = (0..want.len()).filter(|&k| have[k] < want[k]).collect();
        // candidate: a unit in `surplus` whose (same next adjustment month, same product)
        // other-cycle reading lands in a deficit bucket: the delayed/non-delayed flip
        let mut best: Option<(u32, usize, u32, bool)> = None;
        for (ui, u) in units.iter().enumerate() {
            let Some(m) = smtr(u) else { continue };
            if find_bucket(buckets, m as f64) as usize != surplus {
                continue;
            }
            let pr = &products[u.0];
            let Some(month) = u.2 else { continue };
            // alternatives: other ages with the same next adjustment month
            for a in coherent_ages(pr, month as i32, max_age) {
                if a == u.1 && !u.3 {
                    continue;
                }
                let nb = find_bucket(buckets, month as f64) as usize;
                if deficit.contains(&nb) {
                    let d = (a as i64 - u.1 as i64).unsigned_abs() as u32;
                    if best.map(|b| d < b.0).unwrap_or(true) {
                        best = Some((d, ui, a, false));
                    }
                }
            }
        }
        match best {
            Some((_, ui, a, d)) => {
                units[ui].1 = a;
                units[ui].3 = d;
            }
            None => return,
        }
    }
}

/// Ages at which a loan of product `pr` has its next rate change `m` months ahead: before
/// the first change (`m = first_reset - age`) or after it (`m <= reset_freq`).
fn coherent_ages(pr: &ProductSpec, m: i32, max_age: u32) -> Vec<u32> {
    let mut out = Vec::new();
    if pr.fixed || m < 1 {
        return out;
    }
    let f = pr.first_reset as i32;
    let r = pr.reset_freq.max(1) as i32;
    if f - m >= 0 {
        out.push((f - m) as u32);
    }
    if m <= r {
        let mut j = 1;
        while f + j * r - m <= max_age as i32 && j < 1000 {
            out.push((f + j * r - m) as u32);
            j += 1;
        }
    }
    out
}

/// Min-cost transport (successive shortest paths): `supply[k]` units from row k to
/// columns p with `demand[p]`, unit cost `cost[k][p]` (None = not allowed). Returns the
/// flow; rows that cannot be served keep their remainder.
pub fn transport(supply: &[usize], demand: &[usize], cost: &[Vec<Option<f64>>]) -> Vec<Vec<usize>> {
    let nk = supply.len();
    let np = demand.len();
    let mut flow = vec![vec![0usize; np]; nk];
    let mut rs = supply.to_vec();
    let mut rd = demand.to_vec();
    // nodes: 0..nk rows, nk..nk+np columns; residual path search by Bellman-Ford
    loop {
        let nn = nk + np;
        let mut dist = vec![f64::INFINITY; nn];
        let mut prev: Vec<Option<usize>> = vec![None; nn];
        for k in 0..nk {
            if rs[k] > 0 {
                dist[k] = 0.0;
            }
        }
        for _ in 0..nn {
            let mut changed = false;
            for k in 0..nk {
                for p in 0..np {
                    if let Some(c) = cost[k][p] {
                        // forward row -> column
                        if dist[k] + c < dist[nk + p] - 1e-12 {
                            dist[nk + p] = dist[k] + c;
                            prev[nk + p] = Some(k);
                            changed = true;
                        }
                        // backward column -> row where flow exists
                        if flow[k][p] > 0 && dist[nk + p] - c < dist[k] - 1e-12 {
                            dist[k] = dist[nk + p] - c;
                            prev[k] = Some(nk + p);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // cheapest column with remaining demand
        let target = (0..np)
            .filter(|&p| rd[p] > 0 && dist[nk + p].is_finite())
            .min_by(|&a, &b| dist[nk + a].total_cmp(&dist[nk + b]));
        let Some(p) = target else { break };
        // walk back to find the path and its bottleneck
        let mut path = Vec::new();
        let mut v = nk + p;
        let mut guard = 0;
        while let Some(u) = prev[v] {
            path.push((u, v));
            v = u;
            guard += 1;
            if v < nk && rs[v] > 0 && prev[v].is_none() || guard > 4 * nn {
                break;
            }
        }
        if v >= nk || rs[v] == 0 {
            break;
        }
        let mut amt = rs[v].min(rd[p]);
        for &(u, w) in &path {
            if u >= nk {
                // backward edge column u -> row w
                amt = amt.min(flow[w][u - nk]);
            }
        }
        if amt == 0 {
            break;
        }
        for &(u, w) in &path {
            if u < nk {
                flow[u][w - nk] += amt;
            } else {
                flow[w][u - nk] -= amt;
            }
        }
        rs[v] -= amt;
        rd[p] -= amt;
    }
    flow
}
