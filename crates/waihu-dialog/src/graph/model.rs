//! The flow graph of a script: one node per script node (plus a node for the
//! global handlers and knowledge base when they jump somewhere, and a marked
//! node for every branch target that does not exist), one edge per distinct
//! (from, to) with the triggers that take it. `repeat` branches are loops on
//! the node itself and kept as a note on it.

use crate::script::{Positions, Script};
use std::collections::BTreeMap;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A node that listens to the callee.
    Listen,
    /// A node that speaks and moves on (`next`).
    Pass,
    /// An end node (with its outcome).
    End,
    /// A branch target that is not in the script.
    Missing,
    /// The global handlers and knowledge-base answers (reachable from anywhere).
    Global,
}

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowNode {
    /// The script's node id (for [`NodeKind::Global`]: `*`).
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// The start node.
    pub start: bool,
    /// The disclosure.
    pub disclosure: bool,
    /// What the robot says first (unfilled text).
    pub say: Option<String>,
    /// An end node's outcome.
    pub outcome: Option<String>,
    /// Triggers that re-ask this node (`repeat`).
    pub repeats: Vec<String>,
    /// The linter's findings in this node's YAML.
    pub findings: Vec<String>,
}

/// How an edge is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A branch on intents / keys / silence.
    Branch,
    /// `next` of a node that does not listen.
    Next,
    /// After the last re-prompt.
    Fallback,
    /// A global handler's or knowledge-base answer's `goto`.
    Global,
}

/// One edge (all triggers from one node to another of one kind).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowEdge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// How.
    pub kind: EdgeKind,
    /// The triggers (branches), or `next` / `fallback`, or the handler names.
    pub triggers: Vec<String>,
}

impl FlowEdge {
    /// The label drawn on the edge.
    pub fn label(&self) -> String {
        self.triggers.join(", ")
    }
}

/// The graph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowGraph {
    /// Nodes: the script's in id order, then missing targets, then `*`.
    pub nodes: Vec<FlowNode>,
    /// Edges, in a stable order.
    pub edges: Vec<FlowEdge>,
}

impl FlowGraph {
    /// The graph of `script`.
    pub fn from_script(script: &Script) -> Self {
        let mut g = FlowGraph::default();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (id, n) in &script.nodes {
            index.insert(id.clone(), g.nodes.len());
            let kind = if n.end.is_some() {
                NodeKind::End
            } else if n.listen.is_some() {
                NodeKind::Listen
            } else {
                NodeKind::Pass
            };
            g.nodes.push(FlowNode {
                id: id.clone(),
                kind,
                start: *id == script.start,
                disclosure: n.disclosure,
                say: n.say.as_ref().and_then(|s| s.text.clone()),
                outcome: n.end.clone(),
                repeats: n
                    .branches
                    .iter()
                    .filter(|(_, t)| t.as_str() == "repeat")
                    .map(|(k, _)| k.clone())
                    .collect(),
                findings: Vec::new(),
            });
        }
        // (from, to, kind) -> triggers
        let mut edges: BTreeMap<(usize, usize, EdgeKind), Vec<String>> = BTreeMap::new();
        fn target(g: &mut FlowGraph, index: &mut BTreeMap<String, usize>, id: &str) -> usize {
            if let Some(&i) = index.get(id) {
                return i;
            }
            let i = g.nodes.len();
            g.nodes.push(FlowNode {
                id: id.to_string(),
                kind: NodeKind::Missing,
                start: false,
                disclosure: false,
                say: None,
                outcome: None,
                repeats: Vec::new(),
                findings: Vec::new(),
            });
            index.insert(id.to_string(), i);
            i
        }
        for (id, n) in &script.nodes {
            let from = index[id];
            for (trigger, to) in &n.branches {
                if to != "repeat" {
                    let t = target(&mut g, &mut index, to);
                    edges
                        .entry((from, t, EdgeKind::Branch))
                        .or_default()
                        .push(trigger.clone());
                }
            }
            if let Some(next) = &n.next {
                let t = target(&mut g, &mut index, next);
                edges
                    .entry((from, t, EdgeKind::Next))
                    .or_default()
                    .push("next".into());
            }
            if let Some(r) = &n.repeat {
                let t = target(&mut g, &mut index, &r.fallback);
                edges
                    .entry((from, t, EdgeKind::Fallback))
                    .or_default()
                    .push("fallback".into());
            }
        }
        let mut globals: Vec<(String, String)> = script
            .global
            .iter()
            .filter_map(|(label, h)| h.goto.clone().map(|g| (label.clone(), g)))
            .collect();
        globals.extend(
            script
                .knowledge
                .iter()
                .filter_map(|k| k.goto.clone().map(|g| (format!("kb:{}", k.id), g))),
        );
        if !globals.is_empty() {
            let star = g.nodes.len();
            g.nodes.push(FlowNode {
                id: "*".into(),
                kind: NodeKind::Global,
                start: false,
                disclosure: false,
                say: None,
                outcome: None,
                repeats: Vec::new(),
                findings: Vec::new(),
            });
            for (label, to) in globals {
                let t = target(&mut g, &mut index, &to);
                edges
                    .entry((star, t, EdgeKind::Global))
                    .or_default()
                    .push(label);
            }
        }
        g.edges = edges
            .into_iter()
            .map(|((from, to, kind), triggers)| FlowEdge {
                from,
                to,
                kind,
                triggers,
            })
            .collect();
        g
    }

    /// The index of the start node, if the script has it.
    pub fn start(&self) -> Option<usize> {
        self.nodes.iter().position(|n| n.start)
    }

    /// Marks each finding (line, message) on the script node whose YAML block
    /// holds the line; findings outside every node's block mark none.
    pub fn attach_findings(&mut self, positions: &Positions, findings: &[(usize, String)]) {
        let nodes_line = positions.line("nodes");
        // Where the node blocks end: the next top-level key after `nodes`.
        let end = TOP_LEVEL_KEYS
            .iter()
            .map(|k| positions.line(k))
            .filter(|&l| l > nodes_line)
            .min()
            .unwrap_or(usize::MAX);
        let mut starts: Vec<(usize, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !matches!(n.kind, NodeKind::Missing | NodeKind::Global))
            .map(|(i, n)| (positions.line(&format!("nodes/{}", n.id)), i))
            .filter(|&(l, _)| l > nodes_line)
            .collect();
        starts.sort();
        for (line, message) in findings {
            if *line >= end {
                continue;
            }
            let owner = starts
                .iter()
                .take_while(|(l, _)| l <= line)
                .last()
                .map(|&(_, i)| i);
            if let Some(i) = owner {
                self.nodes[i].findings.push(message.clone());
            }
        }
    }
}

/// The script's top-level keys (docs/scripts.md).
const TOP_LEVEL_KEYS: [&str; 15] = [
    "name",
    "language",
    "business",
    "variables",
    "opt_out_dtmf",
    "max_turns",
    "max_duration_secs",
    "min_confidence",
    "goodbye",
    "start",
    "nodes",
    "global",
    "intents",
    "knowledge",
    "grading",
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::script::load_str;

    pub(crate) const YAML: &str = r#"name: t
business: {name: 测试}
start: hello
nodes:
  hello:
    disclosure: true
    say: {text: 您好, interruptible: false}
    next: ask
  ask:
    say: {text: 需要吗？}
    listen: {}
    branches:
      affirm: yes_end
      "dtmf:1": yes_end
      reject: nowhere
      silence: repeat
    repeat: {max: 1, fallback: no_end}
  yes_end:
    say: {text: 好的}
    end: interested
  no_end:
    end: declined
  bye:
    end: opt_out
global:
  opt_out: {goto: bye}
"#;

    fn graph() -> (FlowGraph, crate::script::Loaded) {
        let loaded = load_str(YAML);
        let s = loaded.script.as_ref().expect("parses");
        (FlowGraph::from_script(s), loaded)
    }

    fn idx(g: &FlowGraph, id: &str) -> usize {
        g.nodes.iter().position(|n| n.id == id).unwrap()
    }

    #[test]
    fn nodes_and_merged_edges_with_missing_targets_and_globals() {
        let (g, _) = graph();
        let ids: Vec<_> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ask", "bye", "hello", "no_end", "yes_end", "nowhere", "*"]
        );
        assert!(g.nodes[idx(&g, "hello")].start && g.nodes[idx(&g, "hello")].disclosure);
        assert_eq!(g.nodes[idx(&g, "ask")].kind, NodeKind::Listen);
        assert_eq!(g.nodes[idx(&g, "hello")].kind, NodeKind::Pass);
        assert_eq!(g.nodes[idx(&g, "no_end")].kind, NodeKind::End);
        assert_eq!(g.nodes[idx(&g, "nowhere")].kind, NodeKind::Missing);
        assert_eq!(g.nodes[idx(&g, "ask")].repeats, ["silence"]);
        let e = g
            .edges
            .iter()
            .find(|e| e.from == idx(&g, "ask") && e.to == idx(&g, "yes_end"))
            .unwrap();
        assert_eq!(e.label(), "affirm, dtmf:1");
        assert!(g.edges.iter().any(|e| e.from == idx(&g, "*")
            && e.to == idx(&g, "bye")
            && e.kind == EdgeKind::Global));
        assert!(g
            .edges
            .iter()
            .any(|e| e.kind == EdgeKind::Fallback && e.to == idx(&g, "no_end")));
    }

    #[test]
    fn findings_land_on_the_node_whose_yaml_holds_their_line() {
        let (mut g, loaded) = graph();
        let branch_line = loaded.positions.line("nodes/ask/branches/reject");
        let top_line = loaded.positions.line("name");
        let global_line = loaded.positions.line("global/opt_out/goto");
        g.attach_findings(
            &loaded.positions,
            &[
                (branch_line, "refers to nowhere".into()),
                (top_line, "top".into()),
                (global_line, "global".into()),
            ],
        );
        assert_eq!(g.nodes[idx(&g, "ask")].findings, ["refers to nowhere"]);
        let marked: usize = g.nodes.iter().map(|n| n.findings.len()).sum();
        assert_eq!(marked, 1, "findings outside the nodes mark no node");
    }
}
