//! The behaviour file: which calls to answer and how to behave after
//! answering. TOML; the schema is documented in docs/callee.md.
//!
//! ```toml
//! [[rule]]
//! match = "^1380000.*"     # regular expression on the called number
//! ring_secs = 2
//! action = "answer"
//! persona = "interested"
//!
//! [persona.interested]
//! lang = "zh"
//! steps = [
//!   { do = "say", text = "喂，哪位？" },
//!   { do = "say", text = "好的，可以。" },
//! ]
//! then = "wait"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use regex::Regex;
use serde::Deserialize;

use crate::CalleeError;

/// The whole file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Behavior {
    /// Rules, tried in order; the first whose pattern matches the called
    /// number decides. A call no rule matches is answered 404.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// Personas by name.
    #[serde(default, rename = "persona")]
    pub personas: BTreeMap<String, Persona>,
}

/// What to do with calls to matching numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Regular expression searched in the called number (anchor it with
    /// `^…$` for an exact match). Default: every number.
    #[serde(rename = "match", default = "match_all")]
    pub pattern: String,
    /// Regular expression searched in the caller number as well (e.g. the
    /// platform's verification caller number); default: any caller.
    pub from: Option<String>,
    /// Seconds to ring (180) before acting; fractions allowed.
    #[serde(default)]
    pub ring_secs: f64,
    /// The action after ringing.
    pub action: Action,
    /// Persona to run after answering (action `answer`).
    pub persona: Option<String>,
    /// Announcement for `early_media` (text or WAV).
    pub announcement: Option<Speech>,
    /// Final status: for `early_media` (default 480) or to override the
    /// status of `busy`/`reject`/`invalid`/`unavailable`.
    pub status: Option<u16>,
    /// Hang up an answered call after this many seconds (default 300).
    pub max_call_secs: Option<u64>,
}

fn match_all() -> String {
    ".*".into()
}

/// The call-level action of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 200 OK, then the persona.
    Answer,
    /// 486 Busy Here (Q.850 17).
    Busy,
    /// 603 Decline (Q.850 21).
    Reject,
    /// 404 Not Found (Q.850 1).
    Invalid,
    /// 480 Temporarily Unavailable (Q.850 20).
    Unavailable,
    /// Keep ringing until the caller gives up (CANCEL).
    NoAnswer,
    /// 183 with an announcement as early media, then `status` (default 480).
    EarlyMedia,
}

impl Action {
    /// Default final status and Q.850 cause for rejecting actions.
    pub fn default_status(self) -> Option<(u16, u16)> {
        match self {
            Action::Busy => Some((486, 17)),
            Action::Reject => Some((603, 21)),
            Action::Invalid => Some((404, 1)),
            Action::Unavailable | Action::EarlyMedia => Some((480, 20)),
            Action::Answer | Action::NoAnswer => None,
        }
    }
}

/// Language of a spoken text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LangCode {
    /// Mandarin (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl From<LangCode> for waihu_speech::tts::Lang {
    fn from(l: LangCode) -> Self {
        match l {
            LangCode::Zh => waihu_speech::tts::Lang::Mandarin,
            LangCode::En => waihu_speech::tts::Lang::English,
        }
    }
}

/// Audio to speak: text through TTS, or a WAV file.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Speech {
    /// Text to synthesise.
    pub text: Option<String>,
    /// WAV file (any rate; relative to the behaviour file).
    pub wav: Option<PathBuf>,
    /// Language of `text` (default: the persona's).
    pub lang: Option<LangCode>,
}

/// How the callee behaves once answered.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Default language of its texts.
    #[serde(default)]
    pub lang: LangCode,
    /// Steps, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// After the last step: wait for the robot to hang up, or hang up.
    #[serde(default)]
    pub then: Then,
}

/// What happens after the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Then {
    /// Stay on the line (silent) until the robot hangs up or max_call_secs.
    #[default]
    Wait,
    /// Hang up at once.
    Hangup,
}

/// One persona step.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Wait until the robot has spoken and stopped (at most `max_wait_ms`,
    /// default 15000), then speak.
    Say {
        /// Text to synthesise.
        text: Option<String>,
        /// WAV file instead of text.
        wav: Option<PathBuf>,
        /// Language of `text`.
        lang: Option<LangCode>,
        /// Longest wait for the robot to finish.
        max_wait_ms: Option<u64>,
    },
    /// Wait until the robot has spoken and stopped, saying nothing.
    Listen {
        /// Longest wait.
        max_wait_ms: Option<u64>,
    },
    /// Say nothing for `ms` milliseconds.
    Silence {
        /// Duration.
        ms: u64,
    },
    /// Press keys (RFC 4733).
    Dtmf {
        /// Digits 0-9, *, #, A-D.
        digits: String,
    },
    /// Wait until the robot starts speaking, then talk over it after
    /// `after_ms` milliseconds.
    BargeIn {
        /// Delay into the robot's speech.
        after_ms: u64,
        /// Text to synthesise.
        text: Option<String>,
        /// WAV file instead of text.
        wav: Option<PathBuf>,
        /// Language of `text`.
        lang: Option<LangCode>,
    },
    /// Listen to a one-time code read out digit by digit (the robot's
    /// verification call), recognise each digit with the phrase book of the
    /// code call and log every code heard (`code_heard`). Ends when the call
    /// ends or after `max_wait_ms` (default 60000). See `code.rs`.
    HearCode {
        /// Longest time to listen.
        max_wait_ms: Option<u64>,
    },
    /// Hang up: at once, or `after_robot_ms` into the robot's next
    /// utterance (hanging up mid-prompt).
    Hangup {
        /// Delay into the robot's next utterance.
        after_robot_ms: Option<u64>,
    },
}

impl Behavior {
    /// Parse and validate a behaviour file's text.
    pub fn parse(text: &str) -> Result<Behavior, CalleeError> {
        let b: Behavior = toml::from_str(text)?;
        b.validate()?;
        Ok(b)
    }

    /// Read and validate a behaviour file.
    pub fn load(path: &std::path::Path) -> Result<Behavior, CalleeError> {
        let text = std::fs::read_to_string(path).map_err(|source| CalleeError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    fn validate(&self) -> Result<(), CalleeError> {
        for (i, r) in self.rules.iter().enumerate() {
            let at = format!("rule {} ({:?})", i + 1, r.pattern);
            Regex::new(&r.pattern)
                .map_err(|e| CalleeError::Invalid(format!("{at}: bad pattern: {e}")))?;
            if let Some(f) = &r.from {
                Regex::new(f)
                    .map_err(|e| CalleeError::Invalid(format!("{at}: bad from pattern: {e}")))?;
            }
            if !(0.0..=3600.0).contains(&r.ring_secs) {
                return Err(CalleeError::Invalid(format!(
                    "{at}: ring_secs out of range"
                )));
            }
            if let Some(p) = &r.persona {
                if !self.personas.contains_key(p) {
                    return Err(CalleeError::Invalid(format!("{at}: unknown persona {p:?}")));
                }
            }
            if r.action == Action::EarlyMedia {
                let ok = r
                    .announcement
                    .as_ref()
                    .is_some_and(|a| a.text.is_some() != a.wav.is_some());
                if !ok {
                    return Err(CalleeError::Invalid(format!(
                        "{at}: early_media needs an announcement with text or wav"
                    )));
                }
            }
            if let Some(s) = r.status {
                if !(400..=699).contains(&s) {
                    return Err(CalleeError::Invalid(format!(
                        "{at}: status must be 400-699"
                    )));
                }
            }
        }
        for (name, p) in &self.personas {
            for (i, s) in p.steps.iter().enumerate() {
                let at = format!("persona {name:?} step {}", i + 1);
                let problem = match s {
                    Step::Say { text, wav, .. } | Step::BargeIn { text, wav, .. } => {
                        (text.is_some() == wav.is_some())
                            .then_some("give exactly one of text or wav")
                    }
                    Step::Dtmf { digits } => (digits.is_empty()
                        || !digits.chars().all(|c| "0123456789*#ABCDabcd".contains(c)))
                    .then_some("bad digits"),
                    _ => None,
                };
                if let Some(problem) = problem {
                    return Err(CalleeError::Invalid(format!("{at}: {problem}")));
                }
            }
        }
        Ok(())
    }

    /// The first rule matching `number`.
    pub fn rule_for(&self, number: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| Regex::new(&r.pattern).is_ok_and(|re| re.is_match(number)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[rule]]
match = "^1000$"
action = "busy"

[[rule]]
match = "^2"
ring_secs = 1.5
action = "early_media"
announcement = { text = "您拨打的电话已关机" }
status = 480

[[rule]]
action = "answer"
persona = "p"

[persona.p]
lang = "en"
steps = [
  { do = "say", text = "hello?" },
  { do = "dtmf", digits = "1#" },
  { do = "barge_in", after_ms = 500, text = "no thanks" },
  { do = "hangup", after_robot_ms = 300 },
]
then = "hangup"
"#;

    #[test]
    fn parses_and_matches_in_order() {
        let b = Behavior::parse(SAMPLE).unwrap();
        assert_eq!(b.rule_for("1000").unwrap().action, Action::Busy);
        assert_eq!(b.rule_for("10000").unwrap().action, Action::Answer);
        assert_eq!(b.rule_for("2999").unwrap().action, Action::EarlyMedia);
        let p = &b.personas["p"];
        assert_eq!(p.steps.len(), 4);
        assert_eq!(p.then, Then::Hangup);
        assert_eq!(
            p.steps[1],
            Step::Dtmf {
                digits: "1#".into()
            }
        );
    }

    #[test]
    fn rejects_inconsistent_files() {
        let bad = [
            "[[rule]]\naction = \"answer\"\npersona = \"nope\"",
            "[[rule]]\nmatch = \"(\"\naction = \"busy\"",
            "[[rule]]\naction = \"early_media\"",
            "[[rule]]\naction = \"explode\"",
            "[persona.x]\nsteps = [{ do = \"say\" }]",
            "[persona.x]\nsteps = [{ do = \"dtmf\", digits = \"9x\" }]",
            "[[rule]]\naction = \"busy\"\nstatus = 200",
        ];
        for text in bad {
            assert!(Behavior::parse(text).is_err(), "accepted: {text}");
        }
    }

    #[test]
    fn no_rule_means_none() {
        let b = Behavior::parse("[[rule]]\nmatch = \"^1$\"\naction = \"busy\"").unwrap();
        assert!(b.rule_for("2").is_none());
    }
}
