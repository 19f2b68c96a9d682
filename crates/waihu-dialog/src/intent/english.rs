//! English normalisation: lower case, contractions expanded ("don't" → "do not"),
//! punctuation folded into a clause separator, and a deliberately simple
//! suffix-stripping stemmer so that "calling", "calls" and "call" meet.

/// Token that separates clauses; negation never crosses it.
pub const CLAUSE: &str = ",";

/// Normalises and stems `text` into tokens (clause separators included as [`CLAUSE`]).
pub fn tokens(text: &str) -> Vec<String> {
    let mut lower: String = text
        .chars()
        .map(crate::normalize::half_width)
        .map(|c| if c == '\u{2019}' || c == '`' { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    for (from, to) in CONTRACTIONS {
        if lower.contains(from) {
            lower = lower.replace(from, to);
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(stem(&word));
            word.clear();
        }
        if !c.is_whitespace() && c != '\'' && c != '-' && out.last().is_some_and(|t| t != CLAUSE) {
            out.push(CLAUSE.to_string());
        }
    }
    if !word.is_empty() {
        out.push(stem(&word));
    }
    while out.last().is_some_and(|t| t == CLAUSE) {
        out.pop();
    }
    out
}

/// Contractions expanded before tokenising; order matters (specific forms first).
const CONTRACTIONS: [(&str, &str); 11] = [
    ("can't", "can not"),
    ("won't", "will not"),
    ("n't", " not"),
    ("let's", "let us"),
    ("'m", " am"),
    ("'re", " are"),
    ("'s", " is"),
    ("'d", " would"),
    ("'ll", " will"),
    ("'ve", " have"),
    ("being", "be"),
];

/// Strips one common suffix: -ing, -ed, -s (not -ss, -us, -is).
pub fn stem(w: &str) -> String {
    let n = w.chars().count();
    if n > 5 {
        if let Some(s) = w.strip_suffix("ing") {
            return s.to_string();
        }
    }
    if n > 4 {
        if let Some(s) = w.strip_suffix("ed") {
            return s.to_string();
        }
    }
    if n > 3 && w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contractions_and_stems() {
        assert_eq!(
            tokens("I'm not uninterested."),
            ["i", "am", "not", "uninterest"]
        );
        assert_eq!(
            tokens("Don't call me, thanks"),
            ["do", "not", "call", "me", ",", "thank"]
        );
        assert_eq!(tokens("can't talk"), ["can", "not", "talk"]);
        assert_eq!(tokens("Stop CALLING"), ["stop", "call"]);
    }
}
