//! Property tests of the script loader: random edits of a valid script and
//! arbitrary text never panic, and every finding points at a line of the file
//! (the checks of `malformed::check`). Bounded case counts, so they run in
//! seconds with the rest of the suite.

use crate::malformed::check;
use crate::support::VALID;
use proptest::prelude::*;

/// One edit of the text: insert, delete or replace at a position.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, String),
}

/// Characters that mean something to YAML or to the script schema.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(":".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("!!str ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("#".to_string()),
        Just("|".to_string()),
        Just(">".to_string()),
        Just("{{".to_string()),
        Just("\u{0}".to_string()),
        Just("中文".to_string()),
        Just("99999999999999999999".to_string()),
        "[a-z_]{1,8}",
        any::<char>().prop_map(String::from),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), token()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), token()).prop_map(|(at, s)| Edit::Replace(at, s)),
    ]
}

/// Applies `edits` to `text` at character positions (wrapped into range).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match e {
            Edit::Insert(at, s) => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Replace(at, s) => {
                let at = at % len;
                let end = (at + s.chars().count()).min(chars.len());
                chars.splice(at..end.max(at), s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_scripts_never_panic_and_findings_say_where(
        edits in proptest::collection::vec(edit(), 1..6)
    ) {
        check(&apply(VALID, &edits));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }
}
