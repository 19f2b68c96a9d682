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
    audio: Arc<HashMap<AudioKey, Arc<[i16]>>>,
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
        Ok(Prepared {
            behavior: Arc::new(behavior),
            patterns: Arc::new(patterns),
            audio: Arc::new(audio),
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
    }

    /// The behaviour.
    pub fn behavior(&self) -> &Behavior {
        &self.behavior
    }

    /// The first rule matching the called number.
    pub fn rule_for(&self, number: &str) -> Option<&Rule> {
        self.patterns
            .iter()
            .position(|re| re.is_match(number))
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
