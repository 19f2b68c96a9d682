//! Small SVG charts for the back-office pages: a bar chart (one value per
//! label) and a line chart (several series over the same labels), with axes,
//! a few grid lines and a legend; and the dashboard's compact horizontal bars,
//! coloured by the stylesheet. Pure string output; every label is escaped.

use crate::svg::{clip, esc, num};

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 44.0;
/// Series colours, in order.
const COLOURS: [&str; 6] = [
    "#3a6fd6", "#2e9e5b", "#d63a3a", "#f2b134", "#8e44ad", "#555555",
];

/// A "nice" upper bound of the value axis (1, 2 or 5 × 10ⁿ) at or above `max`.
fn nice(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * p)
}

fn frame(title: &str, top: f64) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\"><title>{t}</title><text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let y = H - BOTTOM - (H - BOTTOM - TOP) * f64::from(i) / 4.0;
        s.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555\">{}</text>",
            num(W - RIGHT),
            num(LEFT - 4.0),
            num(y + 4.0),
            num(v),
            y = num(y)
        ));
    }
    s
}

fn y_of(v: f64, top: f64) -> f64 {
    H - BOTTOM - (H - BOTTOM - TOP) * (v.max(0.0) / top)
}

fn x_label(s: &mut String, x: f64, label: &str) {
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
        num(x),
        num(H - BOTTOM + 16.0),
        esc(&clip(label, 10))
    ));
}

/// A bar chart of `bars` (label, value); negative values draw as zero.
pub fn bar_chart(title: &str, bars: &[(String, f64)]) -> String {
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let top = nice(max);
    let mut s = frame(title, top);
    let slot = (W - LEFT - RIGHT) / bars.len().max(1) as f64;
    for (i, (label, v)) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64;
        let y = y_of(*v, top);
        s.push_str(&format!(
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>",
            num(x + slot * 0.15),
            num(y),
            num(slot * 0.7),
            num(H - BOTTOM - y),
            COLOURS[0],
            esc(label),
            num(*v)
        ));
        x_label(&mut s, x + slot / 2.0, label);
    }
    s.push_str("</svg>");
    s
}

/// A line chart: `labels` along the x axis, each series (name, values —
/// one per label; missing values end the line early).
pub fn line_chart(title: &str, labels: &[String], series: &[(String, Vec<f64>)]) -> String {
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0, f64::max);
    let top = nice(max);
    let mut s = frame(title, top);
    let n = labels.len().max(1);
    let step = if n > 1 {
        (W - LEFT - RIGHT - 20.0) / (n - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| LEFT + 10.0 + step * i as f64;
    let every = n.div_ceil(8).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 {
            x_label(&mut s, x_of(i), l);
        }
    }
    for (k, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<String> = values
            .iter()
            .take(labels.len())
            .enumerate()
            .map(|(i, v)| format!("{},{}", num(x_of(i)), num(y_of(*v, top))))
            .collect();
        s.push_str(&format!(
            "<polyline class=\"series\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            esc(name)
        ));
        let lx = LEFT + 110.0 * k as f64;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            num(lx),
            num(H - 14.0),
            num(lx + 14.0),
            num(H - 5.0),
            esc(&clip(name, 14))
        ));
    }
    s.push_str("</svg>");
    s
}

/// Width of the horizontal bar chart.
const HB_WIDTH: i64 = 360;
/// Room for the labels left of the bars.
const HB_LABEL: i64 = 110;
/// Height of one bar's row.
const HB_ROW: i64 = 24;

/// A compact horizontal bar chart of `(label, count)` rows for the dashboard;
/// `title` is its accessible name. No inline style and no colour: sizes are
/// SVG attributes and the page's `.chart` classes colour it, so it passes a
/// strict content security policy. Bars scale to the largest count; a
/// non-zero count is at least 2 units wide. An empty `rows` draws an empty
/// frame: the page shows its own "no data" hint instead.
pub fn horizontal_bars(title: &str, rows: &[(String, i64)]) -> String {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = HB_ROW * i64::try_from(rows.len()).unwrap_or(0).max(1);
    let span = HB_WIDTH - HB_LABEL - 40;
    let t = esc(title);
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{HB_WIDTH}\" height=\"{height}\" viewBox=\"0 0 {HB_WIDTH} {height}\"><title>{t}</title>"
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = i64::try_from(i).unwrap_or(0) * HB_ROW;
        let w = if *v > 0 { (v * span / max).max(2) } else { 0 };
        let l = esc(label);
        s.push_str(&format!(
            "<g data-label=\"{l}\" data-value=\"{v}\"><text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{l}</text><rect class=\"chart-bar\" x=\"{HB_LABEL}\" y=\"{}\" width=\"{w}\" height=\"{}\" rx=\"3\"></rect><text class=\"chart-value\" x=\"{}\" y=\"{}\">{v}</text></g>",
            HB_LABEL - 6,
            y + 16,
            y + 4,
            HB_ROW - 8,
            HB_LABEL + w + 6,
            y + 16,
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_a_nice_maximum() {
        let svg = bar_chart(
            "评级 <grades>",
            &[("A".into(), 3.0), ("B".into(), 7.0), ("C".into(), 0.0)],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 3);
        assert!(svg.contains("评级 &lt;grades&gt;"));
        // Axis top is 10 (nice above 7): the B bar is 70 % of the plot height.
        let plot = H - BOTTOM - TOP;
        assert!(svg.contains(&format!("height=\"{}\"", num(plot * 0.7))));
        assert_eq!(nice(7.0), 10.0);
        assert_eq!(nice(0.0), 1.0);
        assert_eq!(nice(120.0), 200.0);
    }

    #[test]
    fn lines_have_one_polyline_per_series_and_escaped_names() {
        let labels: Vec<String> = (1..=3).map(|d| format!("12-0{d}")).collect();
        let svg = line_chart(
            "calls",
            &labels,
            &[
                ("attempts".into(), vec![10.0, 20.0, 15.0]),
                ("<x>".into(), vec![1.0, 2.0]),
            ],
        );
        assert_eq!(svg.matches("class=\"series\"").count(), 2);
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
        assert!(line_chart("empty", &[], &[]).ends_with("</svg>"));
    }

    #[test]
    fn horizontal_bars_scale_to_the_largest_count() {
        let svg = horizontal_bars("t", &[("A".into(), 10), ("B".into(), 5), ("C".into(), 0)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains(r#"data-label="A" data-value="10""#), "{svg}");
        assert!(
            svg.contains(r#"width="210""#),
            "the largest bar spans the chart: {svg}"
        );
        assert!(svg.contains(r#"width="105""#), "half: {svg}");
        assert!(svg.contains(r#"data-label="C" data-value="0"><text class="chart-label" x="104" y="64" text-anchor="end">C</text><rect class="chart-bar" x="110" y="52" width="0""#), "{svg}");
        assert!(!svg.contains("style="), "no inline style (CSP): {svg}");
        assert!(!svg.contains("fill="), "the stylesheet colours it: {svg}");
    }

    #[test]
    fn horizontal_bars_escape_labels_and_keep_small_counts_visible() {
        let svg = horizontal_bars("<t>", &[("<b>".into(), 1000), ("x".into(), 1)]);
        assert!(svg.contains("aria-label=\"&lt;t&gt;\""), "{svg}");
        assert!(
            svg.contains(">&lt;b&gt;</text>") && !svg.contains("<b>"),
            "{svg}"
        );
        assert!(
            svg.contains(r#"width="2""#),
            "a tiny count still shows: {svg}"
        );
    }
}
