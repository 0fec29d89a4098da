//! `tranche run`: a deal's bond cash flows (or, with `--ledger`, the trust side) for one
//! scenario, as CSV, JSON or Markdown on standard output.

use crate::Failure;
use std::fmt::Write as _;
use std::path::PathBuf;
use tranche_core::assumptions::DefaultCurve;
use tranche_core::rates::{RateCurves, RatePath};
use tranche_core::tape::RateIndex;
use tranche_core::waterfall::{run_deal_with_ledger, DealRun, Horizon, Ledger};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    Call,
    Maturity,
}

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
    /// Prepayment speed, percent of the deal's pricing speed.
    #[arg(long, default_value_t = 100.0)]
    pub speed: f64,
    /// Run to the clean-up call or to maturity.
    #[arg(long, value_enum, default_value = "call")]
    pub to: To,
    /// Hold every index flat at this level (percent).
    #[arg(long, conflicts_with = "curves")]
    pub libor: Option<f64>,
    /// Forward curves file (columns period,LIBOR1M,...; percent). Default: the deal
    /// directory's curves.csv if present, else the deal's flat pricing rates.
    #[arg(long)]
    pub curves: Option<PathBuf>,
    /// Constant default rate, percent CDR.
    #[arg(long, default_value_t = 0.0)]
    pub cdr: f64,
    /// Loss severity, percent of the defaulted balance.
    #[arg(long, default_value_t = 0.0)]
    pub severity: f64,
    /// Months from default to liquidation.
    #[arg(long, default_value_t = 0)]
    pub lag: u32,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Print the trust side (per period and step) instead of the bond table.
    #[arg(long)]
    pub ledger: bool,
    #[command(flatten)]
    pub check: super::TapeCheck,
}

fn check_pct(name: &str, v: f64, lo: f64, hi: f64) -> Result<(), Failure> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Failure::Input(format!(
            "--{name}: expected a percentage between {lo} and {hi}, found {v}"
        )))
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    check_pct("speed", args.speed, 0.0, 10_000.0)?;
    check_pct("cdr", args.cdr, 0.0, 100.0)?;
    check_pct("severity", args.severity, 0.0, 100.0)?;
    if let Some(l) = args.libor {
        check_pct("libor", l, -10.0, 100.0)?;
    }
    let loaded = tranche_io::deal::load_deal_pool(&args.deal, args.check.strict)?;
    super::print_warnings(&loaded.warnings);
    let deal = &loaded.deal;
    if loaded.pool.is_empty() {
        return Err(Failure::Input(format!(
            "{}: no loans were loaded from the deal's tape `{}`",
            loaded.dir.display(),
            deal.collateral.tape
        )));
    }
    let rates = match (args.libor, &args.curves) {
        (Some(l), _) => {
            let mut rc = RateCurves::flat_all(l / 100.0);
            for n in &deal.collateral.indices {
                rc.set(RateIndex::parse(n), RatePath::flat(l / 100.0));
            }
            rc
        }
        (None, Some(path)) => read_curves(path)?,
        (None, None) => loaded
            .curves
            .clone()
            .unwrap_or_else(|| deal.pricing_rates()),
    };
    let scenario = deal.scenario(
        args.speed,
        DefaultCurve::Cdr {
            cdr: args.cdr / 100.0,
        },
        args.severity / 100.0,
        args.lag,
        rates,
    );
    let pool = &loaded.pool;
    let horizon = match args.to {
        To::Call => Horizon::Call,
        To::Maturity => Horizon::Maturity,
    };
    let (run, ledger) = run_deal_with_ledger(deal, pool, &scenario, horizon)
        .map_err(|e| super::flag_error(e, &super::SCENARIO_FLAGS))?;
    let text = match (args.format, args.ledger) {
        (Format::Json, false) => json(&run)?,
        (Format::Json, true) => json(&ledger)?,
        (Format::Csv, false) => bonds_table(&run, ',', false),
        (Format::Md, false) => bonds_table(&run, '|', true),
        (Format::Csv, true) => ledger_table(&ledger, ',', false),
        (Format::Md, true) => ledger_table(&ledger, '|', true),
    };
    print!("{text}");
    Ok(())
}

fn read_curves(path: &std::path::Path) -> Result<RateCurves, Failure> {
    Err(Failure::Input(format!(
        "{}: reading forward curves is not available in this build yet; use --libor",
        path.display()
    )))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Failure::Internal(format!("cannot render JSON: {e}")))
}

fn cell(s: &str, sep: char) -> String {
    if sep == ',' && (s.contains(',') || s.contains('"')) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(out: &mut String, cells: &[String], sep: char, md: bool) {
    if md {
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    } else {
        let _ = writeln!(out, "{}", cells.join(&sep.to_string()));
    }
}

fn header(out: &mut String, cols: &[&str], sep: char, md: bool) {
    let cells: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    line(out, &cells, sep, md);
    if md {
        let dashes: Vec<String> = cols.iter().map(|_| "---".to_string()).collect();
        line(out, &dashes, sep, md);
    }
}

/// One row per period per bond. `coupon` is a decimal per annum; amounts in currency.
pub fn bonds_table(run: &DealRun, sep: char, md: bool) -> String {
    let mut out = String::new();
    header(
        &mut out,
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
        sep,
        md,
    );
    for (k, info) in run.periods.iter().enumerate() {
        for b in &run.bonds {
            let Some(p) = b.periods.get(k) else { continue };
            let m = |x: f64| format!("{x:.2}");
            line(
                &mut out,
                &[
                    info.period.to_string(),
                    info.payment_date.format("%Y-%m-%d").to_string(),
                    cell(&b.name, sep),
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
                ],
                sep,
                md,
            );
        }
    }
    out
}

/// One row per period per step, with the period's trust-level figures on every row.
pub fn ledger_table(ledger: &Ledger, sep: char, md: bool) -> String {
    let mut out = String::new();
    header(
        &mut out,
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
        sep,
        md,
    );
    for lp in &ledger.periods {
        let triggers: Vec<String> = lp
            .triggers
            .iter()
            .map(|t| format!("{}={}", t.name, if t.failing { "fail" } else { "pass" }))
            .collect();
        for s in &lp.steps {
            let m = |x: f64| format!("{x:.2}");
            line(
                &mut out,
                &[
                    lp.period.to_string(),
                    lp.payment_date.format("%Y-%m-%d").to_string(),
                    m(lp.available_funds),
                    m(lp.derivative_receipts),
                    m(lp.net_derivative_fees),
                    format!("{:.4}", lp.afr * 100.0),
                    format!("{:.4}", lp.available_rate * 100.0),
                    m(lp.oc_target),
                    m(lp.oc_actual),
                    cell(&triggers.join(";"), sep),
                    (s.index + 1).to_string(),
                    cell(&s.label, sep),
                    s.step.name().to_string(),
                    s.source.name().to_string(),
                    s.ran.to_string(),
                    m(s.due),
                    m(s.paid),
                    m(s.remaining),
                    m(lp.residual),
                ],
                sep,
                md,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tranche_core::collateral::{PoolCashflows, PoolPeriod};
    use tranche_core::waterfall::run_with_ledger;

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
        let text = bonds_table(&run, ',', false);
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
        let text = ledger_table(&ledger, ',', false);
        assert_eq!(text.lines().count(), 1 + 3 * 5);
        assert!(text
            .lines()
            .nth(2)
            .unwrap()
            .contains(",2,,principal_distribution,available_funds,true,"));
        let md = ledger_table(&ledger, '|', true);
        assert!(md.lines().nth(1).unwrap().starts_with("| --- |"));
    }
}
