//! The repeated-output guard. Whisper sometimes falls into a loop and
//! emits the same word or sentence again and again ("谢谢谢谢谢谢…",
//! "Please do not call me again. Please do not call me again. Please…"),
//! most often on noise or shortened encoder windows. Genuine speech repeats
//! a short word two or three times ("好的好的"), but a loop does not stop, and
//! a whole sentence said twice in a row is too rare on a call to be worth
//! keeping. So a short unit (under [`LONG_UNIT`] characters) repeated more
//! than [`MAX_SHORT_REPEATS`] times, or a long unit repeated at all, is cut
//! to one copy, together with a truncated copy that may follow it (where
//! the token budget stopped the loop).

/// Consecutive copies of a short unit that are still taken as speech.
pub const MAX_SHORT_REPEATS: usize = 3;
/// Units of at least this many characters may not repeat.
pub const LONG_UNIT: usize = 8;
/// Longest repeated unit looked for, in characters.
const MAX_UNIT: usize = 120;
/// A trailing partial copy this long or longer is taken as part of a loop
/// (the partial copy is always shorter than the unit: a full one would
/// have been counted).
const MIN_PARTIAL: usize = 4;

/// Collapses loops in `text` (see the module docs). Returns the text and
/// whether anything was cut.
pub fn collapse_repeats(text: &str) -> (String, bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut cut = false;
    let mut i = 0;
    while i < chars.len() {
        match find_loop(&chars[i..]) {
            Some((unit, consumed)) => {
                out.extend_from_slice(&chars[i..i + unit]);
                i += consumed;
                cut = true;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    (out.into_iter().collect(), cut)
}

/// If `s` starts with a loop, returns the unit length and how many
/// characters the loop (including a trailing partial copy) spans.
fn find_loop(s: &[char]) -> Option<(usize, usize)> {
    for unit in 1..=MAX_UNIT.min(s.len()) {
        let pattern = &s[..unit];
        let mut count = 1;
        while s.len() >= (count + 1) * unit && &s[count * unit..(count + 1) * unit] == pattern {
            count += 1;
        }
        let allowed = if unit >= LONG_UNIT {
            1
        } else {
            MAX_SHORT_REPEATS
        };
        let end = count * unit;
        let partial = s[end..]
            .iter()
            .zip(pattern)
            .take_while(|(a, b)| a == b)
            .count();
        if count > allowed {
            let tail = if partial >= MIN_PARTIAL { partial } else { 0 };
            return Some((unit, end + tail));
        }
        // A long unit followed by most of itself: a loop the token budget
        // stopped during its second copy.
        if unit >= LONG_UNIT && partial * 2 >= unit {
            return Some((unit, end + partial));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collapse(s: &str) -> (String, bool) {
        collapse_repeats(s)
    }

    #[test]
    fn keeps_natural_repetition() {
        for s in [
            "好的好的好的",
            "嗯嗯，不需要",
            "",
            "对对对，是的",
            "bye bye",
            "不不不不",
        ] {
            let expect_cut = s == "不不不不";
            assert_eq!(collapse(s).1, expect_cut, "{s}");
        }
    }

    #[test]
    fn cuts_loops() {
        assert_eq!(collapse("谢谢谢谢谢谢谢谢"), ("谢".into(), true));
        assert_eq!(
            collapse("我不需要，谢谢。我不需要，谢谢。我不需要，谢谢。"),
            ("我不需要，谢谢。".into(), true)
        );
        assert_eq!(
            collapse("OK, bye bye bye bye bye"),
            ("OK, bye".into(), true)
        );
        assert_eq!(
            collapse("Yes, I am interested. Yes, I am interested"),
            ("Yes, I am interested. ".into(), true)
        );
        assert_eq!(
            collapse(
                "Please do not call me again. Please do not call me again. Please do not call"
            ),
            ("Please do not call me again. ".into(), true)
        );
    }
}
