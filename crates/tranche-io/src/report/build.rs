//! From the engine's results to report tables: the term-sheet summary, one Price/DM block
//! per class (to call and to maturity, speeds across, as dealers print them), the Available
//! Funds Rate schedule, the credit sensitivity, the collateral tables and the charts.

use super::charts;
use super::credit::{self, CreditInputs};
use crate::render::{Cell, Document, Section, Table};
use chrono::NaiveDate;
use tranche_core::tables::{AfrRow, ClassInfo, PriceTableRow, SummaryRow};
use tranche_core::waterfall::{DealRun, Horizon};

/// Everything the report shows, computed beforehand.
#[derive(Debug, Clone, Default)]
pub struct ReportInputs {
    /// The deal's name (report title).
    pub deal_name: String,
    pub settlement: Option<NaiveDate>,
    /// Price of the Price/DM tables, percent of par.
    pub price: f64,
    /// What 100% of the pricing speed is (e.g. "30% CPR").
    pub pricing_speed: String,
    pub classes: Vec<ClassInfo>,
    pub summary: Vec<SummaryRow>,
    /// Rows of [`tranche_core::tables::price_table`].
    pub price_rows: Vec<PriceTableRow>,
    pub afr: Vec<AfrRow>,
    /// Describes the AFR schedule's two columns (curves, shock, speed).
    pub afr_notes: Vec<String>,
    /// Runs for the charts (to call), one per speed (percent of the pricing speed).
    pub runs: Vec<(f64, DealRun)>,
    /// Collateral summary and stratification tables, already as report tables.
    pub collateral: Vec<Table>,
    /// Free lines under the title (assumptions, data sources).
    pub notes: Vec<String>,
    /// Breakevens and loss and yield tables (`None`: no credit section).
    pub credit: Option<CreditInputs>,
    /// Where the deal stood when the report is run from a deal state (`None`: from the
    /// cut-off).
    pub as_of: Option<AsOfInputs>,
}

/// A report from an as-of date: the payment date it starts after and the bonds then.
#[derive(Debug, Clone, PartialEq)]
pub struct AsOfInputs {
    pub payment_date: NaiveDate,
    /// Every class in the deal's order.
    pub bonds: Vec<BondStanding>,
}

/// One class after the as-of payment date's distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct BondStanding {
    pub class: String,
    pub original_balance: f64,
    pub balance: f64,
    /// Allocated Realized Loss Amount not yet reimbursed.
    pub writedowns: f64,
}

impl BondStanding {
    /// Current balance over original balance.
    pub fn factor(&self) -> f64 {
        if self.original_balance > 0.0 {
            self.balance / self.original_balance
        } else {
            0.0
        }
    }
}

impl AsOfInputs {
    /// "January 2005".
    pub fn month_text(&self) -> String {
        self.payment_date.format("%B %Y").to_string()
    }

    /// The classes' balances, factors and write-downs after the as-of payment date.
    pub fn table(&self) -> Table {
        let mut t = Table::new(
            format!("Bonds after the {} Payment Date", self.month_text()),
            &[
                "Class",
                "Original Balance",
                "Current Balance",
                "Factor",
                "Unreimbursed Write-downs",
            ],
        )
        .with_id("bonds-as-of")
        .with_note(format!(
            "Balances after the distribution of {} (the deal state); the runs of this report start in the next period.",
            self.payment_date.format("%m/%d/%y")
        ));
        for b in &self.bonds {
            t.push(vec![
                Cell::text(&b.class),
                Cell::money(b.original_balance, 0),
                Cell::money(b.balance, 2),
                Cell::decimal(b.factor(), 8),
                Cell::money(b.writedowns, 2),
            ]);
        }
        let sum = |f: &dyn Fn(&BondStanding) -> f64| self.bonds.iter().map(f).sum::<f64>();
        t.push_total(vec![
            Cell::text("Total"),
            Cell::money(sum(&|b| b.original_balance), 0),
            Cell::money(sum(&|b| b.balance), 2),
            Cell::Empty,
            Cell::money(sum(&|b| b.writedowns), 2),
        ]);
        t
    }

    fn bond(&self, class: &str) -> Option<&BondStanding> {
        self.bonds.iter().find(|b| b.class == class)
    }
}

fn speed_label(s: f64) -> String {
    format!("{s:.2}%")
}

fn window_text(w: Option<(u32, u32)>) -> Cell {
    w.map_or(Cell::Empty, |(a, b)| Cell::text(format!("{a} - {b}")))
}

/// The term sheet's first table, with WAL, duration and window split into call and
/// maturity columns so each figure has its own cell.
pub fn summary_table(rows: &[SummaryRow]) -> Table {
    let mut t = Table::new(
        "Term Sheet Summary",
        &[
            "Class",
            "Approximate Bond Balance",
            "Tranche Type",
            "WAL to Call (yrs)",
            "WAL to Maturity (yrs)",
            "Modified Duration to Call (yrs)",
            "Modified Duration to Maturity (yrs)",
            "Payment Window to Call (mos)",
            "Payment Window to Maturity (mos)",
            "Last Scheduled Payment Date",
        ],
    )
    .with_id("summary")
    .with_note(
        "WAL, modified duration and payment windows at 100% of the pricing speed; the bonds are priced to call.",
    );
    for r in rows {
        t.push(vec![
            Cell::text(&r.class),
            Cell::money(r.balance, 0),
            Cell::text(&r.tranche_type),
            Cell::opt_decimal(r.wal_call, 2),
            Cell::opt_decimal(r.wal_maturity, 2),
            Cell::opt_decimal(r.mod_duration_call, 2),
            Cell::opt_decimal(r.mod_duration_maturity, 2),
            window_text(r.window_call),
            window_text(r.window_maturity),
            r.last_scheduled_payment.map_or(Cell::Empty, Cell::Month),
        ]);
    }
    let total: f64 = rows.iter().map(|r| r.balance).sum();
    let mut tot = vec![Cell::text("Total"), Cell::money(total, 0)];
    tot.resize(10, Cell::Empty);
    t.push_total(tot);
    t
}

/// The Price/DM block of one class and horizon: metrics down, speeds across.
/// `None` when the rows hold nothing for that class and horizon.
pub fn price_block(
    rows: &[PriceTableRow],
    class: &str,
    horizon: Horizon,
    price: f64,
) -> Option<Table> {
    let sel: Vec<&PriceTableRow> = rows
        .iter()
        .filter(|r| r.class == class && r.horizon == horizon)
        .collect();
    if sel.is_empty() {
        return None;
    }
    let (hname, hid) = match horizon {
        Horizon::Call => ("To Call".to_string(), "call".to_string()),
        Horizon::Maturity => ("To Maturity".to_string(), "maturity".to_string()),
        Horizon::CallOn(m) => (format!("To Call in {m}"), format!("call-{m}")),
    };
    let mut cols = vec!["Percentage of Pricing Prepayment Speed".to_string()];
    cols.extend(sel.iter().map(|r| speed_label(r.speed_pct)));
    let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new(format!("Class {class}: {hname}"), &col_refs)
        .with_id(&format!("price-dm-{class}-{hid}"));
    let dm_label = if (price - 100.0).abs() < 1e-9 {
        "DM at Par (bps)".to_string()
    } else {
        format!("DM at {price:.3} (bps)")
    };
    let line = |label: &str, f: &dyn Fn(&PriceTableRow) -> Cell| {
        let mut v = vec![Cell::text(label)];
        v.extend(sel.iter().map(|r| f(r)));
        v
    };
    t.push(line(&dm_label, &|r| Cell::opt_decimal(r.dm_bps, 0)));
    t.push(line("WAL (yr)", &|r| Cell::opt_decimal(r.wal_years, 2)));
    t.push(line("MDUR (yr)", &|r| Cell::opt_decimal(r.mod_duration, 2)));
    t.push(line("First Prin Pay", &|r| {
        r.first_principal.map_or(Cell::Empty, Cell::Month)
    }));
    t.push(line("Last Prin Pay", &|r| {
        r.last_principal.map_or(Cell::Empty, Cell::Month)
    }));
    Some(t)
}

/// The Available Funds Rate schedule, percent.
pub fn afr_table(rows: &[AfrRow], notes: &[String]) -> Table {
    let mut t = Table::new(
        "Available Funds Rate Schedule",
        &[
            "Period",
            "Payment Date",
            "Available Funds Rate, forward curves (%)",
            "Available Funds Rate, shocked curves (%)",
        ],
    )
    .with_id("available-funds-rate");
    for n in notes {
        t.notes.push(n.clone());
    }
    for r in rows {
        t.push(vec![
            Cell::Int(i64::from(r.period)),
            Cell::text(r.payment_date.format("%Y-%m-%d").to_string()),
            Cell::decimal(r.afr * 100.0, 2),
            Cell::decimal(r.afr_shocked * 100.0, 2),
        ]);
    }
    t
}

/// The whole report as a document.
pub fn build_document(inp: &ReportInputs) -> Document {
    let as_of = inp.as_of.as_ref();
    let mut doc = Document {
        title: match as_of {
            None => format!("{}: Computational Materials", inp.deal_name),
            Some(a) => format!(
                "{}: Computational Materials as of the {} Payment Date",
                inp.deal_name,
                a.month_text()
            ),
        },
        subtitle: Vec::new(),
        sections: Vec::new(),
    };
    if let Some(a) = as_of {
        doc.subtitle.push(format!(
            "As of the {} payment date ({}): the bonds at their balances after its distribution, every run from the next period; payment periods are numbered from the first payment date.",
            a.month_text(),
            a.payment_date.format("%m/%d/%y")
        ));
    }
    if let Some(s) = inp.settlement {
        doc.subtitle.push(match as_of {
            None => format!("Settlement: {}", s.format("%m/%d/%y")),
            Some(_) => format!(
                "Settlement: {} (the as-of payment date, flat)",
                s.format("%m/%d/%y")
            ),
        });
    }
    if !inp.pricing_speed.is_empty() {
        doc.subtitle.push(format!(
            "Pricing prepayment speed (100%): {}",
            inp.pricing_speed
        ));
    }
    doc.subtitle.extend(inp.notes.iter().cloned());

    if let Some(a) = as_of {
        let mut bonds = Section::new(format!("Bonds as of the {} Payment Date", a.month_text()));
        bonds.table(a.table());
        doc.sections.push(bonds);
    }

    let mut summary = Section::new("Term Sheet Summary");
    let mut st = summary_table(&inp.summary);
    if as_of.is_some() {
        st.columns[1] = "Current Bond Balance".into();
        st.notes = vec![
            "WAL, modified duration and payment windows at 100% of the pricing speed from the as-of date, in years from it; the bonds are priced to call. Payment windows are periods numbered from the first payment date.".into(),
        ];
    }
    summary.table(st);
    doc.sections.push(summary);

    let mut price = Section::new("Price/DM Sensitivity Reports");
    price.paragraph(format!(
        "Discount margins at a price of {:.3}% of par, settling flat{}; WAL and modified duration in years; \
speeds are percentages of the pricing prepayment speed.",
        inp.price,
        if as_of.is_some() {
            " on the as-of payment date, on the current balance"
        } else {
            ""
        }
    ));
    for c in &inp.classes {
        for h in [Horizon::Call, Horizon::Maturity] {
            if let Some(mut t) = price_block(&inp.price_rows, &c.name, h, inp.price) {
                if let Some(s) = inp.settlement {
                    t.notes
                        .push(format!("Settlement: {}", s.format("%m/%d/%y")));
                }
                t.notes.push(format!(
                    "Class Balance: {}",
                    Cell::money(c.balance, 0).display()
                ));
                if let Some(b) = as_of.and_then(|a| a.bond(&c.name)) {
                    t.notes.push(format!("Factor: {:.8}", b.factor()));
                }
                if let Some(m) = margin_of(&inp.runs, &c.name) {
                    t.notes
                        .push(format!("Pass-Thru Margin (pre-step-up): {:.3}%", m * 100.0));
                }
                price.table(t);
            }
        }
    }
    doc.sections.push(price);

    let mut afr = Section::new("Available Funds Rate Schedule");
    if inp.afr.is_empty() {
        for n in &inp.afr_notes {
            afr.paragraph(n.clone());
        }
    } else {
        afr.table(afr_table(&inp.afr, &inp.afr_notes));
        afr.chart(charts::afr_chart(&inp.afr));
    }
    doc.sections.push(afr);

    let mut flows = Section::new("Bond and Pool Balances");
    for c in &inp.classes {
        flows.chart(charts::bond_balance_chart(&inp.runs, &c.name));
    }
    flows.chart(charts::pool_balance_chart(&inp.runs));
    if let Some((speed, run)) = base_run(&inp.runs) {
        flows.chart(charts::excess_spread_chart(run, speed));
    }
    doc.sections.push(flows);

    if let Some(c) = &inp.credit {
        doc.sections.push(credit::section(c));
    }

    if !inp.collateral.is_empty() {
        let mut coll = Section::new(match as_of {
            None => "Collateral Summary and Stratification Tables".to_string(),
            Some(a) => format!(
                "Collateral Summary and Stratification Tables as of the {} Payment Date",
                a.month_text()
            ),
        });
        for t in &inp.collateral {
            coll.table(t.clone());
        }
        doc.sections.push(coll);
    }
    doc.make_ids_unique();
    doc
}

/// The run at 100% of the pricing speed, else the first.
fn base_run(runs: &[(f64, DealRun)]) -> Option<(f64, &DealRun)> {
    runs.iter()
        .find(|(s, _)| (*s - 100.0).abs() < 1e-9)
        .or(runs.first())
        .map(|(s, r)| (*s, r))
}

fn margin_of(runs: &[(f64, DealRun)], class: &str) -> Option<f64> {
    runs.first()?
        .1
        .bonds
        .iter()
        .find(|b| b.name == class)
        .map(|b| b.margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 25).unwrap()
    }

    fn row(class: &str, h: Horizon, speed: f64, wal: f64) -> PriceTableRow {
        PriceTableRow {
            class: class.into(),
            horizon: h,
            speed_pct: speed,
            dm_bps: Some(34.0),
            wal_years: Some(wal),
            mod_duration: Some(wal * 0.98),
            first_principal: Some(d(2004, 2)),
            last_principal: Some(d(2007, 12)),
            first_period: Some(1),
            last_period: Some(47),
        }
    }

    #[test]
    fn price_block_has_the_term_sheet_layout() {
        let rows = vec![
            row("A-1", Horizon::Call, 0.0, 9.47),
            row("A-1", Horizon::Call, 100.0, 2.13),
            row("A-1", Horizon::Maturity, 100.0, 2.73),
            row("A-2", Horizon::Call, 100.0, 2.13),
        ];
        let t = price_block(&rows, "A-1", Horizon::Call, 100.0).unwrap();
        assert_eq!(t.id, "price-dm-a-1-call");
        assert_eq!(t.title, "Class A-1: To Call");
        assert_eq!(
            t.columns,
            ["Percentage of Pricing Prepayment Speed", "0.00%", "100.00%"]
        );
        let labels: Vec<String> = (0..t.rows.len()).map(|r| t.cell(r, 0).display()).collect();
        assert_eq!(
            labels,
            [
                "DM at Par (bps)",
                "WAL (yr)",
                "MDUR (yr)",
                "First Prin Pay",
                "Last Prin Pay"
            ]
        );
        assert_eq!(t.cell(0, 1).display(), "34");
        assert_eq!(t.cell(1, 1).display(), "9.47");
        assert_eq!(t.cell(1, 2).display(), "2.13");
        assert_eq!(t.cell(3, 2).display(), "Feb04");
        assert_eq!(t.cell(4, 2).display(), "Dec07");
        assert!(price_block(&rows, "M-1", Horizon::Call, 100.0).is_none());
        let off = price_block(&rows, "A-1", Horizon::Call, 99.5).unwrap();
        assert_eq!(off.cell(0, 0).display(), "DM at 99.500 (bps)");
    }

    #[test]
    fn summary_has_a_total() {
        let rows = vec![SummaryRow {
            class: "A-1".into(),
            balance: 869_000_000.0,
            tranche_type: "Floating Rate Senior".into(),
            wal_call: Some(2.13),
            wal_maturity: Some(2.73),
            mod_duration_call: Some(2.10),
            mod_duration_maturity: Some(2.65),
            window_call: Some((1, 47)),
            window_maturity: Some((1, 169)),
            last_scheduled_payment: Some(d(2033, 12)),
        }];
        let t = summary_table(&rows);
        assert_eq!(t.cell(0, 1).display(), "$869,000,000");
        assert_eq!(t.cell(0, 7).display(), "1 - 47");
        assert_eq!(t.cell(0, 9).display(), "Dec33");
        assert_eq!(t.kind(1), crate::render::RowKind::Total);
        assert_eq!(t.cell(1, 1).plain(), "869000000");
    }

    #[test]
    fn afr_in_percent() {
        let t = afr_table(
            &[AfrRow {
                period: 1,
                payment_date: d(2004, 2),
                afr: 0.0227,
                afr_shocked: 0.0227,
            }],
            &["(1) forward curves".into()],
        );
        assert_eq!(t.cell(0, 2).display(), "2.27");
        assert_eq!(t.cell(0, 1).display(), "2004-02-25");
        assert_eq!(t.notes.len(), 1);
    }
}
