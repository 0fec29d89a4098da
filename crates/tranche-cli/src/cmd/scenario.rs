//! The scenario flags every deal command shares, mapped onto the core's one scenario type
//! ([`tranche_core::scenario::Scenario`]). Ranges and messages are the core's; this module
//! only parses the command line and names the flag the user typed in every error.
//!
//! Every numeric flag takes a comma list. A command that runs one scenario (`run`,
//! `collateral`, `afr`) takes one value per flag; `grid` crosses the lists (every flag
//! given becomes an axis); `price-table` and `report` take their columns from `--speeds`.

use crate::Failure;
use std::path::{Path, PathBuf};
use tranche_core::grid::Axis;
use tranche_core::scenario::{Scenario, ScenarioInputs, Spelling, FIELDS};
use tranche_io::outputs::Input;

/// Prepayment, defaults and rates.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AssumptionArgs {
    /// Prepayment speed, percent of the deal's pricing curves [default: 100].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Prepayment"
    )]
    pub speed: Option<String>,
    /// Speeds, percent of the deal's pricing curves, comma-separated.
    #[arg(
        long,
        value_name = "PCT,...",
        allow_hyphen_values = true,
        conflicts_with = "speed",
        help_heading = "Prepayment"
    )]
    pub speeds: Option<String>,
    /// Constant prepayment rate for every loan, percent CPR.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true, conflicts_with_all = ["speed", "speeds"], help_heading = "Prepayment")]
    pub cpr: Option<String>,
    /// PSA prepayment speed for every loan, percent.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true, conflicts_with_all = ["speed", "speeds", "cpr"], help_heading = "Prepayment")]
    pub psa: Option<String>,
    /// CPR by period for every loan (percent): a comma list, or a CSV file `period,value`.
    #[arg(long, value_name = "LIST|FILE", allow_hyphen_values = true, conflicts_with_all = ["speed", "speeds", "cpr", "psa"], help_heading = "Prepayment")]
    pub cpr_vector: Option<String>,
    /// Speed of the fixed-rate loans only, overriding the above: `pricing:PCT`, `cpr:PCT`,
    /// `psa:PCT`, `ramp:START,END,MONTHS` or `vector:PCT,PCT,...`.
    #[arg(long, value_name = "SPEC", help_heading = "Prepayment")]
    pub fixed_prepay: Option<String>,
    /// Speed of the adjustable-rate loans only (same forms as --fixed-prepay).
    #[arg(long, value_name = "SPEC", help_heading = "Prepayment")]
    pub arm_prepay: Option<String>,

    /// Constant annual default rate, percent CDR [default: 0].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Defaults"
    )]
    pub cdr: Option<String>,
    /// SDA default speed, percent.
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        conflicts_with = "cdr",
        help_heading = "Defaults"
    )]
    pub sda: Option<String>,
    /// CDR by period (percent): a comma list, or a CSV file `period,value`.
    #[arg(long, value_name = "LIST|FILE", allow_hyphen_values = true, conflicts_with_all = ["cdr", "sda"], help_heading = "Defaults")]
    pub cdr_vector: Option<String>,
    /// Loss severity, percent of the defaulted balance [default: 0].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Defaults"
    )]
    pub severity: Option<String>,
    /// Months from default to liquidation [default: 0].
    #[arg(
        long,
        value_name = "MONTHS",
        allow_hyphen_values = true,
        help_heading = "Defaults"
    )]
    pub lag: Option<String>,
    /// Balance 60 days or more delinquent (foreclosure and REO included) that delinquency
    /// triggers measure, percent of the pool balance [default: the defaults awaiting
    /// liquidation].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Defaults"
    )]
    pub dlq: Option<String>,
    /// 60+ day delinquency by period (percent of the pool balance): a comma list, or a CSV
    /// file `period,value`.
    #[arg(
        long,
        value_name = "LIST|FILE",
        allow_hyphen_values = true,
        conflicts_with = "dlq",
        help_heading = "Defaults"
    )]
    pub dlq_vector: Option<String>,

    /// Every index flat at this level, percent [default: the deal's pricing rates].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Rates"
    )]
    pub libor: Option<String>,
    /// Forward curves file (`period,LIBOR1M,...`, percent).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "libor",
        help_heading = "Rates"
    )]
    pub curves: Option<PathBuf>,
    /// The deal's own forward curves (its directory's curves.csv).
    #[arg(long, conflicts_with_all = ["libor", "curves"], help_heading = "Rates")]
    pub deal_curves: bool,
    /// One index held flat, `INDEX=PCT` (e.g. `LIBOR6M=1.25`; repeatable), or `PCT` alone:
    /// every index flat, as --libor.
    #[arg(
        long,
        value_name = "INDEX=PCT",
        allow_hyphen_values = true,
        help_heading = "Rates"
    )]
    pub index_rate: Vec<String>,
    /// Parallel shift of the index paths, basis points.
    #[arg(
        long,
        value_name = "BPS",
        allow_hyphen_values = true,
        help_heading = "Rates"
    )]
    pub shock_bps: Option<String>,
    /// Shifts, basis points, comma-separated (the grid's axis).
    #[arg(
        long,
        value_name = "BPS,...",
        allow_hyphen_values = true,
        conflicts_with = "shock_bps",
        help_heading = "Rates"
    )]
    pub shocks: Option<String>,
    /// First period the shift applies to [default: 1].
    #[arg(
        long,
        value_name = "PERIOD",
        allow_hyphen_values = true,
        help_heading = "Rates"
    )]
    pub shock_from: Option<String>,
    /// Shift this index only [default: every index].
    #[arg(long, value_name = "INDEX", help_heading = "Rates")]
    pub shock_index: Option<String>,
}

/// Horizon and price.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PricingArgs {
    /// `call` (the deal's clean-up call), `maturity`, or `call:YYYY-MM` (the call exercised
    /// in that month).
    #[arg(long, value_name = "HORIZON", help_heading = "Pricing")]
    pub to: Option<String>,
    /// Clean price for the analytics, percent of the balance at settlement [default: 100].
    #[arg(
        long,
        value_name = "PCT",
        allow_hyphen_values = true,
        help_heading = "Pricing"
    )]
    pub price: Option<String>,
    /// Price every bond at this discount margin (basis points over the run's own index
    /// path) instead of a price; the price and the rest are solved from it.
    #[arg(
        long,
        value_name = "BPS",
        allow_hyphen_values = true,
        conflicts_with = "price",
        help_heading = "Pricing"
    )]
    pub dm: Option<String>,
    /// Price every bond at this bond-equivalent yield (percent) instead of a price.
    #[arg(long = "yield", value_name = "PCT", allow_hyphen_values = true, conflicts_with_all = ["price", "dm"], help_heading = "Pricing")]
    pub yield_: Option<String>,
    /// Price every bond at this spread (basis points) to the forward curve of the deal's
    /// pricing index (its curves.csv, or --curves) instead of a price.
    #[arg(long, value_name = "BPS", allow_hyphen_values = true, conflicts_with_all = ["price", "dm", "yield_"], help_heading = "Pricing")]
    pub spread: Option<String>,
    /// Settlement date of the analytics, YYYY-MM-DD, on or after the deal's closing date
    /// [default: the deal's settlement date, flat]; the price is then on the balance
    /// outstanding (the factor) and accrued interest is added.
    #[arg(long, value_name = "DATE", help_heading = "Pricing")]
    pub settle: Option<String>,
}

/// How a command uses the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One scenario: every flag takes one value.
    Single,
    /// A grid: every numeric flag given is an axis.
    Grid,
}

/// The flags resolved: the base scenario, the grid's axes (grids only), the flag each
/// field was given with (for messages) and the files read.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub scenario: Scenario,
    pub axes: Vec<Axis>,
    flags: Vec<(String, String)>,
    pub inputs: Vec<Input>,
}

impl Parsed {
    /// An engine error about a scenario field told as an error about the flag the user
    /// typed for it (or the command's own flag for that field).
    pub fn error(&self, e: tranche_core::Error) -> Failure {
        let name = match &e {
            tranche_core::Error::Invalid(fe) => fe.location.field.clone(),
            _ => None,
        };
        if let (Some(field), tranche_core::Error::Invalid(fe)) = (name, &e) {
            if let Some(flag) = self.flag(&field) {
                return Failure::Input(format!("{flag}: {}", fe.message));
            }
        }
        Failure::from(e)
    }

    /// The flag a field was given with, or the flag that sets it.
    pub fn flag(&self, field: &str) -> Option<String> {
        self.flags
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, flag)| flag.clone())
            .or_else(|| default_flag(field).map(String::from))
    }

    /// Adds the command's own spelling for a field (e.g. `max_cells` → `--max-cells`).
    pub fn with_flag(mut self, field: &str, flag: &str) -> Self {
        self.flags.push((field.into(), flag.into()));
        self
    }
}

/// The flag that sets a field when the user typed none of its spellings.
fn default_flag(field: &str) -> Option<&'static str> {
    Some(match field {
        "speed_pct" => "--speed",
        "cpr_pct" => "--cpr",
        "psa_pct" => "--psa",
        "cpr_vector" => "--cpr-vector",
        "cdr_pct" => "--cdr",
        "sda_pct" => "--sda",
        "cdr_vector" => "--cdr-vector",
        "dlq_pct" => "--dlq",
        "dlq_vector" => "--dlq-vector",
        "severity_pct" => "--severity",
        "lag_months" => "--lag",
        "index_rate_pct" => "--libor",
        "shock_bps" => "--shock-bps",
        "shock_from" => "--shock-from",
        "price" => "--price",
        "dm_bps" => "--dm",
        "yield_pct" => "--yield",
        "spread_bps" => "--spread",
        "settlement" => "--settle",
        "horizon" | "call_date" => "--to",
        "curves" => "--curves",
        "rates" => "--deal-curves",
        "index" => "--index-rate",
        "index_levels" => "--index-rate",
        "shock_index" => "--shock-index",
        "fixed_prepay" => "--fixed-prepay",
        "arm_prepay" => "--arm-prepay",
        "max_periods" => "--max-periods",
        "first_period_fraction" => "--first-period-fraction",
        _ => return None,
    })
}

/// A comma list of numbers as typed after `flag`.
pub fn numbers(flag: &str, s: &str) -> Result<Vec<f64>, Failure> {
    let v: Vec<&str> = s.split(',').map(str::trim).collect();
    if v.iter().all(|x| x.is_empty()) {
        return Err(Failure::Input(format!("{flag}: needs at least one value")));
    }
    let what = if v.len() == 1 {
        "a number"
    } else {
        "numbers separated by commas"
    };
    v.iter()
        .map(|x| {
            x.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Failure::Input(format!("{flag}: expected {what}, found `{x}`")))
        })
        .collect()
}

/// One level as typed after `flag` (`of` says whose, e.g. ` for LIBOR6M`).
fn one(flag: &str, s: &str, of: &str) -> Result<f64, Failure> {
    match numbers(flag, s)?[..] {
        [v] => Ok(v),
        _ => Err(Failure::Input(format!(
            "{flag}: expected one level{of}, found `{s}`"
        ))),
    }
}

/// A vector given inline (`5,10,15`) or as a file of `period,value` rows.
fn vector(flag: &str, s: &str, inputs: &mut Vec<Input>) -> Result<Vec<f64>, Failure> {
    let looks_numeric = s
        .split(',')
        .all(|x| x.trim().parse::<f64>().is_ok() || x.trim().is_empty());
    if looks_numeric {
        return numbers(flag, s);
    }
    let p = Path::new(s);
    if !p.is_file() {
        return Err(Failure::Input(format!(
            "{flag}: `{s}` is neither a comma list of numbers nor a file of period,value rows"
        )));
    }
    inputs.push(Input::file(p, "a vector file"));
    Ok(tranche_io::curves::read_vector(p)?)
}

/// The field a numeric flag sets, with the flag's name.
struct Numeric<'a> {
    field: &'static str,
    flag: &'static str,
    raw: &'a str,
}

impl AssumptionArgs {
    /// The numeric flags given, in the order grids cross them.
    fn numerics<'a>(&'a self, p: &'a PricingArgs) -> Vec<Numeric<'a>> {
        [
            ("speed_pct", "--speed", &self.speed),
            ("speed_pct", "--speeds", &self.speeds),
            ("cpr_pct", "--cpr", &self.cpr),
            ("psa_pct", "--psa", &self.psa),
            ("cdr_pct", "--cdr", &self.cdr),
            ("sda_pct", "--sda", &self.sda),
            ("severity_pct", "--severity", &self.severity),
            ("lag_months", "--lag", &self.lag),
            ("dlq_pct", "--dlq", &self.dlq),
            ("index_rate_pct", "--libor", &self.libor),
            ("shock_bps", "--shock-bps", &self.shock_bps),
            ("shock_bps", "--shocks", &self.shocks),
            ("shock_from", "--shock-from", &self.shock_from),
            ("price", "--price", &p.price),
            ("dm_bps", "--dm", &p.dm),
            ("yield_pct", "--yield", &p.yield_),
            ("spread_bps", "--spread", &p.spread),
        ]
        .into_iter()
        .filter_map(|(field, flag, raw)| raw.as_deref().map(|raw| Numeric { field, flag, raw }))
        .collect()
    }

    /// Resolves the flags onto `base` (the command's defaults) through the core's named
    /// inputs ([`ScenarioInputs`]), as every front end does. In a grid, `default_axes`
    /// are crossed when the user gives no flag of the same group (e.g. speeds when no
    /// prepayment flag is given).
    pub fn parse(
        &self,
        pricing: &PricingArgs,
        base: Scenario,
        mode: Mode,
        default_axes: &[(&'static str, &[f64])],
    ) -> Result<Parsed, Failure> {
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut inputs = Vec::new();
        let mut named = ScenarioInputs {
            horizon: pricing.to.clone(),
            settlement: pricing.settle.clone(),
            shock_index: self.shock_index.clone(),
            fixed_prepay: self.fixed_prepay.clone(),
            arm_prepay: self.arm_prepay.clone(),
            ..Default::default()
        };
        if let Some(p) = &self.curves {
            inputs.push(Input::file(p, "the forward curves"));
            named.curves = Some(tranche_io::curves::read_curves(p)?);
        } else if self.deal_curves {
            named.rates = Some("deal_curves".into());
        }
        for lv in &self.index_rate {
            let Some((ix, pct)) = lv.split_once('=') else {
                // A level alone holds every index flat, as --libor does.
                if self.libor.is_some() || self.curves.is_some() || self.deal_curves {
                    return Err(Failure::Input(format!(
                        "--index-rate: `{lv}` holds every index flat, which --libor, --curves or --deal-curves already set; name the index (INDEX=PCT)"
                    )));
                }
                named
                    .numbers
                    .push(("index_rate_pct", one("--index-rate", lv, "")?));
                flags.push(("index_rate_pct".into(), "--index-rate".into()));
                continue;
            };
            let v = one("--index-rate", pct, &format!(" for {ix}"))?;
            named.index_levels.push((ix.trim().to_string(), v));
        }
        // Run-time errors about an index name the flag that named it.
        if self.shock_index.is_some() {
            flags.push(("index".into(), "--shock-index".into()));
        }
        if !self.index_rate.is_empty() {
            flags.push(("index_levels".into(), "--index-rate".into()));
            flags.push(("index".into(), "--index-rate".into()));
        }
        if let Some(s) = &self.cpr_vector {
            named.cpr_vector = Some(vector("--cpr-vector", s, &mut inputs)?);
        }
        if let Some(s) = &self.cdr_vector {
            named.cdr_vector = Some(vector("--cdr-vector", s, &mut inputs)?);
        }
        if let Some(s) = &self.dlq_vector {
            named.dlq_vector = Some(vector("--dlq-vector", s, &mut inputs)?);
        }
        if self.shock_index.is_some() && self.shock_bps.is_none() && self.shocks.is_none() {
            return Err(Failure::Input(
                "--shock-index: give the shift with --shock-bps".into(),
            ));
        }
        // Numbers: one value each, or the grid's axes (whose first value the base holds,
        // so the base alone is a valid scenario).
        let given = self.numerics(pricing);
        let mut axes = Vec::new();
        for n in &given {
            flags.push((n.field.into(), n.flag.into()));
            let values = numbers(n.flag, n.raw)?;
            if mode == Mode::Single && values.len() > 1 {
                return Err(Failure::Input(format!(
                    "{}: this command runs one scenario and takes one value; `tranche grid` crosses several",
                    n.flag
                )));
            }
            // Check every value now, so a bad one is told before any run.
            for v in &values {
                tranche_core::scenario::check(n.field, *v).map_err(|e| flag_message(e, n.flag))?;
            }
            named.numbers.push((n.field, values[0]));
            let axis =
                mode == Mode::Grid && (values.len() > 1 || is_axis_field(n.field, default_axes));
            if axis {
                axes.push(Axis {
                    field: n.field.into(),
                    values,
                });
            }
        }
        let spell = |field: &str| {
            flags
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, flag)| flag.clone())
                .or_else(|| default_flag(field).map(String::from))
                .unwrap_or_else(|| field.to_string())
        };
        let names = Spelling {
            prefix: String::new(),
            name: &spell,
        };
        let scenario = named
            .apply(base, &names)
            .map_err(|e| Failure::Input(e.message))?;
        if mode == Mode::Grid {
            for (field, values) in default_axes {
                let group = group_of(field);
                let taken = axes.iter().any(|a| group_of(&a.field) == group)
                    || given.iter().any(|n| group_of(n.field) == group)
                    || (group == "prepay" && !self.no_prepay())
                    || (group == "default" && self.cdr_vector.is_some());
                if !taken {
                    axes.push(Axis {
                        field: (*field).into(),
                        values: values.to_vec(),
                    });
                }
            }
            // Axes in the order of the core's field table.
            axes.sort_by_key(|a| FIELDS.iter().position(|f| f.name == a.field));
        }
        Ok(Parsed {
            scenario,
            axes,
            flags,
            inputs,
        })
    }

    /// True when no prepayment flag is given.
    pub fn no_prepay(&self) -> bool {
        self.speed.is_none()
            && self.speeds.is_none()
            && self.cpr.is_none()
            && self.psa.is_none()
            && self.cpr_vector.is_none()
            && self.fixed_prepay.is_none()
            && self.arm_prepay.is_none()
    }
}

/// Fields that set the same thing belong to one group: a flag of the group replaces the
/// command's default axis.
fn group_of(field: &str) -> &str {
    match field {
        "speed_pct" | "cpr_pct" | "psa_pct" | "cpr_vector" => "prepay",
        "cdr_pct" | "sda_pct" | "cdr_vector" => "default",
        "dlq_pct" | "dlq_vector" => "delinquency",
        other => other,
    }
}

fn is_axis_field(field: &str, default_axes: &[(&str, &[f64])]) -> bool {
    default_axes
        .iter()
        .any(|(f, _)| group_of(f) == group_of(field))
}

/// A core error's message under a flag.
fn flag_message(e: tranche_core::Error, flag: &str) -> Failure {
    match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    }
}
