//! `tranche run`: a deal's bond cash flows (or, with `--ledger`, the trust side; with
//! `--summary`, one row of analytics per bond) for one scenario, as CSV, JSON or Markdown
//! on standard output.

use super::scenario::{AssumptionArgs, Mode, PricingArgs};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::pricing::{run_with_risk, DEFAULT_SHIFT_BPS, EFFECTIVE_SHIFT};
use tranche_core::scenario::Scenario;
use tranche_core::summary::RunSummary;
use tranche_core::waterfall::{DealRun, Ledger};
use tranche_io::records::Records;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Md,
}

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or a deal file.
    pub deal: PathBuf,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub pricing: PricingArgs,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Print the trust side (per period and step) instead of the bond table.
    #[arg(long, conflicts_with = "summary")]
    pub ledger: bool,
    /// Print one row per bond: WAL, DM, yield and modified duration at --price (or --dm,
    /// --yield, --spread), payment window, principal paid, written down and never repaid;
    /// then the price, accrued interest, factor, spread, monthly yield, spread duration,
    /// effective duration and convexity, and the first loss month.
    #[arg(long)]
    pub summary: bool,
    /// The shift of every index, up and down, for effective duration and convexity, basis
    /// points [default: 25].
    #[arg(
        long,
        value_name = "BPS",
        requires = "summary",
        allow_hyphen_values = true
    )]
    pub eff_shift: Option<String>,
    #[command(flatten)]
    pub check: super::TapeCheck,
    #[command(flatten)]
    pub as_of: super::as_of::AsOfArgs,
    #[command(flatten)]
    pub until: super::as_of::UntilArgs,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let until = args.until.until()?;
    let loaded = args
        .as_of
        .load(&args.deal, args.check, args.until.write_tape.is_some())?;
    let model = &loaded.model;
    let parsed = args
        .assumptions
        .parse(&args.pricing, Scenario::default(), Mode::Single, &[])?;
    let out = if let Some(until) = until {
        let writes = args
            .until
            .outputs(&[loaded.inputs.as_slice(), parsed.inputs.as_slice()].concat())?;
        let parsed = parsed.with_flag("until", "--until");
        let reached = model
            .run_until(&parsed.scenario, until)
            .map_err(|e| parsed.error(e))?;
        writes.write(&reached, &loaded)?;
        reached.output
    } else if args.summary {
        let shift = match &args.eff_shift {
            Some(raw) => one_number("--eff-shift", raw)?,
            None => DEFAULT_SHIFT_BPS,
        };
        let parsed = parsed.with_flag(EFFECTIVE_SHIFT.name, "--eff-shift");
        run_with_risk(model, &parsed.scenario, shift).map_err(|e| parsed.error(e))?
    } else {
        model.run(&parsed.scenario).map_err(|e| parsed.error(e))?
    };
    let text = match (args.format, args.ledger, args.summary) {
        (Format::Json, true, _) => json(&out.ledger)?,
        (Format::Json, _, true) => json(&out.summary)?,
        (Format::Json, _, _) => json(&out.run)?,
        (f, true, _) => text(ledger_table(&out.ledger), f),
        (f, _, true) => text(summary_table(&out.summary), f),
        (f, _, _) => text(bonds_table(&out.run), f),
    };
    print!("{text}");
    Ok(())
}

/// One number after `flag`.
fn one_number(flag: &str, raw: &str) -> Result<f64, Failure> {
    let v = super::scenario::numbers(flag, raw)?;
    match v.as_slice() {
        [x] => Ok(*x),
        _ => Err(Failure::Input(format!(
            "{flag}: expected one value, found `{raw}`"
        ))),
    }
}

fn text(r: Records, f: Format) -> String {
    if f == Format::Md {
        r.markdown()
    } else {
        r.csv()
    }
}

/// One row per bond (`run --summary`).
pub fn summary_table(s: &RunSummary) -> Records {
    let mut t = Records::new(
        &[
            "bond",
            "wal_years",
            "dm_bps",
            "yield_pct",
            "mod_duration",
            "first_principal",
            "last_principal",
            "principal_paid",
            "writedown",
            "unpaid_principal",
            "principal_loss_pct",
            "price",
            "accrued_pct",
            "factor",
            "spread_bps",
            "yield_monthly_pct",
            "spread_duration",
            "eff_duration",
            "eff_convexity",
            "first_loss",
        ],
        true,
    );
    t.right[0] = false;
    let opt = |v: Option<f64>, dp: usize| v.map_or(String::new(), |x| format!("{x:.dp$}"));
    let month =
        |d: Option<chrono::NaiveDate>| d.map_or(String::new(), |d| d.format("%Y-%m").to_string());
    for b in &s.bonds {
        t.push(vec![
            b.bond.clone(),
            opt(b.wal_years, 6),
            opt(b.dm_bps, 4),
            opt(b.yield_pct, 6),
            opt(b.mod_duration, 6),
            month(b.window.map(|w| w.first_date)),
            month(b.window.map(|w| w.last_date)),
            format!("{:.2}", b.principal_paid),
            format!("{:.2}", b.writedown - b.reimbursed),
            format!("{:.2}", b.unpaid_principal),
            format!("{:.6}", b.principal_loss_pct),
            opt(b.price, 6),
            opt(b.accrued_pct, 6),
            opt(b.factor, 8),
            opt(b.spread_bps, 4),
            opt(b.yield_monthly_pct, 6),
            opt(b.spread_duration, 6),
            opt(b.eff_duration, 6),
            opt(b.eff_convexity, 4),
            month(b.first_loss_date),
        ]);
    }
    t
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Failure::Internal(format!("cannot render JSON: {e}")))
}

/// One row per period per bond. `coupon` is a decimal per annum; amounts in currency.
pub fn bonds_table(run: &DealRun) -> Records {
    let mut t = Records::new(
        &[
            "period",
            "date",
            "bond",
            "begin_balance",
            "coupon",
            "interest_due",
            "interest_paid",
            "interest_shortfall",
            "basis_risk_carryforward",
            "principal_paid",
            "writedown",
            "reimbursement",
            "end_balance",
        ],
        true,
    );
    t.right[2] = false;
    let m = |x: f64| format!("{x:.2}");
    for (k, info) in run.periods.iter().enumerate() {
        for b in &run.bonds {
            let Some(p) = b.periods.get(k) else { continue };
            t.push(vec![
                info.period.to_string(),
                info.payment_date.format("%Y-%m-%d").to_string(),
                b.name.clone(),
                m(p.begin_balance),
                format!("{:.8}", p.coupon),
                m(p.interest_due),
                m(p.interest_paid),
                m(p.interest_shortfall),
                m(p.basis_risk_carryforward),
                m(p.principal_paid),
                m(p.writedown),
                m(p.reimbursement),
                m(p.end_balance),
            ]);
        }
    }
    t
}

/// One row per period per step, with the period's trust-level figures on every row.
pub fn ledger_table(ledger: &Ledger) -> Records {
    let mut t = Records::new(
        &[
            "period",
            "date",
            "available_funds",
            "derivative_receipts",
            "net_derivative_fees",
            "afr_pct",
            "available_rate_pct",
            "oc_target",
            "oc_actual",
            "triggers",
            "step_no",
            "label",
            "step",
            "source",
            "ran",
            "due",
            "paid",
            "remaining",
            "residual",
        ],
        true,
    );
    for k in [1, 9, 11, 12, 13, 14] {
        t.right[k] = false;
    }
    let m = |x: f64| format!("{x:.2}");
    for lp in &ledger.periods {
        let triggers: Vec<String> = lp
            .triggers
            .iter()
            .map(|t| format!("{}={}", t.name, if t.failing { "fail" } else { "pass" }))
            .collect();
        for s in &lp.steps {
            t.push(vec![
                lp.period.to_string(),
                lp.payment_date.format("%Y-%m-%d").to_string(),
                m(lp.available_funds),
                m(lp.derivative_receipts),
                m(lp.net_derivative_fees),
                format!("{:.4}", lp.afr * 100.0),
                format!("{:.4}", lp.available_rate * 100.0),
                m(lp.oc_target),
                m(lp.oc_actual),
                triggers.join(";"),
                (s.index + 1).to_string(),
                s.label.clone(),
                s.step.name().to_string(),
                s.source.name().to_string(),
                s.ran.to_string(),
                m(s.due),
                m(s.paid),
                m(s.remaining),
                m(lp.residual),
            ]);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use tranche_core::collateral::{PoolCashflows, PoolPeriod};
    use tranche_core::rates::RateCurves;
    use tranche_core::waterfall::{run_with_ledger, Horizon};

    fn toy_run() -> (DealRun, Ledger) {
        let src = include_str!("../../../tranche-io/tests/good_toy.toml");
        let deal = tranche_io::deal::parse_deal(std::path::Path::new("toy.toml"), src).unwrap();
        let mut bal = 100e6;
        let periods = (1..=3)
            .map(|t| {
                let p = PoolPeriod {
                    period: t,
                    begin_balance: bal,
                    scheduled_principal: 1e6,
                    gross_interest: 500_000.0,
                    net_interest: 500_000.0,
                    end_balance: bal - 1e6,
                    wac: 0.06,
                    net_wac: 0.06,
                    ..PoolPeriod::default()
                };
                bal -= 1e6;
                p
            })
            .collect();
        let cf = PoolCashflows {
            periods,
            loans: Vec::new(),
        };
        run_with_ledger(&deal, &cf, &RateCurves::flat_all(0.02), Horizon::Maturity).unwrap()
    }

    #[test]
    fn csv_has_one_row_per_period_per_bond() {
        let (run, _) = toy_run();
        let text = bonds_table(&run).csv();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "period,date,bond,begin_balance,coupon,interest_due,interest_paid,interest_shortfall,basis_risk_carryforward,principal_paid,writedown,reimbursement,end_balance");
        assert_eq!(lines.len(), 1 + 3 * 2);
        assert!(lines[1].starts_with("1,2024-02-26,A,90000000.00,0.02300000,"));
        assert!(lines[2].starts_with("1,2024-02-26,B,9000000.00,0.03000000,"));
        assert!(lines[6].starts_with("3,2024-04-25,B,"));
    }

    #[test]
    fn ledger_lists_every_step_of_every_period() {
        let (_, ledger) = toy_run();
        let text = ledger_table(&ledger).csv();
        assert_eq!(text.lines().count(), 1 + 3 * 5);
        assert!(text
            .lines()
            .nth(2)
            .unwrap()
            .contains(",2,,principal_distribution,available_funds,true,"));
        let md = ledger_table(&ledger).markdown();
        assert!(md.lines().nth(1).unwrap().starts_with("|---:|---|"));
    }
}
