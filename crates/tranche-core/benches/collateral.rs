#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Collateral projection throughput in loan-periods per second (one loan for one month).
//!
//! Pools are synthetic and deterministic: a 3,951-loan ARM pool shaped like the reference
//! deal's (6-month LIBOR hybrids with 1–60 months to the first reset, 360-month terms,
//! balances around $253k) and 100,000-loan fixed-rate and ARM pools; 30% CPR.
//! `single_thread` runs inside a one-thread rayon pool (per-core throughput);
//! `all_threads` uses the global pool.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use tranche_core::assumptions::{
    Assumptions, DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming,
};
use tranche_core::collateral::{LoanPool, PoolFees, ProjectionOptions};
use tranche_core::rates::{RateCurves, RatePath};
use tranche_core::tape::{AmortType, ArmTerms, Loan, RateIndex};

/// A small deterministic generator (xorshift64*), so the pools never change.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

fn loan(g: &mut Gen, k: usize, arm: bool) -> Loan {
    let age = (g.next() * 4.0) as u32;
    let rate = (g.range(0.035, 0.095) * 800.0).round() / 800.0;
    let mtr = [5u32, 23, 35, 59][(g.next() * 4.0) as usize % 4].saturating_sub(age);
    Loan {
        loan_id: format!("L{k}"),
        balance: g.range(40_000.0, 700_000.0),
        gross_rate: rate,
        orig_term: 360,
        rem_term: 360 - age,
        age,
        amort: if arm {
            AmortType::Arm
        } else {
            AmortType::Fixed
        },
        io_months: if g.next() < 0.2 { 60 } else { 0 },
        servicing_fee: 0.00375,
        mi_fee: if g.next() < 0.05 { 0.008 } else { 0.0 },
        arm: arm.then(|| ArmTerms {
            index: RateIndex::Libor6M,
            margin: g.range(0.025, 0.05),
            months_to_reset: mtr,
            reset_freq: 6,
            first_reset_pending: true,
            initial_cap: 0.03,
            periodic_cap: 0.01,
            life_cap: rate + 0.06,
            life_floor: 0.03,
            rounding: 0.00125,
            lookback_months: 1,
        }),
        product: String::new(),
        state: "CA".into(),
        property_type: "SFR".into(),
        occupancy: "OWNER OCC".into(),
        purpose: "PUR".into(),
        doc_type: "FULL".into(),
        fico: Some(700),
        orig_ltv: 80.0,
        dti: None,
        prepay_penalty_months: 0,
        prepay_penalty_type: String::new(),
        orig_date: None,
        lien: 1,
        delinquency: "Current".into(),
    }
}

fn pool(n: usize, arm: bool, seed: u64) -> (LoanPool, u64) {
    let mut g = Gen(seed);
    let loans: Vec<Loan> = (0..n).map(|k| loan(&mut g, k, arm)).collect();
    // Every loan runs to its maturity at 30% CPR: loan-periods = Σ remaining terms.
    let periods = loans.iter().map(|l| u64::from(l.rem_term)).sum();
    (
        LoanPool::from_loans(&loans).expect("valid synthetic pool"),
        periods,
    )
}

fn scenario() -> Assumptions {
    let mut rates = RateCurves::flat_all(0.0121);
    // A rising 6-month LIBOR path so that resets move rates and hit caps.
    rates.set(
        RateIndex::Libor6M,
        RatePath {
            values: (0..360).map(|t| 0.0121 + 0.0001 * f64::from(t)).collect(),
        },
    );
    Assumptions {
        prepay: PrepayAssumption {
            arm: PrepayCurve::Cpr { cpr: 0.30 },
            fixed: PrepayCurve::Cpr { cpr: 0.30 },
            multiplier: 1.0,
        },
        default: DefaultCurve::Cdr { cdr: 0.0 },
        severity: 0.0,
        recovery_lag: 0,
        advancing: false,
        timing: PrepayTiming::default(),
        rates,
        delinquency: None,
    }
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let fees = PoolFees {
        master_servicing: 0.0003,
        trustee: 0.000043,
    };
    let opts = ProjectionOptions::default();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let pools = [
        ("arm_3951", pool(3951, true, 2004)),
        ("fixed_100k", pool(100_000, false, 7)),
        ("arm_100k", pool(100_000, true, 11)),
    ];
    let mut g = c.benchmark_group("collateral_single_thread");
    g.sample_size(10);
    for (name, (p, periods)) in &pools {
        g.throughput(Throughput::Elements(*periods));
        g.bench_with_input(BenchmarkId::from_parameter(name), p, |b, p| {
            b.iter(|| one.install(|| black_box(p.project(&s, &fees, &opts))))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("collateral_all_threads");
    g.sample_size(10);
    let (name, (p, periods)) = &pools[2];
    g.throughput(Throughput::Elements(*periods));
    g.bench_with_input(BenchmarkId::from_parameter(name), p, |b, p| {
        b.iter(|| black_box(p.project(&s, &fees, &opts)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
