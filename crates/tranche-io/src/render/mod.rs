//! Report rendering: generic typed tables ([`Table`]) rendered to Markdown, CSV, JSON,
//! HTML and (feature `xlsx`) XLSX; SVG line charts ([`svg::LineChart`]); and a report
//! [`Document`] of sections that renders to one Markdown file or one self-contained HTML
//! page.

pub mod document;
pub mod html;
pub mod svg;
pub mod table;
pub mod text;
#[cfg(feature = "xlsx")]
pub mod xlsx;

pub use document::{Block, Document, Section};
pub use html::html;
pub use svg::{LineChart, Series};
pub use table::{slug, Cell, RowKind, Table};
pub use text::{csv, json, markdown};
