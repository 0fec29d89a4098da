//! Bucket labels and row order.

use super::accum::Acc;
use super::defs::{Buckets, CategoryOrder, Closed, StratTableDef};
use super::key::month_label;
use super::Groups;
use std::cmp::Ordering;

/// `v` with `decimals` decimals, halves rounded away from zero (as spreadsheets print);
/// with `currency`, a `$` and thousands separators.
pub fn format_number(v: f64, decimals: u32, currency: bool) -> String {
    let scale = 10f64.powi(decimals as i32);
    let r = (v.abs() * scale).round() / scale;
    let s = format!("{:.*}", decimals as usize, r);
    let neg = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let body = if currency {
        let (int, frac) = s
            .split_once('.')
            .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        match frac {
            Some(f) => format!("${grouped}.{f}"),
            None => format!("${grouped}"),
        }
    } else {
        s
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// The label of a key value, printed like the table's bucket labels.
pub(super) fn key_label(def: &StratTableDef, v: f64) -> String {
    match &def.buckets {
        Buckets::Ranges {
            decimals, currency, ..
        } => format_number(v, *decimals, *currency),
        Buckets::Categories { decimals, .. } => format_number(v, *decimals, false),
        Buckets::Months { .. } => month_label(v.floor() as i32),
    }
}

fn range_label(edges: &[f64], i: usize, closed: Closed, decimals: u32, currency: bool) -> String {
    let f = |v: f64| format_number(v, decimals, currency);
    let unit = 10f64.powi(-(decimals as i32));
    let last = edges.len();
    match (closed, i) {
        (Closed::Upper, 0) => format!("<= {}", f(edges[0])),
        (Closed::Lower, 0) => format!("< {}", f(edges[0])),
        (Closed::Upper, i) if i == last => format!("> {}", f(edges[last - 1])),
        (Closed::Lower, i) if i == last => format!(">= {}", f(edges[last - 1])),
        (Closed::Upper, i) => format!("{} - {}", f(edges[i - 1] + unit), f(edges[i])),
        (Closed::Lower, i) => format!("{} - {}", f(edges[i - 1]), f(edges[i] - unit)),
    }
}

/// Non-empty buckets (and empty interior ranges when asked) in display order, labelled.
pub(super) fn ordered_rows<'a>(def: &StratTableDef, groups: Groups<'a>) -> Vec<(String, Acc<'a>)> {
    match (&def.buckets, groups) {
        (
            Buckets::Ranges {
                edges,
                closed,
                decimals,
                currency,
                descending,
                show_empty,
                ..
            },
            Groups::Ranges(accs),
        ) => {
            let last = edges.len();
            let mut rows: Vec<(String, Acc)> = accs
                .into_iter()
                .enumerate()
                .filter(|(i, a)| a.n > 0 || (*show_empty && *i > 0 && *i < last))
                .map(|(i, a)| (range_label(edges, i, *closed, *decimals, *currency), a))
                .collect();
            if *descending {
                rows.reverse();
            }
            rows
        }
        (Buckets::Months { .. }, Groups::Months(m)) => {
            m.into_iter().map(|(mo, a)| (month_label(mo), a)).collect()
        }
        (
            Buckets::Categories {
                order,
                values,
                labels,
                decimals,
                ..
            },
            groups,
        ) => {
            // (raw value, numeric value for ordering, acc)
            let mut raw: Vec<(String, Option<f64>, Acc)> = match groups {
                Groups::Text(m) => m
                    .into_iter()
                    .map(|(t, a)| (t.to_string(), t.parse::<f64>().ok(), a))
                    .collect(),
                Groups::Num(m) => {
                    let scale = 10f64.powi(*decimals as i32);
                    m.into_iter()
                        .map(|(k, a)| {
                            let v = k as f64 / scale;
                            (format_number(v, *decimals, false), Some(v), a)
                        })
                        .collect()
                }
                Groups::Ranges(_) | Groups::Months(_) => Vec::new(),
            };
            match order {
                CategoryOrder::Balance => {
                    raw.sort_by(|a, b| b.2.bal.total_cmp(&a.2.bal).then_with(|| a.0.cmp(&b.0)))
                }
                CategoryOrder::Alphabetical => raw.sort_by(|a, b| a.0.cmp(&b.0)),
                CategoryOrder::Numeric => raw.sort_by(|a, b| match (a.1, b.1) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => a.0.cmp(&b.0),
                }),
                CategoryOrder::Listed => {
                    let pos = |s: &str| values.iter().position(|v| v == s).unwrap_or(usize::MAX);
                    raw.sort_by(|a, b| {
                        pos(&a.0)
                            .cmp(&pos(&b.0))
                            .then_with(|| b.2.bal.total_cmp(&a.2.bal))
                            .then_with(|| a.0.cmp(&b.0))
                    })
                }
                CategoryOrder::Product => raw.sort_by(|a, b| {
                    // ARMs first, then fixed-rate products (no ARM index) by term.
                    let ka = (a.2.has_fixed, a.2.index.unwrap_or(""));
                    let kb = (b.2.has_fixed, b.2.index.unwrap_or(""));
                    ka.cmp(&kb)
                        .then_with(|| a.2.initial_period().total_cmp(&b.2.initial_period()))
                        .then_with(|| a.2.orig_term().total_cmp(&b.2.orig_term()))
                        .then_with(|| a.0.cmp(&b.0))
                }),
            }
            raw.into_iter()
                .map(|(v, _, a)| (labels.get(&v).cloned().unwrap_or(v), a))
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(format_number(50000.01, 2, true), "$50,000.01");
        assert_eq!(format_number(1_000_000.0, 2, true), "$1,000,000.00");
        assert_eq!(format_number(999.0, 0, true), "$999");
        assert_eq!(format_number(3.4999, 3, false), "3.500");
        assert_eq!(format_number(-0.0001, 2, false), "0.00");
        assert_eq!(format_number(-1234.5, 1, true), "-$1,234.5");
        assert_eq!(format_number(82_716.5, 0, false), "82717");
        assert_eq!(format_number(2.5, 0, false), "3");
    }

    #[test]
    fn range_labels() {
        let e = [0.0, 50_000.0, 100_000.0];
        assert_eq!(
            range_label(&e, 1, Closed::Upper, 2, true),
            "$0.01 - $50,000.00"
        );
        assert_eq!(range_label(&e, 3, Closed::Upper, 2, true), "> $100,000.00");
        let e = [3.0, 3.5, 20.0];
        assert_eq!(range_label(&e, 1, Closed::Lower, 3, false), "3.000 - 3.499");
        assert_eq!(range_label(&e, 3, Closed::Lower, 3, false), ">= 20.000");
        assert_eq!(range_label(&e, 0, Closed::Lower, 3, false), "< 3.000");
        let e = [800.0, 820.0];
        assert_eq!(range_label(&e, 1, Closed::Upper, 0, false), "801 - 820");
    }
}
