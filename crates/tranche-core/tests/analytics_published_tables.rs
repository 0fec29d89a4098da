//! The analytics conventions against the reference deal's published Price/DM report.
//!
//! This test isolates the analytics (WAL, windows, DM, modified duration) and the pricing
//! calibration from the deal's waterfall: the pool is the term sheet's *Range of Months to
//! Roll* strat as rep lines (55% of each row interest-only for 60 months), projected by the
//! engine's collateral model at 30% CPR × speed with half a month of prepayments in period
//! 1; the bonds get a minimal allocation that follows the term sheet for this deal with no
//! losses and 1M LIBOR flat at 1.10% (all six classes paid pro rata; Excess Cash Flow builds
//! OC to 0.50% of the bond balance from August 2004; clean-up call at 25% of the cut-off
//! balance or February 2014; step-up margins from the period after the first call date when
//! run to maturity; 11.50% cap, the AFR never binds at these rates). The full engine's
//! acceptance test lives with the CLI (`tie_out_impac.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use tranche_core::assumptions::*;
use tranche_core::collateral::*;
use tranche_core::dates::{add_months_on_day, days_between, Calendar};
use tranche_core::rates::RateCurves;
use tranche_core::summary::summarize_run;
use tranche_core::tables::tieout::{tie_out, PublishedRow, Tolerances};
use tranche_core::tables::PriceTableRow;
use tranche_core::tape::*;
use tranche_core::waterfall::*;

const IO_SHARE: f64 = 0.55;
const IO_MONTHS: u32 = 60;
const FIRST_PERIOD_FRACTION: f64 = 0.5;
/// (class, balance, margin, step-up multiple) from the term sheet.
const BONDS: [(&str, f64, f64, f64); 6] = [
    ("A-1", 869e6, 0.0034, 2.0),
    ("A-2", 21e6, 0.0045, 2.0),
    ("M-1", 48.5e6, 0.0060, 1.5),
    ("M-2", 23.5e6, 0.0085, 1.5),
    ("M-3", 21.5e6, 0.0105, 1.5),
    ("M-4", 16.5e6, 0.0120, 1.5),
];

fn fixtures() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/impac-cmb-2004-1")
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

/// Rep lines from the months-to-roll strat, each split into an IO and an amortizing part.
fn rep_lines() -> Vec<Loan> {
    let text =
        std::fs::read_to_string(fixtures().join("strat/16_range_of_months_to_roll.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (c_bal, c_mtr, c_g, c_n, c_rem, c_age, c_type) = (
        col("CURRENT BALANCE"),
        col("WA MTR"),
        col("GROSS WAC"),
        col("NET WAC"),
        col("REMG. TERM"),
        col("AGE"),
        col("ROW_TYPE"),
    );
    let mut out = Vec::new();
    for (i, l) in lines.enumerate() {
        let f: Vec<&str> = l.split(',').collect();
        if f[c_type] != "data" {
            continue;
        }
        let num = |c: usize| f[c].parse::<f64>().unwrap();
        let (gross, net) = (num(c_g) / 100.0, num(c_n) / 100.0);
        let age = num(c_age).round() as u32;
        for (k, share, io) in [(0, IO_SHARE, IO_MONTHS), (1, 1.0 - IO_SHARE, 0)] {
            out.push(Loan {
                loan_id: format!("{i}-{k}"),
                balance: num(c_bal) * share,
                gross_rate: gross,
                orig_term: 360,
                rem_term: num(c_rem).round() as u32,
                age,
                amort: AmortType::Arm,
                io_months: if io > 0 { io + age } else { 0 },
                // Net WAC of the strat less the deal-level fee rates charged below.
                servicing_fee: gross - net - 0.0003 - 0.000043,
                mi_fee: 0.0,
                arm: Some(ArmTerms {
                    index: RateIndex::Libor6M,
                    margin: 0.03477,
                    months_to_reset: num(c_mtr) as u32,
                    reset_freq: 6,
                    first_reset_pending: true,
                    initial_cap: 0.02788,
                    periodic_cap: 0.01068,
                    life_cap: 0.11712,
                    life_floor: 0.0355,
                    rounding: 0.00125,
                    lookback_months: 0,
                }),
                product: String::new(),
                state: String::new(),
                property_type: String::new(),
                occupancy: String::new(),
                purpose: String::new(),
                doc_type: String::new(),
                fico: None,
                orig_ltv: 80.0,
                dti: None,
                prepay_penalty_months: 0,
                prepay_penalty_type: String::new(),
                orig_date: None,
                lien: 1,
                delinquency: String::new(),
            });
        }
    }
    out
}

struct ProRata {
    pool: LoanPool,
}

/// What a run of the minimal allocation needs: speed (percent), rates and horizon.
struct Spec {
    speed_pct: f64,
    rates: RateCurves,
    horizon: Horizon,
}

impl ProRata {
    fn settlement(&self) -> NaiveDate {
        d(2004, 1, 29)
    }

    fn run(&self, spec: &Spec) -> tranche_core::Result<DealRun> {
        let scenario = Assumptions {
            prepay: PrepayAssumption {
                arm: PrepayCurve::Cpr { cpr: 0.30 },
                fixed: PrepayCurve::Cpr { cpr: 0.30 },
                multiplier: spec.speed_pct / 100.0,
            },
            default: DefaultCurve::Cdr { cdr: 0.0 },
            severity: 0.0,
            recovery_lag: 0,
            advancing: true,
            timing: PrepayTiming {
                first_period_fraction: FIRST_PERIOD_FRACTION,
            },
            rates: spec.rates.clone(),
            delinquency: None,
        };
        let fees = PoolFees {
            master_servicing: 0.0003,
            trustee: 0.000043,
        };
        let cf = self
            .pool
            .project(&scenario, &fees, &ProjectionOptions::default())?;
        let cut_off = self.pool.total_balance();
        let settle = self.settlement();
        let date = |t: u32| {
            Calendar::UsBanking.roll_following(add_months_on_day(d(2004, 2, 25), t - 1, 25))
        };
        let mut bal: Vec<f64> = BONDS.iter().map(|b| b.1).collect();
        let mut flows: Vec<Vec<BondPeriod>> = vec![Vec::new(); BONDS.len()];
        let (mut periods, mut call_period, mut first_call_date) = (Vec::new(), None, None);
        for p in &cf.periods {
            let pay_date = date(p.period);
            let prev = if p.period == 1 {
                settle
            } else {
                date(p.period - 1)
            };
            let days = days_between(prev, pay_date) as u32;
            let index = spec
                .rates
                .rate(&RateIndex::Libor1M, p.period as usize)
                .unwrap();
            let total: f64 = bal.iter().sum();
            let callable = p.end_balance <= 0.25 * cut_off || pay_date >= d(2014, 2, 1);
            let stepped_up = first_call_date.is_some();
            if callable && first_call_date.is_none() {
                first_call_date = Some(p.period);
            }
            let coupons: Vec<f64> = BONDS
                .iter()
                .map(|b| (index + if stepped_up { b.2 * b.3 } else { b.2 }).min(0.115))
                .collect();
            let interest: Vec<f64> = bal
                .iter()
                .zip(&coupons)
                .map(|(b, c)| b * c * f64::from(days) / 360.0)
                .collect();
            let excess = (p.net_interest - interest.iter().sum::<f64>()).max(0.0);
            let target = if pay_date < d(2004, 8, 1) { 0.0 } else { 5.0e6 };
            let mut principal = p.principal_cash().min(total);
            let oc = p.end_balance - (total - principal);
            principal += excess.min((target - oc).max(0.0)).min(total - principal);
            let call = spec.horizon == Horizon::Call && callable;
            if call {
                principal = total;
                call_period = Some(p.period);
            }
            for i in 0..BONDS.len() {
                let pr = if total > 0.0 {
                    principal * bal[i] / total
                } else {
                    0.0
                };
                flows[i].push(BondPeriod {
                    period: p.period,
                    begin_balance: bal[i],
                    coupon: coupons[i],
                    interest_due: interest[i],
                    interest_paid: interest[i],
                    principal_paid: pr,
                    end_balance: bal[i] - pr,
                    ..Default::default()
                });
                bal[i] -= pr;
            }
            periods.push(PeriodInfo {
                period: p.period,
                payment_date: pay_date,
                accrual_start: prev,
                accrual_days: days,
                bond_index_rate: index,
                available_rate: f64::NAN,
            });
            if call || bal.iter().sum::<f64>() <= 1e-3 {
                break;
            }
        }
        Ok(DealRun {
            horizon: spec.horizon,
            settlement: settle,
            periods,
            collateral: PoolCashflows::default(),
            bonds: BONDS
                .iter()
                .zip(flows)
                .map(|(b, f)| BondFlows {
                    name: b.0.into(),
                    original_balance: b.1,
                    margin: b.2,
                    periods: f,
                })
                .collect(),
            call_period,
        })
    }
}

fn published() -> Vec<PublishedRow> {
    let text = std::fs::read_to_string(fixtures().join("dm_tables.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            PublishedRow {
                class: f[2].into(),
                horizon: if f[3] == "to_call" {
                    Horizon::Call
                } else {
                    Horizon::Maturity
                },
                speed_pct: f[4].parse().unwrap(),
                dm_bps: f[5].parse().unwrap(),
                wal_years: f[6].parse().unwrap(),
                mod_duration: f[7].parse().unwrap(),
                first_principal: f[8].into(),
                last_principal: f[9].into(),
            }
        })
        .collect()
}

#[test]
fn all_240_published_figures_within_tolerance() {
    let runner = ProRata {
        pool: LoanPool::from_loans(&rep_lines()).unwrap(),
    };
    let mut rows = Vec::new();
    for horizon in [Horizon::Call, Horizon::Maturity] {
        for speed_pct in [0.0, 80.0, 100.0, 150.0, 180.0] {
            let run = runner
                .run(&Spec {
                    speed_pct,
                    rates: RateCurves::flat_all(0.011),
                    horizon,
                })
                .unwrap();
            let summary = summarize_run(&run, 100.0).unwrap();
            rows.extend(
                summary
                    .bonds
                    .iter()
                    .map(|b| PriceTableRow::from_bond(b, horizon, speed_pct)),
            );
        }
    }
    let pubs = published();
    assert_eq!(pubs.len(), 60);
    let t = tie_out(&pubs, &rows, &Tolerances::default());
    println!("{}", t.to_markdown());
    assert!(t.passed(), "{}", t.to_markdown());
    // To call, uncapped, at par: DM = margin exactly.
    for r in rows.iter().filter(|r| r.horizon == Horizon::Call) {
        let margin = BONDS.iter().find(|b| b.0 == r.class).unwrap().2;
        assert!((r.dm_bps.unwrap() - margin * 1e4).abs() < 1e-6, "{r:?}");
    }
}
