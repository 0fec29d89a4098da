//! `tranche pool-from-strats`: a loan-level tape whose stratification reproduces a term
//! sheet's strat tables and pool summary.

use crate::Failure;
use std::path::PathBuf;
use tranche_core::deal::Deal;
use tranche_io::outputs::{Input, Outputs};
use tranche_poolfit::{fit_pool, FeeTier, FitOptions, LoanKind, TierScope};

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
    /// Deal directory or deal file whose terms the tape follows: its cut-off date, its
    /// servicing fees by loan kind, its master servicing + trustee fees and its Premium
    /// Rate (a flag given as well overrides the deal's value). Only the deal file is read.
    #[arg(long)]
    pub deal: Option<PathBuf>,
    /// Cut-off date (YYYY-MM-DD): months to roll and next adjustment dates count from it.
    /// Required without --deal.
    #[arg(long)]
    pub cutoff: Option<String>,
    /// Seed of the fit (same seed, same tape).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Loan-level servicing fee tiers: `RATE_PCT:SHARE_PCT,...` (share of pool balance,
    /// e.g. `0.375:98.42,0.50:1.58`) or by loan kind, `RATE_PCT:arm,RATE_PCT:fixed`
    /// (e.g. `0.375:arm,0.25:fixed`).
    #[arg(long, default_value = "")]
    pub servicing: String,
    /// Deal-level fees included in the published NET WAC but not on the tape (master
    /// servicing, trustee), percent (default: the deal's, else 0).
    #[arg(long)]
    pub trust_fee_pct: Option<f64>,
    /// WA lender-paid MI premium over the pool, percent (default: the deal's Premium Rate,
    /// else the summary's WA rate minus its WA rate net of LPMI).
    #[arg(long)]
    pub premium_rate_pct: Option<f64>,
    /// Largest lender-paid MI premium of one loan, percent.
    #[arg(long, default_value_t = 3.0)]
    pub mi_max_pct: f64,
    /// Share of the balance made interest-only, percent: that share of each chosen
    /// product's balance (loans chosen deterministically from the seed).
    #[arg(long, default_value_t = 0.0)]
    pub io_share: f64,
    /// Interest-only period of the IO loans, months (needed when --io-share > 0).
    #[arg(long, default_value_t = 0)]
    pub io_months: u32,
    /// Products that may be interest-only, comma-separated: product labels as the
    /// product table prints them, or `arm` / `fixed` (default: every product).
    #[arg(long, default_value = "")]
    pub io_products: String,
    /// Hold each loan's coupon inside the printed MIN WAC..MAX WAC of its row in every
    /// table, not only in the coupon table (a soft constraint of the fit).
    #[arg(long)]
    pub wac_bounds: bool,
    /// Annealing moves (0 = default, scaled to the pool size).
    #[arg(long, default_value_t = 0)]
    pub iterations: usize,
}

fn parse_tiers(s: &str) -> Result<Vec<FeeTier>, Failure> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            Failure::Input(format!(
                "--servicing: expected RATE_PCT:SHARE_PCT or RATE_PCT:arm|fixed, got `{part}`"
            ))
        };
        let (r, sh) = part.split_once(':').ok_or_else(bad)?;
        let rate_pct: f64 = r.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&rate_pct) {
            return Err(bad());
        }
        let scope = match sh.trim().to_ascii_lowercase().as_str() {
            "arm" => TierScope::Kind(LoanKind::Arm),
            "fixed" => TierScope::Kind(LoanKind::Fixed),
            x => {
                let share_pct: f64 = x.parse().map_err(|_| bad())?;
                if !(0.0..=100.0).contains(&share_pct) {
                    return Err(bad());
                }
                TierScope::Share(share_pct)
            }
        };
        out.push(FeeTier { rate_pct, scope });
    }
    Ok(out)
}

/// The deal file alone (its tape is what this command writes).
fn read_deal(path: &std::path::Path) -> Result<(PathBuf, Deal), Failure> {
    let file = tranche_io::deal::deal_file(path);
    let src = std::fs::read_to_string(&file).map_err(|e| {
        Failure::Input(format!(
            "{}: cannot read the deal file: {e}",
            file.display()
        ))
    })?;
    let deal = tranche_io::deal::parse_deal(&file, &src)?;
    Ok((file, deal))
}

/// The deal's servicing fees by loan kind as tiers.
fn deal_tiers(deal: &Deal) -> Vec<FeeTier> {
    let Some(s) = &deal.collateral.servicing_fee_pct else {
        return Vec::new();
    };
    [(s.arm, LoanKind::Arm), (s.fixed, LoanKind::Fixed)]
        .into_iter()
        .filter_map(|(r, k)| {
            r.map(|rate_pct| FeeTier {
                rate_pct,
                scope: TierScope::Kind(k),
            })
        })
        .collect()
}

pub fn run(args: Args) -> Result<(), Failure> {
    let deal = args.deal.as_deref().map(read_deal).transpose()?;
    let cutoff = match (&args.cutoff, &deal) {
        (Some(c), _) => chrono::NaiveDate::parse_from_str(c.trim(), "%Y-%m-%d")
            .map_err(|_| Failure::Input(format!("--cutoff: expected YYYY-MM-DD, got `{c}`")))?,
        (None, Some((_, d))) => d.dates.cut_off,
        (None, None) => {
            return Err(Failure::Input(
                "--cutoff: give the cut-off date (YYYY-MM-DD), or --deal".into(),
            ))
        }
    };
    let tables = tranche_io::strat_csv::read_strat_dir(&args.strat_dir)?;
    let summary = tranche_io::strat_csv::read_pool_summary(&args.summary)?;
    let mut inputs = vec![
        Input::dir(&args.strat_dir, "the strat-table directory"),
        Input::file(&args.summary, "the pool summary"),
    ];
    if let Some((file, _)) = &deal {
        inputs.push(Input::file(file, "the deal file"));
    }
    let out =
        Outputs::new(&inputs).file("--out", &args.out, tranche_io::tape_write::tape_signature())?;
    let d = deal.as_ref().map(|(_, d)| d);
    let mut opts = FitOptions::new(cutoff);
    opts.seed = args.seed;
    opts.servicing = parse_tiers(&args.servicing)?;
    if opts.servicing.is_empty() {
        opts.servicing = d.map(deal_tiers).unwrap_or_default();
    }
    opts.trust_fee_pct = args.trust_fee_pct.unwrap_or_else(|| {
        d.map(|d| d.collateral.master_servicing_fee_pct + d.collateral.trustee_fee_pct)
            .unwrap_or(0.0)
    });
    opts.premium_rate_pct = args
        .premium_rate_pct
        .or_else(|| d.and_then(|d| d.collateral.premium_rate_pct));
    opts.mi_max_pct = args.mi_max_pct;
    opts.io_share_pct = args.io_share;
    opts.io_months = args.io_months;
    opts.io_products = args
        .io_products
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    opts.wac_bounds = args.wac_bounds;
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
    for note in &fit.notes {
        println!("note: {note}");
    }
    println!("fit per table (max errors over buckets; share in percentage points; rates in percent; term and MTR in months):");
    print!("{}", fit.report);
    for line in &fit.pool_lines {
        println!("{line}");
    }
    Ok(())
}
