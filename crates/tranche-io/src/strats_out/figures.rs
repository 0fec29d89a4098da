//! The pool summary as a flat list of labelled figures, in term-sheet order.

use tranche_core::strats::{format_number, PoolSummary, Stat};

/// One line of the summary. `value`/`range` are in file units (rates in percent).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub section: Option<&'static str>,
    pub label: &'static str,
    /// Stable machine name (snake case of section and label).
    pub key: &'static str,
    pub value: Option<f64>,
    /// `count`, `USD`, `percent`, `months` or `score`.
    pub unit: &'static str,
    pub decimals: u32,
    pub range: Option<(f64, f64)>,
}

impl Figure {
    fn fmt(&self, v: f64) -> String {
        match self.unit {
            "USD" => format_number(v, self.decimals, true),
            "percent" => format!("{}%", format_number(v, self.decimals, false)),
            "count" => format_number(v, 0, true)
                .trim_start_matches('$')
                .to_string(),
            _ => format_number(v, self.decimals, false),
        }
    }

    /// The value as printed (`$253,100`, `5.776%`, `27`).
    pub fn display_value(&self) -> String {
        self.value.map(|v| self.fmt(v)).unwrap_or_default()
    }

    /// The range as printed (`3.000% to 10.375%`), empty when none.
    pub fn display_range(&self) -> String {
        self.range
            .map(|(a, b)| format!("{} to {}", self.fmt(a), self.fmt(b)))
            .unwrap_or_default()
    }
}

type Row = (
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    u32,
);

/// The figures of a pool summary.
pub fn summary_figures(s: &PoolSummary) -> Vec<Figure> {
    let arm = Some("ARM Characteristics");
    let lien = Some("Secured by (% of pool)");
    let pp = Some("Prepay Moves Exempted");
    let pct = |st: Option<Stat>| {
        st.map(|x| Stat {
            wa: x.wa * 100.0,
            min: x.min * 100.0,
            max: x.max * 100.0,
        })
    };
    let stats: Vec<(Row, Option<Stat>, bool)> = vec![
        (
            (
                None,
                "Total Number of Loans",
                "total_number_of_loans",
                "count",
                0,
            ),
            Some(Stat {
                wa: s.loans as f64,
                min: 0.0,
                max: 0.0,
            }),
            false,
        ),
        (
            (
                None,
                "Total Outstanding Balance",
                "total_outstanding_balance",
                "USD",
                0,
            ),
            Some(Stat {
                wa: s.balance,
                min: 0.0,
                max: 0.0,
            }),
            false,
        ),
        (
            (
                None,
                "Average Loan Balance",
                "average_loan_balance",
                "USD",
                0,
            ),
            Some(Stat {
                wa: s.average_balance,
                min: s.min_balance,
                max: s.max_balance,
            }),
            true,
        ),
        (
            (None, "WA Mortgage Rate", "wa_mortgage_rate", "percent", 3),
            pct(s.gross_rate),
            true,
        ),
        (
            (
                None,
                "WA Mortgage Rate Net LPMI",
                "wa_mortgage_rate_net_lpmi",
                "percent",
                3,
            ),
            pct(s.gross_rate_net_lpmi),
            true,
        ),
        (
            (None, "Net WAC", "net_wac", "percent", 3),
            pct(s.net_rate),
            true,
        ),
        (
            (
                arm,
                "WA Gross Margin",
                "arm_characteristics_wa_gross_margin",
                "percent",
                3,
            ),
            pct(s.margin),
            true,
        ),
        (
            (
                arm,
                "WA Months to First Roll",
                "arm_characteristics_wa_months_to_first_roll",
                "months",
                0,
            ),
            s.months_to_roll,
            true,
        ),
        (
            (
                arm,
                "WA First Periodic Cap",
                "arm_characteristics_wa_first_periodic_cap",
                "percent",
                3,
            ),
            pct(s.initial_cap),
            true,
        ),
        (
            (
                arm,
                "WA Subsequent Periodic Cap",
                "arm_characteristics_wa_subsequent_periodic_cap",
                "percent",
                3,
            ),
            pct(s.periodic_cap),
            true,
        ),
        (
            (
                arm,
                "WA Lifetime Cap",
                "arm_characteristics_wa_lifetime_cap",
                "percent",
                3,
            ),
            pct(s.life_cap),
            true,
        ),
        (
            (
                arm,
                "WA Lifetime Floor",
                "arm_characteristics_wa_lifetime_floor",
                "percent",
                3,
            ),
            pct(s.life_floor),
            true,
        ),
        (
            (
                None,
                "WA Original Term (months)",
                "wa_original_term_months",
                "months",
                0,
            ),
            s.orig_term,
            true,
        ),
        (
            (
                None,
                "WA Remaining Term (months)",
                "wa_remaining_term_months",
                "months",
                0,
            ),
            s.rem_term,
            true,
        ),
        (
            (None, "WA Age (months)", "wa_age_months", "months", 0),
            s.age,
            true,
        ),
        ((None, "WA LTV", "wa_ltv", "percent", 2), s.orig_ltv, true),
        ((None, "WA FICO", "wa_fico", "score", 0), s.fico, false),
        ((None, "WA DTI%", "wa_dti_pct", "percent", 2), s.dti, false),
    ];
    let share = |v: f64| {
        Some(Stat {
            wa: v,
            min: 0.0,
            max: 0.0,
        })
    };
    let shares: Vec<(Row, Option<Stat>, bool)> = vec![
        (
            (
                lien,
                "1st Liens",
                "secured_by_pct_of_pool_1st_liens",
                "percent",
                2,
            ),
            share(s.first_lien_pct),
            false,
        ),
        (
            (
                lien,
                "2nd Liens",
                "secured_by_pct_of_pool_2nd_liens",
                "percent",
                2,
            ),
            share(s.second_lien_pct),
            false,
        ),
        (
            (
                None,
                "Prepayment Penalty at Loan Orig (% of all loans)",
                "prepayment_penalty_at_loan_orig_pct_of_all_loans",
                "percent",
                2,
            ),
            share(s.prepay_penalty_pct),
            false,
        ),
        (
            (pp, "Soft", "prepay_moves_exempted_soft", "percent", 2),
            share(s.prepay_soft_pct),
            false,
        ),
        (
            (pp, "Hard", "prepay_moves_exempted_hard", "percent", 2),
            share(s.prepay_hard_pct),
            false,
        ),
        (
            (
                pp,
                "No Prepay",
                "prepay_moves_exempted_no_prepay",
                "percent",
                2,
            ),
            share(s.prepay_none_pct),
            false,
        ),
        (
            (pp, "Unknown", "prepay_moves_exempted_unknown", "percent", 2),
            share(s.prepay_unknown_pct),
            false,
        ),
    ];
    stats
        .into_iter()
        .chain(shares)
        .map(
            |((section, label, key, unit, decimals), st, ranged)| Figure {
                section,
                label,
                key,
                value: st.map(|x| x.wa),
                unit,
                decimals,
                range: if ranged {
                    st.map(|x| (x.min, x.max))
                } else {
                    None
                },
            },
        )
        .collect()
}
