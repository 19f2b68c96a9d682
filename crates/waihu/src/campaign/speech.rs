//! Builds the speech engines live calls share, from the `[speech]` settings:
//! the built-in Whisper engine, an OpenAI-compatible transcription server, or the
//! phrase book of the virtual callee (tests and benchmarks), behind a bounded
//! worker pool; espeak-ng TTS with a cache.

use crate::settings::{AsrEngineSetting, Settings};
use anyhow::Context as _;
use std::sync::Arc;
use waihu_call::Engines;
use waihu_speech::asr::{Asr, AsrPool};
use waihu_speech::tts::{CachedTts, EspeakTts, Tts};

/// The TTS engine of the robot (and of the virtual callee's phrase book).
pub fn tts() -> anyhow::Result<Arc<dyn Tts>> {
    let espeak = EspeakTts::new()
        .context("espeak-ng is needed for the robot's voice (apt-get install espeak-ng)")?;
    Ok(Arc::new(CachedTts::new(espeak)))
}

/// The recogniser chosen by the settings.
pub fn asr(settings: &Settings, tts: &dyn Tts) -> anyhow::Result<Arc<dyn Asr>> {
    Ok(match settings.speech.asr {
        AsrEngineSetting::Whisper => whisper(settings)?,
        AsrEngineSetting::Openai => {
            anyhow::ensure!(
                !settings.speech.url.is_empty(),
                "speech.asr = \"openai\" needs speech.url (e.g. http://gpu-box:8000/v1)"
            );
            let mut config = waihu_speech::asr::OpenAiConfig::new(settings.speech.url.clone());
            config.model = settings.speech.url_model.clone();
            Arc::new(waihu_speech::asr::OpenAiAsr::new(config))
        }
        AsrEngineSetting::Phrasebook => {
            let path = settings.speech.phrasebook.as_ref().context(
                "speech.asr = \"phrasebook\" needs speech.phrasebook (a callee behaviour file)",
            )?;
            Arc::new(phrasebook(path, tts)?)
        }
    })
}

#[cfg(feature = "whisper")]
fn whisper(settings: &Settings) -> anyhow::Result<Arc<dyn Asr>> {
    let model = settings.asr_model();
    anyhow::ensure!(
        model.is_file(),
        "the speech model {} is missing: run scripts/fetch-asr-model.sh and set speech.model \
         (or WAIHU_SPEECH__MODEL) to the path it prints",
        model.display()
    );
    let engine = waihu_speech::asr::WhisperAsr::new(waihu_speech::asr::WhisperConfig::new(&model))
        .with_context(|| format!("cannot load the speech model {}", model.display()))?;
    Ok(Arc::new(engine))
}

#[cfg(not(feature = "whisper"))]
fn whisper(_settings: &Settings) -> anyhow::Result<Arc<dyn Asr>> {
    anyhow::bail!(
        "this waihu was built without the built-in Whisper engine; set speech.asr = \"openai\""
    )
}

/// A recogniser for the phrases of a virtual-callee behaviour file.
pub fn phrasebook(
    path: &std::path::Path,
    tts: &dyn Tts,
) -> anyhow::Result<waihu_speech::asr::PhraseBookAsr> {
    let behavior = waihu_callee::Behavior::load(path)
        .with_context(|| format!("cannot load the phrase book {}", path.display()))?;
    let mut book = waihu_speech::asr::PhraseBookAsr::new();
    for persona in behavior.personas.values() {
        for step in &persona.steps {
            if let waihu_callee::Step::Say {
                text: Some(text),
                lang,
                ..
            }
            | waihu_callee::Step::BargeIn {
                text: Some(text),
                lang,
                ..
            } = step
            {
                let lang = lang.unwrap_or(persona.lang).into();
                let audio = tts
                    .synthesize(text, lang)
                    .with_context(|| format!("cannot synthesise {text:?}"))?;
                book.add(text.clone(), &audio);
            }
        }
    }
    Ok(book)
}

/// The shared engines: the chosen recogniser behind a bounded pool, and TTS.
pub fn engines(settings: &Settings) -> anyhow::Result<Arc<Engines>> {
    let tts = tts()?;
    let asr = asr(settings, tts.as_ref())?;
    let pool = match settings.speech.workers {
        0 => AsrPool::per_core(asr),
        n => AsrPool::new(asr, n),
    }
    .context("cannot start the recognition workers")?;
    Ok(Arc::new(Engines::new(Arc::new(pool), tts)))
}
