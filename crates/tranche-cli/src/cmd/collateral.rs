//! `tranche collateral`: the pool's monthly cash flow table.
//!
//! With a deal directory (or deal file): the deal's tape, pricing speed, fees, dates and
//! pricing rates (any other rates by the scenario flags, e.g. `--deal-curves`). With a
//! tape file alone: `--cpr` (or `--psa`, `--cpr-vector`) is required, index rates come
//! from `--curves` or `--index-rate`, fees from `--master-servicing-pct`/`--trustee-pct`,
//! and dates from `--first-payment` if given.

use super::scenario::{AssumptionArgs, Mode, Parsed, PricingArgs};
use super::tables_common::Loaded;
use crate::Failure;
use std::path::{Path, PathBuf};
use tranche_core::assumptions::Assumptions;
use tranche_core::collateral::{LoanPool, PoolCashflows, PoolFees, ProjectionOptions};
use tranche_core::dates::{payment_dates, Calendar};
use tranche_core::runner::DealModel;
use tranche_core::scenario::{resolve_tape, RateBase, Resolved, Scenario, TapeTerms};
use tranche_io::outputs::{Input, Outputs, Signature};
use tranche_io::records::Records;
use tranche_io::tape::{read_tape_pool, TapeOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Md,
}

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml), a deal file, or a loan tape (.csv/.parquet).
    pub deal: PathBuf,
    /// Prepayment, defaults and rates, one value each. With a tape alone there is no
    /// pricing speed or pricing rate: give --cpr, --psa or --cpr-vector, and for ARMs
    /// --curves FILE or --index-rate PCT.
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    /// Servicer advancing of interest on defaulted loans awaiting liquidation
    /// (default: the deal's setting; off for a tape alone).
    #[arg(long)]
    pub advancing: Option<bool>,
    /// Master servicing fee, percent per annum (tape only, default 0; a deal has its own).
    #[arg(long)]
    pub master_servicing_pct: Option<f64>,
    /// Trustee fee, percent per annum (tape only, default 0).
    #[arg(long)]
    pub trustee_pct: Option<f64>,
    /// First payment date YYYY-MM-DD (tape only; payment day = its day, US banking days).
    #[arg(long)]
    pub first_payment: Option<String>,
    /// Fraction of period-1 prepayments (tape only, default 1; a deal has its own).
    #[arg(long)]
    pub first_period_fraction: Option<f64>,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Also write the loan-level cash flows to this CSV file (replaced only if it is an
    /// earlier --per-loan file; docs/outputs.md).
    #[arg(long)]
    pub per_loan: Option<PathBuf>,
    /// Hard limit on projection months.
    #[arg(long, default_value_t = 720)]
    pub max_periods: u32,
    #[command(flatten)]
    pub check: super::TapeCheck,
    /// A deal only: the pool projected from its current tape after an as-of payment date.
    #[command(flatten)]
    pub as_of: super::as_of::AsOfArgs,
}

/// Everything one run needs, from a deal or from a tape.
struct Setup {
    pool: LoanPool,
    assumptions: Assumptions,
    fees: PoolFees,
    /// Payment date of period `p` at index `p - 1`, when known.
    dates: Option<Box<dyn Fn(u32) -> String>>,
    /// Every file read, for the output guard.
    inputs: Vec<Input>,
    /// From an as-of date: the deal placed at its state (its pool is the current tape) and
    /// the scenario resolved against it; the runner projects the periods after the date.
    as_of: Option<(Box<DealModel>, Resolved)>,
}

impl Setup {
    fn pool(&self) -> &LoanPool {
        self.as_of.as_ref().map_or(&self.pool, |(m, _)| &m.pool)
    }
}

fn pct_arg(name: &str, v: f64, max: f64) -> Result<f64, Failure> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Failure::Input(format!(
            "--{name}: expected a percent between 0 and {max}, got {v}"
        )))
    }
}

fn is_deal(path: &Path) -> bool {
    path.is_dir()
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

fn from_deal(a: &Args, parsed: &Parsed) -> Result<Setup, Failure> {
    // A deal states these itself: a flag that would be ignored is refused.
    for (flag, given) in [
        ("--master-servicing-pct", a.master_servicing_pct.is_some()),
        ("--trustee-pct", a.trustee_pct.is_some()),
        ("--first-payment", a.first_payment.is_some()),
        ("--first-period-fraction", a.first_period_fraction.is_some()),
    ] {
        if given {
            return Err(Failure::Input(format!(
                "{flag}: only for a tape alone; the deal file states its own (edit the deal, or pass its tape)"
            )));
        }
    }
    let Loaded { model, mut inputs } = a.as_of.load_model(&a.deal, a.check)?;
    if let Some(p) = &a.assumptions.curves {
        if let RateBase::Curves { curves } = &parsed.scenario.rates.base {
            tranche_io::curves::check_covers(p, curves, &model.pool.indices)?;
        }
    }
    inputs.extend(parsed.inputs.iter().cloned());
    let mut resolved = model
        .resolve(&parsed.scenario)
        .map_err(|e| parsed.error(e))?;
    if let Some(adv) = a.advancing {
        resolved.assumptions.advancing = adv;
    }
    let assumptions = resolved.assumptions.clone();
    let fees = model.deal.pool_fees();
    let d = model.deal.clone();
    let dates: Option<Box<dyn Fn(u32) -> String>> =
        Some(Box::new(move |p| d.payment_date(p).to_string()));
    if model.as_of().is_some() {
        return Ok(Setup {
            pool: LoanPool::default(),
            assumptions,
            fees,
            dates,
            inputs,
            as_of: Some((Box::new(model), resolved)),
        });
    }
    Ok(Setup {
        pool: model.pool,
        assumptions,
        fees,
        dates,
        inputs,
        as_of: None,
    })
}

fn from_tape(a: &Args, parsed: &Parsed) -> Result<Setup, Failure> {
    if a.assumptions.no_prepay() {
        return Err(Failure::Input(format!(
            "{}: a tape without a deal needs --cpr PCT (the deal's pricing speed is unknown)",
            a.deal.display()
        )));
    }
    let curves = match &parsed.scenario.rates.base {
        RateBase::Curves { curves } => Some(curves),
        _ => None,
    };
    let extra = curves
        .map(tranche_io::curves::named_indices)
        .unwrap_or_default();
    // Straight into the pool's arrays: a tape of millions of loans never sits in memory
    // as `Loan`s.
    let tape = read_tape_pool(
        &a.deal,
        &TapeOptions {
            extra_indices: extra,
            cutoff: None,
            strict: a.check.strict,
        },
    )?;
    super::print_warnings(&tape.warnings);
    let pool = tape.loans;
    if let (Some(p), Some(c)) = (&a.assumptions.curves, curves) {
        tranche_io::curves::check_covers(p, c, &pool.indices)?;
    }
    let has_arms = pool.is_arm.iter().any(|a| *a);
    if has_arms
        && matches!(
            parsed.scenario.rates.base,
            RateBase::Pricing | RateBase::DealCurves
        )
    {
        return Err(Failure::Input(format!(
            "{}: the tape has ARMs; give their index rates with --curves FILE or --index-rate PCT",
            a.deal.display()
        )));
    }
    let assumptions = resolve_tape(
        &parsed.scenario,
        &TapeTerms {
            curves: None,
            advancing: a.advancing.unwrap_or(false),
            first_period_fraction: a.first_period_fraction.unwrap_or(1.0),
        },
    )
    .map_err(|e| parsed.error(e))?;
    let fees = PoolFees {
        master_servicing: pct_arg(
            "master-servicing-pct",
            a.master_servicing_pct.unwrap_or(0.0),
            100.0,
        )? / 100.0,
        trustee: pct_arg("trustee-pct", a.trustee_pct.unwrap_or(0.0), 100.0)? / 100.0,
    };
    let dates: Option<Box<dyn Fn(u32) -> String>> = match &a.first_payment {
        None => None,
        Some(s) => {
            let first = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Failure::Input(format!(
                    "--first-payment: expected a date YYYY-MM-DD, got `{s}`"
                ))
            })?;
            let day = chrono::Datelike::day(&first);
            Some(Box::new(move |p| {
                payment_dates(first, day, p as usize, Calendar::UsBanking)
                    .last()
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            }))
        }
    };
    let mut inputs = vec![Input::file(&a.deal, "the loan tape")];
    inputs.extend(parsed.inputs.iter().cloned());
    Ok(Setup {
        pool,
        assumptions,
        fees,
        dates,
        inputs,
        as_of: None,
    })
}

pub fn run(a: Args) -> Result<(), Failure> {
    // A path that does not exist is the first thing to say, before any missing option.
    if !a.deal.exists() {
        return Err(Failure::Input(format!(
            "{}: no such file or directory; expected a deal directory (holding deal.toml), \
             a deal file (.toml) or a loan tape (.csv/.parquet)",
            a.deal.display()
        )));
    }
    let parsed = a
        .assumptions
        .parse(
            &PricingArgs::default(),
            Scenario::default(),
            Mode::Single,
            &[],
        )?
        .with_flag("first_period_fraction", "--first-period-fraction")
        .with_flag("max_periods", "--max-periods");
    let setup = if is_deal(&a.deal) {
        from_deal(&a, &parsed)?
    } else if a.as_of.as_of.is_some() {
        return Err(Failure::Input(format!(
            "--as-of: {} is a tape; a projection from an as-of date needs the deal (its directory or deal file) with --state and --tape",
            a.deal.display()
        )));
    } else {
        from_tape(&a, &parsed)?
    };
    let per_loan = match &a.per_loan {
        Some(p) => Some(Outputs::new(&setup.inputs).file(
            "--per-loan",
            p,
            Signature(format!("{PER_LOAN_HEADER}\n")),
        )?),
        None => None,
    };
    let pool = setup.pool();
    let opts = ProjectionOptions {
        per_loan: a.per_loan.is_some(),
        max_periods: a.max_periods,
    };
    let cf = match &setup.as_of {
        None => pool.project(&setup.assumptions, &setup.fees, &opts),
        // The runner's projection from the state: periods numbered from the first
        // payment date, the first the one after the as-of date.
        Some((model, resolved)) => model.project(resolved, opts.per_loan),
    }
    .map_err(|e| parsed.error(e))?;
    if let Some(last) = cf.periods.last().filter(|p| p.period > a.max_periods) {
        return Err(parsed.error(tranche_core::Error::invalid(
            "max_periods",
            format!(
                "the projection needs {} monthly periods, more than the limit of {}",
                last.period, a.max_periods
            ),
        )));
    }
    let first = cf.periods.first().map_or(1, |p| p.period);
    let dates: Vec<String> = cf
        .periods
        .iter()
        .map(|p| {
            setup
                .dates
                .as_ref()
                .map(|f| f(p.period))
                .unwrap_or_default()
        })
        .collect();
    if let Some(out) = &per_loan {
        out.write(per_loan_csv(pool, &cf, &dates, first).as_bytes())?;
    }
    let out = match a.format {
        Format::Csv => table(&cf, &dates).csv(),
        Format::Json => table_json(&cf, &dates)?,
        Format::Md => table(&cf, &dates).markdown(),
    };
    print!("{out}");
    Ok(())
}

/// Output columns, in order.
pub const COLUMNS: [&str; 13] = [
    "period",
    "date",
    "begin_balance",
    "scheduled_principal",
    "prepaid_principal",
    "defaulted_principal",
    "recoveries",
    "realized_loss",
    "gross_interest",
    "net_interest",
    "end_balance",
    "wac",
    "net_wac",
];

/// One row: amounts to the cent, rates in percent to 6 places.
fn row_cells(p: &tranche_core::collateral::PoolPeriod, date: &str) -> Vec<String> {
    let m = |v: f64| format!("{:.2}", v + 0.0);
    vec![
        p.period.to_string(),
        date.to_string(),
        m(p.begin_balance),
        m(p.scheduled_principal),
        m(p.prepaid_principal),
        m(p.defaulted_principal),
        m(p.recoveries),
        m(p.realized_loss),
        m(p.gross_interest),
        m(p.net_interest),
        m(p.end_balance),
        format!("{:.6}", p.wac * 100.0),
        format!("{:.6}", p.net_wac * 100.0),
    ]
}

/// The pool table: one row per period.
fn table(cf: &PoolCashflows, dates: &[String]) -> Records {
    let mut t = Records::new(&COLUMNS, true);
    t.right[1] = false;
    for (p, d) in cf.periods.iter().zip(dates) {
        t.push(row_cells(p, d));
    }
    t
}

fn table_json(cf: &PoolCashflows, dates: &[String]) -> Result<String, Failure> {
    let rows: Vec<serde_json::Value> = cf
        .periods
        .iter()
        .zip(dates)
        .map(|(p, d)| {
            serde_json::json!({
                "period": p.period,
                "date": d,
                "begin_balance": p.begin_balance,
                "scheduled_principal": p.scheduled_principal,
                "prepaid_principal": p.prepaid_principal,
                "defaulted_principal": p.defaulted_principal,
                "recoveries": p.recoveries,
                "realized_loss": p.realized_loss,
                "gross_interest": p.gross_interest,
                "net_interest": p.net_interest,
                "end_balance": p.end_balance,
                "wac": p.wac * 100.0,
                "net_wac": p.net_wac * 100.0,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rows)
        .map_err(|e| Failure::Internal(format!("JSON output: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// The header line of the `--per-loan` file.
const PER_LOAN_HEADER: &str = "loan_id,period,date,begin_balance,rate_pct,scheduled_principal,prepaid_principal,defaulted_principal,interest,end_balance";

/// `dates[i]`: the payment date of period `first + i`.
fn per_loan_csv(pool: &LoanPool, cf: &PoolCashflows, dates: &[String], first: u32) -> String {
    let mut t = Records::new(&PER_LOAN_HEADER.split(',').collect::<Vec<_>>(), true);
    for l in &cf.loans {
        let id = pool
            .loan_id
            .get(l.loan as usize)
            .map(String::as_str)
            .unwrap_or("");
        let date = dates
            .get(l.period.saturating_sub(first) as usize)
            .map(String::as_str)
            .unwrap_or("");
        t.push(vec![
            id.to_string(),
            l.period.to_string(),
            date.to_string(),
            format!("{:.2}", l.begin_balance),
            format!("{:.6}", l.rate * 100.0),
            format!("{:.2}", l.scheduled_principal),
            format!("{:.2}", l.prepaid_principal),
            format!("{:.2}", l.defaulted_principal),
            format!("{:.2}", l.interest),
            format!("{:.2}", l.end_balance),
        ]);
    }
    t.csv()
}
