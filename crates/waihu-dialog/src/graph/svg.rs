//! Draws a laid-out flow graph as one self-contained SVG element: colours are
//! presentation attributes (no `style`, so a strict Content-Security-Policy
//! allows it), every text is XML-escaped, long texts are shortened with the
//! full text in the node's `<title>` tooltip. Nodes with linter findings are
//! red with the number of findings; missing targets are dashed red.

use super::layout::{Layout, NODE_H, NODE_W};
use super::model::{FlowGraph, FlowNode, NodeKind};
use std::fmt::Write as _;

/// XML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Display width in half-width units (CJK and other wide characters count two).
fn units(c: char) -> usize {
    if (c as u32) >= 0x2E80 {
        2
    } else {
        1
    }
}

/// `s` cut to `max` display units, with `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let total: usize = s.chars().map(units).sum();
    if total <= max {
        return s;
    }
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        if used + units(c) > max.saturating_sub(1) {
            break;
        }
        used += units(c);
        out.push(c);
    }
    out.push('…');
    out
}

struct Colours {
    fill: &'static str,
    stroke: &'static str,
    dash: bool,
}

fn colours(n: &FlowNode) -> Colours {
    let (fill, stroke, dash) = match n.kind {
        NodeKind::Missing => ("#fdecea", "#b42318", true),
        _ if !n.findings.is_empty() => ("#fdecea", "#b42318", false),
        NodeKind::Global => ("#f4f6fa", "#98a2b3", true),
        NodeKind::End => ("#e7f6ee", "#107a4d", false),
        _ if n.start => ("#eef2ff", "#1f5eff", false),
        _ => ("#ffffff", "#1f5eff", false),
    };
    Colours { fill, stroke, dash }
}

/// The second line of a node: its outcome, or what it says.
fn subtitle(n: &FlowNode) -> String {
    match (n.kind, &n.outcome, &n.say) {
        (NodeKind::Missing, _, _) => "missing".into(),
        (NodeKind::Global, _, _) => "global / knowledge".into(),
        (_, Some(o), _) => format!("end: {o}"),
        (_, None, Some(s)) => s.clone(),
        _ => String::new(),
    }
}

fn tooltip(n: &FlowNode) -> String {
    let mut t = n.id.clone();
    if n.disclosure {
        t.push_str(" (disclosure)");
    }
    if let Some(s) = &n.say {
        t.push('\n');
        t.push_str(s);
    }
    if let Some(o) = &n.outcome {
        let _ = write!(t, "\nend: {o}");
    }
    if !n.repeats.is_empty() {
        let _ = write!(t, "\nrepeat on: {}", n.repeats.join(", "));
    }
    for f in &n.findings {
        let _ = write!(t, "\n⚠ {f}");
    }
    t
}

fn path_d(points: &[(f32, f32)], back: bool) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0:.1},{y0:.1}");
    if back {
        for &(x, y) in &points[1..] {
            let _ = write!(d, " L{x:.1},{y:.1}");
        }
        return d;
    }
    for w in points.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (x1 - x2).abs() < 0.5 {
            let _ = write!(d, " L{x2:.1},{y2:.1}");
        } else {
            let my = (y1 + y2) / 2.0;
            let _ = write!(d, " C{x1:.1},{my:.1} {x2:.1},{my:.1} {x2:.1},{y2:.1}");
        }
    }
    d
}

/// The SVG of `g` laid out as `l`.
pub fn render(g: &FlowGraph, l: &Layout) -> String {
    let (w, h) = (l.width.ceil(), l.height.ceil());
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="flow graph" font-family="sans-serif">"##
    );
    s.push_str(r##"<defs><marker id="wh-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#667085"/></marker></defs>"##);
    for (e, r) in g.edges.iter().zip(&l.routes) {
        let dash = if r.back {
            r#" stroke-dasharray="5 4""#
        } else {
            ""
        };
        let _ = write!(
            s,
            r##"<g class="edge" data-from="{}" data-to="{}"><path d="{}" fill="none" stroke="#98a2b3" stroke-width="1.4"{dash} marker-end="url(#wh-arrow)"/>"##,
            escape(&g.nodes[e.from].id),
            escape(&g.nodes[e.to].id),
            path_d(&r.points, r.back),
        );
        let label = e.label();
        let (lx, ly) = r.label_at;
        let anchor = if r.back { "start" } else { "middle" };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#475467" text-anchor="{anchor}"><title>{}</title>{}</text></g>"##,
            if r.back { lx + 3.0 } else { lx },
            ly + 4.0,
            escape(&label),
            escape(&shorten(&label, 24)),
        );
    }
    for (n, b) in g.nodes.iter().zip(&l.nodes) {
        let c = colours(n);
        let mut class = String::from("node");
        if !n.findings.is_empty() {
            class.push_str(" lint");
        }
        if n.start {
            class.push_str(" start");
        }
        let dash = if c.dash {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let width = if n.findings.is_empty() && !n.start {
            "1.4"
        } else {
            "2.4"
        };
        let _ = write!(
            s,
            r##"<g class="{class}" data-node="{}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{}" stroke="{}" stroke-width="{width}"{dash}/>"##,
            escape(&n.id),
            escape(&tooltip(n)),
            b.x,
            b.y,
            c.fill,
            c.stroke,
        );
        let mut title = shorten(&n.id, 20);
        if !n.findings.is_empty() {
            title = format!("⚠{} {}", n.findings.len(), shorten(&n.id, 16));
        } else if !n.repeats.is_empty() {
            title = format!("{} ↻", shorten(&n.id, 18));
        }
        let cx = b.x + NODE_W / 2.0;
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{:.1}" font-size="13" font-weight="600" fill="{}" text-anchor="middle">{}</text>"##,
            b.y + 19.0,
            if n.findings.is_empty() && n.kind != NodeKind::Missing {
                "#1b2433"
            } else {
                "#b42318"
            },
            escape(&title),
        );
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{:.1}" font-size="11" fill="#667085" text-anchor="middle">{}</text></g>"##,
            b.y + 37.0,
            escape(&shorten(&subtitle(n), 24)),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::layout::layout;
    use crate::graph::model::tests::YAML;
    use crate::script::load_str;

    #[test]
    fn escapes_and_shortens() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("您好您好您好", 6), "您好…");
        assert_eq!(shorten("a  b\nc", 10), "a b c");
    }

    #[test]
    fn draws_every_node_and_edge_and_marks_findings() {
        let loaded = load_str(YAML);
        let mut g = FlowGraph::from_script(loaded.script.as_ref().unwrap());
        let line = loaded.positions.line("nodes/ask/branches/reject");
        g.attach_findings(
            &loaded.positions,
            &[(line, "nowhere <does not> exist".into())],
        );
        let svg = render(&g, &layout(&g));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches(r#"<g class="node"#).count(), g.nodes.len());
        assert_eq!(svg.matches(r#"<g class="edge""#).count(), g.edges.len());
        assert!(
            svg.contains(r#"<g class="node lint" data-node="ask">"#),
            "{svg}"
        );
        assert!(svg.contains("⚠ nowhere &lt;does not&gt; exist"));
        assert!(!svg.contains("<does not>"));
        assert!(!svg.contains("style="), "no inline style (CSP)");
    }

    #[test]
    fn hostile_names_are_text() {
        let yaml = r#"name: t
business: {name: x}
start: "<script>alert(1)</script>"
nodes:
  "<script>alert(1)</script>": {say: {text: "\"><img src=x onerror=alert(1)>"}, next: "a&b"}
  "a&b": {end: done}
"#;
        let loaded = load_str(yaml);
        let svg = crate::graph::to_svg(loaded.script.as_ref().unwrap(), &loaded.positions, &[]);
        assert!(!svg.contains("<script>") && !svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"data-node="a&amp;b""#));
    }
}
