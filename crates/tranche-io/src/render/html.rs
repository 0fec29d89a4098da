//! HTML rendering of a [`Table`]: a `<table class="tranche-table">` with typed cell classes
//! and each number's plain value in `data-value`, so scripts and tests can read figures
//! without parsing `$1,234`.

use super::table::{Cell, RowKind, Table};

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cell_class(c: &Cell) -> &'static str {
    match c {
        Cell::Empty => "empty",
        Cell::Text(_) => "text",
        Cell::Int(_) => "num int",
        Cell::Money { .. } => "num money",
        Cell::Decimal { .. } => "num decimal",
        Cell::Percent { .. } => "num percent",
        Cell::Month(_) => "month",
    }
}

/// The table; its caption holds the title, then each note as a
/// `<span class="table-note">` line.
pub fn html(t: &Table) -> String {
    let mut s = format!(
        "<table class=\"tranche-table\" id=\"t-{}\">\n<caption>{}",
        escape(&t.id),
        escape(&t.title)
    );
    for n in &t.notes {
        s.push_str(&format!("<span class=\"table-note\">{}</span>", escape(n)));
    }
    s.push_str("</caption>\n<thead><tr>");
    for (i, c) in t.columns.iter().enumerate() {
        let class = if t.is_numeric_column(i) {
            "num"
        } else {
            "text"
        };
        s.push_str(&format!("<th class=\"{class}\">{}</th>", escape(c)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in 0..t.rows.len() {
        let kind = match t.kind(r) {
            RowKind::Data => "data",
            RowKind::Total => "total",
        };
        s.push_str(&format!("<tr class=\"{kind}\">"));
        for col in 0..t.columns.len() {
            let c = t.cell(r, col);
            let value = if c.is_numeric() || matches!(c, Cell::Month(_)) {
                format!(" data-value=\"{}\"", escape(&c.plain()))
            } else {
                String::new()
            };
            s.push_str(&format!(
                "<td class=\"{}\"{value}>{}</td>",
                cell_class(c),
                escape(&c.display())
            ));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_golden() {
        let mut t = Table::new("DM <Call>", &["Speed", "WAL"]).with_note("Margin: 0.340%");
        t.push(vec![Cell::percent(100.0, 2), Cell::decimal(2.134, 2)]);
        t.push_total(vec![Cell::text("A&B"), Cell::Empty]);
        let want = "<table class=\"tranche-table\" id=\"t-dm-call\">\n\
<caption>DM &lt;Call&gt;<span class=\"table-note\">Margin: 0.340%</span></caption>\n\
<thead><tr><th class=\"text\">Speed</th><th class=\"num\">WAL</th></tr></thead>\n\
<tbody>\n\
<tr class=\"data\"><td class=\"num percent\" data-value=\"100.00\">100.00%</td>\
<td class=\"num decimal\" data-value=\"2.13\">2.13</td></tr>\n\
<tr class=\"total\"><td class=\"text\">A&amp;B</td><td class=\"empty\"></td></tr>\n\
</tbody>\n</table>\n";
        assert_eq!(html(&t), want);
    }
}
