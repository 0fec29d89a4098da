//! The report's charts, from deal runs and the AFR schedule.

use crate::render::{LineChart, Series};
use tranche_core::tables::AfrRow;
use tranche_core::waterfall::DealRun;

fn speed_name(s: f64) -> String {
    format!("{s:.0}% speed")
}

/// The Available Funds Rate under the forward and the shocked curves, percent.
pub fn afr_chart(rows: &[AfrRow]) -> LineChart {
    let pts = |f: &dyn Fn(&AfrRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|r| (f64::from(r.period), f(r) * 100.0))
            .collect()
    };
    LineChart::new("Available Funds Rate", "Period", "Rate (%)")
        .with_id("afr")
        .with_series(Series::new("Forward curves", pts(&|r| r.afr)))
        .with_series(Series::new("Shocked curves", pts(&|r| r.afr_shocked)))
}

/// One class's balance after each payment date, one line per speed (starting from its
/// original balance at period 0).
pub fn bond_balance_chart(runs: &[(f64, DealRun)], class: &str) -> LineChart {
    let mut c = LineChart::new(
        format!("Class {class} balance by prepayment speed (to call)"),
        "Period",
        "Balance ($)",
    )
    .with_id(&format!("balance-{class}"));
    for (speed, run) in runs {
        if let Some(b) = run.bonds.iter().find(|b| b.name == class) {
            let mut pts = vec![(0.0, b.original_balance)];
            pts.extend(
                b.periods
                    .iter()
                    .map(|p| (f64::from(p.period), p.end_balance)),
            );
            c = c.with_series(Series::new(speed_name(*speed), pts));
        }
    }
    c
}

/// The performing pool balance after each period, one line per speed.
pub fn pool_balance_chart(runs: &[(f64, DealRun)]) -> LineChart {
    let mut c = LineChart::new(
        "Pool balance by prepayment speed (to call)",
        "Period",
        "Balance ($)",
    )
    .with_id("pool-balance");
    for (speed, run) in runs {
        let mut pts: Vec<(f64, f64)> = run
            .collateral
            .periods
            .first()
            .map(|p| vec![(0.0, p.begin_balance)])
            .unwrap_or_default();
        pts.extend(
            run.collateral
                .periods
                .iter()
                .map(|p| (f64::from(p.period), p.end_balance)),
        );
        c = c.with_series(Series::new(speed_name(*speed), pts));
    }
    c
}

/// Excess spread per period, percent per annum of the pool's beginning balance: the
/// pool's net interest less the interest paid to the bonds, × 12. Periods after the pool
/// or the bonds are paid off are left out.
pub fn excess_spread(run: &DealRun) -> Vec<(f64, f64)> {
    run.collateral
        .periods
        .iter()
        .filter(|p| p.begin_balance > 0.0)
        .filter_map(|p| {
            let bond_interest: f64 = run
                .bonds
                .iter()
                .filter_map(|b| b.periods.iter().find(|bp| bp.period == p.period))
                .map(|bp| bp.interest_paid)
                .sum();
            let bonds_out = run
                .bonds
                .iter()
                .filter_map(|b| b.periods.iter().find(|bp| bp.period == p.period))
                .any(|bp| bp.begin_balance > 0.0);
            bonds_out.then(|| {
                (
                    f64::from(p.period),
                    (p.net_interest - bond_interest) / p.begin_balance * 12.0 * 100.0,
                )
            })
        })
        .collect()
}

pub fn excess_spread_chart(run: &DealRun, speed: f64) -> LineChart {
    LineChart::new(
        format!("Excess spread at {speed:.0}% of the pricing speed (to call)"),
        "Period",
        "Excess spread (% per annum)",
    )
    .with_id("excess-spread")
    .with_series(Series::new(
        "Net interest less bond interest",
        excess_spread(run),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use tranche_core::collateral::{PoolCashflows, PoolPeriod};
    use tranche_core::waterfall::{BondFlows, BondPeriod, Horizon};

    /// A one-bond, two-period run: pool 1,000 → 500 → 0, net interest 5 then 2.5,
    /// bond interest 3 then 1.5.
    fn run() -> DealRun {
        let pool = |period, begin: f64, end, net| PoolPeriod {
            period,
            begin_balance: begin,
            end_balance: end,
            net_interest: net,
            ..Default::default()
        };
        let bond = |period, begin: f64, end, int| BondPeriod {
            period,
            begin_balance: begin,
            end_balance: end,
            interest_paid: int,
            ..Default::default()
        };
        DealRun {
            horizon: Horizon::Call,
            settlement: NaiveDate::from_ymd_opt(2004, 1, 29).unwrap(),
            periods: vec![],
            collateral: PoolCashflows {
                periods: vec![pool(1, 1000.0, 500.0, 5.0), pool(2, 500.0, 0.0, 2.5)],
                loans: vec![],
            },
            bonds: vec![BondFlows {
                name: "A".into(),
                original_balance: 1000.0,
                margin: 0.0034,
                periods: vec![bond(1, 1000.0, 500.0, 3.0), bond(2, 500.0, 0.0, 1.5)],
            }],
            call_period: None,
        }
    }

    #[test]
    fn excess_spread_by_hand() {
        // (5 − 3) / 1000 × 12 = 2.4%; (2.5 − 1.5) / 500 × 12 = 2.4%.
        let es = excess_spread(&run());
        assert_eq!(es.len(), 2);
        assert!((es[0].1 - 2.4).abs() < 1e-12 && (es[1].1 - 2.4).abs() < 1e-12);
    }

    #[test]
    fn balance_charts_start_at_the_original_balance() {
        let runs = vec![(100.0, run())];
        let c = bond_balance_chart(&runs, "A");
        assert_eq!(
            c.series[0].points,
            [(0.0, 1000.0), (1.0, 500.0), (2.0, 0.0)]
        );
        assert_eq!(c.series[0].name, "100% speed");
        let p = pool_balance_chart(&runs);
        assert_eq!(p.series[0].points[0], (0.0, 1000.0));
        assert!(bond_balance_chart(&runs, "Z").series.is_empty());
    }
}
