//! Downloads: every table as CSV (byte for byte what the matching command prints) or XLSX
//! (the same cells, numbers as numbers), and the whole report (`tranche report`'s HTML
//! page or workbook). The scenario travels in the query string, so a download is a plain
//! link.

use crate::api::price_table_inputs;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::exec::AppState;
use crate::scenario::{run_error, ScenarioJson};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use tranche_core::tables::{afr_schedule, price_table, AFR_SHOCK};
use tranche_io::render::{self, Cell, Table};
use tranche_io::report::{build_document, gather};
use tranche_io::tables_out::{self, TableFormat};
use utoipa::IntoParams;

/// Longest `scenario` query value, bytes.
const MAX_QUERY_SCENARIO: usize = 16 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
pub struct DownloadQuery {
    /// The scenario as JSON (the body of `POST .../run`); default the pricing assumption.
    pub scenario: Option<String>,
    /// Price/DM table and report speeds, percent of the pricing speed, comma-separated.
    pub speeds: Option<String>,
    /// The breakeven table's request without its scenario (the body of
    /// `POST .../breakeven` less `scenario`), as JSON; default the command line's.
    pub breakeven: Option<String>,
}

/// The tables that can be downloaded (besides `collateral-<table id>`).
pub const TABLES: [&str; 7] = [
    "bonds",
    "ledger",
    "summary",
    "price-table",
    "afr",
    "term-sheet",
    "breakeven",
];

/// A CSV table as a worksheet: the same cells, numbers as numbers with the CSV's decimals.
pub fn csv_sheet(id: &str, title: &str, csv_text: &str) -> ApiResult<Table> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let head: Vec<String> = rdr
        .headers()
        .map_err(|e| ApiError::internal(format!("{id}: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let cols: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut t = Table::new(title, &cols).with_id(id);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ApiError::internal(format!("{id}: {e}")))?;
        t.push(rec.iter().map(cell).collect());
    }
    Ok(t)
}

fn cell(s: &str) -> Cell {
    if s.is_empty() {
        return Cell::Empty;
    }
    if let Ok(i) = s.parse::<i64>() {
        return Cell::Int(i);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let decimals = s.split_once('.').map_or(0, |(_, d)| d.len().min(12) as u8);
            Cell::decimal(v, decimals)
        }
        _ => Cell::text(s),
    }
}

fn file_response(name: &str, kind: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn speeds_of(q: &DownloadQuery) -> ApiResult<Option<Vec<f64>>> {
    let Some(s) = q.speeds.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    ApiError::bad(format!(
                        "speeds: expected numbers separated by commas, found `{x}`"
                    ))
                })
        })
        .collect::<ApiResult<Vec<f64>>>()
        .map(Some)
}

/// A table or the report, for the scenario of the query.
#[utoipa::path(get, path = "/api/v1/deals/{id}/download/{file}", tag = "downloads",
    params(("id" = String, Path, description = "the deal's folder name"),
        ("file" = String, Path, description = "`TABLE.csv` or `TABLE.xlsx` with TABLE one of bonds, ledger, summary, price-table, afr, term-sheet, breakeven or collateral-ID (an id of the deal's collateral tables); or `report.html`, `report.xlsx`"),
        DownloadQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(st): State<Arc<AppState>>,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    let (stem, ext) = file.rsplit_once('.').ok_or_else(|| {
        ApiError::not_found(format!(
            "{file}: expected TABLE.csv, TABLE.xlsx, report.html or report.xlsx"
        ))
    })?;
    let xlsx = match ext {
        "csv" => false,
        "xlsx" => true,
        "html" if stem == "report" => false,
        _ => {
            return Err(ApiError::not_found(format!(
                "{file}: expected TABLE.csv, TABLE.xlsx, report.html or report.xlsx"
            )))
        }
    };
    let sj: ScenarioJson = match &q.scenario {
        None => ScenarioJson::default(),
        Some(s) if s.len() > MAX_QUERY_SCENARIO => {
            return Err(ApiError::too_large(format!(
                "scenario: longer than {MAX_QUERY_SCENARIO} bytes"
            )))
        }
        Some(s) => serde_json::from_str(s).map_err(|e| {
            ApiError::bad(format!("scenario: {e}; expected the JSON of POST .../run"))
        })?,
    };
    let speeds = speeds_of(&q)?;
    let name = format!("{id}-{file}");
    if stem == "report" {
        let (base, speeds) = price_table_inputs(
            &st,
            &ScenarioJson {
                price: sj.price,
                ..Default::default()
            },
            speeds.as_deref(),
        )?;
        let me = st.clone();
        let bytes = st
            .blocking(move || {
                let e = me.store.get(&id)?;
                let mut spec = me
                    .host
                    .report_spec(&e.dir, base.price, &speeds)
                    .map_err(ApiError::bad)?;
                spec.base = base;
                let inputs = gather(&e.model, &spec, &mut |_| {})
                    .map_err(|e| ApiError::bad(e.to_string()))?;
                let doc = build_document(&inputs);
                if xlsx {
                    let tables: Vec<&Table> = doc.tables().collect();
                    render::xlsx::workbook_bytes(&tables, std::path::Path::new("report.xlsx"))
                        .map_err(|e| ApiError::internal(e.to_string()))
                } else {
                    Ok(doc.to_html().into_bytes())
                }
            })
            .await?;
        let kind = if xlsx {
            XLSX
        } else {
            "text/html; charset=utf-8"
        };
        return Ok(file_response(&name, kind, bytes));
    }
    let scenario = sj.to_scenario()?;
    let (title, csv_text, typed) = match stem {
        "bonds" | "ledger" | "summary" => {
            let (out, _) = st.run(id, scenario).await?;
            let r = match stem {
                "bonds" => st.host.bond_flows(&out.run),
                "ledger" => st.host.ledger(&out.ledger),
                _ => st.host.run_summary(&out.summary),
            };
            (stem.to_string(), r.csv(), None)
        }
        "price-table" => {
            let (base, speeds) = price_table_inputs(&st, &sj, speeds.as_deref())?;
            let me = st.clone();
            let rows = st
                .blocking(move || {
                    let e = me.store.get(&id)?;
                    price_table(&e.model, &base, &speeds).map_err(run_error)
                })
                .await?;
            (
                "Price/DM".to_string(),
                tables_out::price_table(&rows, TableFormat::Csv),
                None,
            )
        }
        "afr" => {
            let me = st.clone();
            let rows = st
                .blocking(move || {
                    let e = me.store.get(&id)?;
                    afr_schedule(&e.model, &scenario, &AFR_SHOCK).map_err(run_error)
                })
                .await?;
            (
                "Available Funds Rate".to_string(),
                tables_out::afr_schedule(&rows, TableFormat::Csv),
                None,
            )
        }
        "breakeven" => {
            let mut req: crate::breakeven::BreakevenRequest = match &q.breakeven {
                None => Default::default(),
                Some(b) if b.len() > MAX_QUERY_SCENARIO => {
                    return Err(ApiError::too_large(format!(
                        "breakeven: longer than {MAX_QUERY_SCENARIO} bytes"
                    )))
                }
                Some(b) => serde_json::from_str(b).map_err(|e| {
                    ApiError::bad(format!(
                        "breakeven: {e}; expected the JSON of POST .../breakeven"
                    ))
                })?,
            };
            req.scenario = sj.clone();
            let (over, rows) = crate::breakeven::solve_request(&st, id, req).await?;
            let t = crate::breakeven::table(over, &rows);
            let text = render::csv(&t).map_err(|e| ApiError::internal(e.to_string()))?;
            (t.title.clone(), text, Some(t))
        }
        "term-sheet" => {
            let e = st.deal(id).await?;
            (
                "Term-sheet summary".to_string(),
                tables_out::summary(&e.term_sheet, TableFormat::Csv),
                None,
            )
        }
        other => {
            let e = st.deal(id).await?;
            let t = other
                .strip_prefix("collateral-")
                .and_then(|_| e.spec.collateral.iter().find(|t| t.id == other))
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "{file}: no such table; expected one of {} or collateral-ID",
                        TABLES.join(", ")
                    ))
                })?;
            let text = render::csv(t).map_err(|e| ApiError::internal(e.to_string()))?;
            (t.title.clone(), text, Some(t.clone()))
        }
    };
    if xlsx {
        let sheet = match typed {
            Some(t) => t,
            None => csv_sheet(stem, &title, &csv_text)?,
        };
        let bytes = render::xlsx::workbook_bytes(&[&sheet], std::path::Path::new(&name))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(file_response(&name, XLSX, bytes))
    } else {
        Ok(file_response(
            &name,
            "text/csv; charset=utf-8",
            csv_text.into_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_csv_becomes_a_sheet_of_the_same_cells() {
        let t = csv_sheet(
            "x",
            "X",
            "period,date,bond,coupon,paid\n1,2004-02-25,A-1,0.01440000,12.50\n",
        )
        .unwrap();
        assert_eq!(t.columns, ["period", "date", "bond", "coupon", "paid"]);
        assert_eq!(t.rows[0][0], Cell::Int(1));
        assert_eq!(t.rows[0][1], Cell::text("2004-02-25"));
        assert_eq!(t.rows[0][3], Cell::decimal(0.0144, 8));
        assert_eq!(t.rows[0][4].plain(), "12.50");
        // The sheet's plain cells are the CSV's text.
        assert_eq!(
            render::csv(&t).unwrap(),
            "period,date,bond,coupon,paid\n1,2004-02-25,A-1,0.01440000,12.50\n"
        );
    }
}
