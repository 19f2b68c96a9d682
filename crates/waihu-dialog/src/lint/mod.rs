//! The linter: decides whether a script may be published. Findings are
//! `file:line: rule-id: message`; a script is publishable when there are none.
//! Rule ids are stable (documented in docs/scripts.md):
//! `yaml`, `schema`, `unknown-node`, `unreachable-node`, `missing-handler`,
//! `dead-end`, `unbounded-loop`, `repeat-fallback`, `undefined-variable`,
//! `missing-audio`, `disclosure`, `opt-out-handler`, `undefined-intent`,
//! `reserved-outcome`, `bad-grade`, `bad-rule`, `bad-value`.

mod content;
mod graph;
mod summary;

pub use summary::{lint_summary, LintVerdict};

use crate::script::{Finding, Loaded};

/// Every rule id the linter can report.
pub const RULES: [&str; 17] = [
    "yaml",
    "schema",
    "unknown-node",
    "unreachable-node",
    "missing-handler",
    "dead-end",
    "unbounded-loop",
    "repeat-fallback",
    "undefined-variable",
    "missing-audio",
    "disclosure",
    "opt-out-handler",
    "undefined-intent",
    "reserved-outcome",
    "bad-grade",
    "bad-rule",
    "bad-value",
];

/// Lints a loaded script: the loader's findings plus every rule, sorted by line.
pub fn lint(loaded: &Loaded) -> Vec<Finding> {
    let mut out = loaded.findings.clone();
    if let Some(script) = &loaded.script {
        let ctx = Ctx {
            s: script,
            pos: &loaded.positions,
            dir: loaded.dir.as_deref(),
        };
        graph::check(&ctx, &mut out);
        content::check(&ctx, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// What every rule sees.
pub(crate) struct Ctx<'a> {
    pub s: &'a crate::script::Script,
    pub pos: &'a crate::script::Positions,
    pub dir: Option<&'a std::path::Path>,
}

impl Ctx<'_> {
    pub fn line(&self, path: &str) -> usize {
        self.pos.line(path)
    }
}
