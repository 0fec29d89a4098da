//! `tranche strats`: the pool summary and stratification tables of a deal's tape.

use crate::Failure;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use tranche_core::strats::{
    compute_all, default_tables, summarize, NetFees, StratContext, StratTableDef,
};
use tranche_core::tape::Loan;
use tranche_io::atomic::write_atomic;
use tranche_io::outputs::{Input, OutDir, Outputs};
use tranche_io::strats_out::{self, StratsReport};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Csv,
    Json,
    Xlsx,
}

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (or deal file), or a loan tape (.csv/.parquet).
    pub input: PathBuf,
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Output directory, written whole (required for csv and xlsx; md/json print to stdout
    /// without it). An existing directory is replaced only if it is empty or a tranche
    /// output (docs/outputs.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Tables file (TOML, or JSON by extension) adding tables to, or replacing, the
    /// default set; see docs/strats.md.
    #[arg(long)]
    pub tables: Option<PathBuf>,
    /// Master servicing fee, percent per annum (default: the deal file's; 0 for a tape).
    #[arg(long)]
    pub master_servicing_pct: Option<f64>,
    /// Trustee fee, percent per annum (default: the deal file's; 0 for a tape).
    #[arg(long)]
    pub trustee_pct: Option<f64>,
    /// Cut-off date YYYY-MM-DD (default: the deal file's). Without one, the next
    /// adjustment date table is left out.
    #[arg(long)]
    pub cutoff_date: Option<NaiveDate>,
    #[command(flatten)]
    pub check: super::TapeCheck,
}

struct Inputs {
    loans: Vec<Loan>,
    fees: NetFees,
    cutoff: Option<NaiveDate>,
    /// Every file read, for the output guard.
    files: Vec<Input>,
}

fn is_tape(p: &Path) -> bool {
    p.is_file()
        && p.extension().is_some_and(|e| {
            ["csv", "parquet", "pq"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
}

fn load(args: &Args) -> Result<Inputs, Failure> {
    let strict = args.check.strict;
    let (loans, fees, cutoff, files) = if is_tape(&args.input) {
        let opts = tranche_io::tape::TapeOptions {
            strict,
            ..Default::default()
        };
        let tape = tranche_io::tape::read_tape_with(&args.input, &opts)?;
        super::print_warnings(&tape.warnings);
        let files = vec![Input::file(&args.input, "the loan tape")];
        (tape.loans, NetFees::default(), None, files)
    } else {
        let d = tranche_io::deal::load_deal(&args.input, strict)?;
        super::print_warnings(&d.warnings);
        check_fees(&args.input, &d)?;
        let fees = d.deal.pool_fees();
        (d.loans, fees, Some(d.deal.dates.cut_off), d.inputs)
    };
    let pct = |flag: &str, v: Option<f64>, default: f64| -> Result<f64, Failure> {
        match v {
            None => Ok(default),
            Some(x) if x.is_finite() && (0.0..100.0).contains(&x) => Ok(x / 100.0),
            Some(x) => Err(Failure::Input(format!(
                "--{flag}: expected a percent in [0, 100), got {x}"
            ))),
        }
    };
    let fees = NetFees {
        master_servicing: pct(
            "master-servicing-pct",
            args.master_servicing_pct,
            fees.master_servicing,
        )?,
        trustee: pct("trustee-pct", args.trustee_pct, fees.trustee)?,
    };
    if loans.is_empty() {
        return Err(Failure::Input(format!(
            "{}: the tape holds no loans",
            args.input.display()
        )));
    }
    Ok(Inputs {
        loans,
        fees,
        cutoff: args.cutoff_date.or(cutoff),
        files,
    })
}

/// The tape's servicing fees and MI premiums against the deal's stated rules: strats of a
/// tape that contradicts its deal would describe another pool.
fn check_fees(input: &Path, d: &tranche_io::deal::LoadedDeal) -> Result<(), Failure> {
    let errs = d.deal.validate_against_loans(&d.loans);
    if errs.is_empty() {
        return Ok(());
    }
    let file = tranche_io::deal::deal_file(input);
    let lines: Vec<String> = errs
        .iter()
        .map(|e| {
            format!(
                "{}: field `{}`: {}",
                file.display(),
                e.location.field.as_deref().unwrap_or(""),
                e.message
            )
        })
        .collect();
    Err(Failure::Input(lines.join("\n")))
}

fn table_set(args: &Args, cutoff: Option<NaiveDate>) -> Result<Vec<StratTableDef>, Failure> {
    let defs = match &args.tables {
        Some(p) => strats_out::read_tables_file(p)?,
        None => default_tables(),
    };
    if cutoff.is_some() {
        return Ok(defs);
    }
    let (keep, drop): (Vec<_>, Vec<_>) = defs.into_iter().partition(|d| !d.key.needs_cutoff());
    for d in drop {
        eprintln!(
            "note: table `{}` left out: it needs the cut-off date (--cutoff-date or a deal file)",
            d.title
        );
    }
    Ok(keep)
}

const NEED_OUT: &str = "--format csv and --format xlsx write files: give --out DIR";

pub fn run(args: Args) -> Result<(), Failure> {
    if matches!(args.format, Format::Csv | Format::Xlsx) && args.out.is_none() {
        return Err(Failure::Input(NEED_OUT.into()));
    }
    let mut inp = load(&args)?;
    if let Some(p) = &args.tables {
        inp.files.push(Input::file(p, "the tables file"));
    }
    let out = match &args.out {
        Some(p) => Some(Outputs::new(&inp.files).dir("--out", p)?),
        None => None,
    };
    let defs = table_set(&args, inp.cutoff)?;
    let ctx = StratContext {
        fees: inp.fees,
        cutoff: inp.cutoff,
    };
    let report = StratsReport {
        summary: summarize(&inp.loans, &ctx)?,
        tables: compute_all(&defs, &inp.loans, &ctx)?,
        master_servicing_pct: ctx.fees.master_servicing * 100.0,
        trustee_pct: ctx.fees.trustee * 100.0,
        cutoff_date: ctx.cutoff,
    };
    let text_out = |name: &str, text: String| -> Result<(), Failure> {
        match &out {
            Some(dir) => dir
                .write(|tmp| write_atomic(&tmp.join(name), text.as_bytes()))
                .map_err(Failure::from),
            None => {
                print!("{text}");
                Ok(())
            }
        }
    };
    match (args.format, &out) {
        (Format::Md, _) => text_out("strats.md", strats_out::report_markdown(&report)),
        (Format::Json, _) => {
            let v = strats_out::report_json(&report);
            let text = serde_json::to_string_pretty(&v)
                .map_err(|e| Failure::Internal(format!("JSON: {e}")))?;
            text_out("strats.json", text + "\n")
        }
        (Format::Csv, Some(dir)) => {
            Ok(dir.write(|tmp| strats_out::write_csv_dir(tmp, &report).map(|_| ()))?)
        }
        (Format::Xlsx, Some(dir)) => write_xlsx(dir, &report),
        (Format::Csv | Format::Xlsx, None) => Err(Failure::Input(NEED_OUT.into())),
    }
}

#[cfg(feature = "xlsx")]
fn write_xlsx(dir: &OutDir, report: &StratsReport) -> Result<(), Failure> {
    Ok(dir.write(|tmp| strats_out::write_xlsx(&tmp.join("strats.xlsx"), report))?)
}

#[cfg(not(feature = "xlsx"))]
fn write_xlsx(_dir: &OutDir, _report: &StratsReport) -> Result<(), Failure> {
    Err(Failure::Input(
        "--format xlsx: this build of tranche has no XLSX support (cargo feature `xlsx`)".into(),
    ))
}
