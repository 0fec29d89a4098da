//! Credit sensitivity: the breakeven table, the loss and yield table and the loss chart,
//! as report tables. `tranche breakeven`, `tranche grid --loss-yield` and the report's
//! "Credit Sensitivity" section all print these same tables.

use crate::render::{Cell, LineChart, Section, Series, Table};
use crate::IoError;
use tranche_core::breakeven::{solve, Breakeven, BreakevenSpec, Over, Target};
use tranche_core::grid::{run_grid, Axis, GridCell, GridSpec, DEFAULT_MAX_CELLS};
use tranche_core::runner::DealModel;
use tranche_core::scenario::Scenario;
use tranche_core::waterfall::Horizon;

/// What the report's credit section runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditSpec {
    /// The classes that take losses, in deal order.
    pub classes: Vec<String>,
    /// Percent of the pricing speed: the pricing speed and either side of it.
    pub speeds: Vec<f64>,
    /// Severity and lag of the breakevens.
    pub severity_pct: f64,
    pub lag_months: u32,
    pub horizon: Horizon,
    /// The loss and yield table's default rates (percent CDR) and severities.
    pub loss_cdrs: Vec<f64>,
    pub loss_severities: Vec<f64>,
}

impl CreditSpec {
    /// The section as the report prints it: 50/100/150% of the pricing speed; first-loss
    /// breakevens at 40% severity and a 12-month lag; the loss and yield table at 0–10%
    /// CDR and 30% and 50% severity; to maturity.
    pub fn standard(classes: Vec<String>) -> Self {
        CreditSpec {
            classes,
            speeds: vec![50.0, 100.0, 150.0],
            severity_pct: 40.0,
            lag_months: 12,
            horizon: Horizon::Maturity,
            loss_cdrs: vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0],
            loss_severities: vec![30.0, 50.0],
        }
    }
}

/// The section's figures.
#[derive(Debug, Clone, Default)]
pub struct CreditInputs {
    pub breakevens: Vec<Breakeven>,
    /// The loss and yield grid: its axes (scenario field names) and cells.
    pub axes: Vec<String>,
    pub cells: Vec<GridCell>,
    pub classes: Vec<String>,
    pub notes: Vec<String>,
}

/// Runs the breakevens and the loss and yield grid of `spec` over `base` (rates and
/// price).
pub fn gather_credit(
    model: &DealModel,
    base: &Scenario,
    spec: &CreditSpec,
) -> Result<CreditInputs, IoError> {
    let mut b = base.clone();
    b.horizon = spec.horizon;
    b.set("severity_pct", spec.severity_pct)?;
    b.set("lag_months", f64::from(spec.lag_months))?;
    let be = BreakevenSpec {
        base: b.clone(),
        classes: spec.classes.clone(),
        targets: vec![Target::FirstLoss],
        over: Over::Cdr,
        speeds: spec.speeds.clone(),
        severities: vec![],
        lags: vec![],
        step: None,
    };
    let breakevens = solve(model, &be, &|| {})?;
    let axis = |f: &str, v: &[f64]| Axis {
        field: f.into(),
        values: v.to_vec(),
    };
    let grid = GridSpec {
        base: b,
        axes: vec![
            axis("speed_pct", &spec.speeds),
            axis("cdr_pct", &spec.loss_cdrs),
            axis("severity_pct", &spec.loss_severities),
        ],
        max_cells: DEFAULT_MAX_CELLS,
    };
    let cells = run_grid(model, &grid, &|| {})?;
    let horizon = match spec.horizon {
        Horizon::Call => "to the clean-up call".to_string(),
        Horizon::Maturity => "to maturity".to_string(),
        Horizon::CallOn(m) => format!("to a call in {m}"),
    };
    Ok(CreditInputs {
        breakevens,
        axes: grid.axes.iter().map(|a| a.field.clone()).collect(),
        cells,
        classes: spec.classes.clone(),
        notes: vec![
            format!(
                "Breakevens: the lowest CDR (to 0.01%) at which each class takes its first dollar of principal loss, \
at {}% severity with a {}-month liquidation lag, {horizon}; the cumulative pool loss is at that CDR.",
                spec.severity_pct, spec.lag_months
            ),
            format!(
                "Loss and yield tables: {horizon}, {}-month lag; yield, DM and WAL at the report's price.",
                spec.lag_months
            ),
        ],
    })
}

fn breakeven_header(over: Over) -> &'static str {
    match over {
        Over::Cdr => "Breakeven CDR (%)",
        Over::Sda => "Breakeven SDA (%)",
        Over::DefaultVectorMultiple => "Breakeven (% of the CDR vector)",
    }
}

/// One row per class, target and cell: the breakeven default rate (over `over`), the
/// cumulative pool loss and the class's loss there.
pub fn breakeven_table(over: Over, rows: &[Breakeven]) -> Table {
    let mut t = Table::new(
        "Breakevens",
        &[
            "Class",
            "Target",
            "Speed (% of pricing)",
            "Severity (%)",
            "Lag (months)",
            breakeven_header(over),
            "Cumulative Pool Loss (%)",
            "Class Principal Loss (%)",
            "Note",
        ],
    )
    .with_id("breakevens");
    let dp = if over == Over::Cdr { 2 } else { 1 };
    for r in rows {
        t.push(vec![
            Cell::text(&r.class),
            Cell::text(r.target.name()),
            Cell::opt_decimal(r.speed_pct, 0),
            Cell::decimal(r.severity_pct, 0),
            Cell::Int(i64::from(r.lag_months)),
            Cell::opt_decimal(r.rate, dp),
            Cell::opt_decimal(r.pool_loss_pct, 2),
            Cell::opt_decimal(r.class_loss_pct, 4),
            Cell::text(r.note()),
        ]);
    }
    t
}

/// A column header for a grid axis.
fn axis_label(field: &str) -> String {
    match field {
        "speed_pct" => "Speed (% of pricing)",
        "cpr_pct" => "CPR (%)",
        "psa_pct" => "PSA (%)",
        "cdr_pct" => "CDR (%)",
        "sda_pct" => "SDA (%)",
        "severity_pct" => "Severity (%)",
        "lag_months" => "Lag (months)",
        "index_rate_pct" => "Index (%)",
        "shock_bps" => "Shock (bp)",
        "shock_from" => "Shock From (period)",
        "price" => "Quoted Price",
        "dm_bps" => "Quoted DM (bps)",
        "yield_pct" => "Quoted Yield (%)",
        "spread_bps" => "Quoted Spread (bps)",
        other => other,
    }
    .to_string()
}

/// The loss and yield table of grid cells: per cell and class, the cumulative pool loss,
/// price, yield, DM, WAL, principal loss and first loss month. With `class`, that class
/// alone (and no class column).
pub fn loss_yield_table(axes: &[String], cells: &[GridCell], class: Option<&str>) -> Table {
    let mut cols: Vec<String> = axes.iter().map(|a| axis_label(a)).collect();
    if class.is_none() {
        cols.push("Class".into());
    }
    cols.extend(
        [
            "Cumulative Pool Loss (%)",
            "Price",
            "Yield (%)",
            "DM (bps)",
            "WAL (yrs)",
            "Principal Loss (%)",
            "First Loss",
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let (title, id) = match class {
        Some(c) => (
            format!("Class {c}: Loss and Yield"),
            format!("loss-yield-{c}"),
        ),
        None => ("Loss and Yield".to_string(), "loss-yield".to_string()),
    };
    let mut t = Table::new(title, &refs).with_id(&id);
    for c in cells {
        for b in &c.summary.bonds {
            if class.is_some_and(|k| k != b.bond) {
                continue;
            }
            let mut row: Vec<Cell> = c.point.iter().map(|v| Cell::decimal(*v, dp(*v))).collect();
            if class.is_none() {
                row.push(Cell::text(&b.bond));
            }
            row.extend([
                Cell::decimal(c.summary.pool_loss_pct, 2),
                Cell::opt_decimal(b.price, 3),
                Cell::opt_decimal(b.yield_pct, 3),
                Cell::opt_decimal(b.dm_bps, 1),
                Cell::opt_decimal(b.wal_years, 2),
                Cell::decimal(b.principal_loss_pct, 2),
                b.first_loss_date.map_or(Cell::Empty, Cell::Month),
            ]);
            t.push(row);
        }
    }
    t
}

/// Decimals enough for an axis value as typed (`2.5` → 1, `100` → 0).
fn dp(v: f64) -> u8 {
    (0..4u8)
        .find(|d| {
            let s = 10f64.powi(i32::from(*d));
            ((v * s).round() - v * s).abs() < 1e-9
        })
        .unwrap_or(4)
}

/// Each class's principal loss by CDR at one speed and severity of the grid.
pub fn loss_chart(inp: &CreditInputs, speed: f64, severity: f64) -> LineChart {
    let pos = |f: &str| inp.axes.iter().position(|a| a == f);
    let (Some(sp), Some(cdr), Some(sev)) = (pos("speed_pct"), pos("cdr_pct"), pos("severity_pct"))
    else {
        return LineChart::new("Principal loss by CDR", "CDR (%)", "Principal loss (%)");
    };
    let mut chart = LineChart::new(
        format!("Principal loss by CDR at {speed:.0}% speed, {severity:.0}% severity"),
        "CDR (%)",
        "Principal loss (% of the class)",
    )
    .with_id("credit-loss");
    for class in &inp.classes {
        let pts: Vec<(f64, f64)> = inp
            .cells
            .iter()
            .filter(|c| c.point[sp] == speed && c.point[sev] == severity)
            .filter_map(|c| Some((c.point[cdr], c.summary.bond(class)?.principal_loss_pct)))
            .collect();
        chart = chart.with_series(Series::new(class.clone(), pts));
    }
    chart
}

/// The report's "Credit Sensitivity" section.
pub fn section(inp: &CreditInputs) -> Section {
    let mut s = Section::new("Credit Sensitivity");
    for n in &inp.notes {
        s.paragraph(n.clone());
    }
    s.table(breakeven_table(Over::Cdr, &inp.breakevens));
    // The chart at the middle speed (the pricing speed) and the worst severity.
    let speeds: Vec<f64> = axis_values(inp, "speed_pct");
    let sevs: Vec<f64> = axis_values(inp, "severity_pct");
    if let (Some(sp), Some(sev)) = (speeds.get(speeds.len() / 2), sevs.last()) {
        s.chart(loss_chart(inp, *sp, *sev));
    }
    for c in &inp.classes {
        s.table(loss_yield_table(&inp.axes, &inp.cells, Some(c)));
    }
    s
}

fn axis_values(inp: &CreditInputs, field: &str) -> Vec<f64> {
    let Some(k) = inp.axes.iter().position(|a| a == field) else {
        return Vec::new();
    };
    let mut v: Vec<f64> = Vec::new();
    for c in &inp.cells {
        if !v.contains(&c.point[k]) {
            v.push(c.point[k]);
        }
    }
    v
}

#[cfg(test)]
mod tests;
