//! Text normalisation before intent matching: traditional → simplified Chinese,
//! full-width → half-width, lower case, and punctuation folded into one clause
//! separator so that negation scope never crosses a clause.

/// The character that replaces every punctuation mark and run of white space
/// between Chinese clauses.
pub const CLAUSE: char = ',';

/// Normalises a Chinese (or mixed) utterance: simplified characters, half-width,
/// lower case, no spaces, punctuation folded to [`CLAUSE`], no leading/trailing separators.
pub fn normalize_zh(text: &str) -> String {
    let simplified = fast2s::convert(text);
    let mut out = String::with_capacity(simplified.len());
    for c in simplified.chars().map(half_width) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            // Spaces between Latin words matter ("ok sure"), between hanzi they do not.
            if out
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_alphanumeric())
            {
                out.push(' ');
            }
        } else if !out.is_empty() && !out.ends_with(CLAUSE) {
            out.push(CLAUSE);
        }
    }
    while out.ends_with(CLAUSE) || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Maps a full-width ASCII variant (U+FF01..U+FF5E) and the ideographic space to
/// their half-width forms; every other character is returned unchanged.
pub fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// True when the text contains at least one CJK ideograph.
pub fn has_han(text: &str) -> bool {
    text.chars().any(is_han)
}

/// True for a CJK unified ideograph (basic block and extension A).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_full_width_and_punctuation() {
        assert_eq!(normalize_zh("別再給我打電話了！！"), "别再给我打电话了");
        assert_eq!(normalize_zh("ＯＫ，沒問題"), "ok,没问题");
        assert_eq!(normalize_zh("  嗯……那个……  "), "嗯,那个");
        assert_eq!(normalize_zh("ok sure"), "ok sure");
    }

    #[test]
    fn han_detection() {
        assert!(has_han("ok好的"));
        assert!(!has_han("stop calling"));
    }
}
