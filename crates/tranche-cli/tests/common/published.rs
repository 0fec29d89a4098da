//! A term sheet's published strat tables (the CSVs of `seed-data`) against `tranche
//! strats --format json`: the tests of both bundled deals read them the same way.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A published row: label, and the numeric columns by header.
pub struct PubRow {
    pub label: String,
    pub row_type: String,
    pub values: BTreeMap<String, Option<f64>>,
}

pub fn read_published(path: &Path) -> Vec<PubRow> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut values = BTreeMap::new();
            for (h, v) in headers.iter().zip(rec.iter()) {
                if h != "DESCRIPTION" && h != "ROW_TYPE" {
                    values.insert(h.clone(), v.trim().parse::<f64>().ok());
                }
            }
            PubRow {
                label: rec[0].to_string(),
                row_type: rec[headers.len() - 1].to_string(),
                values,
            }
        })
        .collect()
}

/// Our rows' value of a published column.
pub fn ours(row: &Value, header: &str) -> Option<f64> {
    let key = match header {
        "WA MTR" => "wa_mtr",
        "CURRENT BALANCE" => "current_balance",
        "# OF LOANS" => "loans",
        "% OF TOTAL" => "pct_of_total",
        "AVERAGE BALANCE" => "average_balance",
        "MIN WAC" => "min_wac_pct",
        "MAX WAC" => "max_wac_pct",
        "GROSS WAC" => "gross_wac_pct",
        "NET WAC" => "net_wac_pct",
        "REMG. TERM" => "remg_term",
        "AGE" => "age",
        "FICO" => "fico",
        "ORIG LTV" => "orig_ltv_pct",
        _ => return None,
    };
    row[key].as_f64()
}

pub const MEASURES: [&str; 11] = [
    "# OF LOANS",
    "% OF TOTAL",
    "MIN WAC",
    "MAX WAC",
    "GROSS WAC",
    "NET WAC",
    "REMG. TERM",
    "AGE",
    "FICO",
    "ORIG LTV",
    "WA MTR",
];
