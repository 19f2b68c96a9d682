//! waihu-insight: learning from calls. Pure functions over [`facts::CallFact`]s
//! (read from stored call rows by [`stored::to_fact`]): the per-node funnel of a script
//! version and its flow graph, clusters of unrecognised utterances, keywords of
//! callee speech and their contrast between groups, the A/B comparison of two
//! script variants with confidence intervals, per-task daily reports, their
//! CSV/XLSX exports and small SVG charts. No I/O, no database, no HTTP.

pub mod ab;
pub mod chart;
pub mod export;
pub mod facts;
pub mod funnel;
pub mod keywords;
pub mod report;
pub mod stats;
pub mod stored;
pub mod svg;
pub mod text;
pub mod unknown;
