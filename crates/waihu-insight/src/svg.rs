//! Small helpers shared by the SVG renderings: XML text escaping, number
//! formatting and the drop-off colour scale. Every string that comes from data
//! goes through [`esc`].

/// Escapes text for an SVG/XML text node or attribute value (the flow
/// graph's escaping, one rule for every SVG waihu draws).
pub use waihu_dialog::graph::svg::escape as esc;

/// A coordinate with at most one decimal.
pub fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A colour from green (0.0) through amber to red (1.0), as `#rrggbb`.
pub fn heat(rate: f64) -> String {
    let t = if rate.is_finite() {
        rate.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (g, a, r) = ((0x2e, 0x9e, 0x5b), (0xf2, 0xb1, 0x34), (0xd6, 0x3a, 0x3a));
    let (from, to, u) = if t < 0.5 {
        (g, a, t * 2.0)
    } else {
        (a, r, (t - 0.5) * 2.0)
    };
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * u).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// Shortens a label to `max` characters, with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn heat_scale_ends() {
        assert_eq!(heat(0.0), "#2e9e5b");
        assert_eq!(heat(1.0), "#d63a3a");
        assert_eq!(heat(f64::NAN), "#2e9e5b");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(2.0), "2");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
