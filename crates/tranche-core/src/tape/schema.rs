//! The loan tape's columns, listed once: the reader accepts them, the writer writes the
//! canonical ones in this order, and `docs/loan-tape.md` documents each (a test checks it).

/// When a column must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every tape has it.
    Required,
    /// Adjustable-rate loans need a value in it (or its stated alternative).
    Arm,
    Optional,
}

/// One column of the tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub need: Need,
    /// Written by the tape writer; `false` for alternatives and synonyms the reader also
    /// accepts, and for the columns of a current tape only.
    pub written: bool,
    /// Written to a current tape (a pool as of a payment date) only: where a loan's
    /// payments stand, which a cut-off tape leaves to the projection.
    pub current: bool,
}

const fn col(name: &'static str, need: Need) -> Column {
    Column {
        name,
        need,
        written: true,
        current: false,
    }
}

/// Read but never written: another column carries the same value.
const fn alt(name: &'static str) -> Column {
    Column {
        name,
        need: Need::Optional,
        written: false,
        current: false,
    }
}

/// Written to current tapes only.
const fn current(name: &'static str) -> Column {
    Column {
        name,
        need: Need::Optional,
        written: false,
        current: true,
    }
}

/// Every column the reader understands (others are ignored), in the writer's order.
pub const COLUMNS: &[Column] = &[
    col("loan_id", Need::Required),
    col("balance", Need::Required),
    col("gross_rate_pct", Need::Required),
    col("orig_term", Need::Required),
    col("rem_term", Need::Required),
    col("age", Need::Optional),
    col("amort_type", Need::Required),
    col("io_months", Need::Optional),
    col("servicing_fee_pct", Need::Optional),
    col("mi_fee_pct", Need::Optional),
    col("index", Need::Arm),
    col("margin_pct", Need::Arm),
    col("months_to_reset", Need::Arm),
    // Instead of months_to_reset: the date of the next change.
    alt("next_reset_date"),
    col("first_reset_months", Need::Optional),
    col("reset_freq_months", Need::Arm),
    col("initial_cap_pct", Need::Arm),
    col("periodic_cap_pct", Need::Arm),
    col("life_cap_pct", Need::Arm),
    col("life_floor_pct", Need::Arm),
    col("rounding_pct", Need::Optional),
    col("lookback_months", Need::Optional),
    col("product", Need::Optional),
    col("state", Need::Optional),
    col("property_type", Need::Optional),
    col("occupancy", Need::Optional),
    col("purpose", Need::Optional),
    col("doc_type", Need::Optional),
    col("fico", Need::Optional),
    col("orig_ltv_pct", Need::Optional),
    col("dti_pct", Need::Optional),
    col("prepay_penalty_months", Need::Optional),
    col("prepay_penalty_type", Need::Optional),
    col("orig_date", Need::Optional),
    col("lien", Need::Optional),
    col("delinquency", Need::Optional),
    // Synonyms of orig_ltv_pct.
    alt("ltv_pct"),
    alt("cltv_pct"),
    current("level_payment"),
];

/// The columns every tape must have.
pub fn required() -> impl Iterator<Item = &'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.need == Need::Required)
        .map(|c| c.name)
}

/// The columns the writer writes, in order.
pub fn written() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().filter(|c| c.written).map(|c| c.name)
}

/// The columns a current tape is written with, in order: [`written`], then the current
/// tape's own.
pub fn written_current() -> impl Iterator<Item = &'static str> {
    written().chain(COLUMNS.iter().filter(|c| c.current).map(|c| c.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tape_doc_describes_every_column_as_the_schema_does() {
        let doc = include_str!("../../../../docs/loan-tape.md");
        for c in COLUMNS {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", c.name)));
            match row {
                Some(row) => {
                    // An escaped bar (`fixed` \| `arm`) is not a cell boundary.
                    let cells = row.replace("\\|", "/");
                    let need = cells.split('|').nth(4).unwrap_or("").trim();
                    let want = match c.need {
                        Need::Required => need == "yes",
                        Need::Arm => need.starts_with("ARM"),
                        Need::Optional => {
                            need.starts_with("no") || need.starts_with("ARM: instead")
                        }
                    };
                    assert!(
                        want,
                        "{}: the doc says `{need}`, the schema {:?}",
                        c.name, c.need
                    );
                }
                // Synonyms are documented beside the column they stand for.
                None => assert!(
                    !c.written && !c.current && doc.contains(&format!("`{}`", c.name)),
                    "docs/loan-tape.md does not document `{}`",
                    c.name
                ),
            }
        }
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        for l in doc.lines().filter(|l| l.starts_with("| `")) {
            let name = l.trim_start_matches("| `").split('`').next().unwrap_or("");
            assert!(
                names.contains(&name),
                "the doc lists `{name}`, the schema does not"
            );
        }
    }
}
