//! Tie-out: computed Price/DM rows beside published ones, with fixed tolerances.
//!
//! Published figures are rounded for print (WAL and duration to 0.01, DM to 1 bp), so a
//! tolerance is the rounding plus a stated model error; it is an argument, never loosened
//! per cell.

use super::PriceTableRow;
use crate::dates::yyyy_mm;
use crate::waterfall::Horizon;
use serde::{Deserialize, Serialize};

/// One published column of a Price/DM report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRow {
    pub class: String,
    pub horizon: Horizon,
    pub speed_pct: f64,
    pub dm_bps: f64,
    pub wal_years: f64,
    pub mod_duration: f64,
    /// `YYYY-MM`.
    pub first_principal: String,
    pub last_principal: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerances {
    pub wal_years: f64,
    pub mod_duration: f64,
    pub dm_bps: f64,
}

impl Default for Tolerances {
    /// The acceptance tolerances: WAL 0.02 years, duration 0.03, DM 1 bp; months exact.
    fn default() -> Self {
        Tolerances {
            wal_years: 0.02,
            mod_duration: 0.03,
            dm_bps: 1.0,
        }
    }
}

/// One cell compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellComparison {
    pub published: PublishedRow,
    /// `None` when the computed table has no such cell.
    pub computed: Option<PriceTableRow>,
    pub wal_diff: f64,
    pub mdur_diff: f64,
    pub dm_diff_bps: f64,
    pub first_ok: bool,
    pub last_ok: bool,
    pub ok: bool,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TieOut {
    pub cells: Vec<CellComparison>,
    pub max_wal_diff: f64,
    pub max_mdur_diff: f64,
    pub max_dm_diff_bps: f64,
    pub window_mismatches: usize,
    pub failures: usize,
}

impl TieOut {
    pub fn passed(&self) -> bool {
        self.failures == 0
    }

    /// A side-by-side table (Markdown) of every cell, failures marked.
    pub fn to_markdown(&self) -> String {
        let mut s = String::from(
            "| class | horizon | speed | DM pub | DM | WAL pub | WAL | MDUR pub | MDUR | first pub | first | last pub | last | ok |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        );
        for c in &self.cells {
            let p = &c.published;
            let (dm, wal, md, f, l) = match &c.computed {
                Some(r) => (
                    r.dm_bps.map_or("-".into(), |d| format!("{d:.2}")),
                    r.wal_years.map_or("-".into(), |w| format!("{w:.3}")),
                    r.mod_duration.map_or("-".into(), |d| format!("{d:.3}")),
                    r.first_principal.map_or("-".into(), yyyy_mm),
                    r.last_principal.map_or("-".into(), yyyy_mm),
                ),
                None => ("-".into(), "-".into(), "-".into(), "-".into(), "-".into()),
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.2} | {} | {:.2} | {} | {} | {} | {} | {} | {} |\n",
                p.class,
                p.horizon.name(),
                p.speed_pct,
                p.dm_bps,
                dm,
                p.wal_years,
                wal,
                p.mod_duration,
                md,
                p.first_principal,
                f,
                p.last_principal,
                l,
                if c.ok { "yes" } else { "**NO**" }
            ));
        }
        s.push_str(&format!(
            "\nmax |ΔWAL| {:.4} y, max |ΔMDUR| {:.4}, max |ΔDM| {:.2} bp, window mismatches {}, failing cells {} of {}\n",
            self.max_wal_diff,
            self.max_mdur_diff,
            self.max_dm_diff_bps,
            self.window_mismatches,
            self.failures,
            self.cells.len()
        ));
        s
    }
}

/// Compares every published cell with the computed row of the same class, horizon and
/// speed.
pub fn tie_out(published: &[PublishedRow], computed: &[PriceTableRow], tol: &Tolerances) -> TieOut {
    let mut cells = Vec::with_capacity(published.len());
    for p in published {
        let c = computed
            .iter()
            .find(|r| {
                r.class == p.class
                    && r.horizon == p.horizon
                    && (r.speed_pct - p.speed_pct).abs() < 1e-9
            })
            .cloned();
        let cell = match &c {
            Some(r) => {
                let wal_diff = r.wal_years.map_or(f64::INFINITY, |w| w - p.wal_years);
                let mdur_diff = r.mod_duration.map_or(f64::INFINITY, |d| d - p.mod_duration);
                let dm_diff_bps = r.dm_bps.map_or(f64::INFINITY, |d| d - p.dm_bps);
                let first_ok =
                    r.first_principal.map(yyyy_mm).as_deref() == Some(p.first_principal.as_str());
                let last_ok =
                    r.last_principal.map(yyyy_mm).as_deref() == Some(p.last_principal.as_str());
                // Published figures are rounded: compare the printed value's interval.
                let ok = first_ok
                    && last_ok
                    && wal_diff.abs() <= tol.wal_years
                    && mdur_diff.abs() <= tol.mod_duration
                    && dm_diff_bps.abs() <= tol.dm_bps;
                CellComparison {
                    published: p.clone(),
                    computed: c.clone(),
                    wal_diff,
                    mdur_diff,
                    dm_diff_bps,
                    first_ok,
                    last_ok,
                    ok,
                }
            }
            None => CellComparison {
                published: p.clone(),
                computed: None,
                wal_diff: f64::INFINITY,
                mdur_diff: f64::INFINITY,
                dm_diff_bps: f64::INFINITY,
                first_ok: false,
                last_ok: false,
                ok: false,
            },
        };
        cells.push(cell);
    }
    let max = |f: fn(&CellComparison) -> f64| cells.iter().map(|c| f(c).abs()).fold(0.0, f64::max);
    TieOut {
        max_wal_diff: max(|c| c.wal_diff),
        max_mdur_diff: max(|c| c.mdur_diff),
        max_dm_diff_bps: max(|c| c.dm_diff_bps),
        window_mismatches: cells.iter().filter(|c| !(c.first_ok && c.last_ok)).count(),
        failures: cells.iter().filter(|c| !c.ok).count(),
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn computed(wal: f64, last: (i32, u32)) -> PriceTableRow {
        PriceTableRow {
            class: "A-1".into(),
            horizon: Horizon::Call,
            speed_pct: 100.0,
            dm_bps: Some(34.2),
            wal_years: Some(wal),
            mod_duration: Some(2.11),
            first_principal: NaiveDate::from_ymd_opt(2004, 2, 25),
            last_principal: NaiveDate::from_ymd_opt(last.0, last.1, 26),
            first_period: Some(1),
            last_period: Some(47),
        }
    }

    fn published() -> PublishedRow {
        PublishedRow {
            class: "A-1".into(),
            horizon: Horizon::Call,
            speed_pct: 100.0,
            dm_bps: 34.0,
            wal_years: 2.13,
            mod_duration: 2.10,
            first_principal: "2004-02".into(),
            last_principal: "2007-12".into(),
        }
    }

    #[test]
    fn within_and_outside_tolerance() {
        let t = tie_out(
            &[published()],
            &[computed(2.14, (2007, 12))],
            &Tolerances::default(),
        );
        assert!(t.passed(), "{}", t.to_markdown());
        assert!((t.max_wal_diff - 0.01).abs() < 1e-12);
        let t = tie_out(
            &[published()],
            &[computed(2.16, (2007, 12))],
            &Tolerances::default(),
        );
        assert!(!t.passed());
        let t = tie_out(
            &[published()],
            &[computed(2.13, (2007, 11))],
            &Tolerances::default(),
        );
        assert_eq!(t.window_mismatches, 1);
        assert!(!t.passed());
        assert!(t.to_markdown().contains("**NO**"));
        let t = tie_out(&[published()], &[], &Tolerances::default());
        assert_eq!(t.failures, 1);
    }
}
