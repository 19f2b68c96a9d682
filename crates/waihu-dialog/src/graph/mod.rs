//! The script's flow graph for people: nodes and branches as a graph
//! ([`model`]), a layered top-to-bottom layout computed here ([`layout`]), and
//! a self-contained SVG drawing of it ([`svg`]) with the linter's findings
//! marked on the nodes they are about. Pure: no I/O; every text is escaped.

pub mod layout;
pub mod model;
pub mod svg;

pub use layout::{layout, Layout};
pub use model::{EdgeKind, FlowEdge, FlowGraph, FlowNode, NodeKind};
pub use svg::render;

use crate::script::{Positions, Script};

/// The SVG of a script's flow graph, with the findings (line, message) marked
/// on the nodes whose YAML holds their line.
pub fn to_svg(script: &Script, positions: &Positions, findings: &[(usize, String)]) -> String {
    let mut g = FlowGraph::from_script(script);
    g.attach_findings(positions, findings);
    let l = layout(&g);
    render(&g, &l)
}
