//! Prompt names: what scripts write after `prompt:`. They are keys in the
//! library's index, never file names (stored files are named by content
//! hash), but they are still checked strictly so that no name can smuggle a
//! path, a control character or invisible padding into logs and UIs.

use super::PromptError;

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 128;

/// Checks a prompt name: 1–128 characters, no `/` or `\`, no `..`, no
/// control characters, no leading or trailing whitespace. Chinese and other
/// non-ASCII letters are fine.
pub fn validate_name(name: &str) -> Result<(), PromptError> {
    let invalid = |reason| PromptError::InvalidName {
        name: name.chars().take(MAX_NAME_CHARS).collect(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("it is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("it is longer than 128 characters"));
    }
    if name.trim() != name {
        return Err(invalid("it starts or ends with whitespace"));
    }
    if name.contains(['/', '\\']) {
        return Err(invalid("it contains a slash"));
    }
    if name.contains("..") {
        return Err(invalid("it contains `..`"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("it contains a control character"));
    }
    Ok(())
}

/// Reduces an uploaded file name to something safe to store and show: the
/// last path component, control characters removed, at most 255 characters.
pub(crate) fn clean_file_name(hint: &str) -> String {
    let last = hint.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in ["welcome", "开场白", "greeting-v2", "a.b", "问候 1", "x"] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_paths_and_junk() {
        for (bad, code) in [
            ("", "empty"),
            ("../etc/passwd", "slash"),
            ("a/b", "slash"),
            ("a\\b", "slash"),
            ("..", "`..`"),
            ("a..b", "`..`"),
            ("line\nbreak", "control"),
            ("nul\0", "control"),
            (" padded", "whitespace"),
            ("padded ", "whitespace"),
        ] {
            let err = validate_name(bad).unwrap_err().to_string();
            assert!(err.contains(code), "{bad:?}: {err}");
        }
        assert!(validate_name(&"长".repeat(128)).is_ok());
        assert!(validate_name(&"长".repeat(129)).is_err());
    }

    #[test]
    fn cleans_file_names() {
        assert_eq!(clean_file_name("C:\\Users\\me\\问候.mp3"), "问候.mp3");
        assert_eq!(clean_file_name("../../x\u{7}.wav"), "x.wav");
        assert_eq!(clean_file_name(""), "");
    }
}
