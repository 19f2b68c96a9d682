//! Rules about the flow graph: references, reachability, handlers on every
//! listening node, dead ends and unbounded loops.

use super::Ctx;
use crate::script::{Finding, Node};
use std::collections::{BTreeMap, BTreeSet};

/// Every (yaml path, target) edge out of a node, `repeat` excluded.
fn edges(id: &str, n: &Node) -> Vec<(String, String)> {
    let mut e = Vec::new();
    for (trigger, target) in &n.branches {
        if target != "repeat" {
            e.push((format!("nodes/{id}/branches/{trigger}"), target.clone()));
        }
    }
    if let Some(next) = &n.next {
        e.push((format!("nodes/{id}/next"), next.clone()));
    }
    if let Some(r) = &n.repeat {
        e.push((format!("nodes/{id}/repeat/fallback"), r.fallback.clone()));
    }
    e
}

pub(super) fn check(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    let exists = |t: &str| s.nodes.contains_key(t);
    // unknown-node
    if !exists(&s.start) {
        out.push(Finding::new(
            c.line("start"),
            "unknown-node",
            format!("start node {:?} does not exist", s.start),
        ));
    }
    let mut global_targets = Vec::new();
    for (label, h) in &s.global {
        if let Some(g) = &h.goto {
            global_targets.push((format!("global/{label}/goto"), g.clone()));
        }
    }
    for (i, kb) in s.knowledge.iter().enumerate() {
        if let Some(g) = &kb.goto {
            global_targets.push((format!("knowledge/{i}/goto"), g.clone()));
        }
    }
    for (path, t) in s
        .nodes
        .iter()
        .flat_map(|(id, n)| edges(id, n))
        .chain(global_targets.iter().cloned())
    {
        if !exists(&t) {
            out.push(Finding::new(
                c.line(&path),
                "unknown-node",
                format!("{path} refers to node {t:?}, which does not exist"),
            ));
        }
    }
    for (i, r) in s.grading.iter().enumerate() {
        for t in r.when.reached_any.iter().filter(|t| !exists(t)) {
            out.push(Finding::new(
                c.line(&format!("grading/{i}/when/reached_any")),
                "unknown-node",
                format!("grading rule refers to node {t:?}, which does not exist"),
            ));
        }
    }
    // unreachable-node: from start, plus global/kb targets (reachable from any node).
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = vec![s.start.clone()];
    stack.extend(global_targets.iter().map(|(_, t)| t.clone()));
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(n) = s.nodes.get(&id) {
            stack.extend(edges(&id, n).into_iter().map(|(_, t)| t));
        }
    }
    for id in s.nodes.keys().filter(|id| !seen.contains(*id)) {
        out.push(Finding::new(
            c.line(&format!("nodes/{id}")),
            "unreachable-node",
            format!("node {id:?} cannot be reached from the start node"),
        ));
    }
    for (id, n) in &s.nodes {
        let at = |k: &str| c.line(&format!("nodes/{id}/{k}"));
        let has = |k: &str| n.branches.contains_key(k);
        if n.end.is_some() {
            if n.listen.is_some() || !n.branches.is_empty() || n.next.is_some() {
                out.push(Finding::new(
                    at("end"),
                    "dead-end",
                    format!("end node {id:?} must not listen, branch or continue"),
                ));
            }
            continue;
        }
        match (&n.listen, &n.next) {
            (None, None) => out.push(Finding::new(
                c.line(&format!("nodes/{id}")),
                "dead-end",
                format!("node {id:?} neither listens, continues with `next`, nor ends"),
            )),
            (Some(_), Some(_)) => out.push(Finding::new(
                at("next"),
                "dead-end",
                format!("node {id:?} both listens and continues with `next`"),
            )),
            (Some(_), None) => {
                if !(has("unknown") || has("default")) {
                    out.push(Finding::new(
                        at("listen"),
                        "missing-handler",
                        format!("node {id:?} listens but has no `unknown` or `default` branch"),
                    ));
                }
                if !(has("silence") || has("default")) {
                    out.push(Finding::new(
                        at("listen"),
                        "missing-handler",
                        format!("node {id:?} listens but has no `silence` or `default` branch"),
                    ));
                }
            }
            (None, Some(_)) => {
                if !n.branches.is_empty() {
                    out.push(Finding::new(
                        at("branches"),
                        "dead-end",
                        format!("node {id:?} has branches but does not listen"),
                    ));
                }
            }
        }
        if n.branches.values().any(|t| t == "repeat") && n.repeat.is_none() {
            out.push(Finding::new(
                at("branches"),
                "repeat-fallback",
                format!("node {id:?} repeats but has no `repeat: {{max, fallback}}`"),
            ));
        }
    }
    loops(c, out);
}

/// A cycle through listening nodes is bounded only by `max_turns`; a cycle of
/// `next` hops never waits for the callee and is always an error.
fn loops(c: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = c.s;
    let graph: BTreeMap<&str, Vec<String>> = s
        .nodes
        .iter()
        .map(|(id, n)| {
            (
                id.as_str(),
                edges(id, n).into_iter().map(|(_, t)| t).collect(),
            )
        })
        .collect();
    let next_only: BTreeMap<&str, Vec<String>> = s
        .nodes
        .iter()
        .map(|(id, n)| {
            (
                id.as_str(),
                if n.listen.is_none() {
                    n.next.iter().cloned().collect()
                } else {
                    vec![]
                },
            )
        })
        .collect();
    if let Some(id) = find_cycle(&next_only) {
        out.push(Finding::new(
            c.line(&format!("nodes/{id}/next")),
            "unbounded-loop",
            format!("node {id:?} is on a cycle of `next` hops that never listens"),
        ));
    }
    if s.max_turns.is_none() {
        if let Some(id) = find_cycle(&graph) {
            out.push(Finding::new(
                c.line(&format!("nodes/{id}")),
                "unbounded-loop",
                format!("node {id:?} is on a loop and the script sets no `max_turns`"),
            ));
        }
    }
}

/// Some node on a cycle, if any (iterative DFS with colours).
fn find_cycle(g: &BTreeMap<&str, Vec<String>>) -> Option<String> {
    let mut colour: BTreeMap<&str, u8> = BTreeMap::new(); // 1 = on stack, 2 = done
    for &root in g.keys() {
        if colour.contains_key(root) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        colour.insert(root, 1);
        while let Some((n, i)) = stack.pop() {
            let succ = g.get(n).map(Vec::as_slice).unwrap_or(&[]);
            if i < succ.len() {
                stack.push((n, i + 1));
                let Some((&m, _)) = g.get_key_value(succ[i].as_str()) else {
                    continue;
                };
                match colour.get(m) {
                    Some(1) => return Some(m.to_string()),
                    Some(_) => {}
                    None => {
                        colour.insert(m, 1);
                        stack.push((m, 0));
                    }
                }
            } else {
                colour.insert(n, 2);
            }
        }
    }
    None
}
