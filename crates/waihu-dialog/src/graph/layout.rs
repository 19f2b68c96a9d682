//! A layered (Sugiyama-style) layout, top to bottom: cycles are broken by a
//! depth-first search from the start node (the edges that close a loop are
//! drawn back up, beside the graph); every other node sits one layer below its
//! lowest predecessor (longest path); edges that skip layers pass through
//! placeholder points so they never cross a node; a few barycentre sweeps
//! order each layer to reduce crossings; layers are centred.

use super::model::FlowGraph;

/// Node box width.
pub const NODE_W: f32 = 168.0;
/// Node box height.
pub const NODE_H: f32 = 48.0;
const DUMMY_W: f32 = 16.0;
const H_GAP: f32 = 36.0;
const V_GAP: f32 = 64.0;
const PAD: f32 = 40.0;
/// Room on the right for edges drawn back up.
const BACK_LANE: f32 = 14.0;
const SWEEPS: usize = 6;

/// A node's box (top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeBox {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Layer (0 = top).
    pub layer: usize,
}

/// An edge's route.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Points from the source to the target (first and last on the boxes).
    pub points: Vec<(f32, f32)>,
    /// The edge goes back up (closes a loop).
    pub back: bool,
    /// Where the label goes.
    pub label_at: (f32, f32),
}

/// The layout of a [`FlowGraph`]: one box per node, one route per edge (same order).
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Total width.
    pub width: f32,
    /// Total height.
    pub height: f32,
    /// Per node.
    pub nodes: Vec<NodeBox>,
    /// Per edge.
    pub routes: Vec<Route>,
}

/// An item of a layer: a node, or a placeholder of edge `e` in that layer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    Node(usize),
    Dummy(usize),
}

/// Lays `g` out.
pub fn layout(g: &FlowGraph) -> Layout {
    let n = g.nodes.len();
    let back = back_edges(g);
    let layer = layers(g, &back);
    let depth = layer.iter().copied().max().map_or(0, |m| m + 1);
    // Layers with placeholders for long forward edges.
    let mut rows: Vec<Vec<Item>> = vec![Vec::new(); depth];
    for (v, &l) in layer.iter().enumerate() {
        rows[l].push(Item::Node(v));
    }
    // dummies[e] = layers the edge passes through
    let mut dummies: Vec<Vec<usize>> = vec![Vec::new(); g.edges.len()];
    for (i, e) in g.edges.iter().enumerate() {
        if back[i] {
            continue;
        }
        for (l, row) in rows
            .iter_mut()
            .enumerate()
            .take(layer[e.to])
            .skip(layer[e.from] + 1)
        {
            row.push(Item::Dummy(i));
            dummies[i].push(l);
        }
    }
    order(g, &back, &layer, &mut rows);
    // Coordinates.
    let width_of = |it: &Item| match it {
        Item::Node(_) => NODE_W,
        Item::Dummy(_) => DUMMY_W,
    };
    let row_w: Vec<f32> = rows
        .iter()
        .map(|r| r.iter().map(width_of).sum::<f32>() + H_GAP * r.len().saturating_sub(1) as f32)
        .collect();
    let inner = row_w.iter().copied().fold(NODE_W, f32::max);
    let mut boxes = vec![
        NodeBox {
            x: 0.0,
            y: 0.0,
            layer: 0
        };
        n
    ];
    // (edge, layer) -> centre x of its placeholder
    let mut dummy_x: std::collections::HashMap<(usize, usize), f32> = Default::default();
    for (l, row) in rows.iter().enumerate() {
        let y = PAD + l as f32 * (NODE_H + V_GAP);
        let mut x = PAD + (inner - row_w[l]) / 2.0;
        for it in row {
            let w = width_of(it);
            match *it {
                Item::Node(v) => boxes[v] = NodeBox { x, y, layer: l },
                Item::Dummy(e) => {
                    dummy_x.insert((e, l), x + w / 2.0);
                }
            }
            x += w + H_GAP;
        }
    }
    let right = PAD + inner;
    let mut back_count = 0usize;
    let routes = g
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (a, b) = (boxes[e.from], boxes[e.to]);
            if back[i] || e.from == e.to {
                // Down into the gap below the source, across to a lane on the
                // right, up to the gap above the target, into its top: the
                // route crosses edges only, never a node.
                back_count += 1;
                let lane = right + BACK_LANE * back_count as f32;
                let step = (back_count % 4) as f32 * 4.0;
                let (sx, tx) = (a.x + NODE_W * 0.75, b.x + NODE_W * 0.75);
                let below = a.y + NODE_H + V_GAP * 0.25 + step;
                let above = b.y - V_GAP * 0.25 - step;
                let points = vec![
                    (sx, a.y + NODE_H),
                    (sx, below),
                    (lane, below),
                    (lane, above),
                    (tx, above),
                    (tx, b.y),
                ];
                Route {
                    label_at: (lane, (below + above) / 2.0),
                    points,
                    back: true,
                }
            } else {
                let mut points = vec![(a.x + NODE_W / 2.0, a.y + NODE_H)];
                for &l in &dummies[i] {
                    let cx = dummy_x.get(&(i, l)).copied().unwrap_or(points[0].0);
                    let y = PAD + l as f32 * (NODE_H + V_GAP);
                    points.push((cx, y));
                    points.push((cx, y + NODE_H));
                }
                points.push((b.x + NODE_W / 2.0, b.y));
                let (p, q) = (points[0], points[1]);
                Route {
                    label_at: ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0),
                    points,
                    back: false,
                }
            }
        })
        .collect();
    Layout {
        width: right + BACK_LANE * (back_count as f32 + 1.0) + PAD,
        height: PAD * 2.0 + depth as f32 * NODE_H + depth.saturating_sub(1) as f32 * V_GAP,
        nodes: boxes,
        routes,
    }
}

/// Marks the edges that close a cycle (found by a depth-first search from the
/// start node, then from every node not yet seen, in order), and self-loops.
fn back_edges(g: &FlowGraph) -> Vec<bool> {
    let n = g.nodes.len();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in g.edges.iter().enumerate() {
        out_edges[e.from].push(i);
    }
    let mut back = vec![false; g.edges.len()];
    // 0 = unseen, 1 = on the stack, 2 = done
    let mut mark = vec![0u8; n];
    let roots = g.start().into_iter().chain(0..n);
    for root in roots {
        if mark[root] != 0 {
            continue;
        }
        // Iterative DFS: (node, next edge position).
        let mut stack = vec![(root, 0usize)];
        mark[root] = 1;
        while let Some(&mut (v, ref mut pos)) = stack.last_mut() {
            if let Some(&ei) = out_edges[v].get(*pos) {
                *pos += 1;
                let w = g.edges[ei].to;
                match mark[w] {
                    0 => {
                        mark[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[ei] = true,
                    _ => {}
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// Longest-path layers over the forward edges.
fn layers(g: &FlowGraph, back: &[bool]) -> Vec<usize> {
    let n = g.nodes.len();
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in g.edges.iter().enumerate() {
        if !back[i] && e.from != e.to {
            indeg[e.to] += 1;
            succ[e.from].push(e.to);
        }
    }
    let mut layer = vec![0usize; n];
    let mut ready: std::collections::VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    while let Some(v) = ready.pop_front() {
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                ready.push_back(w);
            }
        }
    }
    layer
}

/// An item's identity: (0, node) or (1, edge of a placeholder).
type ItemKey = (u8, usize);
/// A link between adjacent layers: (upper layer, upper item, lower item).
type Link = (usize, ItemKey, ItemKey);

/// Orders each layer by the barycentre of its neighbours in the layer above
/// (sweeping down) and below (sweeping up), keeping the order on ties.
fn order(g: &FlowGraph, back: &[bool], layer: &[usize], rows: &mut [Vec<Item>]) {
    // Neighbour lists between items of adjacent layers, by item key.
    let key = |it: &Item| match it {
        Item::Node(v) => (0u8, *v),
        Item::Dummy(e) => (1u8, *e),
    };
    // The item of edge `e` in layer `l` (a node at its ends, else its placeholder).
    let at = |e: usize, l: usize| -> Item {
        let edge = &g.edges[e];
        if layer[edge.from] == l {
            Item::Node(edge.from)
        } else if layer[edge.to] == l {
            Item::Node(edge.to)
        } else {
            Item::Dummy(e)
        }
    };
    let mut links: Vec<Link> = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        if back[i] || e.from == e.to {
            continue;
        }
        for l in layer[e.from]..layer[e.to] {
            links.push((l, key(&at(i, l)), key(&at(i, l + 1))));
        }
    }
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..rows.len()).collect()
        } else {
            (0..rows.len().saturating_sub(1)).rev().collect()
        };
        for l in range {
            let fixed = if down { l - 1 } else { l + 1 };
            let pos: std::collections::HashMap<(u8, usize), usize> = rows[fixed]
                .iter()
                .enumerate()
                .map(|(i, it)| (key(it), i))
                .collect();
            let mut scored: Vec<(f32, usize, Item)> = rows[l]
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let k = key(it);
                    let ns: Vec<usize> = links
                        .iter()
                        .filter_map(|&(ul, u, d)| {
                            if down && ul == fixed && d == k {
                                pos.get(&u).copied()
                            } else if !down && ul == l && u == k {
                                pos.get(&d).copied()
                            } else {
                                None
                            }
                        })
                        .collect();
                    let bc = if ns.is_empty() {
                        i as f32
                    } else {
                        ns.iter().sum::<usize>() as f32 / ns.len() as f32
                    };
                    (bc, i, *it)
                })
                .collect();
            scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = scored.into_iter().map(|(_, _, it)| it).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::tests::YAML;
    use crate::script::load_str;

    fn laid(yaml: &str) -> (FlowGraph, Layout) {
        let loaded = load_str(yaml);
        let g = FlowGraph::from_script(loaded.script.as_ref().unwrap());
        let l = layout(&g);
        (g, l)
    }

    fn overlaps(a: &NodeBox, b: &NodeBox) -> bool {
        a.x < b.x + NODE_W && b.x < a.x + NODE_W && a.y < b.y + NODE_H && b.y < a.y + NODE_H
    }

    #[test]
    fn start_on_top_forward_edges_go_down_no_overlaps() {
        let (g, l) = laid(YAML);
        let start = g.start().unwrap();
        assert_eq!(l.nodes[start].layer, 0);
        for (e, r) in g.edges.iter().zip(&l.routes) {
            if !r.back {
                assert!(l.nodes[e.to].layer > l.nodes[e.from].layer, "{e:?}");
            }
            assert!(r.points.len() >= 2);
        }
        for (i, a) in l.nodes.iter().enumerate() {
            assert!(a.x >= 0.0 && a.x + NODE_W <= l.width && a.y + NODE_H <= l.height);
            for b in &l.nodes[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn loops_are_drawn_back_up_and_long_edges_bend_around_nodes() {
        let yaml = r#"name: t
business: {name: x}
start: a
nodes:
  a: {say: {text: a}, listen: {}, branches: {affirm: b, reject: d}}
  b: {say: {text: b}, listen: {}, branches: {affirm: c, unknown: a}}
  c: {say: {text: c}, next: d}
  d: {end: done}
"#;
        let (g, l) = laid(yaml);
        let id = |s: &str| g.nodes.iter().position(|n| n.id == s).unwrap();
        let back: Vec<_> = g
            .edges
            .iter()
            .zip(&l.routes)
            .filter(|(_, r)| r.back)
            .map(|(e, _)| (g.nodes[e.from].id.as_str(), g.nodes[e.to].id.as_str()))
            .collect();
        assert_eq!(back, [("b", "a")]);
        for p in l.routes.iter().flat_map(|r| &r.points) {
            assert!(
                (0.0..=l.width).contains(&p.0) && (0.0..=l.height).contains(&p.1),
                "{p:?} outside {}x{}",
                l.width,
                l.height
            );
        }
        // The way back up runs between layers and beside the graph, through no node.
        for r in l.routes.iter().filter(|r| r.back) {
            for w in r.points.windows(2) {
                let (p, q) = (w[0], w[1]);
                for b in &l.nodes {
                    // Open intervals: touching a box's edge is fine.
                    let overlaps = |lo: f32, hi: f32, from: f32, len: f32| {
                        lo.min(hi) < from + len && lo.max(hi) > from
                    };
                    let crosses = if (p.1 - q.1).abs() < 0.1 {
                        overlaps(p.1, p.1, b.y, NODE_H) && overlaps(p.0, q.0, b.x, NODE_W)
                    } else {
                        overlaps(p.0, p.0, b.x, NODE_W) && overlaps(p.1, q.1, b.y, NODE_H)
                    };
                    assert!(!crosses, "{p:?}-{q:?} crosses {b:?}");
                }
            }
        }
        assert_eq!(
            [
                l.nodes[id("a")].layer,
                l.nodes[id("b")].layer,
                l.nodes[id("c")].layer,
                l.nodes[id("d")].layer
            ],
            [0, 1, 2, 3]
        );
        // a -> d skips two layers: its route has placeholder points that stay
        // clear of the nodes of those layers.
        let (ei, _) = g
            .edges
            .iter()
            .enumerate()
            .find(|(_, e)| e.from == id("a") && e.to == id("d"))
            .unwrap();
        let r = &l.routes[ei];
        assert_eq!(r.points.len(), 2 + 2 * 2);
        for p in &r.points[1..r.points.len() - 1] {
            for v in [id("b"), id("c")] {
                let b = l.nodes[v];
                assert!(p.0 < b.x || p.0 > b.x + NODE_W, "{p:?} crosses {b:?}");
            }
        }
    }
}
