//! Stratifies a tape by the published tables and measures the fit, table by table.

use super::dims::{parse_bucket, Dim, RangeSpec};
use super::{PoolSummary, StratTable};
use chrono::{Datelike, NaiveDate};
use std::fmt;
use tranche_core::tape::Loan;

/// How one table is reproduced by a tape.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFit {
    pub title: String,
    pub dim: Dim,
    /// False when no tape field carries this table's attribute.
    pub checked: bool,
    /// Largest |loan count − published count| over the buckets.
    pub max_count_err: usize,
    /// Loans that fall in no bucket of the table.
    pub unplaced: usize,
    /// Largest |balance share − published %| in percentage points.
    pub max_share_err_pp: f64,
    pub max_gross_wac_err: Option<f64>,
    pub max_net_wac_err: Option<f64>,
    pub max_rem_term_err: Option<f64>,
    /// Weighted average months to roll vs the printed value (printed as whole months).
    pub max_mtr_err: Option<f64>,
}

/// The per-table fit of a tape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FitReport {
    pub tables: Vec<TableFit>,
}

impl FitReport {
    /// True when every checked table has exact counts and balance shares within `share_pp`.
    pub fn counts_and_shares_ok(&self, share_pp: f64) -> bool {
        self.tables
            .iter()
            .filter(|t| t.checked)
            .all(|t| t.max_count_err == 0 && t.unplaced == 0 && t.max_share_err_pp <= share_pp)
    }
}

fn opt(v: Option<f64>, d: usize) -> String {
    v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "-".into())
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<58} {:>5} {:>5} {:>8} {:>7} {:>7} {:>7} {:>6}",
            "table", "cnt", "unpl", "share_pp", "wac", "netwac", "term", "mtr"
        )?;
        for t in &self.tables {
            if !t.checked {
                writeln!(f, "{:<58} (not on the tape: not checked)", t.title)?;
                continue;
            }
            writeln!(
                f,
                "{:<58} {:>5} {:>5} {:>8.4} {:>7} {:>7} {:>7} {:>6}",
                t.title,
                t.max_count_err,
                t.unplaced,
                t.max_share_err_pp,
                opt(t.max_gross_wac_err, 4),
                opt(t.max_net_wac_err, 4),
                opt(t.max_rem_term_err, 3),
                opt(t.max_mtr_err, 2)
            )?;
        }
        Ok(())
    }
}

/// Months to roll as a term sheet counts it: from the loan's own cut-off date (the later of
/// the pool cut-off and its origination); see [`tranche_core::strats::months_to_roll`].
pub fn strat_months_to_roll(l: &Loan, cutoff: NaiveDate) -> Option<u32> {
    tranche_core::strats::months_to_roll(l, Some(cutoff))
}

fn find(buckets: &[RangeSpec], v: f64) -> Option<usize> {
    if let Some(i) = buckets.iter().position(|b| b.contains(v)) {
        return Some(i);
    }
    let mut best = None;
    for (i, b) in buckets.iter().enumerate() {
        if let RangeSpec::Range { lo, hi } = b {
            // only the rounding gap just above a bucket (e.g. 3.4995 in 3.000 - 3.499)
            if *lo <= v && v < hi + 0.01 {
                best = Some(i);
            }
        }
    }
    best
}

fn eq_label(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The bucket of `l` in a table of dimension `d`; `None` when it falls in none, `Some(None)`
/// style results are flattened: a loan outside the table's population (PMI table, ARM
/// tables for fixed loans) returns `Err(())`.
#[allow(clippy::result_unit_err)]
fn bucket_of(
    d: Dim,
    buckets: &[RangeSpec],
    l: &Loan,
    cutoff: NaiveDate,
) -> Result<Option<usize>, ()> {
    let unknown = || buckets.iter().position(|b| *b == RangeSpec::Unknown);
    let num = |v: f64| find(buckets, v);
    let label = |s: &str| {
        buckets
            .iter()
            .position(|b| matches!(b, RangeSpec::Label(x) if eq_label(x, s)))
    };
    Ok(match d {
        Dim::Product => label(&l.product),
        Dim::Balance => num(l.balance),
        Dim::State => label(&l.state),
        Dim::PropertyType => label(&l.property_type),
        Dim::Purpose => label(&l.purpose),
        Dim::Occupancy => label(&l.occupancy),
        Dim::DocType => label(&l.doc_type),
        Dim::Delinquency => label(&l.delinquency),
        Dim::Ltv => num(l.orig_ltv),
        Dim::Coupon => num(round6(l.gross_rate * 100.0)),
        Dim::RemTerm => num(l.rem_term as f64),
        Dim::OrigTerm => num(l.orig_term as f64),
        Dim::Age => num(l.age as f64),
        Dim::Fico => match l.fico {
            Some(f) => num(f as f64),
            None => unknown(),
        },
        Dim::Dti => match l.dti {
            Some(x) => num(x),
            None => unknown(),
        },
        Dim::PrepayTerm => num(l.prepay_penalty_months as f64),
        Dim::PmiLtv => {
            if l.orig_ltv <= 80.0 + 1e-9 {
                return Err(());
            }
            let no = buckets.iter().position(|b| matches!(b, RangeSpec::Label(x) if { let x = x.to_ascii_lowercase(); x.contains("no mi") || x.contains("without") }));
            let with = buckets.iter().position(|b| matches!(b, RangeSpec::Label(x) if { let x = x.to_ascii_lowercase(); !(x.contains("no mi") || x.contains("without")) }));
            if l.mi_fee > 0.0 {
                with
            } else {
                no
            }
        }
        Dim::MonthsToRoll => match strat_months_to_roll(l, cutoff) {
            Some(m) => num(m as f64),
            None => return Err(()),
        },
        Dim::Margin => match &l.arm {
            Some(a) => num(round6(a.margin * 100.0)),
            None => return Err(()),
        },
        Dim::MaxRate => match &l.arm {
            Some(a) => num(round6(a.life_cap * 100.0)),
            None => return Err(()),
        },
        Dim::NextAdjustment => match &l.arm {
            Some(a) => {
                let m = a.months_to_reset as i32;
                buckets.iter().position(|b| *b == RangeSpec::Month(m))
            }
            None => return Err(()),
        },
        Dim::Lien | Dim::Unsupported => None,
    })
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Stratifies `loans` by every table and compares with the published rows. `trust_fee_pct`
/// is the deal-level fee inside the published NET WAC (not on the tape).
pub fn stratify_check(
    loans: &[Loan],
    tables: &[StratTable],
    summary: &PoolSummary,
    cutoff: NaiveDate,
    trust_fee_pct: f64,
) -> FitReport {
    let mut out = Vec::new();
    let _ = cutoff.year();
    for t in tables {
        let dim = Dim::from_title(&t.title);
        let buckets: Option<Vec<RangeSpec>> = t
            .rows
            .iter()
            .map(|r| parse_bucket(dim, &r.label, cutoff, summary))
            .collect();
        let checked = !matches!(dim, Dim::Unsupported | Dim::Lien) && buckets.is_some();
        let mut fit = TableFit {
            title: t.title.clone(),
            dim,
            checked,
            max_count_err: 0,
            unplaced: 0,
            max_share_err_pp: 0.0,
            max_gross_wac_err: None,
            max_net_wac_err: None,
            max_rem_term_err: None,
            max_mtr_err: None,
        };
        let Some(buckets) = buckets.filter(|_| checked) else {
            out.push(fit);
            continue;
        };
        let k = t.rows.len();
        let mut cnt = vec![0usize; k];
        let mut bal = vec![0.0; k];
        let mut gr = vec![0.0; k];
        let mut nt = vec![0.0; k];
        let mut rt = vec![0.0; k];
        let mut bm = vec![0.0; k];
        let mut mt = vec![0.0; k];
        for l in loans {
            match bucket_of(dim, &buckets, l, cutoff) {
                Err(()) => {}
                Ok(None) => fit.unplaced += 1,
                Ok(Some(b)) => {
                    cnt[b] += 1;
                    bal[b] += l.balance;
                    gr[b] += l.balance * l.gross_rate * 100.0;
                    nt[b] += l.balance
                        * ((l.gross_rate - l.servicing_fee - l.mi_fee) * 100.0 - trust_fee_pct);
                    rt[b] += l.balance * l.rem_term as f64;
                    if let Some(m) = strat_months_to_roll(l, cutoff) {
                        bm[b] += l.balance;
                        mt[b] += l.balance * m as f64;
                    }
                }
            }
        }
        let tot: f64 = bal.iter().sum();
        let pub_tot = t.total_balance();
        let upd = |slot: &mut Option<f64>, e: f64| *slot = Some(slot.map_or(e, |x: f64| x.max(e)));
        for (b, r) in t.rows.iter().enumerate() {
            fit.max_count_err = fit.max_count_err.max(cnt[b].abs_diff(r.count));
            let share = if tot > 0.0 { bal[b] / tot * 100.0 } else { 0.0 };
            let want = if pub_tot > 0.0 {
                r.balance / pub_tot * 100.0
            } else {
                0.0
            };
            fit.max_share_err_pp = fit.max_share_err_pp.max((share - want).abs());
            if bal[b] > 0.0 {
                if let Some(g) = r.gross_wac {
                    upd(&mut fit.max_gross_wac_err, (gr[b] / bal[b] - g).abs());
                }
                if let Some(g) = r.net_wac {
                    upd(&mut fit.max_net_wac_err, (nt[b] / bal[b] - g).abs());
                }
                if let Some(g) = r.rem_term {
                    upd(&mut fit.max_rem_term_err, (rt[b] / bal[b] - g).abs());
                }
                if let (Some(g), true) = (r.wa_mtr, bm[b] > 0.0) {
                    upd(&mut fit.max_mtr_err, (mt[b] / bm[b] - g).abs());
                }
            }
        }
        out.push(fit);
    }
    FitReport { tables: out }
}

/// Pool-level weighted averages of the tape next to the summary's figures.
pub fn pool_check(loans: &[Loan], s: &PoolSummary, opts: &super::FitOptions) -> Vec<String> {
    let tot: f64 = loans.iter().map(|l| l.balance).sum();
    let arm: Vec<&Loan> = loans.iter().filter(|l| l.arm.is_some()).collect();
    let arm_tot: f64 = arm.iter().map(|l| l.balance).sum();
    let wa = |f: &dyn Fn(&Loan) -> f64| {
        if tot > 0.0 {
            loans.iter().map(|l| l.balance * f(l)).sum::<f64>() / tot
        } else {
            0.0
        }
    };
    let wa_arm = |f: &dyn Fn(&tranche_core::tape::ArmTerms) -> f64| {
        if arm_tot > 0.0 {
            arm.iter()
                .filter_map(|l| l.arm.as_ref().map(|a| l.balance * f(a)))
                .sum::<f64>()
                / arm_tot
        } else {
            0.0
        }
    };
    let mut out = Vec::new();
    let mut line = |name: &str, tape: f64, key: &str| {
        let want = s
            .value(key)
            .map(|v| format!("{v:.3}"))
            .unwrap_or_else(|| "-".into());
        out.push(format!(
            "pool {name:<32} tape {tape:>10.4}   summary {want}"
        ));
    };
    line("loans", loans.len() as f64, "total_number_of_loans");
    line("balance", tot, "total_outstanding_balance");
    line(
        "WA gross rate %",
        wa(&|l| l.gross_rate * 100.0),
        "wa_mortgage_rate",
    );
    line(
        "WA rate net of LPMI %",
        wa(&|l| (l.gross_rate - l.mi_fee) * 100.0),
        "wa_mortgage_rate_net_lpmi",
    );
    line(
        "net WAC %",
        wa(&|l| (l.gross_rate - l.mi_fee - l.servicing_fee) * 100.0) - opts.trust_fee_pct,
        "net_wac",
    );
    line(
        "WA margin %",
        wa_arm(&|a| a.margin * 100.0),
        "wa_gross_margin",
    );
    line(
        "WA first periodic cap %",
        wa_arm(&|a| a.initial_cap * 100.0),
        "wa_first_periodic_cap",
    );
    line(
        "WA subsequent periodic cap %",
        wa_arm(&|a| a.periodic_cap * 100.0),
        "wa_subsequent_periodic_cap",
    );
    line(
        "WA lifetime cap %",
        wa_arm(&|a| a.life_cap * 100.0),
        "wa_lifetime_cap",
    );
    line(
        "WA lifetime floor %",
        wa_arm(&|a| a.life_floor * 100.0),
        "wa_lifetime_floor",
    );
    line(
        "WA months to roll",
        wa_arm(&|a| a.months_to_reset as f64),
        "wa_months_to_first_roll",
    );
    line(
        "WA remaining term",
        wa(&|l| l.rem_term as f64),
        "wa_remaining_term_months",
    );
    line("WA LTV %", wa(&|l| l.orig_ltv), "wa_ltv");
    let known: Vec<&Loan> = loans.iter().filter(|l| l.fico.is_some()).collect();
    let kt: f64 = known.iter().map(|l| l.balance).sum();
    line(
        "WA FICO",
        known
            .iter()
            .map(|l| l.balance * l.fico.unwrap_or(0) as f64)
            .sum::<f64>()
            / kt.max(1.0),
        "wa_fico",
    );
    let kd: Vec<&Loan> = loans.iter().filter(|l| l.dti.is_some()).collect();
    let dt: f64 = kd.iter().map(|l| l.balance).sum();
    line(
        "WA DTI %",
        kd.iter()
            .map(|l| l.balance * l.dti.unwrap_or(0.0))
            .sum::<f64>()
            / dt.max(1.0),
        "wa_dti_pct",
    );
    line(
        "WA MI premium % (pool)",
        wa(&|l| l.mi_fee * 100.0),
        "__none",
    );
    let share = |p: &dyn Fn(&Loan) -> bool| {
        loans
            .iter()
            .filter(|l| p(l))
            .map(|l| l.balance)
            .sum::<f64>()
            / tot.max(1.0)
            * 100.0
    };
    line(
        "soft prepay penalty % of pool",
        share(&|l| l.prepay_penalty_type == "soft"),
        "prepay_moves_exempted_soft",
    );
    line(
        "hard prepay penalty % of pool",
        share(&|l| l.prepay_penalty_type == "hard"),
        "prepay_moves_exempted_hard",
    );
    for t in &opts.servicing {
        let r = t.rate_pct / 100.0;
        let at = share(&|l| (l.servicing_fee - r).abs() < 1e-9);
        out.push(match t.scope {
            super::TierScope::Share(sh) => format!(
                "pool servicing {:.3}% share of balance   tape {at:>8.4}   target {sh:.2}",
                t.rate_pct
            ),
            super::TierScope::Kind(k) => {
                let fixed = k == super::LoanKind::Fixed;
                let of_kind = share(&|l| (l.arm.is_none()) == fixed);
                let right =
                    share(&|l| (l.arm.is_none()) == fixed && (l.servicing_fee - r).abs() < 1e-9);
                format!(
                    "pool servicing {:.3}% on the {} loans: {right:.4}% of the pool at that \
                     rate, of {of_kind:.4}% {}",
                    t.rate_pct,
                    k.name(),
                    k.name()
                )
            }
        });
    }
    let insured = share(&|l| l.mi_fee > 0.0);
    let max_mi = loans.iter().map(|l| l.mi_fee * 100.0).fold(0.0, f64::max);
    out.push(format!(
        "pool MI premium paid by the trust on {insured:.4}% of the balance, largest {max_mi:.2}%"
    ));
    let net_lpmi = |l: &Loan| (l.gross_rate - l.mi_fee) * 100.0;
    let lo = loans.iter().map(net_lpmi).fold(f64::INFINITY, f64::min);
    let hi = loans.iter().map(net_lpmi).fold(f64::NEG_INFINITY, f64::max);
    let want = s
        .get("wa_mortgage_rate_net_lpmi")
        .and_then(|f| Some(format!("{:.3} to {:.3}", f.min?, f.max?)))
        .unwrap_or_else(|| "-".into());
    out.push(format!(
        "pool rate net of LPMI range         tape {lo:.3} to {hi:.3}   summary {want}"
    ));
    out.push(format!(
        "pool interest-only share of balance      tape {:>8.4}",
        share(&|l| l.io_months > 0)
    ));
    out
}
