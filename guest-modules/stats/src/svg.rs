//! Small hand-written SVG charts. Standalone documents, no external fonts or scripts, so
//! they render the same in a browser, in resvg (the Telegram bot) and in a file viewer.

use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Diverging colour for a value in [-1, 1]: blue (negative) – white – red (positive).
fn diverging(v: f64) -> String {
    let t = v.clamp(-1.0, 1.0);
    let (r, g, b) = if t >= 0.0 {
        (255.0, 255.0 * (1.0 - t * 0.75), 255.0 * (1.0 - t * 0.85))
    } else {
        let a = -t;
        (255.0 * (1.0 - a * 0.85), 255.0 * (1.0 - a * 0.6), 255.0)
    };
    format!("rgb({},{},{})", r.round() as u8, g.round() as u8, b.round() as u8)
}

/// A square heatmap of a symmetric matrix with values in [-1, 1] (`None` drawn grey).
pub fn heatmap(title: &str, labels: &[String], matrix: &[Vec<Option<f64>>]) -> String {
    let k = labels.len();
    let cell = 56.0;
    let label_w = 12.0 + 7.0 * labels.iter().map(|l| l.chars().count().min(24)).max().unwrap_or(1) as f64;
    let top = 40.0 + label_w;
    let width = label_w + cell * k as f64 + 20.0;
    let height = top + cell * k as f64 + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = write!(s, r#"<text x="{}" y="22" font-size="15" font-weight="bold">{}</text>"#, 10, escape(title));
    for (i, label) in labels.iter().enumerate() {
        let short: String = label.chars().take(24).collect();
        let y = top + cell * i as f64 + cell / 2.0 + 4.0;
        let _ = write!(s, r#"<text x="{}" y="{y}" text-anchor="end">{}</text>"#, label_w - 6.0, escape(&short));
        let x = label_w + cell * i as f64 + cell / 2.0 + 4.0;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="start" transform="rotate(-60 {x} {})">{}</text>"#,
            top - 6.0,
            top - 6.0,
            escape(&short)
        );
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let (x, y) = (label_w + cell * j as f64, top + cell * i as f64);
            let fill = v.map_or_else(|| "rgb(220,220,220)".to_string(), diverging);
            let _ = write!(s, r#"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="white"/>"#);
            let text = v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"));
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{text}</text>"#,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Summary of one column for a box plot.
pub struct BoxStats {
    pub name: String,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub whisker_low: f64,
    pub whisker_high: f64,
    pub outliers: Vec<f64>,
}

/// Box plots as small multiples: one panel per column, each on its own scale (columns in
/// a table rarely share units). At most 200 outlier points are drawn per column.
pub fn box_plots(title: &str, boxes: &[BoxStats]) -> String {
    let (panel_w, panel_h, top) = (120.0, 260.0, 40.0);
    let width = 20.0 + panel_w * boxes.len().max(1) as f64;
    let height = top + panel_h + 40.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="22" font-size="15" font-weight="bold">{}</text>"#,
        escape(title)
    );
    for (i, b) in boxes.iter().enumerate() {
        let x0 = 10.0 + panel_w * i as f64;
        let lo = b.outliers.iter().copied().fold(b.whisker_low, f64::min);
        let hi = b.outliers.iter().copied().fold(b.whisker_high, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let y = |v: f64| top + 10.0 + (panel_h - 20.0) * (1.0 - (v - lo) / span);
        let cx = x0 + panel_w / 2.0;
        let _ = write!(
            s,
            r##"<line x1="{cx}" x2="{cx}" y1="{}" y2="{}" stroke="#333"/><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#333"/><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#333"/>"##,
            y(b.whisker_high),
            y(b.whisker_low),
            cx - 15.0,
            cx + 15.0,
            y(b.whisker_high),
            y(b.whisker_high),
            cx - 15.0,
            cx + 15.0,
            y(b.whisker_low),
            y(b.whisker_low)
        );
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="50" height="{}" fill="#9ecae1" stroke="#333"/><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#08306b" stroke-width="2"/>"##,
            cx - 25.0,
            y(b.q3),
            (y(b.q1) - y(b.q3)).max(1.0),
            cx - 25.0,
            cx + 25.0,
            y(b.median),
            y(b.median)
        );
        for v in b.outliers.iter().take(200) {
            let _ = write!(s, r##"<circle cx="{cx}" cy="{}" r="2.5" fill="none" stroke="#d62728"/>"##, y(*v));
        }
        let name: String = b.name.chars().take(16).collect();
        let _ =
            write!(s, r#"<text x="{cx}" y="{}" text-anchor="middle">{}</text>"#, top + panel_h + 20.0, escape(&name));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_is_escaped_and_complete() {
        let svg = heatmap("r <x>", &["a&b".into(), "c".into()], &[vec![Some(1.0), None], vec![None, Some(-0.5)]]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("a&amp;b") && svg.contains("r &lt;x&gt;"));
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains(">-0.50<") && svg.contains(">n/a<"));
    }
}
