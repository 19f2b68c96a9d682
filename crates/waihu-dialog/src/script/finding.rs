//! A diagnostic about a script: a line, a stable rule id and a message,
//! rendered as `file:line: rule-id: message`.

use std::fmt;

/// One finding of the loader or the linter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// 1-based line in the script file.
    pub line: usize,
    /// Stable rule id, e.g. `unknown-node`.
    pub rule: &'static str,
    /// What is wrong, for a human.
    pub message: String,
}

impl Finding {
    /// Builds a finding.
    pub fn new(line: usize, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            line: line.max(1),
            rule,
            message: message.into(),
        }
    }

    /// Renders as `file:line: rule-id: message`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{self}")
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.line, self.rule, self.message)
    }
}
