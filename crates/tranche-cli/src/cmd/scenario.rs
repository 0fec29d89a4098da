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
use tranche_core::scenario::{DefaultRate, Prepay, RateBase, Scenario, Speed, FIELDS};
use tranche_core::waterfall::Horizon;
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
        "index" => "--index-rate",
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

    /// Resolves the flags onto `base` (the command's defaults). In a grid, `default_axes`
    /// are crossed when the user gives no flag of the same group (e.g. speeds when no
    /// prepayment flag is given).
    pub fn parse(
        &self,
        pricing: &PricingArgs,
        mut base: Scenario,
        mode: Mode,
        default_axes: &[(&'static str, &[f64])],
    ) -> Result<Parsed, Failure> {
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut inputs = Vec::new();
        let set = |s: &mut Scenario, field: &str, flag: &str, v: f64| {
            s.set(field, v).map_err(|e| flag_message(e, flag))
        };
        // Rates: the base first, levels and shocks on top.
        if let Some(p) = &self.curves {
            inputs.push(Input::file(p, "the forward curves"));
            base.rates.base = RateBase::Curves {
                curves: tranche_io::curves::read_curves(p)?,
            };
        } else if self.deal_curves {
            base.rates.base = RateBase::DealCurves;
        }
        for lv in &self.index_rate {
            let Some((ix, pct)) = lv.split_once('=') else {
                // A level alone holds every index flat, as --libor does.
                if self.libor.is_some() || self.curves.is_some() || self.deal_curves {
                    return Err(Failure::Input(format!(
                        "--index-rate: `{lv}` holds every index flat, which --libor, --curves or --deal-curves already set; name the index (INDEX=PCT)"
                    )));
                }
                let v = numbers("--index-rate", lv)?;
                let pct = v[0];
                if v.len() != 1 {
                    return Err(Failure::Input(format!(
                        "--index-rate: expected one level, found `{lv}`"
                    )));
                }
                tranche_core::scenario::check("index_rate_pct", pct)
                    .map_err(|e| flag_message(e, "--index-rate"))?;
                base.rates.base = RateBase::Flat { pct };
                continue;
            };
            let v = numbers("--index-rate", pct)?;
            if v.len() != 1 {
                return Err(Failure::Input(format!(
                    "--index-rate: expected one level for {ix}, found `{pct}`"
                )));
            }
            tranche_core::scenario::check("index_rate_pct", v[0])
                .map_err(|e| flag_message(e, "--index-rate"))?;
            base.rates.levels.push((ix.trim().to_string(), v[0]));
        }
        // Vectors and per-type speeds.
        if let Some(s) = &self.cpr_vector {
            let v = vector("--cpr-vector", s, &mut inputs)?;
            base.prepay = Prepay::all(Speed::Vector { cpr_pct: v });
            flags.push(("cpr_vector".into(), "--cpr-vector".into()));
        }
        if let Some(s) = &self.cdr_vector {
            let v = vector("--cdr-vector", s, &mut inputs)?;
            base.defaults.rate = DefaultRate::Vector { cdr_pct: v };
            flags.push(("cdr_vector".into(), "--cdr-vector".into()));
        }
        if let Some(h) = &pricing.to {
            base.horizon = Horizon::parse(h).map_err(|e| flag_message(e, "--to"))?;
        }
        if let Some(d) = &pricing.settle {
            base.settlement = Some(settle_date(d)?);
        }
        // A shift of one index: the scenario's first shock names it; its size comes
        // from --shock-bps (or the grid's --shocks axis).
        if let Some(ix) = &self.shock_index {
            if self.shock_bps.is_none() && self.shocks.is_none() {
                return Err(Failure::Input(
                    "--shock-index: give the shift with --shock-bps".into(),
                ));
            }
            base.set("shock_bps", 0.0)
                .map_err(|e| flag_message(e, "--shock-bps"))?;
            if let Some(s) = base.rates.shocks.first_mut() {
                s.index = Some(ix.clone());
            }
            flags.push(("index".into(), "--shock-index".into()));
        }
        // Numbers: one value each, or the grid's axes.
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
                set(&mut base.clone(), n.field, n.flag, *v)?;
            }
            match mode {
                Mode::Single => set(&mut base, n.field, n.flag, values[0])?,
                Mode::Grid if values.len() == 1 && !is_axis_field(n.field, default_axes) => {
                    set(&mut base, n.field, n.flag, values[0])?
                }
                Mode::Grid => axes.push(Axis {
                    field: n.field.into(),
                    values,
                }),
            }
        }
        if !self.index_rate.is_empty() {
            flags.push(("index".into(), "--index-rate".into()));
        }
        if let Some(t) = &self.fixed_prepay {
            base.prepay.fixed = parse_speed("--fixed-prepay", t)?;
            flags.push(("fixed_prepay".into(), "--fixed-prepay".into()));
        }
        if let Some(t) = &self.arm_prepay {
            base.prepay.arm = parse_speed("--arm-prepay", t)?;
            flags.push(("arm_prepay".into(), "--arm-prepay".into()));
        }
        if mode == Mode::Grid {
            for (field, values) in default_axes {
                let group = group_of(field);
                let taken = axes.iter().any(|a| group_of(&a.field) == group)
                    || given.iter().any(|n| group_of(n.field) == group)
                    || (group == "prepay" && self.cpr_vector.is_some())
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
        let parsed = Parsed {
            scenario: base,
            axes,
            flags,
            inputs,
        };
        parsed.scenario.validate().map_err(|e| parsed.error(e))?;
        Ok(parsed)
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
        other => other,
    }
}

fn is_axis_field(field: &str, default_axes: &[(&str, &[f64])]) -> bool {
    default_axes
        .iter()
        .any(|(f, _)| group_of(f) == group_of(field))
}

/// A per-type speed: `pricing:PCT`, `cpr:PCT`, `psa:PCT`, `ramp:START,END,MONTHS`,
/// `vector:PCT,...`.
fn parse_speed(flag: &str, s: &str) -> Result<Speed, Failure> {
    let bad = || {
        Failure::Input(format!(
            "{flag}: expected pricing:PCT, cpr:PCT, psa:PCT, ramp:START,END,MONTHS or vector:PCT,..., found `{s}`"
        ))
    };
    let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
    let v = numbers(flag, rest)?;
    let one = || {
        if v.len() == 1 {
            Ok(v[0])
        } else {
            Err(bad())
        }
    };
    let speed = match kind.trim().to_ascii_lowercase().as_str() {
        "pricing" | "speed" => Speed::Pricing { pct: one()? },
        "cpr" => Speed::Cpr { pct: one()? },
        "psa" | "ppc" => Speed::Psa { pct: one()? },
        "ramp" if v.len() == 3 && v[2] >= 1.0 && v[2].fract() == 0.0 => Speed::Ramp {
            start_pct: v[0],
            end_pct: v[1],
            months: v[2] as u32,
        },
        "vector" => Speed::Vector { cpr_pct: v },
        _ => return Err(bad()),
    };
    let probe = Scenario {
        prepay: Prepay::all(speed.clone()),
        ..Scenario::default()
    };
    probe.validate().map_err(|e| flag_message(e, flag))?;
    Ok(speed)
}

/// A settlement date as typed after `--settle`.
fn settle_date(s: &str) -> Result<chrono::NaiveDate, Failure> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Failure::Input(format!("--settle: expected a date YYYY-MM-DD, found `{s}`")))
}

/// A core error's message under a flag.
fn flag_message(e: tranche_core::Error, flag: &str) -> Failure {
    match e {
        tranche_core::Error::Invalid(fe) => Failure::Input(format!("{flag}: {}", fe.message)),
        other => Failure::from(other),
    }
}
