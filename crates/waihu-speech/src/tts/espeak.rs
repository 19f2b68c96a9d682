//! The built-in text-to-speech engine: espeak-ng run as a subprocess (it is
//! GPL, so it is never linked). Mandarin goes through tone-numbered pinyin
//! and the `cmn-latn-pinyin` voice (see [`super::to_tone_pinyin`]); English
//! uses the `en-us` voice. espeak-ng writes 22.05 kHz WAV to stdout, which
//! is resampled to 8 kHz. Results are cached per (text, language).

use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};

use super::cache::TtsCache;
use super::{to_tone_pinyin, Lang, Tts, TtsError};
use crate::resample::resample_i16;
use crate::SAMPLE_RATE;

/// The espeak-ng voice for Mandarin written as tone-numbered pinyin.
const MANDARIN_VOICE: &str = "cmn-latn-pinyin";
/// The espeak-ng voice for English.
const ENGLISH_VOICE: &str = "en-us";

/// espeak-ng text-to-speech with an in-memory cache.
#[derive(Debug)]
pub struct EspeakTts {
    /// The program to run (`espeak-ng` from `PATH` by default).
    program: OsString,
    /// Speaking rate in words per minute (espeak-ng `-s`).
    speed_wpm: u32,
    /// Pitch, 0–99 (espeak-ng `-p`; 50 is its default).
    pitch: u32,
    /// A voice variant appended to the voice name (espeak-ng `+f3`, `+m2` …).
    variant: Option<String>,
    /// Synthesised audio by (text, language).
    cache: TtsCache,
}

impl EspeakTts {
    /// Finds `espeak-ng` on `PATH` and checks that it has the Mandarin pinyin
    /// voice. Fails with [`TtsError::EspeakMissing`] when it is not installed.
    pub fn new() -> Result<Self, TtsError> {
        Self::with_program("espeak-ng")
    }

    /// Like [`EspeakTts::new`] with an explicit program path.
    pub fn with_program(program: impl Into<OsString>) -> Result<Self, TtsError> {
        let program = program.into();
        let out = Command::new(&program)
            .arg("--voices")
            .stdin(Stdio::null())
            .output()
            .map_err(TtsError::EspeakMissing)?;
        if !out.status.success() {
            return Err(TtsError::Failed(format!(
                "espeak-ng --voices exited with {}",
                out.status
            )));
        }
        let voices = String::from_utf8_lossy(&out.stdout);
        for voice in [MANDARIN_VOICE, ENGLISH_VOICE] {
            if !voices.split_whitespace().any(|w| w == voice) {
                return Err(TtsError::VoiceMissing(voice.to_string()));
            }
        }
        Ok(Self {
            program,
            // espeak-ng's default rate. Measured with Whisper base on 8 kHz
            // audio, slower Mandarin (110–150 wpm) was recognised worse
            // ("好的" heard as "傲子"), 175 got every test phrase right.
            speed_wpm: 175,
            pitch: 50,
            variant: None,
            cache: TtsCache::default(),
        })
    }

    /// Sets the pitch (0–99; 50 is espeak-ng's default) and clears the cache.
    pub fn with_pitch(mut self, pitch: u32) -> Self {
        self.pitch = pitch.min(99);
        self.cache = TtsCache::default();
        self
    }

    /// Speaks with a voice variant (e.g. `f3`, `m2`, `klatt`: the names in
    /// espeak-ng's `voices/!v` folder) and clears the cache. A name that is not a
    /// plain word is ignored, so nothing but a variant reaches the command line.
    pub fn with_variant(mut self, variant: &str) -> Self {
        self.variant = (!variant.is_empty()
            && variant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| variant.to_string());
        self.cache = TtsCache::default();
        self
    }

    /// Sets the speaking rate in words per minute (80–450) and clears the cache.
    pub fn with_speed(mut self, wpm: u32) -> Self {
        self.speed_wpm = wpm.clamp(80, 450);
        self.cache = TtsCache::default();
        self
    }

    /// Runs espeak-ng once, uncached.
    fn run(&self, text: &str, lang: Lang) -> Result<Vec<i16>, TtsError> {
        let (voice, input) = match lang {
            Lang::Mandarin => (MANDARIN_VOICE, to_tone_pinyin(text)),
            Lang::English => (ENGLISH_VOICE, text.to_string()),
        };
        let voice = match &self.variant {
            Some(v) => format!("{voice}+{v}"),
            None => voice.to_string(),
        };
        // Newlines would make espeak-ng treat lines as separate clauses only;
        // control characters are never meant to be spoken.
        let input: String = input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut child = Command::new(&self.program)
            .args([
                "-b",
                "1",
                "-v",
                &voice,
                "-s",
                &self.speed_wpm.to_string(),
                "-p",
                &self.pitch.to_string(),
                "--stdout",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(TtsError::EspeakMissing)?;
        // Feed stdin from another thread: a long text could otherwise fill the
        // stdout pipe while we are still writing, and both sides would wait.
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| TtsError::Failed("no stdin pipe".into()))?;
        let output = std::thread::scope(|scope| {
            let writer = scope.spawn(move || stdin.write_all(input.as_bytes()));
            let output = child.wait_with_output();
            (writer.join(), output)
        });
        let output = match output {
            (Ok(Ok(())), Ok(output)) => output,
            (_, Err(e)) => return Err(TtsError::Failed(format!("waiting for espeak-ng: {e}"))),
            (Ok(Err(e)), _) => return Err(TtsError::Failed(format!("writing to espeak-ng: {e}"))),
            (Err(_), _) => return Err(TtsError::Failed("stdin writer panicked".into())),
        };
        if !output.status.success() {
            return Err(TtsError::Failed(format!(
                "espeak-ng exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let (rate, pcm) = parse_stream_wav(&output.stdout)?;
        resample_i16(&pcm, rate, SAMPLE_RATE).map_err(|e| TtsError::BadOutput(e.to_string()))
    }
}

impl Tts for EspeakTts {
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Vec<i16>, TtsError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        self.cache
            .get_or_try_insert(text, lang, || self.run(text, lang))
            .map(|audio| audio.to_vec())
    }
}

/// Parses the WAV espeak-ng writes to a pipe: it cannot seek back to fill in
/// the sizes, so the data chunk runs to the end of the stream whatever its
/// header says. Returns the sample rate and the 16-bit mono samples.
fn parse_stream_wav(bytes: &[u8]) -> Result<(u32, Vec<i16>), TtsError> {
    let bad = |m: &str| TtsError::BadOutput(m.to_string());
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("not a WAV stream"));
    }
    let mut pos = 12;
    let mut rate = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]);
        let body = pos + 8;
        if id == b"fmt " {
            let fmt = bytes
                .get(body..body + 16)
                .ok_or_else(|| bad("short fmt chunk"))?;
            let code = u16::from_le_bytes([fmt[0], fmt[1]]);
            let channels = u16::from_le_bytes([fmt[2], fmt[3]]);
            let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
            if (code, channels, bits) != (1, 1, 16) {
                return Err(bad("expected 16-bit mono PCM"));
            }
            rate = Some(u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]));
        } else if id == b"data" {
            let rate = rate
                .filter(|&r| r > 0)
                .ok_or_else(|| bad("no fmt before data"))?;
            let pcm = bytes[body..]
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            return Ok((rate, pcm));
        }
        pos = body
            .saturating_add(size as usize)
            .saturating_add(size as usize & 1);
    }
    Err(bad("no data chunk"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_a_clear_error() {
        let err = EspeakTts::with_program("/nonexistent/espeak-ng").unwrap_err();
        assert!(matches!(err, TtsError::EspeakMissing(_)), "{err:?}");
        assert!(err.to_string().contains("apt-get install espeak-ng"));
    }

    #[test]
    fn parses_pipe_wav_with_bogus_sizes() {
        let mut wav = b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\0\0\0\x01\0\x01\0\x22\x56\0\0\x44\xac\0\0\x02\0\x10\0data\xff\xff\xff\x7f".to_vec();
        wav.extend_from_slice(&[1, 0, 0xff, 0xff, 7]);
        let (rate, pcm) = parse_stream_wav(&wav).unwrap();
        assert_eq!(rate, 22_050);
        assert_eq!(pcm, vec![1, -1]);
        assert!(parse_stream_wav(b"RIFF").is_err());
        assert!(parse_stream_wav(b"RIFF\0\0\0\0WAVEdata\0\0\0\0").is_err());
    }
}
