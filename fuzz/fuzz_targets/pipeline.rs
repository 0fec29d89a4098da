//! The whole pipeline on a fuzzed small deal and tape: the fuzzer's bytes choose up to 12
//! loans, 1–4 bonds, the OC target, the call, the scenario and the horizon (each inside its
//! valid range); the tape goes through the CSV writer and reader, the deal through the
//! deal-file parser, then collateral → waterfall → pricing. Checks cash conservation per
//! period, non-negative balances and write-downs within balances; never a panic or a hang.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tranche_core::analytics::{period_cash, IndexAssumption, Priceable};
use tranche_core::collateral::LoanPool;
use tranche_core::testkit::{self, ArmSpec, DealSpec, LoanSpec};
use tranche_core::waterfall::{run_deal_with_ledger, Horizon};

fn f(u: &mut Unstructured<'_>, lo: f64, hi: f64) -> Result<f64> {
    let x: u32 = u.arbitrary()?;
    Ok(lo + (hi - lo) * f64::from(x) / f64::from(u32::MAX))
}

fn loan_spec(u: &mut Unstructured<'_>) -> Result<LoanSpec> {
    let arm = if u.arbitrary()? {
        Some(ArmSpec {
            index: u.int_in_range(0..=3)?,
            margin: f(u, 0.0, 0.08)?,
            months_to_reset: u.int_in_range(0..=60)?,
            reset_freq: u.int_in_range(1..=12)?,
            periodic_cap: f(u, 0.0, 0.03)?,
            life_cap_above: f(u, 0.0, 0.1)?,
        })
    } else {
        None
    };
    Ok(LoanSpec {
        balance: f(u, 0.0, 2_000_000.0)?,
        rate: f(u, 0.0, 0.2)?,
        rem_term: u.int_in_range(1..=480)?,
        age: u.int_in_range(0..=120)?,
        io_months: u.int_in_range(0..=240)?,
        servicing_fee: f(u, 0.0, 0.01)?,
        arm,
    })
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let n = u.int_in_range(1..=12)?;
    let mut loans = Vec::with_capacity(n);
    for i in 0..n {
        loans.push(testkit::loan(&format!("L{i}"), &loan_spec(u)?));
    }
    let nb = u.int_in_range(1..=4)?;
    let mut fr = Vec::new();
    let mut margins = Vec::new();
    for _ in 0..nb {
        fr.push(f(u, 0.0, 0.5)?);
        margins.push(f(u, 0.0, 3.0)?);
    }
    let spec = DealSpec {
        bond_fractions: fr,
        margins_pct: margins,
        oc_target_pct: f(u, 0.0, 20.0)?,
        call_pct: f(u, 0.0, 30.0)?,
        sequential: u.arbitrary()?,
        fixed_cap_pct: f(u, 0.0, 20.0)?,
        master_servicing_fee_pct: f(u, 0.0, 0.99)?,
        swap: if u.arbitrary()? {
            Some((f(u, 0.0, 1.0)?, f(u, 0.0, 15.0)?, u.arbitrary()?))
        } else {
            None
        },
    };
    let scenario = testkit::scenario(
        f(u, 0.0, 1.0)?,
        f(u, 0.0, 1.0)?,
        f(u, 0.0, 1.0)?,
        u.int_in_range(0..=36)?,
        f(u, -0.01, 0.2)?,
    );
    let horizon = if u.arbitrary()? {
        Horizon::Call
    } else {
        Horizon::Maturity
    };

    // Through the file formats, as a user's inputs would come.
    let Ok(csv) = tranche_io::tape_write::tape_csv_bytes(&loans) else {
        return Ok(());
    };
    let Ok(tape) = tranche_io::tape::read_tape_csv_from(
        Path::new("tape.csv"),
        csv.as_slice(),
        &Default::default(),
    ) else {
        return Ok(());
    };
    let loans = tape.loans;
    let total: f64 = loans.iter().map(|l| l.balance).sum();
    let text = testkit::deal_toml(&spec, total);
    let Ok(deal) = tranche_io::deal::parse_deal(Path::new("deal.toml"), &text) else {
        return Ok(());
    };
    if !deal.validate_against_pool(total).is_empty() {
        return Ok(());
    }
    let Ok(pool) = LoanPool::from_loans(&loans) else {
        return Ok(());
    };
    let Ok((run, ledger)) = run_deal_with_ledger(&deal, &pool, &scenario, horizon) else {
        return Ok(());
    };
    let scale = 1.0 + total;
    for (k, lp) in ledger.periods.iter().enumerate() {
        let to_bonds: f64 = run.bonds.iter().map(|b| period_cash(&b.periods[k])).sum();
        let out = lp.fees + lp.net_derivative_fees + to_bonds + lp.residual;
        assert!(
            (lp.cash_in() - out).abs() <= 0.005 + 1e-12 * scale,
            "period {}: in {} out {out}",
            lp.period,
            lp.cash_in()
        );
        for b in &run.bonds {
            let p = &b.periods[k];
            assert!(p.begin_balance >= -1e-6 && p.end_balance >= -1e-6, "{p:?}");
            assert!(p.writedown <= p.begin_balance - p.principal_paid + 1e-6, "{p:?}");
        }
    }
    for b in &run.bonds {
        if let Ok(p) = Priceable::new(b, &run.periods, run.settlement, &IndexAssumption::Run) {
            let px = p.price_from_dm(0.01);
            assert!(px.is_finite() && px >= 0.0, "{px}");
            let _ = p.dm_from_price(100.0);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
