//! The per-node funnel of one script version: for every node, how many
//! answered calls reached it and what happened next — each branch taken (by
//! intent and target), callee hang-ups there, refusals (`reject`), opt-outs
//! (spoken, complaint or the opt-out key) and silences — with the node where
//! most callees hang up first, and the script's nodes no call reached last
//! ([`Funnel::with_script_nodes`]). [`render_svg`] draws the flow graph
//! coloured by drop-off.

use crate::facts::{CallFact, TurnNext};
use crate::svg::{clip, esc, heat, num};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use uuid::Uuid;
use waihu_dialog::intent;

/// Where a branch led.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Branch {
    /// The intent label of the turn.
    pub intent: String,
    /// The node entered next, or `end:<outcome>` when the call ended.
    pub target: String,
    /// Turns.
    pub count: u64,
}

/// One node's row of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFunnel {
    /// Node id.
    pub node: String,
    /// Answered calls that entered the node at least once.
    pub reached: u64,
    /// Entries, repeats included.
    pub entries: u64,
    /// Callee turns taken at the node.
    pub turns: u64,
    /// Turns by intent and where they led, most frequent first.
    pub branches: Vec<Branch>,
    /// Calls the callee hung up while at this node.
    pub hangups: u64,
    /// Turns at this node that said no (`reject`).
    pub refusals: u64,
    /// Opt-outs at this node (spoken, complaint, or the opt-out key).
    pub opt_outs: u64,
    /// Silent turns at this node (no input before the timeout).
    pub silences: u64,
    /// Calls whose conversation ended at this node, by script outcome.
    pub ended: BTreeMap<String, u64>,
}

impl NodeFunnel {
    fn new(node: &str) -> Self {
        Self {
            node: node.to_string(),
            reached: 0,
            entries: 0,
            turns: 0,
            branches: Vec::new(),
            hangups: 0,
            refusals: 0,
            opt_outs: 0,
            silences: 0,
            ended: BTreeMap::new(),
        }
    }

    /// Hang-ups and opt-outs over the calls that reached the node (0 when none did).
    pub fn drop_off(&self) -> f64 {
        if self.reached == 0 {
            0.0
        } else {
            (self.hangups + self.opt_outs) as f64 / self.reached as f64
        }
    }
}

/// The funnel of one script version.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// The script version.
    pub script_version_id: Uuid,
    /// Answered calls with a conversation counted.
    pub calls: u64,
    /// The node most calls started at.
    pub start: Option<String>,
    /// One row per node, most hang-ups first (then most reached, then id).
    pub nodes: Vec<NodeFunnel>,
    /// Transitions between consecutive path entries: (from, to) → count.
    pub edges: BTreeMap<(String, String), u64>,
}

impl Funnel {
    /// Adds a zero row for every node of the script that no call reached, after
    /// the others (sorted by id): a node nobody gets to is a finding too.
    pub fn with_script_nodes<I: IntoIterator<Item = String>>(mut self, script_nodes: I) -> Self {
        let seen: BTreeSet<String> = self.nodes.iter().map(|n| n.node.clone()).collect();
        let mut unreached: Vec<String> = script_nodes
            .into_iter()
            .filter(|n| !seen.contains(n))
            .collect();
        unreached.sort();
        unreached.dedup();
        self.nodes
            .extend(unreached.iter().map(|n| NodeFunnel::new(n)));
        self
    }
}

/// The node ids of a stored script version's YAML (none when it does not parse).
pub fn script_node_ids(yaml: &str) -> Vec<String> {
    waihu_dialog::script::load_str(yaml)
        .script
        .map(|s| s.nodes.into_keys().collect())
        .unwrap_or_default()
}

/// End-of-path marker prefix used in [`Branch::target`].
pub const END_PREFIX: &str = "end:";

/// Builds the funnel of `script_version_id` from the calls that ran it
/// (other calls, unanswered calls and calls without a path are skipped).
pub fn funnel(script_version_id: Uuid, facts: &[CallFact]) -> Funnel {
    let mut rows: BTreeMap<String, NodeFunnel> = BTreeMap::new();
    let mut branches: BTreeMap<(String, (String, String)), u64> = BTreeMap::new();
    let mut edges: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut starts: BTreeMap<String, u64> = BTreeMap::new();
    let mut calls = 0u64;
    for f in facts.iter().filter(|f| {
        f.script_version_id == Some(script_version_id) && f.answered && !f.path.is_empty()
    }) {
        calls += 1;
        *starts.entry(f.path[0].clone()).or_default() += 1;
        let mut seen = BTreeSet::new();
        for n in &f.path {
            let row = rows.entry(n.clone()).or_insert_with(|| NodeFunnel::new(n));
            row.entries += 1;
            if seen.insert(n.as_str()) {
                row.reached += 1;
            }
        }
        for w in f.path.windows(2) {
            *edges.entry((w[0].clone(), w[1].clone())).or_default() += 1;
        }
        let mut opt_out_counted = false;
        for t in &f.turns {
            let Some(node) = &t.node else { continue };
            let row = rows
                .entry(node.clone())
                .or_insert_with(|| NodeFunnel::new(node));
            row.turns += 1;
            match t.intent.as_str() {
                intent::REJECT => row.refusals += 1,
                intent::SILENCE => row.silences += 1,
                intent::OPT_OUT | intent::COMPLAINT => {
                    row.opt_outs += 1;
                    opt_out_counted = true;
                }
                _ => {}
            }
            let target = match &t.next {
                TurnNext::Node(n) => n.clone(),
                TurnNext::End(o) => format!("{END_PREFIX}{o}"),
            };
            *branches
                .entry((node.clone(), (t.intent.clone(), target)))
                .or_default() += 1;
        }
        if f.opt_out && !opt_out_counted {
            // The opt-out key (or a DTMF turn the script mapped to it): the
            // call's last turn is where the callee left.
            if let Some(row) = f
                .turns
                .iter()
                .rev()
                .find_map(|t| t.node.as_ref())
                .and_then(|n| rows.get_mut(n))
            {
                row.opt_outs += 1;
            }
        }
        if let Some(last) = f.path.last() {
            let outcome = f.script_outcome.clone().unwrap_or_else(|| "hangup".into());
            if let Some(row) = rows.get_mut(last) {
                if outcome == "hangup" {
                    row.hangups += 1;
                }
                *row.ended.entry(outcome).or_default() += 1;
            }
        }
    }
    for ((node, (intent, target)), count) in branches {
        if let Some(row) = rows.get_mut(&node) {
            row.branches.push(Branch {
                intent,
                target,
                count,
            });
        }
    }
    let mut nodes: Vec<NodeFunnel> = rows.into_values().collect();
    for n in &mut nodes {
        n.branches
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cmp(b)));
    }
    nodes.sort_by(|a, b| {
        b.hangups
            .cmp(&a.hangups)
            .then(b.reached.cmp(&a.reached))
            .then_with(|| a.node.cmp(&b.node))
    });
    let start = starts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(n, _)| n);
    Funnel {
        script_version_id,
        calls,
        start,
        nodes,
        edges,
    }
}

/// Layer of every node: the breadth-first distance from the start along the
/// observed edges; nodes not reachable that way go one layer past the last.
pub fn layers(f: &Funnel) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut queue = VecDeque::new();
    if let Some(s) = &f.start {
        out.insert(s.clone(), 0usize);
        queue.push_back(s.clone());
    }
    while let Some(n) = queue.pop_front() {
        let d = out[&n];
        for (from, to) in f.edges.keys() {
            if *from == n && !out.contains_key(to) {
                out.insert(to.clone(), d + 1);
                queue.push_back(to.clone());
            }
        }
    }
    let past = out.values().max().map_or(0, |m| m + 1);
    for n in &f.nodes {
        out.entry(n.node.clone()).or_insert(past);
    }
    out
}

const NODE_W: f64 = 170.0;
const NODE_H: f64 = 54.0;
const COL_GAP: f64 = 90.0;
const ROW_GAP: f64 = 30.0;
const MARGIN: f64 = 20.0;

/// The flow graph as a standalone SVG document: one column per layer, each
/// node a box filled by its drop-off (green none … red all) showing reached,
/// hang-ups and opt-outs; each edge labelled with its count, wider for more.
pub fn render_svg(f: &Funnel) -> String {
    let layer = layers(f);
    let mut columns: BTreeMap<usize, Vec<&NodeFunnel>> = BTreeMap::new();
    for n in &f.nodes {
        columns.entry(layer[&n.node]).or_default().push(n);
    }
    let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut max_rows = 1usize;
    for (c, list) in columns.iter_mut() {
        list.sort_by(|a, b| b.reached.cmp(&a.reached).then_with(|| a.node.cmp(&b.node)));
        max_rows = max_rows.max(list.len());
        for (r, n) in list.iter().enumerate() {
            let x = MARGIN + *c as f64 * (NODE_W + COL_GAP);
            let y = MARGIN + r as f64 * (NODE_H + ROW_GAP);
            pos.insert(n.node.as_str(), (x, y));
        }
    }
    let cols = columns.keys().max().map_or(1, |m| m + 1);
    let width = MARGIN * 2.0 + cols as f64 * NODE_W + (cols.saturating_sub(1)) as f64 * COL_GAP;
    let height = MARGIN * 2.0 + max_rows as f64 * NODE_H + (max_rows - 1) as f64 * ROW_GAP + 30.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flow\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">",
        w = num(width),
        h = num(height)
    );
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/></marker></defs>");
    let max_edge = f.edges.values().copied().max().unwrap_or(1).max(1) as f64;
    for ((from, to), count) in &f.edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(from.as_str()), pos.get(to.as_str()))
        else {
            continue;
        };
        let w = 1.0 + 5.0 * (*count as f64 / max_edge);
        let (path, lx, ly) = if from == to {
            let (cx, cy) = (x1 + NODE_W / 2.0, y1 + NODE_H);
            (
                format!(
                    "M{} {} C{} {} {} {} {} {}",
                    num(cx - 20.0),
                    num(cy),
                    num(cx - 30.0),
                    num(cy + 28.0),
                    num(cx + 30.0),
                    num(cy + 28.0),
                    num(cx + 20.0),
                    num(cy)
                ),
                cx,
                cy + 26.0,
            )
        } else if x2 > x1 {
            let (sx, sy, ex, ey) = (x1 + NODE_W, y1 + NODE_H / 2.0, x2, y2 + NODE_H / 2.0);
            let mx = (sx + ex) / 2.0;
            (
                format!(
                    "M{} {} C{} {} {} {} {} {}",
                    num(sx),
                    num(sy),
                    num(mx),
                    num(sy),
                    num(mx),
                    num(ey),
                    num(ex),
                    num(ey)
                ),
                mx,
                (sy + ey) / 2.0 - 4.0,
            )
        } else {
            // Back or same-column edge: arc over the top.
            let (sx, sy, ex, ey) = (x1 + NODE_W / 2.0, y1, x2 + NODE_W / 2.0, y2);
            let top = sy.min(ey) - 18.0;
            (
                format!(
                    "M{} {} C{} {} {} {} {} {}",
                    num(sx),
                    num(sy),
                    num(sx),
                    num(top),
                    num(ex),
                    num(top),
                    num(ex),
                    num(ey)
                ),
                (sx + ex) / 2.0,
                top,
            )
        };
        s.push_str(&format!(
            "<path class=\"edge\" d=\"{path}\" fill=\"none\" stroke=\"#888\" stroke-width=\"{}\" marker-end=\"url(#arrow)\"><title>{} → {}: {count}</title></path><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444\">{count}</text>",
            num(w),
            esc(from),
            esc(to),
            num(lx),
            num(ly)
        ));
    }
    for n in &f.nodes {
        let (x, y) = pos[n.node.as_str()];
        let rate = n.drop_off();
        s.push_str(&format!(
            "<g class=\"node\" data-node=\"{id}\"><title>{id}: {} reached, {} hang-ups, {} opt-outs, {} refusals, {} silences ({}% drop-off)</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"#333\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#fff\" font-weight=\"bold\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#fff\">{} · ↓{} · ✕{}</text></g>",
            n.reached,
            n.hangups,
            n.opt_outs,
            n.refusals,
            n.silences,
            num(rate * 100.0),
            num(x),
            num(y),
            num(NODE_W),
            num(NODE_H),
            heat(rate),
            num(x + NODE_W / 2.0),
            num(y + 22.0),
            esc(&clip(&n.node, 20)),
            num(x + NODE_W / 2.0),
            num(y + 40.0),
            n.reached,
            n.hangups,
            n.opt_outs,
            id = esc(&n.node),
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" fill=\"#444\">reached · ↓hang-ups · ✕opt-outs</text></svg>",
        num(MARGIN),
        num(height - 8.0)
    ));
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::facts::TurnFact;
    use chrono::{TimeZone, Utc};

    pub(crate) fn call(
        n: u128,
        sv: Uuid,
        path: &[&str],
        turns: &[(&str, &str, TurnNext)],
        outcome: &str,
    ) -> CallFact {
        let mut f = CallFact::new(
            Uuid::from_u128(n),
            Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
        );
        f.script_version_id = Some(sv);
        f.answered = true;
        f.outcome = Some("answered".into());
        f.script_outcome = Some(outcome.into());
        f.path = path.iter().map(|s| s.to_string()).collect();
        f.turns = turns
            .iter()
            .map(|(node, intent, next)| TurnFact {
                node: Some(node.to_string()),
                callee_text: None,
                dtmf: None,
                intent: intent.to_string(),
                confidence: None,
                next: next.clone(),
            })
            .collect();
        f
    }

    fn node(n: &str) -> TurnNext {
        TurnNext::Node(n.into())
    }

    fn sample(sv: Uuid) -> Vec<CallFact> {
        vec![
            // Booked.
            call(
                1,
                sv,
                &["intro", "offer", "booked"],
                &[
                    ("intro", "affirm", node("offer")),
                    ("offer", "affirm", node("booked")),
                ],
                "booked",
            ),
            // Hung up at the offer.
            call(
                2,
                sv,
                &["intro", "offer"],
                &[("intro", "affirm", node("offer"))],
                "hangup",
            ),
            call(
                3,
                sv,
                &["intro", "offer"],
                &[("intro", "affirm", node("offer"))],
                "hangup",
            ),
            // Said no at the intro.
            call(
                4,
                sv,
                &["intro", "bye"],
                &[("intro", "reject", node("bye"))],
                "refused",
            ),
            // Silent, then opted out at the intro.
            call(
                5,
                sv,
                &["intro", "intro"],
                &[
                    ("intro", "silence", node("intro")),
                    ("intro", "opt_out", TurnNext::End("opt_out".into())),
                ],
                "opt_out",
            ),
            // Hung up at the intro without a word.
            call(6, sv, &["intro"], &[], "hangup"),
        ]
    }

    #[test]
    fn counts_per_node_and_most_hangups_first() {
        let sv = Uuid::from_u128(7);
        let mut facts = sample(sv);
        // Another version's call and an unanswered call are ignored.
        facts.push(call(9, Uuid::from_u128(8), &["offer"], &[], "hangup"));
        let mut unanswered = call(10, sv, &[], &[], "hangup");
        unanswered.answered = false;
        facts.push(unanswered);
        let f = funnel(sv, &facts);
        assert_eq!(f.calls, 6);
        assert_eq!(f.start.as_deref(), Some("intro"));
        assert_eq!(f.nodes[0].node, "offer");
        let offer = &f.nodes[0];
        assert_eq!((offer.reached, offer.hangups, offer.turns), (3, 2, 1));
        let intro = f.nodes.iter().find(|n| n.node == "intro").unwrap();
        assert_eq!(intro.reached, 6);
        assert_eq!(intro.entries, 7);
        assert_eq!(intro.hangups, 1);
        assert_eq!(intro.refusals, 1);
        assert_eq!(intro.opt_outs, 1);
        assert_eq!(intro.silences, 1);
        assert_eq!(
            intro.branches[0],
            Branch {
                intent: "affirm".into(),
                target: "offer".into(),
                count: 3
            }
        );
        assert!(intro
            .branches
            .iter()
            .any(|b| b.target == "end:opt_out" && b.count == 1));
        assert_eq!(f.edges[&("intro".to_string(), "offer".to_string())], 3);
        assert_eq!(f.edges[&("intro".to_string(), "intro".to_string())], 1);
        assert!((offer.drop_off() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn script_nodes_no_call_reached_are_listed_last_with_zeros() {
        let sv = Uuid::from_u128(7);
        let f = funnel(sv, &sample(sv)).with_script_nodes(
            ["offer", "zeta_unreached", "alpha_unreached", "intro"].map(String::from),
        );
        let ids: Vec<&str> = f.nodes.iter().map(|n| n.node.as_str()).collect();
        let n = ids.len();
        assert_eq!(&ids[n - 2..], &["alpha_unreached", "zeta_unreached"]);
        assert_eq!(ids.iter().filter(|i| **i == "offer").count(), 1);
        assert_eq!(f.nodes[n - 1].reached, 0);
        assert_eq!(f.nodes[n - 1].drop_off(), 0.0);
        assert!(render_svg(&f).contains("alpha_unreached"));
        let yaml = "name: t\nlanguage: zh\nbusiness: {name: x, phone: \"400\"}\nstart: a\nnodes:\n  a: {say: {text: hi}, end: done}\n  b: {say: {text: x}, end: done}\n";
        let mut ids = script_node_ids(yaml);
        ids.sort();
        assert_eq!(ids, vec!["a".to_string(), "b".to_string()]);
        assert!(script_node_ids("not: [valid").is_empty());
    }

    #[test]
    fn dtmf_opt_out_counts_as_opt_out() {
        let sv = Uuid::from_u128(1);
        // The opt-out key at the intro, handled by a goodbye node.
        let mut c = call(
            1,
            sv,
            &["intro", "bye_opt_out"],
            &[("intro", "dtmf:9", TurnNext::Node("bye_opt_out".into()))],
            "opt_out",
        );
        c.turns[0].dtmf = Some('9');
        c.opt_out = true;
        // A spoken opt-out counts once, not twice.
        let mut spoken = call(
            2,
            sv,
            &["intro"],
            &[("intro", "opt_out", TurnNext::End("opt_out".into()))],
            "opt_out",
        );
        spoken.opt_out = true;
        let f = funnel(sv, &[c, spoken]);
        let intro = f.nodes.iter().find(|n| n.node == "intro").unwrap();
        assert_eq!(intro.opt_outs, 2);
        let bye = f.nodes.iter().find(|n| n.node == "bye_opt_out").unwrap();
        assert_eq!(bye.opt_outs, 0);
    }

    #[test]
    fn empty_input_gives_an_empty_funnel_and_a_valid_svg() {
        let f = funnel(Uuid::nil(), &[]);
        assert_eq!(f.calls, 0);
        assert!(f.nodes.is_empty());
        let svg = render_svg(&f);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn svg_has_every_node_and_edge_coloured_and_escaped() {
        let sv = Uuid::from_u128(7);
        let mut facts = sample(sv);
        facts.push(call(11, sv, &["intro", "<b>&"], &[], "hangup"));
        let f = funnel(sv, &facts);
        let svg = render_svg(&f);
        assert_eq!(svg.matches("class=\"node\"").count(), f.nodes.len());
        assert_eq!(svg.matches("class=\"edge\"").count(), f.edges.len());
        assert!(svg.contains("&lt;b&gt;&amp;"));
        assert!(!svg.contains("<b>"));
        // The offer (2 of 3 hung up) is redder than booked (none).
        let colour = |id: &str| {
            let at = svg.find(&format!("data-node=\"{id}\"")).unwrap();
            let fill = svg[at..].find("fill=\"").unwrap() + at + 6;
            svg[fill..fill + 7].to_string()
        };
        assert_eq!(colour("booked"), heat(0.0));
        assert_eq!(colour("offer"), heat(2.0 / 3.0));
        let l = layers(&f);
        assert_eq!((l["intro"], l["offer"], l["booked"]), (0, 1, 2));
    }
}
