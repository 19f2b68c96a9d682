//! The linter's verdict on a script text as it is stored with each uploaded
//! version (by `waihu script upload`, the back office and the API alike):
//! every finding counts as an error, and the findings are kept as JSON
//! `[{"line","rule","message"}]`.

use super::lint;
use crate::script::{load_str, Finding};

/// What the linter said about one script text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintVerdict {
    /// Findings that block publishing (every finding).
    pub errors: u32,
    /// Findings that do not (none today).
    pub warnings: u32,
    /// The findings as stored: `[{"line","rule","message"}]`.
    pub findings_json: String,
    /// The findings themselves, sorted by line.
    pub findings: Vec<Finding>,
}

/// Loads and lints `yaml`.
pub fn lint_summary(yaml: &str) -> LintVerdict {
    let findings = lint(&load_str(yaml));
    let json: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| serde_json::json!({"line": f.line, "rule": f.rule, "message": f.message}))
        .collect();
    LintVerdict {
        errors: u32::try_from(findings.len()).unwrap_or(u32::MAX),
        warnings: 0,
        findings_json: serde_json::Value::Array(json).to_string(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_counted_and_kept_as_json() {
        let v = lint_summary("name: x\nnodes: [");
        assert!(v.errors >= 1);
        assert_eq!(v.errors as usize, v.findings.len());
        let json: Vec<serde_json::Value> = serde_json::from_str(&v.findings_json).unwrap();
        assert_eq!(json.len(), v.findings.len());
        assert_eq!(json[0]["rule"], v.findings[0].rule);
        assert!(json[0]["line"].as_u64().is_some());
    }
}
