//! The one writer of tables as text: every command's CSV (through the `csv` crate, which
//! quotes a cell only when it must) and Markdown. Callers format their cells; this module
//! only lays them out.

/// A table as text: a header and rows of cells already formatted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right in Markdown (numbers); the others left.
    pub right: Vec<bool>,
}

impl Records {
    /// A table with these columns, every one aligned right when `numeric`.
    pub fn new(columns: &[&str], numeric: bool) -> Self {
        Records {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            right: vec![numeric; columns.len()],
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// CSV: the header, then one line per row.
    pub fn csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        // Writing to memory cannot fail; a failure would leave the output short, which
        // the tests would see.
        let _ = w.write_record(&self.columns);
        for r in &self.rows {
            let _ = w.write_record(r);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Markdown: a header, its separator (`---:` for right-aligned columns), the rows;
    /// a `|` inside a cell is escaped.
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| {
            let esc: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", esc.join(" | "))
        };
        let mut s = line(&self.columns);
        let seps: Vec<&str> = (0..self.columns.len())
            .map(|i| {
                if self.right.get(i).copied().unwrap_or(false) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        s.push_str(&format!("|{}|\n", seps.join("|")));
        for r in &self.rows {
            s.push_str(&line(r));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it_and_markdown_escapes_bars() {
        let mut r = Records::new(&["name", "value"], false);
        r.right[1] = true;
        r.push(vec!["A, B".into(), "1.50".into()]);
        r.push(vec!["say \"hi\"".into(), "2".into()]);
        r.push(vec!["x|y".into(), String::new()]);
        assert_eq!(
            r.csv(),
            "name,value\n\"A, B\",1.50\n\"say \"\"hi\"\"\",2\nx|y,\n"
        );
        assert_eq!(
            r.markdown(),
            "| name | value |\n|---|---:|\n| A, B | 1.50 |\n| say \"hi\" | 2 |\n| x\\|y |  |\n"
        );
    }
}
