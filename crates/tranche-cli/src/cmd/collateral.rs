//! `tranche collateral`: the pool's monthly cash flow table.
//!
//! With a deal directory (or deal file): the deal's tape, pricing speed, fees, dates and
//! forward curves (`curves.csv`, else the flat pricing rates). With a tape file alone:
//! `--cpr` is required, index rates come from `--curves` or `--index-rate`, fees from
//! `--master-servicing-pct`/`--trustee-pct`, and dates from `--first-payment` if given.

use crate::Failure;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tranche_core::assumptions::{
    DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming, Scenario,
};
use tranche_core::collateral::{LoanPool, PoolCashflows, PoolFees, ProjectionOptions};
use tranche_core::dates::{payment_dates, Calendar};
use tranche_core::rates::RateCurves;
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
    /// Prepayment speed, percent of the pricing speed (with `--cpr`: percent of that CPR).
    #[arg(long, default_value_t = 100.0)]
    pub speed: f64,
    /// Constant CPR in percent for every loan, replacing the deal's pricing curves.
    /// Required with a tape file.
    #[arg(long)]
    pub cpr: Option<f64>,
    /// Constant annual default rate (CDR), percent.
    #[arg(long, default_value_t = 0.0)]
    pub cdr: f64,
    /// Loss severity on defaulted balance, percent.
    #[arg(long, default_value_t = 0.0)]
    pub severity: f64,
    /// Months from default to liquidation.
    #[arg(long, default_value_t = 0)]
    pub lag: u32,
    /// Servicer advancing of interest on defaulted loans awaiting liquidation
    /// (default: the deal's setting; off for a tape alone).
    #[arg(long)]
    pub advancing: Option<bool>,
    /// Forward curve file (`period,LIBOR1M,...` in percent); overrides the deal's.
    #[arg(long)]
    pub curves: Option<PathBuf>,
    /// Flat level (percent) for every index, instead of forward curves.
    #[arg(long)]
    pub index_rate: Option<f64>,
    /// Master servicing fee, percent per annum (tape only; a deal has its own).
    #[arg(long, default_value_t = 0.0)]
    pub master_servicing_pct: f64,
    /// Trustee fee, percent per annum (tape only).
    #[arg(long, default_value_t = 0.0)]
    pub trustee_pct: f64,
    /// First payment date YYYY-MM-DD (tape only; payment day = its day, US banking days).
    #[arg(long)]
    pub first_payment: Option<String>,
    /// Fraction of period-1 prepayments (tape only; a deal has its own).
    #[arg(long, default_value_t = 1.0)]
    pub first_period_fraction: f64,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Also write the loan-level cash flows to this CSV file.
    #[arg(long)]
    pub per_loan: Option<PathBuf>,
    /// Hard limit on projection months.
    #[arg(long, default_value_t = 720)]
    pub max_periods: u32,
    #[command(flatten)]
    pub check: super::TapeCheck,
}

/// Everything one run needs, from a deal or from a tape.
struct Setup {
    pool: LoanPool,
    scenario: Scenario,
    fees: PoolFees,
    /// Payment date of period `p` at index `p - 1`, when known.
    dates: Option<Box<dyn Fn(u32) -> String>>,
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

fn default_curve(a: &Args) -> Result<DefaultCurve, Failure> {
    Ok(DefaultCurve::Cdr {
        cdr: pct_arg("cdr", a.cdr, 100.0)? / 100.0,
    })
}

fn flat_rates(pct: f64) -> Result<RateCurves, Failure> {
    if !pct.is_finite() || !(-100.0..=100.0).contains(&pct) {
        return Err(Failure::Input(format!(
            "--index-rate: expected a percent between -100 and 100, got {pct}"
        )));
    }
    Ok(RateCurves::flat_all(pct / 100.0))
}

fn from_deal(a: &Args) -> Result<Setup, Failure> {
    let loaded = tranche_io::deal::load_deal_pool(&a.deal, a.check.strict)?;
    super::print_warnings(&loaded.warnings);
    let deal = loaded.deal;
    let rates = match (&a.curves, a.index_rate, loaded.curves) {
        (Some(p), _, _) => {
            let c = tranche_io::curves::read_curves(p)?;
            tranche_io::curves::check_covers(p, &c, &loaded.pool.indices)?;
            c
        }
        (None, Some(r), _) => flat_rates(r)?,
        (None, None, Some(c)) => c,
        (None, None, None) => deal.pricing_rates(),
    };
    let mut scenario = deal.scenario(
        a.speed,
        default_curve(a)?,
        pct_arg("severity", a.severity, 100.0)? / 100.0,
        a.lag,
        rates,
    );
    if let Some(c) = a.cpr {
        let cpr = PrepayCurve::Cpr {
            cpr: pct_arg("cpr", c, 100.0)? / 100.0,
        };
        scenario.prepay.arm = cpr.clone();
        scenario.prepay.fixed = cpr;
    }
    if let Some(adv) = a.advancing {
        scenario.advancing = adv;
    }
    if loaded.pool.is_empty() {
        let tape = loaded.dir.join(&deal.collateral.tape);
        let what = if !tape.exists() {
            "does not exist; expected the CSV or Parquet file named by collateral.tape"
        } else if tape.is_dir() {
            "is a directory; expected the CSV or Parquet file named by collateral.tape"
        } else {
            "has no loans"
        };
        return Err(Failure::Input(format!(
            "{}: the deal's tape `{}` {what}",
            a.deal.display(),
            tape.display()
        )));
    }
    let fees = deal.pool_fees();
    let d = deal.clone();
    Ok(Setup {
        pool: loaded.pool,
        scenario,
        fees,
        dates: Some(Box::new(move |p| d.payment_date(p).to_string())),
    })
}

fn from_tape(a: &Args) -> Result<Setup, Failure> {
    let Some(cpr) = a.cpr else {
        return Err(Failure::Input(format!(
            "{}: a tape without a deal needs --cpr PCT (the deal's pricing speed is unknown)",
            a.deal.display()
        )));
    };
    let curves = match (&a.curves, a.index_rate) {
        (Some(p), _) => Some(tranche_io::curves::read_curves(p)?),
        (None, Some(r)) => Some(flat_rates(r)?),
        (None, None) => None,
    };
    let extra = curves
        .as_ref()
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
    if let (Some(p), Some(c)) = (&a.curves, &curves) {
        tranche_io::curves::check_covers(p, c, &pool.indices)?;
    }
    let has_arms = pool.is_arm.iter().any(|a| *a);
    let rates = match curves {
        Some(c) => c,
        None if has_arms => {
            return Err(Failure::Input(format!(
            "{}: the tape has ARMs; give their index rates with --curves FILE or --index-rate PCT",
            a.deal.display()
        )))
        }
        None => RateCurves::default(),
    };
    let curve = PrepayCurve::Cpr {
        cpr: pct_arg("cpr", cpr, 100.0)? / 100.0,
    };
    let f1 = a.first_period_fraction;
    if !(0.0..=1.0).contains(&f1) {
        return Err(Failure::Input(format!(
            "--first-period-fraction: expected a fraction between 0 and 1, got {f1}"
        )));
    }
    let scenario = Scenario {
        prepay: PrepayAssumption {
            arm: curve.clone(),
            fixed: curve,
            multiplier: a.speed / 100.0,
        },
        default: default_curve(a)?,
        severity: pct_arg("severity", a.severity, 100.0)? / 100.0,
        recovery_lag: a.lag,
        advancing: a.advancing.unwrap_or(false),
        timing: PrepayTiming {
            first_period_fraction: f1,
        },
        rates,
    };
    let fees = PoolFees {
        master_servicing: pct_arg("master-servicing-pct", a.master_servicing_pct, 100.0)? / 100.0,
        trustee: pct_arg("trustee-pct", a.trustee_pct, 100.0)? / 100.0,
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
    Ok(Setup {
        pool,
        scenario,
        fees,
        dates,
    })
}

pub fn run(a: Args) -> Result<(), Failure> {
    if !a.speed.is_finite() || a.speed < 0.0 {
        return Err(Failure::Input(format!(
            "--speed: expected a percent >= 0, got {}",
            a.speed
        )));
    }
    // A path that does not exist is the first thing to say, before any missing option.
    if !a.deal.exists() {
        return Err(Failure::Input(format!(
            "{}: no such file or directory; expected a deal directory (holding deal.toml), \
             a deal file (.toml) or a loan tape (.csv/.parquet)",
            a.deal.display()
        )));
    }
    let setup = if is_deal(&a.deal) {
        from_deal(&a)?
    } else {
        from_tape(&a)?
    };
    let pool = &setup.pool;
    let opts = ProjectionOptions {
        per_loan: a.per_loan.is_some(),
        max_periods: a.max_periods,
    };
    let mut flags = super::SCENARIO_FLAGS.to_vec();
    flags.extend([
        ("first_period_fraction", "--first-period-fraction"),
        ("max_periods", "--max-periods"),
    ]);
    if a.cpr.is_some() {
        flags.extend([("prepay.arm", "--cpr"), ("prepay.fixed", "--cpr")]);
    }
    let cf = pool
        .project(&setup.scenario, &setup.fees, &opts)
        .map_err(|e| super::flag_error(e, &flags))?;
    let dates: Vec<String> = (1..=cf.periods.len() as u32)
        .map(|p| setup.dates.as_ref().map(|f| f(p)).unwrap_or_default())
        .collect();
    if let Some(path) = &a.per_loan {
        let text = per_loan_csv(pool, &cf, &dates);
        tranche_io::atomic::write_atomic(path, text.as_bytes())?;
    }
    let out = match a.format {
        Format::Csv => table_csv(&cf, &dates),
        Format::Json => table_json(&cf, &dates)?,
        Format::Md => table_md(&cf, &dates),
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

fn table_csv(cf: &PoolCashflows, dates: &[String]) -> String {
    let mut s = COLUMNS.join(",");
    s.push('\n');
    for (p, d) in cf.periods.iter().zip(dates) {
        s.push_str(&row_cells(p, d).join(","));
        s.push('\n');
    }
    s
}

fn table_md(cf: &PoolCashflows, dates: &[String]) -> String {
    let mut s = format!("| {} |\n", COLUMNS.join(" | "));
    s.push_str(&format!("|{}\n", "---:|".repeat(COLUMNS.len())));
    for (p, d) in cf.periods.iter().zip(dates) {
        s.push_str(&format!("| {} |\n", row_cells(p, d).join(" | ")));
    }
    s
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

fn per_loan_csv(pool: &LoanPool, cf: &PoolCashflows, dates: &[String]) -> String {
    let mut s = String::from(
        "loan_id,period,date,begin_balance,rate_pct,scheduled_principal,prepaid_principal,defaulted_principal,interest,end_balance\n",
    );
    for l in &cf.loans {
        let id = pool
            .loan_id
            .get(l.loan as usize)
            .map(String::as_str)
            .unwrap_or("");
        let date = dates
            .get(l.period as usize - 1)
            .map(String::as_str)
            .unwrap_or("");
        let _ = writeln!(
            s,
            "{},{},{},{:.2},{:.6},{:.2},{:.2},{:.2},{:.2},{:.2}",
            csv_text(id),
            l.period,
            date,
            l.begin_balance,
            l.rate * 100.0,
            l.scheduled_principal,
            l.prepaid_principal,
            l.defaulted_principal,
            l.interest,
            l.end_balance
        );
    }
    s
}

/// Quotes a CSV cell when needed.
fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
