//! What each table stratifies (its dimension) and what each bucket label means.

use super::{PoolSummary, StratTable};
use chrono::{Datelike, NaiveDate};
use tranche_core::error::{Error, Result};
use tranche_core::tape::RateIndex;

/// The loan attribute a table stratifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Product,
    Balance,
    State,
    Ltv,
    Coupon,
    PropertyType,
    Purpose,
    Occupancy,
    RemTerm,
    OrigTerm,
    Age,
    DocType,
    Fico,
    Delinquency,
    PrepayTerm,
    /// Loans above 80% LTV split by mortgage insurance (a sub-population table).
    PmiLtv,
    MonthsToRoll,
    Margin,
    MaxRate,
    NextAdjustment,
    Dti,
    Lien,
    /// A table no tape field carries (e.g. payment history): reported, not fitted.
    Unsupported,
}

impl Dim {
    /// Classifies a table by its title (case and punctuation insensitive).
    pub fn from_title(title: &str) -> Dim {
        let t: String = title
            .to_ascii_lowercase()
            .replace(['_', '-'], " ")
            .replace('%', " pct ");
        let has = |s: &str| t.contains(s);
        if has("history") {
            Dim::Unsupported
        } else if has("pmi") || (has("ltv") && has(" mi")) {
            Dim::PmiLtv
        } else if has("next") && has("adjust") {
            Dim::NextAdjustment
        } else if has("roll") {
            Dim::MonthsToRoll
        } else if has("margin") {
            Dim::Margin
        } else if has("maximum rate") || has("max rate") || has("lifetime cap") || has("life cap") {
            Dim::MaxRate
        } else if has("description") || has("product") || has("loan type") {
            Dim::Product
        } else if has("balance") {
            Dim::Balance
        } else if has("state") {
            Dim::State
        } else if has("loan to value") || has("ltv") {
            Dim::Ltv
        } else if has("coupon") || has("mortgage rate") || has("gross rate") || has("interest rate")
        {
            Dim::Coupon
        } else if has("property") {
            Dim::PropertyType
        } else if has("purpose") {
            Dim::Purpose
        } else if has("occupancy") {
            Dim::Occupancy
        } else if has("remaining") || has("maturity") {
            Dim::RemTerm
        } else if has("original term") || has("orig term") {
            Dim::OrigTerm
        } else if has("age") || has("seasoning") {
            Dim::Age
        } else if has("document") || has(" doc") {
            Dim::DocType
        } else if has("fico") || has("credit score") {
            Dim::Fico
        } else if has("delinquen") {
            Dim::Delinquency
        } else if has("prepayment") || has("penalty") {
            Dim::PrepayTerm
        } else if has("dti") || has("debt") {
            Dim::Dti
        } else if has("lien") {
            Dim::Lien
        } else {
            Dim::Unsupported
        }
    }

    /// Dimensions that only ARMs have: a table of one covers the ARM loans of a mixed pool.
    pub fn arm_only(self) -> bool {
        matches!(
            self,
            Dim::MonthsToRoll | Dim::Margin | Dim::MaxRate | Dim::NextAdjustment
        )
    }

    /// Dimensions whose buckets are numeric ranges.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Dim::Balance
                | Dim::Ltv
                | Dim::Coupon
                | Dim::RemTerm
                | Dim::OrigTerm
                | Dim::Age
                | Dim::Fico
                | Dim::MonthsToRoll
                | Dim::Margin
                | Dim::MaxRate
                | Dim::Dti
                | Dim::PrepayTerm
        )
    }
}

/// What one bucket label means.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSpec {
    /// Values in `[lo, hi]`.
    Range { lo: f64, hi: f64 },
    /// The attribute is unknown for these loans.
    Unknown,
    /// A category (state, occupancy, product, ...).
    Label(String),
    /// A month, as months after the cut-off date.
    Month(i32),
}

impl RangeSpec {
    pub fn contains(&self, v: f64) -> bool {
        match self {
            RangeSpec::Range { lo, hi } => v >= lo - 1e-9 && v <= hi + 1e-9,
            _ => false,
        }
    }
}

/// The loans a table covers, read from its dimension and its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// The whole pool.
    All,
    /// The adjustable-rate loans ("Excludes 116 Fixed Rate Mortgages").
    Arm,
    /// Loans above 80% LTV (the LTV/PMI table).
    LtvAbove80,
}

/// A table with its dimension and parsed buckets.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub dim: Dim,
    pub buckets: Vec<RangeSpec>,
    /// True for the first table of its dimension: it owns the attribute's values.
    pub owner: bool,
    pub population: Population,
}

/// All tables classified, plus pool totals.
#[derive(Debug, Clone)]
pub struct PoolSpec {
    pub tables: Vec<TableSpec>,
    pub n: usize,
    pub total: f64,
    /// Index of the first table of each dimension.
    pub by_dim: std::collections::BTreeMap<Dim, usize>,
}

impl PoolSpec {
    pub fn table(&self, d: Dim) -> Option<usize> {
        self.by_dim.get(&d).copied()
    }

    /// The `(lo, hi)` of each bucket of the table of `d` (`open` for a bucket that is not
    /// a range); empty when the pool has no such table.
    pub fn ranges(&self, d: Dim, open: (f64, f64)) -> Vec<(f64, f64)> {
        let Some(t) = self.table(d) else {
            return Vec::new();
        };
        self.tables[t]
            .buckets
            .iter()
            .map(|b| match b {
                RangeSpec::Range { lo, hi } => (*lo, *hi),
                _ => open,
            })
            .collect()
    }

    /// One line per table that covers part of the pool, saying which part.
    pub fn population_notes(&self, tables: &[StratTable]) -> Vec<String> {
        self.tables
            .iter()
            .zip(tables)
            .filter_map(|(sp, t)| {
                let who = match sp.population {
                    Population::All => return None,
                    Population::Arm => format!(
                        "the ARM loans only (the pool's {} less {} fixed-rate loans)",
                        self.n,
                        self.n - t.total_count()
                    ),
                    Population::LtvAbove80 => "the loans above 80% LTV".to_string(),
                };
                Some(format!("{}: {} loans, {who}", t.title, t.total_count()))
            })
            .collect()
    }
}

/// A product label decoded: fixed or ARM, index, first reset and reset frequency.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSpec {
    pub label: String,
    pub fixed: bool,
    pub index: Option<RateIndex>,
    /// Months from the first accrual month to the first rate change.
    pub first_reset: u32,
    pub reset_freq: u32,
    /// Original term if the label says it (e.g. `30Y`, `2/28` = 360).
    pub orig_term: Option<u32>,
}

fn index_tenor(ix: &RateIndex) -> u32 {
    match ix {
        RateIndex::Libor1M => 1,
        RateIndex::Libor6M => 6,
        RateIndex::Libor12M | RateIndex::Cmt1Y => 12,
        RateIndex::Named(n) => {
            if n.contains("6M") {
                6
            } else if n.contains("1M") {
                1
            } else {
                12
            }
        }
    }
}

/// Decodes a product label: `2/28 LIB6M` (6-month LIBOR, first change 24 months after the
/// first accrual month, then every 6), `30Y LIB6M` (every 6 from the start), `5/1 LIB12M` or
/// `3/1 CMT1Y` (first at 60/36, then yearly), `30Y FIXED`, `15 YR FIX`.
pub fn parse_product(label: &str) -> ProductSpec {
    let up = label.to_ascii_uppercase();
    let mut index = None;
    let mut years: Option<u32> = None;
    let mut slash: Option<(u32, u32)> = None;
    let toks: Vec<&str> = up.split_whitespace().collect();
    for (i, tok) in toks.iter().enumerate() {
        let ix = RateIndex::parse(tok);
        let named_index = ["LIB", "CMT", "MTA", "COFI", "SOFR", "TREAS"]
            .iter()
            .any(|p| tok.contains(p));
        if ix.is_builtin() || named_index {
            index = Some(ix);
            continue;
        }
        if let Some((a, b)) = tok.split_once('/') {
            if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                slash = Some((a, b));
                continue;
            }
        }
        let digits: String = tok.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = &tok[digits.len()..];
        if !digits.is_empty() && (rest == "Y" || rest == "YR" || rest == "YEAR") {
            years = digits.parse().ok();
        } else if !digits.is_empty() && rest.is_empty() {
            if let Some(next) = toks.get(i + 1) {
                if next.starts_with("Y") {
                    years = digits.parse().ok();
                }
            }
        }
    }
    let fixed = index.is_none();
    let (first_reset, reset_freq, term) = match (&index, slash) {
        (Some(ix), Some((a, b))) if b >= 10 => (a * 12, index_tenor(ix), Some((a + b) * 12)),
        (Some(_), Some((a, b))) => (a * 12, b.max(1) * 12, years.map(|y| y * 12)),
        (Some(ix), None) => (index_tenor(ix), index_tenor(ix), years.map(|y| y * 12)),
        (None, Some((a, b))) => (0, 0, Some((a + b) * 12)),
        (None, None) => (0, 0, years.map(|y| y * 12)),
    };
    ProductSpec {
        label: label.trim().to_string(),
        fixed,
        index,
        first_reset,
        reset_freq,
        orig_term: term,
    }
}

fn clean_number(s: &str) -> Option<f64> {
    let c: String = s
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | '%' | ' '))
        .collect();
    if c.is_empty() {
        return None;
    }
    c.parse().ok()
}

fn decimals(s: &str) -> usize {
    s.trim()
        .rsplit_once('.')
        .map(|(_, d)| d.chars().take_while(|c| c.is_ascii_digit()).count())
        .unwrap_or(0)
}

/// Months from `cutoff` to `MM/YY` (or `MM/YYYY`).
pub fn month_offset(label: &str, cutoff: NaiveDate) -> Option<i32> {
    let (m, y) = label.trim().split_once('/')?;
    let m: i32 = m.trim().parse().ok()?;
    let y: i32 = y.trim().parse().ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    let y = if y < 100 {
        if y < 70 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    };
    Some(y * 12 + m - (cutoff.year() * 12 + cutoff.month() as i32))
}

/// The summary figure that bounds a dimension (its printed range).
fn summary_bounds(d: Dim, s: &PoolSummary) -> (Option<f64>, Option<f64>) {
    let key = match d {
        Dim::Balance => "average_loan_balance",
        Dim::Coupon => "wa_mortgage_rate",
        Dim::Margin => "wa_gross_margin",
        Dim::MaxRate => "wa_lifetime_cap",
        Dim::MonthsToRoll => "wa_months_to_first_roll",
        Dim::Ltv => "wa_ltv",
        Dim::RemTerm => "wa_remaining_term_months",
        Dim::OrigTerm => "wa_original_term_months",
        Dim::Age => "wa_age_months",
        _ => return (None, None),
    };
    match s.get(key) {
        Some(f) => (f.min, f.max),
        None => (None, None),
    }
}

/// Parses one bucket label of a table of dimension `d`.
pub fn parse_bucket(d: Dim, label: &str, cutoff: NaiveDate, s: &PoolSummary) -> Option<RangeSpec> {
    let l = label.trim();
    let low = l.to_ascii_lowercase();
    if matches!(
        low.as_str(),
        "unknown" | "n/a" | "na" | "not available" | "missing" | "none"
    ) && d != Dim::PmiLtv
    {
        return Some(RangeSpec::Unknown);
    }
    if d == Dim::NextAdjustment {
        return month_offset(l, cutoff).map(RangeSpec::Month);
    }
    if !d.is_numeric() {
        return Some(RangeSpec::Label(l.to_string()));
    }
    let (smin, smax) = summary_bounds(d, s);
    let integer = matches!(
        d,
        Dim::RemTerm | Dim::OrigTerm | Dim::Age | Dim::Fico | Dim::MonthsToRoll | Dim::PrepayTerm
    );
    if let Some(rest) = l.strip_prefix(">=").or_else(|| l.strip_prefix('≥')) {
        let lo = clean_number(rest)?;
        let hi = smax.filter(|m| *m >= lo).unwrap_or(lo * 1.25 + 1.0);
        return Some(RangeSpec::Range { lo, hi });
    }
    if let Some(rest) = l.strip_prefix('>') {
        let x = clean_number(rest)?;
        let step = if integer {
            1.0
        } else {
            10f64.powi(-(decimals(rest).max(2) as i32))
        };
        let lo = x + step;
        let hi = smax.filter(|m| *m >= lo).unwrap_or(if integer {
            lo + 24.0
        } else {
            lo + x * 0.2 + 1.0
        });
        return Some(RangeSpec::Range { lo, hi });
    }
    if let Some(rest) = l.strip_prefix("<=").or_else(|| l.strip_prefix('<')) {
        let hi = clean_number(rest)?;
        let lo = smin.filter(|m| *m <= hi).unwrap_or(0.0);
        return Some(RangeSpec::Range { lo, hi });
    }
    // "a - b" (dash with optional spaces; numbers may carry $ and commas)
    if let Some((a, b)) = split_range(l) {
        let (lo, hi) = (clean_number(a)?, clean_number(b)?);
        if lo > hi {
            return None;
        }
        return Some(RangeSpec::Range { lo, hi });
    }
    let v = clean_number(l)?;
    Some(RangeSpec::Range { lo: v, hi: v })
}

fn split_range(l: &str) -> Option<(&str, &str)> {
    if let Some(p) = l.find(" - ") {
        return Some((&l[..p], &l[p + 3..]));
    }
    // "a-b" without spaces; skip a leading sign
    let start = usize::from(l.starts_with('-'));
    l[start..]
        .find('-')
        .map(|p| (&l[..start + p], &l[start + p + 1..]))
}

/// Classifies every table and parses its buckets; errors name the table and the label.
pub fn classify_all(tables: &[StratTable], s: &PoolSummary, cutoff: NaiveDate) -> Result<PoolSpec> {
    let mut specs = Vec::with_capacity(tables.len());
    let mut by_dim = std::collections::BTreeMap::new();
    for (ti, t) in tables.iter().enumerate() {
        let dim = Dim::from_title(&t.title);
        let mut buckets = Vec::with_capacity(t.rows.len());
        for r in &t.rows {
            let b = if dim == Dim::Unsupported {
                RangeSpec::Label(r.label.clone())
            } else {
                parse_bucket(dim, &r.label, cutoff, s).ok_or_else(|| {
                    Error::invalid(
                        format!("{}: row `{}`", t.title, r.label),
                        format!("cannot read this bucket label as a {dim:?} bucket"),
                    )
                })?
            };
            buckets.push(b);
        }
        let owner = dim != Dim::Unsupported && !by_dim.contains_key(&dim);
        if owner {
            by_dim.insert(dim, ti);
        }
        specs.push(TableSpec {
            dim,
            buckets,
            owner,
            population: if dim == Dim::PmiLtv {
                Population::LtvAbove80
            } else {
                Population::All
            },
        });
    }
    // Pool totals: the first table that can cover the whole pool.
    let first = tables
        .iter()
        .zip(&specs)
        .find(|(_, s)| s.dim != Dim::PmiLtv && !s.dim.arm_only())
        .or_else(|| {
            tables
                .iter()
                .zip(&specs)
                .find(|(_, s)| s.dim != Dim::PmiLtv)
        })
        .map(|(t, _)| t)
        .ok_or_else(|| Error::invalid("tables", "no full-pool table"))?;
    let n = first.total_count();
    let total = first.total_balance();
    // ARM loans: the product table's rows whose label names an index.
    let n_arm = by_dim.get(&Dim::Product).map(|&t| {
        tables[t]
            .rows
            .iter()
            .filter(|r| !parse_product(&r.label).fixed)
            .map(|r| r.count)
            .sum::<usize>()
    });
    for (t, sp) in tables.iter().zip(specs.iter_mut()) {
        if sp.dim == Dim::PmiLtv {
            continue;
        }
        let c = t.total_count();
        if c == n {
            continue;
        }
        match n_arm {
            Some(a) if sp.dim.arm_only() && c == a => sp.population = Population::Arm,
            Some(a) if sp.dim.arm_only() => {
                return Err(Error::invalid(
                    t.title.clone(),
                    format!(
                        "rows count {c} loans; a table of ARM terms covers the pool's {n} \
                         loans or its {a} ARM loans (product table)"
                    ),
                ))
            }
            _ => {
                return Err(Error::invalid(
                    t.title.clone(),
                    format!("rows count {c} loans but the pool has {n}"),
                ))
            }
        }
    }
    check_pmi_count(tables, &specs, &by_dim)?;
    Ok(PoolSpec {
        tables: specs,
        n,
        total,
        by_dim,
    })
}

/// The LTV/PMI table holds exactly the LTV table's loans above 80% (when the LTV buckets
/// tell: none straddles 80).
fn check_pmi_count(
    tables: &[StratTable],
    specs: &[TableSpec],
    by_dim: &std::collections::BTreeMap<Dim, usize>,
) -> Result<()> {
    let (Some(&p), Some(&l)) = (by_dim.get(&Dim::PmiLtv), by_dim.get(&Dim::Ltv)) else {
        return Ok(());
    };
    let mut above = 0;
    for (r, b) in tables[l].rows.iter().zip(&specs[l].buckets) {
        match b {
            RangeSpec::Range { lo, .. } if *lo > 80.0 => above += r.count,
            RangeSpec::Range { hi, .. } if *hi <= 80.0 + 1e-9 => {}
            _ => return Ok(()),
        }
    }
    let c = tables[p].total_count();
    if c != above {
        return Err(Error::invalid(
            tables[p].title.clone(),
            format!("rows count {c} loans but the LTV table has {above} loans above 80% LTV"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_decode() {
        let p = parse_product("2/28 LIB6M");
        assert_eq!(
            (p.fixed, p.first_reset, p.reset_freq, p.orig_term),
            (false, 24, 6, Some(360))
        );
        assert_eq!(p.index, Some(RateIndex::Libor6M));
        let p = parse_product("30Y LIB6M");
        assert_eq!(
            (p.first_reset, p.reset_freq, p.orig_term),
            (6, 6, Some(360))
        );
        let p = parse_product("5/1 LIB12M");
        assert_eq!(
            (p.first_reset, p.reset_freq, p.index),
            (60, 12, Some(RateIndex::Libor12M))
        );
        let p = parse_product("3/1 CMT1Y");
        assert_eq!(
            (p.first_reset, p.reset_freq, p.index),
            (36, 12, Some(RateIndex::Cmt1Y))
        );
        let p = parse_product("15Y FIXED");
        assert!(p.fixed);
        assert_eq!(p.orig_term, Some(180));
    }

    #[test]
    fn buckets_parse() {
        let s = PoolSummary::default();
        let c = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
        assert_eq!(
            parse_bucket(Dim::Balance, "$50,000.01 - $100,000.00", c, &s),
            Some(RangeSpec::Range {
                lo: 50000.01,
                hi: 100000.0
            })
        );
        assert_eq!(
            parse_bucket(Dim::NextAdjustment, "01/06", c, &s),
            Some(RangeSpec::Month(24))
        );
        assert_eq!(
            parse_bucket(Dim::Fico, "Unknown", c, &s),
            Some(RangeSpec::Unknown)
        );
        assert_eq!(
            parse_bucket(Dim::MonthsToRoll, "> 85", c, &s).map(|r| r.contains(86.0)),
            Some(true)
        );
        assert_eq!(
            parse_bucket(Dim::PrepayTerm, "24", c, &s),
            Some(RangeSpec::Range { lo: 24.0, hi: 24.0 })
        );
        assert_eq!(Dim::from_title("15_80_pct_ltv_pmi_analysis"), Dim::PmiLtv);
        assert_eq!(
            Dim::from_title("04_loan_to_value_ratios_include_cltvs_for_2nd_liens"),
            Dim::Ltv
        );
        assert_eq!(
            Dim::from_title("13_collateral_grouped_by_12_month_payment_history"),
            Dim::Unsupported
        );
        assert_eq!(
            Dim::from_title("14_collateral_grouped_by_prepayment_penalty_months"),
            Dim::PrepayTerm
        );
        assert_eq!(
            Dim::from_title("09_range_of_months_remaining_to_scheduled_maturity"),
            Dim::RemTerm
        );
    }
}
