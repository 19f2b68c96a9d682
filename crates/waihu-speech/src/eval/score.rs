//! Error rates of a transcript against its reference: CER over characters for
//! Chinese (after folding traditional to simplified, full-width to half-width,
//! case and punctuation away — differences an intent never depends on) and WER
//! over words for English (lower case, punctuation dropped, apostrophes kept).

/// Edits (substitutions, insertions, deletions) and the reference length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Errors {
    /// Minimum edits turning the reference into the hypothesis.
    pub edits: usize,
    /// Units (characters or words) in the reference.
    pub reference: usize,
}

impl Errors {
    /// Adds another utterance's counts.
    pub fn add(&mut self, other: Errors) {
        self.edits += other.edits;
        self.reference += other.reference;
    }

    /// edits / reference length (0 for an empty reference with no edits).
    pub fn rate(&self) -> f64 {
        if self.reference == 0 {
            if self.edits == 0 {
                0.0
            } else {
                1.0
            }
        } else {
            self.edits as f64 / self.reference as f64
        }
    }
}

/// The characters of a Chinese (or mixed) text that count for CER.
pub fn zh_units(text: &str) -> Vec<char> {
    fast2s::convert(text)
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of an English text that count for WER.
pub fn en_units(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Character errors of `hypothesis` against `reference` (Chinese).
pub fn cer(reference: &str, hypothesis: &str) -> Errors {
    let r = zh_units(reference);
    Errors {
        edits: edit_distance(&r, &zh_units(hypothesis)),
        reference: r.len(),
    }
}

/// Word errors of `hypothesis` against `reference` (English).
pub fn wer(reference: &str, hypothesis: &str) -> Errors {
    let r = en_units(reference);
    Errors {
        edits: edit_distance(&r, &en_units(hypothesis)),
        reference: r.len(),
    }
}

/// Levenshtein distance between two sequences.
pub fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(x != y);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_errors_ignore_script_width_and_punctuation() {
        assert_eq!(cer("不需要，谢谢！", "不需要谢谢").edits, 0);
        assert_eq!(cer("別再打了", "别再打了").edits, 0);
        assert_eq!(cer("ＯＫ好的", "ok好的").edits, 0);
        let e = cer("不需要", "不虚要");
        assert_eq!((e.edits, e.reference), (1, 3));
        let e = cer("别打了", "");
        assert_eq!((e.edits, e.reference), (3, 3));
        assert_eq!(cer("好", "好的好的").edits, 3);
    }

    #[test]
    fn english_errors_count_words() {
        let e = wer(
            "Please remove me from your list.",
            "please remove me from the list",
        );
        assert_eq!((e.edits, e.reference), (1, 6));
        assert_eq!(wer("Don't call me", "don’t call me").edits, 0);
        assert_eq!(wer("stop calling", "").edits, 2);
    }

    #[test]
    fn rates_add_up_over_utterances() {
        let mut all = Errors::default();
        all.add(cer("不需要", "不虚要"));
        all.add(cer("可以", "可以"));
        assert!((all.rate() - 0.2).abs() < 1e-9);
        assert_eq!(Errors::default().rate(), 0.0);
        assert_eq!(
            Errors {
                edits: 2,
                reference: 0
            }
            .rate(),
            1.0
        );
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance(b"kitten", b"sitting"), 3);
        assert_eq!(edit_distance::<u8>(b"", b"abc"), 3);
        assert_eq!(edit_distance(b"abc", b"abc"), 0);
    }
}
