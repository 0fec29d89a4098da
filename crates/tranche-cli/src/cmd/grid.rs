//! `tranche grid`: a scenario grid, the cross product of every list given (speeds × CDR ×
//! severity × rate shocks by default), run in parallel, with a progress bar on a terminal;
//! with `--loss-yield`, as the loss and yield table.

use super::scenario::{AssumptionArgs, Mode, PricingArgs};
use super::tables_common::{emit, out_file, Loaded};
use super::{typed_table, workers};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::grid::{run_grid, GridSpec, DEFAULT_MAX_CELLS};
use tranche_core::scenario::Scenario;
use tranche_core::waterfall::Horizon;
use tranche_io::report::credit::loss_yield_table;
use tranche_io::tables_out::{self, TableFormat, TableKind};

/// The axes crossed when no flag of their kind is given.
const DEFAULT_AXES: [(&str, &[f64]); 4] = [
    ("speed_pct", &[50.0, 100.0, 150.0]),
    ("cdr_pct", &[0.0, 2.0, 5.0, 10.0]),
    ("severity_pct", &[30.0, 50.0]),
    ("shock_bps", &[0.0]),
];

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// Every scenario flag takes a comma list, and every list is an axis of the grid:
    /// --speeds [50,100,150], --cdr [0,2,5,10], --severity [30,50], --shocks [0] by
    /// default; --lag defaults to 12 months and --to to maturity.
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub pricing: PricingArgs,
    /// Run to the clean-up call (the same as --to call).
    #[arg(long, conflicts_with = "to")]
    pub to_call: bool,
    /// Most cells the grid may have.
    #[arg(long, default_value_t = DEFAULT_MAX_CELLS)]
    pub max_cells: usize,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the loss and yield table instead: per cell and class, the cumulative pool
    /// loss, price, yield, DM, WAL, principal loss and first loss month (the table of the
    /// report's credit section).
    #[arg(long)]
    pub loss_yield: bool,
    /// csv, json or md.
    #[arg(long, default_value = "csv")]
    pub format: TableFormat,
    /// Write to this file (atomically) instead of standard output; an existing file is
    /// replaced only if it is an earlier output of this command (docs/outputs.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub check: super::TapeCheck,
    #[command(flatten)]
    pub as_of: super::as_of::AsOfArgs,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads: needs at least 1".into()));
    }
    let mut base = Scenario {
        horizon: if args.to_call {
            Horizon::Call
        } else {
            Horizon::Maturity
        },
        ..Scenario::default()
    };
    base.defaults.lag_months = 12;
    let parsed = args
        .assumptions
        .parse(&args.pricing, base, Mode::Grid, &DEFAULT_AXES)?
        .with_flag("max_cells", "--max-cells");
    let spec = GridSpec {
        base: parsed.scenario.clone(),
        axes: parsed.axes.clone(),
        max_cells: args.max_cells,
    };
    // Refuse an oversized grid before loading the deal.
    spec.scenarios().map_err(|e| parsed.error(e))?;
    let Loaded { model, mut inputs } = args.as_of.load_model(&args.deal, args.check)?;
    inputs.extend(parsed.inputs.iter().cloned());
    let axes: Vec<String> = spec.axes.iter().map(|a| a.field.clone()).collect();
    let out = if args.loss_yield {
        let empty = loss_yield_table(&axes, &[], None);
        typed_table::out_file(&inputs, args.out.as_deref(), &empty, args.format)?
    } else {
        out_file(
            &inputs,
            args.out.as_deref(),
            TableKind::Grid(&axes),
            args.format,
        )?
    };
    let bar = workers::bar(spec.len(), "scenarios");
    let tick = || bar.inc(1);
    let cells = workers::on_threads(args.threads, || run_grid(&model, &spec, &tick))?
        .map_err(|e| parsed.error(e))?;
    bar.finish_and_clear();
    if args.loss_yield {
        let t = loss_yield_table(&axes, &cells, None);
        return typed_table::write(&t, args.format, out.as_ref());
    }
    emit(&tables_out::grid(&axes, &cells, args.format), out.as_ref())
}
