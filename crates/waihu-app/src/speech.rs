//! Builds the speech engines live calls share, from the `[speech]` settings:
//! the built-in Whisper engine, an OpenAI-compatible transcription server, or the
//! phrase book of the virtual callee (tests and benchmarks), behind a bounded
//! worker pool; espeak-ng TTS with a cache.

use crate::config::{AsrEngineSetting, SpeechSettings};
use crate::{AppError, AppResult};
use std::path::Path;
use std::sync::Arc;
use waihu_call::Engines;
use waihu_speech::asr::{Asr, AsrPool};
use waihu_speech::tts::{CachedTts, EspeakTts, Tts};

/// The TTS engine of the robot (and of the virtual callee's phrase book).
pub fn tts() -> AppResult<Arc<dyn Tts>> {
    let espeak = EspeakTts::new().map_err(|e| {
        AppError::unavailable(
            "espeak-ng is needed for the robot's voice (apt-get install espeak-ng)",
            e,
        )
    })?;
    Ok(Arc::new(CachedTts::new(espeak)))
}

/// The recogniser chosen by the settings (`data_dir` holds the default model).
pub fn asr(settings: &SpeechSettings, data_dir: &Path, tts: &dyn Tts) -> AppResult<Arc<dyn Asr>> {
    Ok(match settings.asr {
        AsrEngineSetting::Whisper => whisper(&settings.model_path(data_dir))?,
        AsrEngineSetting::Openai => {
            if settings.url.is_empty() {
                return Err(AppError::Config(
                    "speech.asr = \"openai\" needs speech.url (e.g. http://gpu-box:8000/v1)".into(),
                ));
            }
            let mut config = waihu_speech::asr::OpenAiConfig::new(settings.url.clone());
            config.model = settings.url_model.clone();
            Arc::new(waihu_speech::asr::OpenAiAsr::new(config))
        }
        AsrEngineSetting::Phrasebook => {
            let path = settings.phrasebook.as_ref().ok_or_else(|| {
                AppError::Config(
                    "speech.asr = \"phrasebook\" needs speech.phrasebook (a callee behaviour file)"
                        .into(),
                )
            })?;
            Arc::new(phrasebook(path, tts)?)
        }
    })
}

#[cfg(feature = "whisper")]
fn whisper(model: &Path) -> AppResult<Arc<dyn Asr>> {
    if !model.is_file() {
        return Err(AppError::Config(format!(
            "the speech model {} is missing: run scripts/fetch-asr-model.sh (waihu finds the \
             model in its cache, ~/.cache/waihu/models, by default) or set speech.model \
             (WAIHU_SPEECH__MODEL) to a ggml Whisper model",
            model.display()
        )));
    }
    let engine = waihu_speech::asr::WhisperAsr::new(waihu_speech::asr::WhisperConfig::new(model))
        .map_err(|e| {
        AppError::unavailable(
            format!("cannot load the speech model {}", model.display()),
            e,
        )
    })?;
    Ok(Arc::new(engine))
}

#[cfg(not(feature = "whisper"))]
fn whisper(_model: &Path) -> AppResult<Arc<dyn Asr>> {
    Err(AppError::Config(
        "this waihu was built without the built-in Whisper engine; set speech.asr = \"openai\""
            .into(),
    ))
}

/// A recogniser for the phrases of a virtual-callee behaviour file.
pub fn phrasebook(
    path: &std::path::Path,
    tts: &dyn Tts,
) -> AppResult<waihu_speech::asr::PhraseBookAsr> {
    let behavior = waihu_callee::Behavior::load(path).map_err(|e| {
        AppError::Invalid(format!(
            "cannot load the phrase book {}: {e}",
            path.display()
        ))
    })?;
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
                    .map_err(|e| AppError::unavailable(format!("cannot synthesise {text:?}"), e))?;
                book.add(text.clone(), &audio);
            }
        }
    }
    Ok(book)
}

/// The shared engines: the chosen recogniser behind a bounded pool, and TTS.
pub fn engines(settings: &SpeechSettings, data_dir: &Path) -> AppResult<Arc<Engines>> {
    let tts = tts()?;
    let asr = asr(settings, data_dir, tts.as_ref())?;
    let pool = match settings.workers {
        0 => AsrPool::per_core(asr),
        n => AsrPool::new(asr, n),
    }
    .map_err(|e| AppError::unavailable("cannot start the recognition workers", e))?;
    Ok(Arc::new(Engines::new(Arc::new(pool), tts)))
}
