//! A report document: a title, lines under it, and sections of paragraphs, tables and
//! charts. Rendered to one Markdown file or one self-contained HTML page (inline CSS and
//! inline SVG; no script, no external resource).

use super::html::escape;
use super::svg::LineChart;
use super::table::Table;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    Table(Table),
    Chart(LineChart),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Section {
        let title = title.into();
        Section {
            id: super::table::slug(&title),
            title,
            blocks: Vec::new(),
        }
    }

    pub fn paragraph(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Paragraph(s.into()));
    }

    pub fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }

    pub fn chart(&mut self, c: LineChart) {
        self.blocks.push(Block::Chart(c));
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    /// Lines under the title (deal, settlement, assumptions).
    pub subtitle: Vec<String>,
    pub sections: Vec<Section>,
}

const CSS: &str = "\
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}\
h1{font-size:1.6em;border-bottom:2px solid #1f3b6f;padding-bottom:.3em}\
h2{font-size:1.25em;color:#1f3b6f;margin-top:2em;border-bottom:1px solid #ccc}\
p.subtitle{margin:.2em 0;color:#444}\
nav ol{columns:2;font-size:.9em}\
table.tranche-table{border-collapse:collapse;margin:.4em 0 1.6em;font-size:.85em}\
table.tranche-table caption{text-align:left;font-weight:bold;padding:.3em 0;font-size:1.05em}\
table.tranche-table th{background:#1f3b6f;color:#fff;padding:.3em .6em;font-weight:600}\
table.tranche-table td{padding:.2em .6em;border-bottom:1px solid #e5e5e5}\
table.tranche-table td.num,table.tranche-table th.num{text-align:right;font-variant-numeric:tabular-nums}\
table.tranche-table tr.total td{font-weight:bold;border-top:2px solid #333}\
table.tranche-table tbody tr:nth-child(even){background:#f6f8fb}\
table.tranche-table caption span.table-note{display:block;font-weight:normal;font-size:.9em;color:#444}\
svg.tranche-chart{max-width:100%;height:auto;display:block;margin:.5em 0 1.5em}\
";

impl Document {
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
        })
    }

    pub fn charts(&self) -> impl Iterator<Item = &LineChart> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Chart(c) => Some(c),
                _ => None,
            })
        })
    }

    /// Suffixes repeated table, chart and section ids (`x`, `x-2`, ...) so file names,
    /// sheet names and HTML ids never collide.
    pub fn make_ids_unique(&mut self) {
        fn uniq(id: &mut String, used: &mut HashSet<String>) {
            let base = id.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                *id = format!("{base}-{n}");
                n += 1;
            }
        }
        let (mut ts, mut cs, mut ss) = (HashSet::new(), HashSet::new(), HashSet::new());
        for s in &mut self.sections {
            uniq(&mut s.id, &mut ss);
            for b in &mut s.blocks {
                match b {
                    Block::Table(t) => uniq(&mut t.id, &mut ts),
                    Block::Chart(c) => uniq(&mut c.id, &mut cs),
                    Block::Paragraph(_) => {}
                }
            }
        }
    }

    /// Markdown; a chart becomes an image link `chart_path(chart)` when given, else is
    /// left out (Markdown viewers do not render inline SVG).
    pub fn to_markdown(&self, chart_path: Option<&dyn Fn(&LineChart) -> String>) -> String {
        let mut s = format!("# {}\n\n", self.title);
        for l in &self.subtitle {
            s.push_str(&format!("{l}  \n"));
        }
        if !self.subtitle.is_empty() {
            s.push('\n');
        }
        s.push_str("## Contents\n\n");
        for (i, sec) in self.sections.iter().enumerate() {
            s.push_str(&format!("{}. [{}](#{})\n", i + 1, sec.title, sec.id));
        }
        s.push('\n');
        for sec in &self.sections {
            s.push_str(&format!("## {}\n\n", sec.title));
            for b in &sec.blocks {
                match b {
                    Block::Paragraph(p) => s.push_str(&format!("{p}\n\n")),
                    Block::Table(t) => {
                        s.push_str(&super::text::markdown(t));
                        s.push('\n');
                    }
                    Block::Chart(c) => {
                        if let Some(f) = chart_path {
                            s.push_str(&format!("![{}]({})\n\n", c.title, f(c)));
                        }
                    }
                }
            }
        }
        s
    }

    /// One self-contained HTML page.
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        for l in &self.subtitle {
            s.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(l)));
        }
        s.push_str("<nav><ol>\n");
        for sec in &self.sections {
            s.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>\n",
                escape(&sec.id),
                escape(&sec.title)
            ));
        }
        s.push_str("</ol></nav>\n");
        for sec in &self.sections {
            s.push_str(&format!(
                "<section id=\"{}\">\n<h2>{}</h2>\n",
                escape(&sec.id),
                escape(&sec.title)
            ));
            for b in &sec.blocks {
                match b {
                    Block::Paragraph(p) => s.push_str(&format!("<p>{}</p>\n", escape(p))),
                    Block::Table(t) => s.push_str(&super::html::html(t)),
                    Block::Chart(c) => s.push_str(&c.to_svg()),
                }
            }
            s.push_str("</section>\n");
        }
        s.push_str("</body>\n</html>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Cell, Series};

    fn doc() -> Document {
        let mut sec = Section::new("Price/DM");
        let mut t = Table::new("To Call", &["a"]);
        t.push(vec![Cell::Int(1)]);
        sec.table(t.clone());
        sec.table(t);
        sec.paragraph("Speeds are % of the <pricing> speed.");
        sec.chart(LineChart::new("Bal", "x", "y").with_series(Series::new("s", vec![(0.0, 1.0)])));
        let mut d = Document {
            title: "Deal & Co".into(),
            subtitle: vec!["Settlement 2004-01-29".into()],
            sections: vec![sec, Section::new("Price/DM")],
        };
        d.make_ids_unique();
        d
    }

    #[test]
    fn ids_are_unique() {
        let d = doc();
        let ids: Vec<_> = d.tables().map(|t| t.id.clone()).collect();
        assert_eq!(ids, ["to-call", "to-call-2"]);
        assert_eq!(d.sections[1].id, "price-dm-2");
    }

    #[test]
    fn html_page_is_self_contained() {
        let h = doc().to_html();
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("<title>Deal &amp; Co</title>"));
        assert_eq!(h.matches("<table class=\"tranche-table\"").count(), 2);
        assert_eq!(h.matches("<svg ").count(), 1);
        assert!(h.contains("&lt;pricing&gt;"));
        // No script and no external resource.
        assert!(!h.contains("<script"));
        assert!(!h.contains("src="));
        assert!(!h.contains("href=\"http"));
    }

    #[test]
    fn markdown_links_charts() {
        let f = |c: &LineChart| format!("charts/{}.svg", c.id);
        let m = doc().to_markdown(Some(&f));
        assert!(m.starts_with("# Deal & Co\n"));
        assert!(m.contains("1. [Price/DM](#price-dm)"));
        assert!(m.contains("![Bal](charts/bal.svg)"));
        assert_eq!(m.matches("### To Call").count(), 2);
    }
}
