//! Field paths (`bonds[2].balance`) to places in JSON text and back: a scan of the text
//! that records where each value starts and ends, so that an error names the line.

use std::ops::Range;

/// Every value of the (well-formed) JSON `src` with its path and byte span, in order;
/// the scan stops at the first thing that is not JSON.
pub(super) fn spans(src: &str) -> Vec<(String, Range<usize>)> {
    let mut s = Scan {
        b: src.as_bytes(),
        i: 0,
        out: Vec::new(),
    };
    s.value(String::new());
    s.out
}

/// The span of the value at `path` (for a path that is not there, its longest prefix).
pub(super) fn span_of(src: &str, path: &str) -> Option<Range<usize>> {
    let all = spans(src);
    let mut p = path;
    loop {
        if let Some((_, r)) = all.iter().find(|(q, _)| q == p) {
            return Some(r.clone());
        }
        p = &p[..p.rfind(['.', '['])?];
    }
}

/// The path of the innermost value around byte `at`.
pub(super) fn path_at(src: &str, at: usize) -> Option<String> {
    spans(src)
        .into_iter()
        .filter(|(p, r)| !p.is_empty() && r.start <= at && at <= r.end)
        .min_by_key(|(_, r)| r.end - r.start)
        .map(|(p, _)| p)
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<(String, Range<usize>)>,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string's text (escapes kept as written: keys here are plain names).
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    let s = String::from_utf8_lossy(self.b.get(start..self.i)?).into_owned();
                    self.i += 1;
                    return Some(s);
                }
                _ => self.i += 1,
            }
        }
        None
    }

    fn value(&mut self, path: String) -> Option<()> {
        self.ws();
        let start = self.i;
        match *self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                if self.eat(b'}').is_none() {
                    loop {
                        let key = self.string()?;
                        self.eat(b':')?;
                        let p = if path.is_empty() {
                            key
                        } else {
                            format!("{path}.{key}")
                        };
                        self.value(p)?;
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
            }
            b'[' => {
                self.i += 1;
                if self.eat(b']').is_none() {
                    let mut k = 0;
                    loop {
                        self.value(format!("{path}[{k}]"))?;
                        k += 1;
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !b",]} \t\r\n".contains(c))
                {
                    self.i += 1;
                }
            }
        }
        self.out.push((path, start..self.i));
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_spans() {
        let src =
            "{\n  \"a\": 1,\n  \"bonds\": [\n    {\"name\": \"A\", \"balance\": 5.5}\n  ]\n}\n";
        let r = span_of(src, "bonds[0].balance").unwrap();
        assert_eq!(&src[r.clone()], "5.5");
        assert_eq!(
            path_at(src, r.start + 1).as_deref(),
            Some("bonds[0].balance")
        );
        // A field not in the text: its nearest enclosing value.
        assert_eq!(
            &src[span_of(src, "bonds[0].nope").unwrap()],
            "{\"name\": \"A\", \"balance\": 5.5}"
        );
        assert_eq!(span_of(src, "a").map(|r| &src[r]), Some("1"));
    }
}
