//! Pinyin for phonetic matching: ASR often writes a homophone ("不虚要" for
//! "不需要", "号的" for "好的"), so keywords are also compared by sound.
//! Tones are dropped and the usual southern merges are folded (zh/z, ch/c,
//! sh/s, n/l, -ng/-n after e and i) because both ASR and dialect speakers blur them.

use pinyin::ToPinyin;

/// One toneless, fuzzy syllable per character of `text`; a character without
/// pinyin (Latin, digits, separators) stands for itself.
#[cfg(test)]
pub fn syllables(text: &str) -> Vec<String> {
    text.chars().map(syllable).collect()
}

/// The fuzzy syllable of one character.
pub fn syllable(c: char) -> String {
    pinyin_syllable(c).unwrap_or_else(|| c.to_string())
}

/// The fuzzy syllable of a character that has pinyin (a hanzi); `None` for
/// any other character.
pub fn pinyin_syllable(c: char) -> Option<String> {
    c.to_pinyin().map(|p| fuzzy(p.plain()))
}

fn fuzzy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let rest = if let Some(r) = s.strip_prefix("zh") {
        out.push('z');
        r
    } else if let Some(r) = s.strip_prefix("ch") {
        out.push('c');
        r
    } else if let Some(r) = s.strip_prefix("sh") {
        out.push('s');
        r
    } else if let Some(r) = s.strip_prefix('n') {
        // n- and l- merge; "ng" is never an initial in standard pinyin except the
        // interjection "ng", which stays.
        if r.starts_with('g') {
            out.push('n');
        } else {
            out.push('l');
        }
        r
    } else {
        s
    };
    if let Some(stem) = rest.strip_suffix("ing") {
        out.push_str(stem);
        out.push_str("in");
    } else if let Some(stem) = rest.strip_suffix("eng") {
        out.push_str(stem);
        out.push_str("en");
    } else {
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_syllables() {
        assert_eq!(syllables("不需要"), syllables("不虚要"));
        assert_eq!(syllables("好的"), syllables("号的"));
        assert_eq!(syllables("开会"), syllables("开汇"));
        assert_ne!(syllables("好的"), syllables("不要"));
    }

    #[test]
    fn only_hanzi_have_a_pinyin_syllable() {
        assert_eq!(pinyin_syllable('是').as_deref(), Some("si"));
        assert_eq!(pinyin_syllable('a'), None);
        assert_eq!(pinyin_syllable('7'), None);
        assert_eq!(syllable('a'), "a");
    }

    #[test]
    fn fuzzy_merges() {
        assert_eq!(fuzzy("zhen"), "zen");
        assert_eq!(fuzzy("shi"), "si");
        assert_eq!(fuzzy("neng"), "len");
        assert_eq!(fuzzy("xing"), "xin");
    }
}
