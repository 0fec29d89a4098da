//! Maps between field paths (`bonds[2].coupon.margin_pct`) and places in the TOML text,
//! and renders a caret snippet under the offending text.

use std::ops::Range;
use toml_edit::{Array, ArrayOfTables, ImDocument, InlineTable, Item, Table, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Inline(&'a InlineTable),
    Array(&'a Array),
    Aot(&'a ArrayOfTables),
    Leaf,
}

struct Child<'a> {
    seg: Seg,
    key_span: Option<Range<usize>>,
    span: Option<Range<usize>>,
    node: Node<'a>,
}

fn item_node(item: &Item) -> (Option<Range<usize>>, Node<'_>) {
    match item {
        Item::Table(t) => (t.span(), Node::Table(t)),
        Item::ArrayOfTables(a) => (
            a.span().or_else(|| a.get(0).and_then(|t| t.span())),
            Node::Aot(a),
        ),
        Item::Value(v) => value_node(v),
        Item::None => (None, Node::Leaf),
    }
}

fn value_node(v: &Value) -> (Option<Range<usize>>, Node<'_>) {
    match v {
        Value::Array(a) => (a.span(), Node::Array(a)),
        Value::InlineTable(t) => (t.span(), Node::Inline(t)),
        _ => (v.span(), Node::Leaf),
    }
}

fn children(node: Node<'_>) -> Vec<Child<'_>> {
    match node {
        Node::Table(t) => t
            .iter()
            .filter_map(|(k, _)| t.get_key_value(k))
            .map(|(k, item)| {
                let (span, node) = item_node(item);
                Child {
                    seg: Seg::Key(k.get().to_string()),
                    key_span: k.span(),
                    span,
                    node,
                }
            })
            .collect(),
        Node::Inline(t) => t
            .iter()
            .filter_map(|(k, _)| t.get_key_value(k))
            .map(|(k, item)| {
                let (span, node) = item_node(item);
                Child {
                    seg: Seg::Key(k.get().to_string()),
                    key_span: k.span(),
                    span,
                    node,
                }
            })
            .collect(),
        Node::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (span, node) = value_node(v);
                Child {
                    seg: Seg::Index(i),
                    key_span: None,
                    span,
                    node,
                }
            })
            .collect(),
        Node::Aot(a) => a
            .iter()
            .enumerate()
            .map(|(i, t)| Child {
                seg: Seg::Index(i),
                key_span: None,
                span: t.span(),
                node: Node::Table(t),
            })
            .collect(),
        Node::Leaf => Vec::new(),
    }
}

fn parse_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Seg::Key(rest[..i].to_string()));
            }
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(end) = stripped.find(']') else { break };
                if let Ok(n) = stripped[..end].parse() {
                    out.push(Seg::Index(n));
                }
                rest = &stripped[end + 1..];
            }
        } else if !rest.is_empty() {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

fn render_path(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The text span of the deepest existing node on `path`.
pub fn span_of_path(doc: &ImDocument<String>, path: &str) -> Option<Range<usize>> {
    let segs = parse_path(path);
    let mut node = Node::Table(doc.as_table());
    let mut best: Option<Range<usize>> = None;
    for seg in &segs {
        let Some(c) = children(node).into_iter().find(|c| &c.seg == seg) else {
            break;
        };
        if let Some(sp) = c.span.clone().or(c.key_span.clone()) {
            best = Some(sp);
        }
        node = c.node;
    }
    best
}

fn contains(r: &Option<Range<usize>>, at: usize) -> bool {
    r.as_ref()
        .is_some_and(|r| r.start <= at && at < r.end.max(r.start + 1))
}

fn find(node: Node<'_>, at: usize, path: &mut Vec<Seg>) -> bool {
    for c in children(node) {
        path.push(c.seg.clone());
        if find(c.node, at, path) || contains(&c.span, at) || contains(&c.key_span, at) {
            return true;
        }
        path.pop();
    }
    false
}

/// The field path of the deepest node whose text contains byte offset `at`.
pub fn path_at(doc: &ImDocument<String>, at: usize) -> Option<String> {
    let mut path = Vec::new();
    find(Node::Table(doc.as_table()), at, &mut path).then(|| render_path(&path))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let before = &src[..floor_char(src, at)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line, col)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A source snippet with carets under `span` (first line of it only):
///
/// ```text
///    |
/// 12 | margin_pct = -0.34
///    |              ^^^^^
/// ```
pub fn snippet(src: &str, span: &Range<usize>) -> String {
    let (line, col) = line_col(src, span.start);
    let text = src.lines().nth(line - 1).unwrap_or("");
    let text = text.trim_end_matches('\r');
    let width = line.to_string().len();
    let line_chars = text.chars().count();
    let span_chars = src
        .get(floor_char(src, span.start)..floor_char(src, span.end.min(src.len())))
        .map_or(1, |s| s.split('\n').next().unwrap_or("").chars().count());
    let carets = span_chars.clamp(1, (line_chars + 1).saturating_sub(col - 1).max(1));
    let pad = " ".repeat(width);
    format!(
        "{pad} |\n{line} | {text}\n{pad} | {}{}",
        " ".repeat(col - 1),
        "^".repeat(carets)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "a = 1\n[dates]\ncut_off = \"2004-01-01\"\n\n[[bonds]]\nname = \"A\"\n\n[[bonds]]\nname = \"B\"\ncoupon = { type = \"floating\", margin_pct = -1.0 }\nx = [1, 2, 3]\n";

    #[test]
    fn path_and_span_round_trip() {
        let doc = ImDocument::parse(SRC.to_string()).unwrap();
        let sp = span_of_path(&doc, "bonds[1].coupon.margin_pct").unwrap();
        assert_eq!(&SRC[sp.clone()], "-1.0");
        assert_eq!(line_col(SRC, sp.start), (10, 44));
        assert_eq!(
            path_at(&doc, sp.start).unwrap(),
            "bonds[1].coupon.margin_pct"
        );
        let sp = span_of_path(&doc, "bonds[1].x[2]").unwrap();
        assert_eq!(&SRC[sp.clone()], "3");
        assert_eq!(path_at(&doc, sp.start).unwrap(), "bonds[1].x[2]");
        let sp = span_of_path(&doc, "dates.cut_off").unwrap();
        assert_eq!(&SRC[sp], "\"2004-01-01\"");
        // A path that does not exist points at its deepest existing ancestor.
        let sp = span_of_path(&doc, "bonds[1].balance").unwrap();
        assert_eq!(line_col(SRC, sp.start).0, 8);
    }

    #[test]
    fn snippet_has_carets_under_the_value() {
        let doc = ImDocument::parse(SRC.to_string()).unwrap();
        let sp = span_of_path(&doc, "dates.cut_off").unwrap();
        assert_eq!(
            snippet(SRC, &sp),
            "  |\n3 | cut_off = \"2004-01-01\"\n  |           ^^^^^^^^^^^^"
        );
    }
}
