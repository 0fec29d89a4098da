//! `tranche pool-from-strats`: a loan-level tape whose stratification reproduces a term
//! sheet's strat tables and pool summary.

use crate::Failure;
use std::path::PathBuf;
use tranche_io::outputs::{Input, Outputs};
use tranche_poolfit::{fit_pool, FeeTier, FitOptions};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of strat tables (one CSV per table).
    pub strat_dir: PathBuf,
    /// Pool summary JSON.
    #[arg(long)]
    pub summary: PathBuf,
    /// Output tape CSV (written atomically; an existing file is replaced only if it is a
    /// tape this command wrote, and never inside the strat-table directory).
    #[arg(long)]
    pub out: PathBuf,
    /// Cut-off date (YYYY-MM-DD): months to roll and next adjustment dates count from it.
    #[arg(long)]
    pub cutoff: String,
    /// Seed of the fit (same seed, same tape).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Loan-level servicing fee tiers `RATE_PCT:SHARE_PCT,...` (share of pool balance),
    /// e.g. `0.375:98.42,0.50:1.58`.
    #[arg(long, default_value = "")]
    pub servicing: String,
    /// Deal-level fees included in the published NET WAC but not on the tape (master
    /// servicing, trustee), percent.
    #[arg(long, default_value_t = 0.0)]
    pub trust_fee_pct: f64,
    /// WA lender-paid MI premium over the pool, percent (default: summary's WA rate minus
    /// its WA rate net of LPMI).
    #[arg(long)]
    pub premium_rate_pct: Option<f64>,
    /// Share of pool balance made interest-only, percent (spread proportionally across
    /// products, loans chosen deterministically from the seed).
    #[arg(long, default_value_t = 0.0)]
    pub io_share: f64,
    /// Interest-only period of the IO loans, months (needed when --io-share > 0).
    #[arg(long, default_value_t = 0)]
    pub io_months: u32,
    /// Annealing moves (0 = default, scaled to the pool size).
    #[arg(long, default_value_t = 0)]
    pub iterations: usize,
}

fn parse_tiers(s: &str) -> Result<Vec<FeeTier>, Failure> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            Failure::Input(format!(
                "--servicing: expected RATE_PCT:SHARE_PCT, got `{part}`"
            ))
        };
        let (r, sh) = part.split_once(':').ok_or_else(bad)?;
        let rate_pct: f64 = r.trim().parse().map_err(|_| bad())?;
        let share_pct: f64 = sh.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&share_pct) || rate_pct < 0.0 {
            return Err(bad());
        }
        out.push(FeeTier {
            rate_pct,
            share_pct,
        });
    }
    Ok(out)
}

pub fn run(args: Args) -> Result<(), Failure> {
    let cutoff =
        chrono::NaiveDate::parse_from_str(args.cutoff.trim(), "%Y-%m-%d").map_err(|_| {
            Failure::Input(format!(
                "--cutoff: expected YYYY-MM-DD, got `{}`",
                args.cutoff
            ))
        })?;
    let tables = tranche_io::strat_csv::read_strat_dir(&args.strat_dir)?;
    let summary = tranche_io::strat_csv::read_pool_summary(&args.summary)?;
    let out = Outputs::new(&[
        Input::dir(&args.strat_dir, "the strat-table directory"),
        Input::file(&args.summary, "the pool summary"),
    ])
    .file("--out", &args.out, tranche_io::tape_write::tape_signature())?;
    let mut opts = FitOptions::new(cutoff);
    opts.seed = args.seed;
    opts.servicing = parse_tiers(&args.servicing)?;
    opts.trust_fee_pct = args.trust_fee_pct;
    opts.premium_rate_pct = args.premium_rate_pct;
    opts.io_share_pct = args.io_share;
    opts.io_months = args.io_months;
    opts.iterations = args.iterations;
    let fit = fit_pool(&tables, &summary, &opts)?;
    out.write(&tranche_io::tape_write::tape_csv_bytes(&fit.loans)?)?;
    let total: f64 = fit.loans.iter().map(|l| l.balance).sum();
    println!(
        "wrote {} loans, balance {:.2}, to {}",
        fit.loans.len(),
        total,
        args.out.display()
    );
    println!("fit per table (max errors over buckets; share in percentage points; rates in percent; term and MTR in months):");
    print!("{}", fit.report);
    for line in &fit.pool_lines {
        println!("{line}");
    }
    Ok(())
}
