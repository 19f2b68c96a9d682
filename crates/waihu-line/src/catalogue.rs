//! The phrase catalogue: what carrier announcements, call-screening
//! assistants and voicemail greetings say, per language, as data operators
//! can extend. A transcript (recognised by the caller's ASR) is matched
//! against every phrase: Chinese phrases as toneless pinyin syllables (so a
//! homophone error of the recogniser still matches), other phrases as whole
//! words, case and punctuation ignored. The longest strong match wins; weak
//! rules (generic tails such as 请稍后再拨) count only when nothing strong
//! matched.
//!
//! File format (TOML), one file per language:
//!
//! ```toml
//! lang = "zh"
//! [[rule]]
//! class = "announcement"      # or "voicemail"
//! reason = "powered_off"      # announcements only
//! weak = false                # optional
//! phrases = ["已关机", "关机了"]
//! ```

use crate::class::{LineClass, Reason};
use pinyin::ToPinyin;
use serde::Deserialize;
use std::path::Path;

/// The built-in catalogue files.
const BUILTIN: [(&str, &str); 2] = [
    ("catalogue/zh.toml", include_str!("../catalogue/zh.toml")),
    ("catalogue/en.toml", include_str!("../catalogue/en.toml")),
];

/// Why a catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file cannot be read.
    #[error("cannot read the phrase catalogue {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("phrase catalogue {path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The TOML error, with its line.
        message: String,
    },
    /// A rule is not valid.
    #[error("phrase catalogue {path}, rule {rule}: {message}")]
    Rule {
        /// The file.
        path: String,
        /// The rule's number, from 1.
        rule: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    lang: Option<String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    class: String,
    reason: Option<String>,
    #[serde(default)]
    weak: bool,
    phrases: Vec<String>,
}

/// One phrase.
#[derive(Debug, Clone)]
struct Entry {
    class: LineClass,
    reason: Option<Reason>,
    weak: bool,
    phrase: String,
    tokens: Vec<String>,
}

/// What a transcript matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseMatch {
    /// Announcement or voicemail.
    pub class: LineClass,
    /// The announcement's reason.
    pub reason: Option<Reason>,
    /// The catalogue phrase that matched.
    pub phrase: String,
}

/// Phrases of every language loaded.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// The catalogue shipped with waihu (`crates/waihu-line/catalogue/`).
    pub fn builtin() -> Self {
        let mut c = Self::default();
        for (name, text) in BUILTIN {
            // The built-in files are tested; a broken one is a build bug.
            match Self::from_toml(name, text) {
                Ok(more) => c.merge(more),
                Err(e) => panic!("built-in phrase catalogue is invalid: {e}"),
            }
        }
        c
    }

    /// Parses one catalogue file's text (`name` for messages).
    pub fn from_toml(name: &str, text: &str) -> Result<Self, CatalogueError> {
        let file: File = toml::from_str(text).map_err(|e| CatalogueError::Syntax {
            path: name.to_string(),
            message: e.to_string(),
        })?;
        let mut entries = Vec::new();
        for (i, raw) in file.rule.into_iter().enumerate() {
            let bad = |message: String| CatalogueError::Rule {
                path: name.to_string(),
                rule: i + 1,
                message,
            };
            let class = match LineClass::parse(&raw.class) {
                Some(c @ (LineClass::Announcement | LineClass::Voicemail)) => c,
                _ => {
                    return Err(bad(format!(
                        "class {:?} is not \"announcement\" or \"voicemail\"",
                        raw.class
                    )))
                }
            };
            let reason = match (&raw.reason, class) {
                (Some(r), LineClass::Announcement) => Some(Reason::parse(r).ok_or_else(|| {
                    bad(format!(
                        "reason {r:?} is not one of {}",
                        Reason::ALL.map(Reason::as_str).join(", ")
                    ))
                })?),
                (None, LineClass::Announcement) => {
                    return Err(bad("an announcement rule needs a reason".into()))
                }
                (Some(_), _) => return Err(bad("only announcement rules have a reason".into())),
                (None, _) => None,
            };
            if raw.phrases.is_empty() {
                return Err(bad("no phrases".into()));
            }
            for phrase in raw.phrases {
                let tokens = tokens(&phrase);
                if tokens.is_empty() {
                    return Err(bad(format!("phrase {phrase:?} has no words")));
                }
                entries.push(Entry {
                    class,
                    reason,
                    weak: raw.weak,
                    phrase,
                    tokens,
                });
            }
        }
        Ok(Self { entries })
    }

    /// Loads a file, or every `*.toml` file of a directory (in name order).
    pub fn load(path: &Path) -> Result<Self, CatalogueError> {
        let io = |source| CatalogueError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut out = Self::default();
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            for file in files {
                out.merge(Self::load(&file)?);
            }
            return Ok(out);
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Self::from_toml(&path.display().to_string(), &text)
    }

    /// Adds another catalogue's phrases (an operator's file on top of the
    /// built-in one).
    pub fn merge(&mut self, other: Catalogue) {
        self.entries.extend(other.entries);
    }

    /// How many phrases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best match of a transcript, if any.
    pub fn find(&self, transcript: &str) -> Option<PhraseMatch> {
        let hay = tokens(transcript);
        let mut best: Option<(&Entry, (bool, usize))> = None;
        for e in &self.entries {
            if !contains(&hay, &e.tokens) {
                continue;
            }
            // Strong before weak, then the longest phrase.
            let score = (!e.weak, e.tokens.iter().map(String::len).sum::<usize>());
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((e, score));
            }
        }
        best.map(|(e, _)| PhraseMatch {
            class: e.class,
            reason: e.reason,
            phrase: e.phrase.clone(),
        })
    }
}

fn contains(hay: &[String], needle: &[String]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Text as match tokens: each Chinese character becomes its toneless pinyin
/// syllable, other words are lower-cased ASCII-ish words; punctuation and
/// apostrophes go.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            flush(&mut word, &mut out);
            out.push(p.plain().to_string());
        } else if c == '\'' || c == '’' {
            continue;
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_mixed_text() {
        assert_eq!(
            tokens("您好，I'm AI助理!"),
            ["nin", "hao", "im", "ai", "zhu", "li"]
        );
    }

    #[test]
    fn homophones_match() {
        let c = Catalogue::builtin();
        // 关机 heard as 观机 (same toneless pinyin).
        let m = c.find("您拨打的电话已观机").unwrap();
        assert_eq!(m.reason, Some(Reason::PoweredOff));
    }
}
