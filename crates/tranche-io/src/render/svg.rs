//! Self-contained SVG line charts (no script, no external resources): title, axes with
//! "nice" ticks, axis labels, a legend, one polyline per series.

use super::html::escape;

/// One named line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Stable machine name (file name, element id).
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub width: f64,
    pub height: f64,
}

const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

impl LineChart {
    pub fn new(title: impl Into<String>, x_label: &str, y_label: &str) -> LineChart {
        let title = title.into();
        LineChart {
            id: super::table::slug(&title),
            title,
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: Vec::new(),
            width: 760.0,
            height: 380.0,
        }
    }

    pub fn with_id(mut self, id: &str) -> LineChart {
        self.id = super::table::slug(id);
        self
    }

    pub fn with_series(mut self, s: Series) -> LineChart {
        self.series.push(s);
        self
    }

    /// Finite data bounds `(xmin, xmax, ymin, ymax)`, or `None` when there is no point.
    fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        let mut b: Option<(f64, f64, f64, f64)> = None;
        for (x, y) in self.series.iter().flat_map(|s| s.points.iter().copied()) {
            if !x.is_finite() || !y.is_finite() {
                continue;
            }
            b = Some(match b {
                None => (x, x, y, y),
                Some((a, bb, c, d)) => (a.min(x), bb.max(x), c.min(y), d.max(y)),
            });
        }
        b
    }

    /// The chart as an `<svg>` element (usable inline in HTML or as a file).
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let legend_w = 170.0;
        let (left, right, top, bottom) = (78.0, w - legend_w, 40.0, h - 50.0);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tranche-chart\" id=\"c-{id}\" \
viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" \
font-family=\"sans-serif\" font-size=\"11\">\n<title>{t}</title>\n\
<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n\
<text class=\"chart-title\" x=\"{cx}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{t}</text>\n",
            id = escape(&self.id),
            t = escape(&self.title),
            cx = (left + right) / 2.0,
        );
        let Some((x0, x1, y0, y1)) = self.bounds() else {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>\n</svg>\n",
                (left + right) / 2.0,
                (top + bottom) / 2.0
            ));
            return s;
        };
        let xt = nice_ticks(x0, x1, 8);
        let yt = nice_ticks(y0.min(0.0_f64.max(y0)), y1, 6);
        let (xa, xb) = (
            xt.first().copied().unwrap_or(x0),
            xt.last().copied().unwrap_or(x1),
        );
        let (ya, yb) = (
            yt.first().copied().unwrap_or(y0),
            yt.last().copied().unwrap_or(y1),
        );
        let sx = |x: f64| left + (x - xa) / (xb - xa).max(f64::MIN_POSITIVE) * (right - left);
        let sy = |y: f64| bottom - (y - ya) / (yb - ya).max(f64::MIN_POSITIVE) * (bottom - top);

        s.push_str("<g class=\"grid\" stroke=\"#e3e3e3\">\n");
        for &y in &yt {
            s.push_str(&format!(
                "<line x1=\"{left}\" x2=\"{right}\" y1=\"{0:.1}\" y2=\"{0:.1}\"/>\n",
                sy(y)
            ));
        }
        s.push_str("</g>\n<g class=\"axes\" stroke=\"#333\">\n");
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\"/>\n\
<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{bottom}\"/>\n</g>\n"
        ));
        s.push_str("<g class=\"x-ticks\" text-anchor=\"middle\">\n");
        for (&x, label) in xt.iter().zip(tick_labels(&xt)) {
            let px = sx(x);
            s.push_str(&format!(
                "<line x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{bottom}\" y2=\"{}\" stroke=\"#333\"/>\
<text x=\"{px:.1}\" y=\"{}\">{}</text>\n",
                bottom + 5.0,
                bottom + 18.0,
                label
            ));
        }
        s.push_str("</g>\n<g class=\"y-ticks\" text-anchor=\"end\">\n");
        for (&y, label) in yt.iter().zip(tick_labels(&yt)) {
            let py = sy(y);
            s.push_str(&format!(
                "<line x1=\"{}\" x2=\"{left}\" y1=\"{py:.1}\" y2=\"{py:.1}\" stroke=\"#333\"/>\
<text x=\"{}\" y=\"{:.1}\">{}</text>\n",
                left - 5.0,
                left - 8.0,
                py + 4.0,
                label
            ));
        }
        s.push_str("</g>\n");
        s.push_str(&format!(
            "<text class=\"x-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            (left + right) / 2.0,
            h - 12.0,
            escape(&self.x_label)
        ));
        s.push_str(&format!(
            "<text class=\"y-label\" transform=\"translate(16,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
            (top + bottom) / 2.0,
            escape(&self.y_label)
        ));
        for (i, ser) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let pts: Vec<String> = ser
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
                .collect();
            s.push_str(&format!(
                "<polyline class=\"series\" data-series=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" points=\"{}\"/>\n",
                escape(&ser.name),
                pts.join(" ")
            ));
        }
        s.push_str("<g class=\"legend\">\n");
        for (i, ser) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let y = top + 8.0 + 18.0 * i as f64;
            s.push_str(&format!(
                "<line x1=\"{x}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"3\"/>\
<text x=\"{}\" y=\"{}\">{}</text>\n",
                right + 40.0,
                right + 46.0,
                y + 4.0,
                escape(&ser.name),
                x = right + 18.0,
            ));
        }
        s.push_str("</g>\n</svg>\n");
        s
    }
}

/// Round tick values covering `[lo, hi]` with about `target` steps of 1, 2 or 5 × 10^k.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    let (lo, hi) = if hi - lo < 1e-12 * hi.abs().max(1.0) {
        (
            lo - 0.5_f64.max(lo.abs() * 0.05),
            hi + 0.5_f64.max(hi.abs() * 0.05),
        )
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&st| st >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut k = 0.0;
    loop {
        let t = start + k * step;
        ticks.push(t);
        if t >= hi - step * 1e-9 || ticks.len() > 100 {
            break;
        }
        k += 1.0;
    }
    ticks
}

/// Tick texts of one axis: one K/M/B scale chosen from the largest tick, and only as
/// many decimals as the step needs.
fn tick_labels(ticks: &[f64]) -> Vec<String> {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let a = ticks.iter().fold(0.0_f64, |m, t| m.max(t.abs()));
    let (scale, suffix) = if a >= 1e9 && step >= 1e8 {
        (1e9, "B")
    } else if a >= 1e6 && step >= 1e5 {
        (1e6, "M")
    } else if a >= 1e4 && step >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    let st = step / scale;
    // Fewest decimals that print the step exactly (0.25 → 2, 2.5 → 1, 2 → 0).
    let dec = (0..=6)
        .find(|&d| {
            let m = st * 10f64.powi(d);
            (m - m.round()).abs() < 1e-6 * m.abs().max(1.0)
        })
        .unwrap_or(6) as usize;
    ticks
        .iter()
        .map(|v| {
            let s = format!("{:.*}", dec, v / scale);
            let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                s[1..].to_string()
            } else {
                s
            };
            format!("{s}{suffix}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 1000.0, 5),
            vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        let t = nice_ticks(2.27, 12.33, 6);
        assert!(t[0] <= 2.27 && *t.last().unwrap() >= 12.33);
        assert_eq!(t[1] - t[0], 2.0);
        let flat = nice_ticks(5.0, 5.0, 5);
        assert!(flat[0] < 5.0 && *flat.last().unwrap() > 5.0);
    }

    #[test]
    fn axis_labels() {
        let t = nice_ticks(0.0, 1e9, 5);
        assert_eq!(
            tick_labels(&t),
            ["0.0B", "0.2B", "0.4B", "0.6B", "0.8B", "1.0B"]
        );
        assert_eq!(tick_labels(&[0.0, 2.5, 5.0]), ["0.0", "2.5", "5.0"]);
        assert_eq!(tick_labels(&[10.0, 12.0]), ["10", "12"]);
        assert_eq!(tick_labels(&[0.0, 0.25]), ["0.00", "0.25"]);
        assert_eq!(tick_labels(&[-0.0, 1.0]), ["0", "1"]);
        assert_eq!(tick_labels(&[0.0, 50_000.0]), ["0K", "50K"]);
    }

    #[test]
    fn svg_has_title_axes_legend_and_one_line_per_series() {
        let c = LineChart::new("Bond <balance>", "Period", "Balance")
            .with_series(Series::new(
                "100%",
                vec![(0.0, 100.0), (1.0, 50.0), (2.0, 0.0)],
            ))
            .with_series(Series::new("A&B", vec![(0.0, 100.0), (2.0, 20.0)]));
        let s = c.to_svg();
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.contains("<title>Bond &lt;balance&gt;</title>"));
        assert_eq!(s.matches("<polyline").count(), 2);
        assert!(s.contains(">A&amp;B</text>"));
        assert!(s.contains("class=\"x-label\""));
        assert!(s.trim_end().ends_with("</svg>"));
        assert!(!s.contains("NaN"));
    }

    #[test]
    fn empty_chart_says_so() {
        let s = LineChart::new("Empty", "x", "y")
            .with_series(Series::new("nothing", vec![(f64::NAN, 1.0)]))
            .to_svg();
        assert!(s.contains("no data"));
    }
}
