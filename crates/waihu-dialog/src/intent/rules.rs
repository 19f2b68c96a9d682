//! Rule specifications: the built-in rule tables (text files compiled into the
//! crate) and the rules a script defines for its own intents and knowledge base.
//! Both go through the same compiler in `recognizer.rs`.

/// How a pattern is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// Substring of the normalised text; for Chinese also matched on pinyin.
    Keyword,
    /// Substring of the normalised text, never matched on pinyin.
    Exact,
    /// A whole jieba token.
    Word,
    /// A regular expression over the normalised text.
    Regex,
}

impl RuleKind {
    /// The prefix of rule ids of this kind (`kw:affirm/好的`).
    pub fn prefix(self) -> &'static str {
        match self {
            RuleKind::Keyword => "kw",
            RuleKind::Exact => "kw",
            RuleKind::Word => "word",
            RuleKind::Regex => "re",
        }
    }
}

/// One pattern for one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// The intent label (built-in, script intent, or `kb:<id>`).
    pub label: String,
    /// How it is matched.
    pub kind: RuleKind,
    /// The pattern text.
    pub pattern: String,
}

/// The patterns of one script-defined intent or knowledge-base entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentPatterns {
    /// Keywords / phrases (Chinese ones also match by pinyin).
    pub keywords: Vec<String>,
    /// Whole words (jieba tokens for Chinese, single tokens for English).
    pub words: Vec<String>,
    /// Regular expressions over the normalised text.
    pub regex: Vec<String>,
}

impl IntentPatterns {
    /// Converts into rule specs for `label`.
    pub fn specs(&self, label: &str) -> Vec<RuleSpec> {
        let mk = |kind, p: &String| RuleSpec {
            label: label.to_string(),
            kind,
            pattern: p.clone(),
        };
        self.keywords
            .iter()
            .map(|p| mk(RuleKind::Keyword, p))
            .chain(self.words.iter().map(|p| mk(RuleKind::Word, p)))
            .chain(self.regex.iter().map(|p| mk(RuleKind::Regex, p)))
            .collect()
    }
}

/// The built-in Chinese rules.
pub const BUILTIN_ZH: &str = include_str!("builtin_zh.rules");
/// The built-in English rules.
pub const BUILTIN_EN: &str = include_str!("builtin_en.rules");

/// Parses a rule table (`label kind: p1; p2` per line, `#` comments). A line
/// that does not parse is returned as an error with its 1-based number.
pub fn parse_table(text: &str) -> Result<Vec<RuleSpec>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || (i + 1, line.to_string());
        let (head, body) = line.split_once(':').ok_or_else(bad)?;
        let mut head = head.split_whitespace();
        let (label, kind) = (head.next().ok_or_else(bad)?, head.next().ok_or_else(bad)?);
        let kind = match kind {
            "kw" => RuleKind::Keyword,
            "exact" => RuleKind::Exact,
            "word" => RuleKind::Word,
            "re" => RuleKind::Regex,
            _ => return Err(bad()),
        };
        let body = body.trim();
        let patterns: Vec<&str> = if kind == RuleKind::Regex {
            vec![body]
        } else {
            body.split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        };
        out.extend(patterns.into_iter().map(|p| RuleSpec {
            label: label.to_string(),
            kind,
            pattern: p.to_string(),
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_parse_and_use_known_labels() {
        for table in [BUILTIN_ZH, BUILTIN_EN] {
            let specs = parse_table(table).expect("built-in table parses");
            assert!(specs.len() > 50);
            for s in &specs {
                assert!(super::super::is_builtin(&s.label), "{}", s.label);
            }
        }
    }

    #[test]
    fn bad_line_reports_its_number() {
        assert_eq!(parse_table("# c\naffirm zz: x").unwrap_err().0, 2);
        assert!(parse_table("affirm kw").is_err());
    }
}
