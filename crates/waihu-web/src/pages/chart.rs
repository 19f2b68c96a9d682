//! Horizontal bar charts drawn as SVG on the server (no script, no inline
//! style: sizes are SVG attributes, colours come from the stylesheet's
//! `.chart` classes).

use maud::{html, Markup};

const WIDTH: i64 = 360;
const LABEL: i64 = 110;
const ROW: i64 = 24;

/// A bar chart of `(label, value)` rows; `title` is its accessible name.
pub fn bars(title: &str, rows: &[(String, i64)], empty: &str) -> Markup {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = ROW * i64::try_from(rows.len()).unwrap_or(0).max(1);
    let span = WIDTH - LABEL - 40;
    html! {
        @if rows.is_empty() {
            p.hint { (empty) }
        } @else {
            svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
                width=(WIDTH) height=(height) viewBox={ "0 0 " (WIDTH) " " (height) } {
                title { (title) }
                @for (i, (label, v)) in rows.iter().enumerate() {
                    @let y = i64::try_from(i).unwrap_or(0) * ROW;
                    @let w = if *v > 0 { (v * span / max).max(2) } else { 0 };
                    g data-label=(label) data-value=(v) {
                        text.chart-label x=(LABEL - 6) y=(y + 16) text-anchor="end" { (label) }
                        rect.chart-bar x=(LABEL) y=(y + 4) width=(w) height=(ROW - 8) rx="3" {}
                        text.chart-value x=(LABEL + w + 6) y=(y + 16) { (v) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let svg = bars(
            "t",
            &[("A".into(), 10), ("B".into(), 5), ("C".into(), 0)],
            "none",
        )
        .into_string();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains(r#"data-label="A" data-value="10""#), "{svg}");
        assert!(
            svg.contains(r#"width="210""#),
            "the largest bar spans the chart: {svg}"
        );
        assert!(svg.contains(r#"width="105""#), "half: {svg}");
        assert!(!svg.contains("style="), "no inline style (CSP): {svg}");
        assert!(bars("t", &[], "none").into_string().contains("none"));
    }
}
