//! `tranche report`: the deal's Computational Materials (term-sheet summary, Price/DM
//! reports, Available Funds Rate schedule, collateral summary and strats, charts) as
//! Markdown, HTML, XLSX, JSON and CSV, written into one directory atomically.

use crate::Failure;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use tranche_io::outputs::Outputs;
use tranche_io::report::{build_document, gather, output, write_report};

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml, the tape and curves.csv) or a deal file.
    pub deal: PathBuf,
    /// Output directory; replaced as a whole only when the new report is complete, and only
    /// if it is absent, empty or an earlier tranche output (docs/outputs.md).
    #[arg(long)]
    pub out: PathBuf,
    /// Price of the Price/DM tables, percent of par.
    #[arg(long, default_value_t = 100.0)]
    pub price: f64,
    /// Prepayment speeds of the Price/DM tables and charts, percent of the pricing speed.
    #[arg(long, value_delimiter = ',', default_values_t = [0.0, 80.0, 100.0, 150.0, 180.0])]
    pub speeds: Vec<f64>,
    #[command(flatten)]
    pub check: super::TapeCheck,
    #[command(flatten)]
    pub as_of: super::as_of::AsOfArgs,
}

/// A bar on stderr when it is a terminal; hidden otherwise (CI, pipes, files).
fn progress(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
    {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

pub fn run(args: Args) -> Result<(), Failure> {
    // The core's ranges and messages, told under the flags typed.
    let under = |flag: &str, e: tranche_core::Error| match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    };
    tranche_core::scenario::check("price", args.price).map_err(|e| under("--price", e))?;
    if args.speeds.is_empty() {
        return Err(Failure::Input("--speeds: needs at least one value".into()));
    }
    for s in &args.speeds {
        tranche_core::scenario::check("speed_pct", *s).map_err(|e| under("--speeds", e))?;
    }
    // Steps: load + the gather steps + build; files are added once their count is known.
    let pb = progress((2 + gather::STEPS.len()) as u64);
    pb.set_message("loading the deal");
    let (runner, spec, read, warnings) = super::report_deal::load(
        &args.deal,
        args.price,
        &args.speeds,
        args.check,
        &args.as_of,
    )?;
    pb.suspend(|| super::print_warnings(&warnings));
    // Before any work: the directory may be written (docs/outputs.md).
    let out = Outputs::new(&read).dir("--out", &args.out)?;
    pb.inc(1);
    let inputs = gather(&runner, &spec, &mut |s| {
        pb.set_message(s.to_string());
        pb.inc(1);
    })
    .map_err(|e| super::flag_io_error(e, &[("speed_pct", "--speeds")]))?;
    pb.set_message("building the report");
    let doc = build_document(&inputs);
    pb.inc(1);
    pb.inc_length(output::file_count(&doc) as u64);
    let files = write_report(&out, &doc, &mut |p| {
        pb.set_message(format!("writing {}", p.display()));
        pb.inc(1);
    })?;
    pb.finish_and_clear();
    eprintln!(
        "wrote {} files to {} (open {})",
        files.files.len(),
        args.out.display(),
        args.out.join("report.html").display()
    );
    Ok(())
}
