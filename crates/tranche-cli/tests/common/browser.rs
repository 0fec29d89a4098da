//! Headless Chromium: find it, dump a page's DOM, read its tables back.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The browser, or `None` after a loud skip message; under `CI` a missing browser fails.
pub fn find_chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .iter()
            .find_map(|n| on_path(n))
        });
    if found.is_none() {
        let ci = std::env::var("CI").map(|v| !v.is_empty() && v != "false");
        if ci.unwrap_or(false) {
            panic!(
                "{test}: chromium not found and CI is set: install it (apt-get install chromium)"
            );
        }
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! SKIPPED {test}: chromium not found (set CHROMIUM or install it)\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `extra` arguments; returns its stdout.
pub fn run_chromium(chromium: &Path, page: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(&url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    // Read stdout on a thread so a full pipe cannot stall the browser.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = reader.join().unwrap();
    let err = err_reader.join().unwrap();
    assert!(status.success(), "chromium failed: {status}\n{err}");
    out
}

/// One `<table class="tranche-table">` as the browser serialized it.
#[derive(Debug)]
pub struct DomTable {
    pub id: String,
    pub header: Vec<String>,
    /// Per row, per cell: (text, data-value).
    pub rows: Vec<Vec<(String, Option<String>)>>,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(unescape(&tag[i..j]))
}

/// Cells `<tag ...>text</tag>` of one row, in order.
fn cells(row: &str, tag: &str) -> Vec<(String, Option<String>)> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = row;
    // `<th` must not match `<thead`: the tag name ends at a space or `>`.
    let find_open = |s: &str| {
        s.match_indices(&open)
            .map(|(i, _)| i)
            .find(|&i| matches!(s.as_bytes().get(i + open.len()), Some(b' ' | b'>')))
    };
    while let Some(i) = find_open(rest) {
        let after = &rest[i..];
        let gt = after.find('>').unwrap();
        let end = after.find(&close).unwrap();
        let tag_text = &after[..gt];
        out.push((unescape(&after[gt + 1..end]), attr(tag_text, "data-value")));
        rest = &after[end + close.len()..];
    }
    out
}

/// Every report table of a serialized page.
pub fn parse_tables(html: &str) -> Vec<DomTable> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<table class=\"tranche-table\"") {
        let after = &rest[i..];
        let end = after.find("</table>").unwrap();
        let body = &after[..end];
        let open_end = body.find('>').unwrap();
        let id = attr(&body[..open_end], "id")
            .unwrap()
            .trim_start_matches("t-")
            .to_string();
        let head_start = body.find("<thead>").unwrap();
        let head_end = body.find("</thead>").unwrap();
        let header = cells(&body[head_start..head_end], "th")
            .into_iter()
            .map(|c| c.0)
            .collect();
        let tbody = &body[body.find("<tbody>").unwrap()..];
        let rows = tbody.split("<tr").skip(1).map(|r| cells(r, "td")).collect();
        out.push(DomTable { id, header, rows });
        rest = &after[end..];
    }
    out
}

/// The displayed figure as a number: `$1,234.50` → 1234.5, `63.37%` → 63.37.
fn number(text: &str) -> Option<f64> {
    let t: String = text
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | '%'))
        .collect();
    t.parse().ok()
}

/// Asserts that a table in the DOM shows exactly the figures of its CSV file.
pub fn compare_table(dom: &DomTable, csv_text: &str, csv_path: &Path) {
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(dom.header, header, "{}: header", csv_path.display());
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        dom.rows.len(),
        recs.len(),
        "{}: row count",
        csv_path.display()
    );
    for (r, (row, rec)) in dom.rows.iter().zip(&recs).enumerate() {
        assert_eq!(
            row.len(),
            rec.len(),
            "{}: row {r} width",
            csv_path.display()
        );
        for (c, ((text, value), want)) in row.iter().zip(rec.iter()).enumerate() {
            let at = format!("{} row {} col {}", csv_path.display(), r + 1, c + 1);
            match value {
                // A number or month: its plain value is the CSV's, and the figure shown
                // is that value (formatted with `$`, `,`, `%`).
                Some(v) => {
                    assert_eq!(v, want, "{at}: data-value");
                    if let Some(shown) = number(text) {
                        let csv_num: f64 = want.parse().unwrap();
                        assert_eq!(shown, csv_num, "{at}: shown {text:?} vs CSV {want:?}");
                    }
                }
                None => assert_eq!(text, want, "{at}: text"),
            }
        }
    }
}

/// Opens `dir/report.html` in Chromium and checks it against `dir/tables/*.csv` and the
/// expected number of charts; also takes a screenshot to show the page paints.
pub fn check_report_dir(chromium: &Path, dir: &Path, n_charts: usize) {
    let page = dir.join("report.html");
    let dom = run_chromium(chromium, &page, &["--dump-dom".to_string()]);
    assert!(
        dom.contains("<h1>"),
        "the page has no heading:\n{dom:.2000}"
    );
    let tables = parse_tables(&dom);
    let mut csvs: Vec<PathBuf> = std::fs::read_dir(dir.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    csvs.sort();
    assert!(!csvs.is_empty(), "no CSV tables in {}", dir.display());
    assert_eq!(tables.len(), csvs.len(), "tables in the page vs CSV files");
    for p in &csvs {
        let id = p.file_stem().unwrap().to_string_lossy();
        let t = tables
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("table {id} is not in the page"));
        compare_table(t, &std::fs::read_to_string(p).unwrap(), p);
    }
    // Charts: inline svg elements with a drawn line each, as many as chart files.
    let svgs = dom.matches("<svg").count();
    assert_eq!(svgs, n_charts, "svg elements in the page");
    let files = std::fs::read_dir(dir.join("charts")).unwrap().count();
    assert_eq!(files, n_charts, "chart files");
    assert!(dom.matches("<polyline").count() >= n_charts);
    // The page paints: a screenshot is written and is not trivially small.
    let shot_dir = tempfile::tempdir().unwrap();
    let shot = shot_dir.path().join("page.png");
    run_chromium(
        chromium,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    let len = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(len > 10_000, "screenshot of {} bytes", len);
}
