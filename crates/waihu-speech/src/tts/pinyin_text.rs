//! Chinese text to tone-numbered pinyin for espeak-ng's `cmn-latn-pinyin`
//! voice. Debian's espeak-ng Mandarin dictionary reads many characters
//! wrongly, while its pinyin reader is reliable, so we do the character →
//! syllable step ourselves (the `pinyin` crate's readings) and let espeak-ng
//! only pronounce syllables.

use pinyin::ToPinyin;

/// One unit of the converted text.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// A syllable without tone digit, and its tone 1–5 (5 = neutral).
    Syllable(String, u8),
    /// Anything else, copied through (Latin words, digits, punctuation, spaces).
    Other(String),
}

/// Converts Mandarin text to space-separated tone-numbered pinyin, e.g.
/// `"不需要，谢谢"` → `"bu4 xu1 yao4, xie4 xie5"`. Applies the tone
/// changes of 不 and 一 (espeak-ng already applies third-tone sandhi).
/// Chinese punctuation becomes ASCII punctuation so espeak-ng pauses;
/// Latin letters and digits pass through (espeak-ng reads digits in
/// Mandarin and switches to English for English words).
pub fn to_tone_pinyin(text: &str) -> String {
    let mut pieces = Vec::new();
    for c in text.chars() {
        match c.to_pinyin() {
            Some(p) => {
                let s = p.with_tone_num_end();
                let (base, tone) = match s.char_indices().last() {
                    Some((i, d)) if d.is_ascii_digit() => {
                        (&s[..i], d.to_digit(10).map_or(5, |t| t as u8))
                    }
                    _ => (s, 5),
                };
                pieces.push(Piece::Syllable(base.to_string(), tone));
            }
            None => pieces.push(Piece::Other(map_punctuation(c))),
        }
    }
    apply_sandhi(&mut pieces);
    render(&pieces)
}

/// Tone changes that the dictionary reading does not carry: 不 (bu4) becomes
/// bu2 before a fourth tone; 一 (yi1) becomes yi2 before a fourth tone and
/// yi4 before other tones (not at the end, where it keeps yi1).
fn apply_sandhi(pieces: &mut [Piece]) {
    for i in 0..pieces.len().saturating_sub(1) {
        let next_tone = match &pieces[i + 1] {
            Piece::Syllable(_, t) => *t,
            Piece::Other(_) => continue,
        };
        if let Piece::Syllable(base, tone) = &mut pieces[i] {
            match (base.as_str(), *tone) {
                ("bu", 4) if next_tone == 4 => *tone = 2,
                ("yi", 1) if next_tone == 4 => *tone = 2,
                ("yi", 1) if next_tone != 5 => *tone = 4,
                _ => {}
            }
        }
    }
}

/// Joins pieces: syllables separated by spaces, other text kept as is.
fn render(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Syllable(base, tone) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(base);
                out.push(char::from(b'0' + tone));
                out.push(' ');
            }
            Piece::Other(s) => {
                if s.chars().all(|c| c.is_ascii_punctuation()) {
                    // Attach punctuation to the previous syllable: "hao3,".
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push_str(s);
                    out.push(' ');
                } else {
                    out.push_str(s);
                }
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Full-width and Chinese punctuation become the ASCII mark espeak-ng pauses
/// on; ASCII passes through; anything else (emoji, symbols) becomes a space
/// so espeak-ng does not spell out Unicode names.
fn map_punctuation(c: char) -> String {
    let mapped = match c {
        '，' | '、' | '…' | '—' | '～' => ",",
        '。' | '．' => ".",
        '！' => "!",
        '？' => "?",
        '；' => ";",
        '：' => ":",
        c if c.is_ascii() => return c.to_string(),
        _ => " ",
    };
    mapped.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_common_phrases() {
        assert_eq!(to_tone_pinyin("好的"), "hao3 de5");
        assert_eq!(to_tone_pinyin("不需要，谢谢。"), "bu4 xu1 yao4, xie4 xie4.");
        assert_eq!(to_tone_pinyin("你好"), "ni3 hao3");
    }

    #[test]
    fn bu_and_yi_sandhi() {
        assert_eq!(to_tone_pinyin("不是"), "bu2 shi4");
        assert_eq!(to_tone_pinyin("不好"), "bu4 hao3");
        assert_eq!(to_tone_pinyin("一个"), "yi2 ge4");
        assert_eq!(to_tone_pinyin("一天"), "yi4 tian1");
        assert_eq!(to_tone_pinyin("第一"), "di4 yi1");
    }

    #[test]
    fn keeps_latin_and_digits() {
        assert_eq!(to_tone_pinyin("我是AI"), "wo3 shi4 AI");
        assert_eq!(to_tone_pinyin("3点"), "3 dian3");
        assert_eq!(to_tone_pinyin("好！😀"), "hao3!");
    }
}
