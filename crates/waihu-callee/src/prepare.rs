//! A behaviour made ready to run: patterns compiled and every reply
//! rendered to 8 kHz audio once at startup (TTS or WAV), so a call never
//! waits for synthesis and a broken file fails before the first call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use waihu_speech::tts::Tts;

use crate::behavior::{Behavior, LangCode, Rule, Speech, Step};
use crate::CalleeError;

type AudioKey = (Option<String>, Option<PathBuf>, LangCode);

/// A validated behaviour with its audio.
#[derive(Debug, Clone)]
pub struct Prepared {
    behavior: Arc<Behavior>,
    patterns: Arc<Vec<Regex>>,
    /// Caller-number patterns, per rule (`None`: any caller).
    from: Arc<Vec<Option<Regex>>>,
    audio: Arc<HashMap<AudioKey, Arc<[i16]>>>,
    /// The phrase book of the code call, when a persona hears codes.
    code_book: Option<Arc<waihu_speech::asr::PhraseBookAsr>>,
}

impl Prepared {
    /// Render all audio of `behavior`. WAV paths are relative to `base`.
    /// `tts` is needed only if some reply is given as text.
    pub fn new(
        behavior: Behavior,
        base: &Path,
        tts: Option<&dyn Tts>,
    ) -> Result<Prepared, CalleeError> {
        let mut wanted: Vec<(Speech, LangCode)> = Vec::new();
        for r in &behavior.rules {
            if let Some(a) = &r.announcement {
                wanted.push((a.clone(), a.lang.unwrap_or_default()));
            }
        }
        for p in behavior.personas.values() {
            for s in &p.steps {
                if let Step::Say {
                    text, wav, lang, ..
                }
                | Step::BargeIn {
                    text, wav, lang, ..
                } = s
                {
                    let speech = Speech {
                        text: text.clone(),
                        wav: wav.clone(),
                        lang: *lang,
                    };
                    wanted.push((speech, lang.unwrap_or(p.lang)));
                }
            }
        }
        let mut audio = HashMap::new();
        for (speech, lang) in wanted {
            let key = (speech.text.clone(), speech.wav.clone(), lang);
            if audio.contains_key(&key) {
                continue;
            }
            let pcm: Vec<i16> = match (&speech.text, &speech.wav) {
                (Some(text), _) => {
                    let tts = tts.ok_or_else(|| {
                        CalleeError::Invalid("a reply is given as text but no TTS engine".into())
                    })?;
                    tts.synthesize(text, lang.into())?
                }
                (None, Some(wav)) => waihu_sip::audio::load_wav_8k(&base.join(wav))?,
                (None, None) => Vec::new(),
            };
            audio.insert(key, Arc::from(pcm));
        }
        let patterns = behavior
            .rules
            .iter()
            .map(|r| Regex::new(&r.pattern))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CalleeError::Invalid(e.to_string()))?;
        let from = behavior
            .rules
            .iter()
            .map(|r| r.from.as_deref().map(Regex::new).transpose())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CalleeError::Invalid(e.to_string()))?;
        let code_book = if hears_codes(&behavior) {
            let tts = tts.ok_or_else(|| {
                CalleeError::Invalid("the hear_code step needs a TTS engine".into())
            })?;
            Some(Arc::new(crate::code::code_book(tts)?))
        } else {
            None
        };
        Ok(Prepared {
            behavior: Arc::new(behavior),
            patterns: Arc::new(patterns),
            from: Arc::new(from),
            audio: Arc::new(audio),
            code_book,
        })
    }

    /// Whether any reply needs text-to-speech.
    pub fn needs_tts(behavior: &Behavior) -> bool {
        behavior
            .rules
            .iter()
            .any(|r| r.announcement.as_ref().is_some_and(|a| a.text.is_some()))
            || behavior.personas.values().any(|p| {
                p.steps.iter().any(|s| {
                    matches!(
                        s,
                        Step::Say { text: Some(_), .. } | Step::BargeIn { text: Some(_), .. }
                    )
                })
            })
            || hears_codes(behavior)
    }

    /// The phrase book of the code call (when some persona hears codes).
    pub(crate) fn code_book(&self) -> Option<Arc<waihu_speech::asr::PhraseBookAsr>> {
        self.code_book.clone()
    }

    /// The behaviour.
    pub fn behavior(&self) -> &Behavior {
        &self.behavior
    }

    /// The first rule matching the called number (rules with a `from`
    /// pattern are skipped: they need the caller number).
    pub fn rule_for(&self, number: &str) -> Option<&Rule> {
        self.rule_for_call("", number)
    }

    /// The first rule matching the called number and, when the rule has one,
    /// its caller-number pattern.
    pub fn rule_for_call(&self, from: &str, number: &str) -> Option<&Rule> {
        self.patterns
            .iter()
            .zip(self.from.iter())
            .position(|(re, f)| {
                re.is_match(number)
                    && f.as_ref()
                        .is_none_or(|f| !from.is_empty() && f.is_match(from))
            })
            .map(|i| &self.behavior.rules[i])
    }

    /// The rendered audio of a reply.
    pub fn audio(
        &self,
        text: &Option<String>,
        wav: &Option<PathBuf>,
        lang: LangCode,
    ) -> Arc<[i16]> {
        self.audio
            .get(&(text.clone(), wav.clone(), lang))
            .cloned()
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }
}

/// Whether some persona has a `hear_code` step.
fn hears_codes(behavior: &Behavior) -> bool {
    behavior
        .personas
        .values()
        .any(|p| p.steps.iter().any(|s| matches!(s, Step::HearCode { .. })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_with_a_caller_pattern_match_only_that_caller() {
        let b = Behavior::parse(
            r#"
[[rule]]
from = "^862150009999$"
action = "answer"
persona = "codes"

[[rule]]
action = "busy"

[persona.codes]
steps = [{ do = "silence", ms = 10 }]
"#,
        )
        .unwrap();
        let p = Prepared::new(b, Path::new("."), None).unwrap();
        let action = |from: &str| p.rule_for_call(from, "8613800000000").map(|r| r.action);
        assert_eq!(action("862150009999"), Some(crate::Action::Answer));
        assert_eq!(action("862150000001"), Some(crate::Action::Busy));
        assert_eq!(action(""), Some(crate::Action::Busy));
        assert!(Behavior::parse("[[rule]]\nfrom = \"(\"\naction = \"busy\"\n").is_err());
    }
}
