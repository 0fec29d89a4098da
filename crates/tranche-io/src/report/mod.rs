//! The Computational Materials report: its document built from the engine's tables and
//! runs (credit sensitivity included, [`credit`]) ([`build::build_document`]) and its output directory ([`output::write_report`]).

pub mod build;
pub mod charts;
pub mod credit;
pub mod gather;
pub mod output;

pub use build::{build_document, ReportInputs};
pub use credit::{CreditInputs, CreditSpec};
pub use gather::{gather, ReportSpec};
pub use output::{write_report, ReportFiles};
