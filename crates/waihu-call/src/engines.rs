//! The speech engines shared by every call of a process: the recognition
//! worker pool and text-to-speech with a cache of ready-to-play prompts.
//! Async wrappers here move the blocking work off the runtime's threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use waihu_speech::asr::{AsrError, AsrPool, Transcript};
use waihu_speech::tts::{Lang, Tts};

/// Ready prompts kept per process; scripts have tens of distinct prompts,
/// filled with few distinct variables in a campaign.
const PROMPT_CACHE_ENTRIES: usize = 4096;

/// A recognition's result with its timings.
#[derive(Debug)]
pub struct Recognised {
    /// The transcript, `None` if the job was cancelled, or the engine's error.
    pub result: Option<Result<Transcript, AsrError>>,
    /// Time the utterance waited for a worker.
    pub queued: Duration,
    /// Time the recogniser took.
    pub decode: Duration,
}

/// Key of a ready prompt: synthesised text, or a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PromptKey {
    /// Text spoken by TTS in a language, with trimming on or off.
    Text(String, Lang, bool),
    /// A WAV file.
    File(PathBuf),
}

/// Speech engines shared by all calls (cheap to share behind an `Arc`).
pub struct Engines {
    /// Recognition workers.
    asr: Arc<AsrPool>,
    /// Text-to-speech (wrap slow engines in `CachedTts`).
    tts: Arc<dyn Tts>,
    /// Prompts ready to play (8 kHz, trimmed).
    prompts: Mutex<HashMap<PromptKey, Arc<[i16]>>>,
}

impl std::fmt::Debug for Engines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engines")
            .field("asr", &self.asr)
            .finish_non_exhaustive()
    }
}

impl Engines {
    /// Engines from a recognition pool and a TTS engine.
    pub fn new(asr: Arc<AsrPool>, tts: Arc<dyn Tts>) -> Self {
        Self {
            asr,
            tts,
            prompts: Mutex::new(HashMap::new()),
        }
    }

    /// The recognition pool (for its statistics).
    pub fn asr_pool(&self) -> &Arc<AsrPool> {
        &self.asr
    }

    /// The TTS engine.
    pub fn tts(&self) -> &Arc<dyn Tts> {
        &self.tts
    }

    /// Recognises one utterance on the pool. `cancel`, when set before a
    /// worker picks the job up, skips it.
    pub async fn recognise(&self, audio: Vec<i16>, cancel: Option<Arc<AtomicBool>>) -> Recognised {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.asr.submit(audio, cancel, move |o| {
            let _ = tx.send(o);
        });
        match rx.await {
            Ok(o) => Recognised {
                result: o.result,
                queued: o.queued,
                decode: o.decode,
            },
            Err(_) => Recognised {
                result: Some(Err(AsrError::Engine("the ASR pool stopped".into()))),
                queued: Duration::ZERO,
                decode: Duration::ZERO,
            },
        }
    }

    /// The audio of `text` spoken in `lang`, from the cache or synthesised
    /// on a blocking thread.
    pub async fn speech(&self, text: &str, lang: Lang, trim: bool) -> Result<Arc<[i16]>, String> {
        let key = PromptKey::Text(text.to_string(), lang, trim);
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let tts = self.tts.clone();
        let owned = text.to_string();
        let pcm = tokio::task::spawn_blocking(move || tts.synthesize(&owned, lang))
            .await
            .map_err(|e| format!("TTS task failed: {e}"))?
            .map_err(|e| e.to_string())?;
        let pcm = if trim { trim_silence(&pcm) } else { pcm };
        Ok(self.store(key, pcm))
    }

    /// The audio of a WAV prompt file (any common format, resampled to 8 kHz).
    pub async fn file(&self, path: &Path, trim: bool) -> Result<Arc<[i16]>, String> {
        let key = PromptKey::File(path.to_path_buf());
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let owned = path.to_path_buf();
        let pcm = tokio::task::spawn_blocking(move || waihu_speech::wav::read_wav_8k(&owned))
            .await
            .map_err(|e| format!("WAV task failed: {e}"))?
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let pcm = if trim { trim_silence(&pcm) } else { pcm };
        Ok(self.store(key, pcm))
    }

    fn cached(&self, key: &PromptKey) -> Option<Arc<[i16]>> {
        self.prompts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn store(&self, key: PromptKey, pcm: Vec<i16>) -> Arc<[i16]> {
        let pcm: Arc<[i16]> = pcm.into();
        let mut cache = self.prompts.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= PROMPT_CACHE_ENTRIES {
            // Rare (a campaign with thousands of distinct filled prompts):
            // start afresh rather than track recency on every hit.
            cache.clear();
        }
        cache.insert(key, pcm.clone());
        pcm
    }
}

/// Removes leading and trailing silence, keeping 40 ms at each end.
pub fn trim_silence(pcm: &[i16]) -> Vec<i16> {
    const FRAME: usize = 80; // 10 ms
    const KEEP: usize = 320; // 40 ms
    const QUIET: f64 = 60.0;
    let loud = |f: &[i16]| {
        let sum: f64 = f.iter().map(|&s| f64::from(s).powi(2)).sum();
        (sum / f.len().max(1) as f64).sqrt() >= QUIET
    };
    let frames: Vec<&[i16]> = pcm.chunks(FRAME).collect();
    let Some(first) = frames.iter().position(|f| loud(f)) else {
        return Vec::new();
    };
    let last = frames.iter().rposition(|f| loud(f)).unwrap_or(first);
    let start = (first * FRAME).saturating_sub(KEEP);
    let end = ((last + 1) * FRAME + KEEP).min(pcm.len());
    pcm[start..end].to_vec()
}

#[cfg(test)]
mod tests {
    use super::trim_silence;

    #[test]
    fn trims_both_ends() {
        let mut pcm = vec![0i16; 4000];
        pcm.extend(std::iter::repeat_n(3000i16, 800));
        pcm.extend(vec![0i16; 4000]);
        let t = trim_silence(&pcm);
        assert_eq!(t.len(), 800 + 2 * 320);
        assert!(trim_silence(&[0; 1000]).is_empty());
    }
}
