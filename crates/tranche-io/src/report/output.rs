//! The report's output directory, written whole or not at all.

use crate::atomic::write_atomic;
use crate::outputs::OutDir;
use crate::render::{self, Document, LineChart};
use crate::IoError;
use std::path::{Path, PathBuf};

/// What was written, relative to the output directory, in writing order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFiles {
    pub files: Vec<PathBuf>,
}

/// Number of files [`write_report`] writes for `doc` (for progress bars).
pub fn file_count(doc: &Document) -> usize {
    let xlsx = usize::from(cfg!(feature = "xlsx"));
    3 + xlsx + doc.tables().count() + doc.charts().count()
}

fn chart_path(c: &LineChart) -> String {
    format!("charts/{}.svg", c.id)
}

/// Writes `report.md`, `report.html`, `report.xlsx` (feature `xlsx`), `report.json`,
/// `tables/<id>.csv` and `charts/<id>.svg` into `out`, replacing an existing directory
/// only once everything is written (beside them, tranche's marker file). `step` is called
/// after each file.
pub fn write_report(
    out_dir: &OutDir,
    doc: &Document,
    step: &mut dyn FnMut(&Path),
) -> Result<ReportFiles, IoError> {
    let dir = out_dir.shown();
    let mut out = ReportFiles::default();
    out_dir.write::<IoError>(|tmp| {
        let mut put = |rel: &str, bytes: &[u8]| -> Result<(), IoError> {
            write_atomic(&tmp.join(rel), bytes)?;
            out.files.push(PathBuf::from(rel));
            step(Path::new(rel));
            Ok(())
        };
        let link: &dyn Fn(&LineChart) -> String = &chart_path;
        put("report.md", doc.to_markdown(Some(link)).as_bytes())?;
        put("report.html", doc.to_html().as_bytes())?;
        #[cfg(feature = "xlsx")]
        {
            let tables: Vec<&render::Table> = doc.tables().collect();
            let bytes = render::xlsx::workbook_bytes(&tables, &dir.join("report.xlsx"))?;
            put("report.xlsx", &bytes)?;
        }
        let json: Vec<serde_json::Value> = doc.tables().map(render::json).collect();
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "title": doc.title,
            "subtitle": doc.subtitle,
            "tables": json,
        }))
        .map_err(|e| IoError::io(dir.join("report.json"), std::io::Error::other(e)))?;
        put("report.json", json.as_bytes())?;
        for t in doc.tables() {
            put(&format!("tables/{}.csv", t.id), render::csv(t)?.as_bytes())?;
        }
        for c in doc.charts() {
            put(&chart_path(c), c.to_svg().as_bytes())?;
        }
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Cell, Section, Series, Table};

    fn doc() -> Document {
        let mut s = Section::new("S");
        let mut t = Table::new("Top States", &["State", "%"]);
        t.push(vec![Cell::text("CA"), Cell::percent(63.37, 2)]);
        s.table(t);
        s.chart(LineChart::new("AFR", "p", "r").with_series(Series::new("f", vec![(1.0, 2.0)])));
        Document {
            title: "Deal".into(),
            subtitle: vec![],
            sections: vec![s],
        }
    }

    #[test]
    fn writes_every_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let mut steps = 0;
        let d = doc();
        let out = crate::outputs::Outputs::new(&[])
            .dir("--out", &dir)
            .unwrap();
        let files = write_report(&out, &d, &mut |_| steps += 1).unwrap();
        assert_eq!(steps, files.files.len());
        assert_eq!(files.files.len(), file_count(&d));
        for f in &files.files {
            assert!(dir.join(f).is_file(), "{f:?}");
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("tables/top-states.csv")).unwrap(),
            "State,%\nCA,63.37\n"
        );
        let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("![AFR](charts/afr.svg)"));
        assert!(crate::atomic::is_tranche_dir(&dir));
    }
}
