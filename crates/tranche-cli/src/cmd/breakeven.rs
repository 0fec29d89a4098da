//! `tranche breakeven`: the default rate at which a class first takes a loss (or reaches a
//! loss percentage, a yield or a discount margin), for each cell of speeds × severities ×
//! lags, solved by scan and bisection on full deal runs, cells in parallel.

use super::scenario::{numbers, AssumptionArgs, Mode, PricingArgs};
use super::tables_common::Loaded;
use super::{typed_table, workers};
use crate::Failure;
use std::path::PathBuf;
use tranche_core::breakeven::{
    default_base, refused, solve, BreakevenSpec, Over, Target, DEFAULT_LAG_MONTHS,
    DEFAULT_SEVERITY_PCT, DEFAULT_SPEED_PCT,
};
use tranche_core::scenario::check;
use tranche_core::waterfall::Horizon;
use tranche_io::report::credit::breakeven_table;
use tranche_io::tables_out::TableFormat;

#[derive(clap::Args)]
pub struct Args {
    /// Deal directory (holding deal.toml) or the deal file.
    pub deal: PathBuf,
    /// The classes, comma-separated (e.g. M-4 or M-1,M-2,M-3,M-4).
    #[arg(long, value_name = "CLASS,...", required = true)]
    pub class: String,
    /// What each class must reach: first-loss (its first dollar of principal loss),
    /// loss-pct=X (X% of its balance lost), yield=Y (yield at --price at or below Y%) or
    /// dm=D (DM at --price at or below D bp); comma-separated or repeated.
    #[arg(long, value_name = "TARGET", default_value = "first-loss")]
    pub target: Vec<String>,
    /// The default rate solved for: cdr, sda, or default-vector-multiple (percent of the
    /// --cdr-vector given).
    #[arg(long, value_name = "AXIS", default_value = "cdr")]
    pub over: String,
    /// Loss severities, percent, comma-separated [default: 40].
    #[arg(
        long,
        value_name = "PCT,...",
        allow_hyphen_values = true,
        conflicts_with = "severity"
    )]
    pub severities: Option<String>,
    /// Liquidation lags, months, comma-separated [default: 12].
    #[arg(
        long,
        value_name = "MONTHS,...",
        allow_hyphen_values = true,
        conflicts_with = "lag"
    )]
    pub lags: Option<String>,
    /// The scan's step before bisection, in the rate's unit [default: 1 for CDR, 100 for
    /// SDA, 10 for a vector multiple].
    #[arg(long, value_name = "STEP", allow_hyphen_values = true)]
    pub scan_step: Option<String>,
    /// Speeds (--speeds PCT,..., percent of the pricing speed; default: 100), rates,
    /// horizon (default: maturity) and price; severity and lag as --severities, --lags.
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub pricing: PricingArgs,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
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

/// Numbers after `flag`, each checked as the scenario field `field`.
fn list(flag: &str, field: &str, raw: &str) -> Result<Vec<f64>, Failure> {
    let v = numbers(flag, raw)?;
    for x in &v {
        check(field, *x).map_err(|e| under(flag, e))?;
    }
    Ok(v)
}

fn under(flag: &str, e: tranche_core::Error) -> Failure {
    match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads: needs at least 1".into()));
    }
    let a = &args.assumptions;
    let p = &args.pricing;
    let spell = |input: &str| format!("--{input}");
    for (input, flag, given) in [
        ("cdr_pct", "--cdr", a.cdr.is_some()),
        ("sda_pct", "--sda", a.sda.is_some()),
        ("dm_bps", "--dm", p.dm.is_some()),
        ("yield_pct", "--yield", p.yield_.is_some()),
        ("spread_bps", "--spread", p.spread.is_some()),
    ] {
        // None of these depends on the axis.
        if let Some(why) = given.then(|| refused(input, Over::Cdr, &spell)).flatten() {
            return Err(Failure::Input(format!("{flag}: {why}")));
        }
    }
    let over = Over::parse(&args.over).map_err(|e| under("--over", e))?;
    if let Some(why) = a
        .cdr_vector
        .as_ref()
        .and_then(|_| refused("cdr_vector", over, &spell))
    {
        return Err(Failure::Input(format!("--cdr-vector: {why}")));
    }
    let targets = args
        .target
        .iter()
        .flat_map(|t| t.split(','))
        .map(|t| Target::parse(t).map_err(|e| under("--target", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let classes: Vec<String> = args
        .class
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let step = match &args.scan_step {
        Some(raw) => match numbers("--scan-step", raw)?.as_slice() {
            [x] => Some(*x),
            _ => {
                return Err(Failure::Input(format!(
                    "--scan-step: expected one value, found `{raw}`"
                )))
            }
        },
        None => None,
    };
    // Speeds, severities and lags are the cells; everything else is one scenario.
    let (speeds, speed_flag) = match (&a.speeds, &a.speed) {
        (Some(s), _) => (list("--speeds", "speed_pct", s)?, "--speeds"),
        (None, Some(s)) => (list("--speed", "speed_pct", s)?, "--speed"),
        (None, None) if a.no_prepay() => (vec![DEFAULT_SPEED_PCT], "--speeds"),
        (None, None) => (vec![], "--speeds"),
    };
    let severities = match (&args.severities, &a.severity) {
        (Some(s), _) => list("--severities", "severity_pct", s)?,
        (None, Some(s)) => list("--severity", "severity_pct", s)?,
        (None, None) => vec![DEFAULT_SEVERITY_PCT],
    };
    let lags = match (&args.lags, &a.lag) {
        (Some(s), _) => list("--lags", "lag_months", s)?,
        (None, Some(s)) => list("--lag", "lag_months", s)?,
        (None, None) => vec![DEFAULT_LAG_MONTHS],
    };
    let mut rest = a.clone();
    (rest.speed, rest.speeds, rest.severity, rest.lag) = (None, None, None, None);
    let parsed = rest
        .parse(&args.pricing, default_base(), Mode::Single, &[])?
        .with_flag("class", "--class")
        .with_flag("target", "--target")
        .with_flag("over", "--over")
        .with_flag("step", "--scan-step")
        .with_flag("speed_pct", speed_flag);
    let spec = BreakevenSpec {
        base: parsed.scenario.clone(),
        classes,
        targets,
        over,
        speeds,
        severities,
        lags: lags.iter().map(|l| *l as u32).collect(),
        step,
    };
    let Loaded { model, mut inputs } = args.as_of.load_model(&args.deal, args.check)?;
    inputs.extend(parsed.inputs.iter().cloned());
    let empty = breakeven_table(over, &[]);
    let out = typed_table::out_file(&inputs, args.out.as_deref(), &empty, args.format)?;
    let answers = spec.classes.len() * spec.targets.len() * cells(&spec);
    let bar = workers::bar(answers, "breakevens");
    let tick = || bar.inc(1);
    let rows = workers::on_threads(args.threads, || solve(&model, &spec, &tick))?
        .map_err(|e| parsed.error(e))?;
    bar.finish_and_clear();
    let mut table = breakeven_table(over, &rows);
    table.notes.push(format!(
        "{}, {}; solved to {} by a scan in steps of {} then bisection.",
        horizon_text(spec.base.horizon),
        spec.base.quote(),
        over.tolerance(),
        step.unwrap_or(over.default_step())
    ));
    typed_table::write(&table, args.format, out.as_ref())
}

fn cells(spec: &BreakevenSpec) -> usize {
    spec.speeds.len().max(1) * spec.severities.len().max(1) * spec.lags.len().max(1)
}

fn horizon_text(h: Horizon) -> String {
    match h {
        Horizon::Call => "To the clean-up call".into(),
        Horizon::Maturity => "To maturity".into(),
        Horizon::CallOn(m) => format!("To a call in {m}"),
    }
}
