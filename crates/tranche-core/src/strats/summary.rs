//! The pool summary that precedes the strat tables ("Summary of Loans").

use super::defs::{Buckets, CategoryOrder, Column, StratTableDef, TotalLabel, UnknownPos};
use super::key::{months_to_roll, Key};
use super::{compute_table, net_rate, StratContext};
use crate::tape::Loan;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Balance-weighted average, minimum and maximum of one loan attribute.
/// Rates are decimals; terms in months; LTV, DTI in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub wa: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy)]
struct StatAcc {
    w: f64,
    s: f64,
    min: f64,
    max: f64,
    n: u64,
}

impl StatAcc {
    fn new() -> Self {
        StatAcc {
            w: 0.0,
            s: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            n: 0,
        }
    }

    fn add(&mut self, v: f64, w: f64) {
        self.w += w;
        self.s += w * v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.n += 1;
    }

    fn stat(&self) -> Option<Stat> {
        (self.n > 0 && self.w > 0.0).then(|| Stat {
            wa: self.s / self.w,
            min: self.min,
            max: self.max,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopRow {
    pub label: String,
    /// Share of the pool balance, percent.
    pub pct: f64,
}

/// A short distribution printed beside the summary (e.g. "Top 5 States").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopTable {
    pub title: String,
    pub rows: Vec<TopRow>,
}

/// The pool summary. Shares (`*_pct`) are percent of the pool balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolSummary {
    pub loans: u64,
    pub balance: f64,
    pub average_balance: f64,
    pub min_balance: f64,
    pub max_balance: f64,
    pub gross_rate: Option<Stat>,
    /// Gross rate less the lender-paid MI premium.
    pub gross_rate_net_lpmi: Option<Stat>,
    /// Gross less servicing, MI premium, master servicing and trustee.
    pub net_rate: Option<Stat>,
    // ARM characteristics (over ARMs only).
    pub margin: Option<Stat>,
    pub months_to_roll: Option<Stat>,
    pub initial_cap: Option<Stat>,
    pub periodic_cap: Option<Stat>,
    pub life_cap: Option<Stat>,
    pub life_floor: Option<Stat>,
    pub orig_term: Option<Stat>,
    pub rem_term: Option<Stat>,
    pub age: Option<Stat>,
    pub orig_ltv: Option<Stat>,
    /// Over loans with a known FICO.
    pub fico: Option<Stat>,
    /// Over loans with a known DTI.
    pub dti: Option<Stat>,
    pub first_lien_pct: f64,
    pub second_lien_pct: f64,
    /// Loans with a prepayment penalty at origination (`prepay_penalty_months > 0`).
    pub prepay_penalty_pct: f64,
    pub prepay_soft_pct: f64,
    pub prepay_hard_pct: f64,
    pub prepay_none_pct: f64,
    /// A penalty term without a `hard`/`soft` type.
    pub prepay_unknown_pct: f64,
    pub top: Vec<TopTable>,
}

fn top_def(key: Key, order: CategoryOrder) -> StratTableDef {
    StratTableDef {
        file_stem: "top".into(),
        title: "top".into(),
        key,
        buckets: Buckets::Categories {
            order,
            values: Vec::new(),
            labels: BTreeMap::new(),
            decimals: 0,
            unknown: UnknownPos::Last,
        },
        columns: vec![Column::Description],
        filter: None,
        note: None,
        total_label: TotalLabel::Blank,
    }
}

/// Computes the pool summary (one pass, plus one per top table).
pub fn summarize(loans: &[Loan], ctx: &StratContext) -> Result<PoolSummary> {
    if loans.is_empty() {
        return Err(Error::invalid("loans", "the tape holds no loans"));
    }
    let mut bal = StatAcc::new();
    let mut gross = StatAcc::new();
    let mut net_lpmi = StatAcc::new();
    let mut net = StatAcc::new();
    let mut margin = StatAcc::new();
    let mut mtr = StatAcc::new();
    let mut icap = StatAcc::new();
    let mut pcap = StatAcc::new();
    let mut lcap = StatAcc::new();
    let mut lfloor = StatAcc::new();
    let mut oterm = StatAcc::new();
    let mut rterm = StatAcc::new();
    let mut age = StatAcc::new();
    let mut ltv = StatAcc::new();
    let mut fico = StatAcc::new();
    let mut dti = StatAcc::new();
    let (mut first, mut second) = (0.0, 0.0);
    let (mut soft, mut hard, mut none, mut unknown) = (0.0, 0.0, 0.0, 0.0);
    for l in loans {
        let b = l.balance;
        bal.add(b, 1.0);
        gross.add(l.gross_rate, b);
        net_lpmi.add(l.gross_rate - l.mi_fee, b);
        net.add(net_rate(l, &ctx.fees), b);
        if let Some(a) = &l.arm {
            margin.add(a.margin, b);
            mtr.add(
                f64::from(months_to_roll(l, ctx.cutoff).unwrap_or(a.months_to_reset)),
                b,
            );
            icap.add(a.initial_cap, b);
            pcap.add(a.periodic_cap, b);
            lcap.add(a.life_cap, b);
            lfloor.add(a.life_floor, b);
        }
        oterm.add(f64::from(l.orig_term), b);
        rterm.add(f64::from(l.rem_term), b);
        age.add(f64::from(l.age), b);
        ltv.add(l.orig_ltv, b);
        if let Some(f) = l.fico {
            fico.add(f64::from(f), b);
        }
        if let Some(d) = l.dti {
            dti.add(d, b);
        }
        if l.lien >= 2 {
            second += b;
        } else {
            first += b;
        }
        let kind = l.prepay_penalty_type.trim();
        if l.prepay_penalty_months == 0 {
            none += b;
        } else if kind.eq_ignore_ascii_case("soft") {
            soft += b;
        } else if kind.eq_ignore_ascii_case("hard") {
            hard += b;
        } else {
            unknown += b;
        }
    }
    let total = bal.s;
    let pct = |x: f64| if total > 0.0 { 100.0 * x / total } else { 0.0 };

    let tops = [
        ("Top 5 States", Key::State, CategoryOrder::Balance, Some(5)),
        (
            "Top 5 Prop",
            Key::PropertyType,
            CategoryOrder::Balance,
            Some(5),
        ),
        ("Doc Types", Key::DocType, CategoryOrder::Balance, Some(5)),
        (
            "Purpose Codes",
            Key::Purpose,
            CategoryOrder::Balance,
            Some(5),
        ),
        ("Occ Codes", Key::Occupancy, CategoryOrder::Balance, Some(5)),
        (
            "Orig PP Term",
            Key::PrepayPenaltyMonths,
            CategoryOrder::Numeric,
            None,
        ),
    ];
    let mut top = Vec::with_capacity(tops.len());
    for (title, key, order, limit) in tops {
        let t = compute_table(&top_def(key, order), loans, ctx)?;
        let rows: Vec<TopRow> = t
            .data_rows()
            .take(limit.unwrap_or(usize::MAX))
            .map(|r| TopRow {
                label: r.description.clone(),
                pct: r.measures.pct_of_total,
            })
            .collect();
        top.push(TopTable {
            title: title.into(),
            rows,
        });
    }

    Ok(PoolSummary {
        loans: loans.len() as u64,
        balance: total,
        average_balance: total / loans.len() as f64,
        min_balance: bal.min,
        max_balance: bal.max,
        gross_rate: gross.stat(),
        gross_rate_net_lpmi: net_lpmi.stat(),
        net_rate: net.stat(),
        margin: margin.stat(),
        months_to_roll: mtr.stat(),
        initial_cap: icap.stat(),
        periodic_cap: pcap.stat(),
        life_cap: lcap.stat(),
        life_floor: lfloor.stat(),
        orig_term: oterm.stat(),
        rem_term: rterm.stat(),
        age: age.stat(),
        orig_ltv: ltv.stat(),
        fico: fico.stat(),
        dti: dti.stat(),
        first_lien_pct: pct(first),
        second_lien_pct: pct(second),
        prepay_penalty_pct: pct(soft + hard + unknown),
        prepay_soft_pct: pct(soft),
        prepay_hard_pct: pct(hard),
        prepay_none_pct: pct(none),
        prepay_unknown_pct: pct(unknown),
        top,
    })
}
