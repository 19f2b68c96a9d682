//! `waihu bench asr`: how well the robot hears callees on the telephone. The
//! labelled callee utterances of the intent corpus (development and held-out
//! parts) are spoken by several synthetic voices (espeak-ng variants, speeds and
//! pitches, or neural voices rendered in advance by `scripts/render-speech.py`:
//! `--speech-dir`), put through each line condition — G.711 μ-law or A-law, pink noise
//! at a chosen SNR, lost 20 ms frames played out as silence — cut by the same
//! end-pointer as live calls, recognised by the built-in Whisper engine, and
//! matched to an intent by the built-in rules. Reported per condition: CER
//! (Chinese), WER (English), **intent accuracy after ASR**, opt-out recall after
//! ASR, and the real-time factor; plus whether noise alone produces words.
//!
//! The voices are synthetic (espeak-ng's Mandarin is robotic enough that Whisper
//! mishears most of it; the neural voices are far closer to people): the figures say how recognition degrades with the
//! line, and where the intent rules fail on what Whisper really returns, not how
//! well a human caller is heard.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context as _;
use waihu_dialog::corpus::{parse, Sample, DEV, HELDOUT};
use waihu_dialog::intent::Recognizer;
use waihu_sip::g711::Codec;
use waihu_speech::asr::Asr;
use waihu_speech::eval::degrade::{add_noise, drop_frames, Noise};
use waihu_speech::eval::score::{cer, wer, Errors};
use waihu_speech::tts::{EspeakTts, Lang, Tts};
use waihu_speech::vad::{segments, VadConfig};

/// Arguments of `waihu bench asr`.
#[derive(Debug, clap::Args)]
pub struct BenchAsrArgs {
    /// Which utterances: `heldout` (measuring only), `dev` or `all`.
    #[arg(long, default_value = "heldout", value_parser = ["heldout", "dev", "all"])]
    pub part: String,
    /// Line conditions, comma separated. Each is a codec (`pcm`: 16-bit linear,
    /// `ulaw`, `alaw`) optionally followed by `+snrN` (pink noise N dB below the
    /// speech) and `+lossN` (N % of 20 ms frames lost).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pcm,ulaw,alaw,ulaw+snr20,ulaw+snr15,alaw+snr15,ulaw+snr10,ulaw+snr15+loss3"
    )]
    pub conditions: Vec<String>,
    /// At most this many utterances per language (0: all).
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    /// Recognition threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Seed of the voice choice, the noise and the losses.
    #[arg(long, default_value_t = 20_261_207)]
    pub seed: u64,
    /// Noise-only clips per condition with noise, to check that noise alone
    /// produces no words.
    #[arg(long, default_value_t = 20)]
    pub noise_clips: usize,
    /// List the misrecognised utterances (development part only: the held-out
    /// part is never looked at utterance by utterance).
    #[arg(long)]
    pub errors: bool,
    /// Speak with neural voices rendered in advance by `scripts/render-speech.py`
    /// into these directories (each with its `index.tsv`) instead of espeak-ng;
    /// one of the voices rendered for an utterance is chosen by the seed.
    #[arg(long, value_delimiter = ',')]
    pub speech_dir: Vec<std::path::PathBuf>,
}

/// One line condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The name as given.
    pub name: String,
    /// G.711 law, or none for linear PCM.
    pub codec: Option<Codec>,
    /// Pink noise at this SNR, dB.
    pub snr_db: Option<f64>,
    /// Share of 20 ms frames lost, 0–1.
    pub loss: f64,
}

impl std::str::FromStr for Condition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.trim().split('+');
        let codec = match parts.next().unwrap_or_default() {
            "pcm" => None,
            "ulaw" => Some(Codec::Pcmu),
            "alaw" => Some(Codec::Pcma),
            other => {
                return Err(format!(
                    "condition {s:?}: unknown codec {other:?} (pcm, ulaw or alaw)"
                ))
            }
        };
        let mut c = Condition {
            name: s.trim().to_string(),
            codec,
            snr_db: None,
            loss: 0.0,
        };
        for part in parts {
            let number = |prefix: &str| -> Result<f64, String> {
                part[prefix.len()..]
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        format!("condition {s:?}: {part:?} needs a number after {prefix}")
                    })
            };
            if part.starts_with("snr") {
                c.snr_db = Some(number("snr")?);
            } else if part.starts_with("loss") {
                let pct = number("loss")?;
                if !(0.0..=100.0).contains(&pct) {
                    return Err(format!("condition {s:?}: loss must be 0–100 %"));
                }
                c.loss = pct / 100.0;
            } else {
                return Err(format!(
                    "condition {s:?}: unknown part {part:?} (snrN or lossN)"
                ));
            }
        }
        Ok(c)
    }
}

/// A synthetic voice: espeak-ng variant, speed (wpm) and pitch.
const VOICES: [(&str, u32, u32); 6] = [
    ("", 175, 50),
    ("m3", 160, 40),
    ("f2", 180, 62),
    ("f4", 195, 70),
    ("m7", 150, 45),
    ("klatt4", 185, 55),
];

/// Silence around each utterance, as on a call: a short pause before the callee
/// speaks, and enough after for the end-pointer to close the utterance.
const LEAD_MS: usize = 300;
const TRAIL_MS: usize = 1000;

/// One utterance spoken by one voice, clean.
struct Spoken {
    sample: Sample,
    audio: Vec<i16>,
}

/// What one recognition gave.
struct Heard {
    text: String,
    decode_s: f64,
    audio_s: f64,
}

/// Tallies of one condition.
#[derive(Default)]
struct Tally {
    cer: Errors,
    wer: Errors,
    intents: usize,
    intents_right: usize,
    opt_outs: usize,
    opt_outs_right: usize,
    decode_s: f64,
    audio_s: f64,
    noise_clips: usize,
    noise_words: usize,
    errors: Vec<(String, String, String, String)>,
}

/// Runs `waihu bench asr`.
pub fn run(ctx: &super::Context, args: BenchAsrArgs) -> anyhow::Result<ExitCode> {
    let conditions = args
        .conditions
        .iter()
        .map(|c| c.parse::<Condition>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(
        !(args.errors && args.part != "dev"),
        "--errors lists development utterances only: add --part dev (the held-out part is never read utterance by utterance)"
    );
    let samples = select(&args.part, args.limit);
    let recognizer = Recognizer::builtin()?;
    let tts_plain = waihu_app::speech::tts()?;
    let asr: std::sync::Arc<dyn Asr> = {
        let mut speech = ctx.settings.speech.clone();
        speech.asr = crate::settings::AsrEngineSetting::Whisper;
        waihu_app::speech::asr(&speech, &ctx.settings.data.dir, tts_plain.as_ref())?
    };
    let spoken = if args.speech_dir.is_empty() {
        speak_with_espeak(samples, args.seed)?
    } else {
        load_rendered(samples, &args.speech_dir, args.seed)?
    };
    let workers = match args.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    println!("recognising with Whisper on {workers} threads…\n");
    println!("| condition | utterances | CER zh | WER en | intent after ASR | opt_out recall after ASR | words from noise alone | RTF |");
    println!("|---|---|---|---|---|---|---|---|");
    for (ci, condition) in conditions.iter().enumerate() {
        let t = measure(
            condition,
            &spoken,
            asr.as_ref(),
            &recognizer,
            workers,
            args.seed ^ (ci as u64 + 1),
            args.noise_clips,
        )?;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            condition.name,
            spoken.len(),
            rate(t.cer),
            rate(t.wer),
            share(t.intents_right, t.intents),
            share(t.opt_outs_right, t.opt_outs),
            if t.noise_clips == 0 {
                "–".to_string()
            } else {
                format!("{} in {} clips", t.noise_words, t.noise_clips)
            },
            if t.audio_s > 0.0 {
                t.decode_s / t.audio_s
            } else {
                0.0
            }
        );
        if args.errors {
            for (label, got, text, heard) in &t.errors {
                println!("  {label} → {got}: {text} ⇒ heard {heard:?}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The utterances spoken by espeak-ng, one of [`VOICES`] each.
fn speak_with_espeak(samples: Vec<Sample>, seed: u64) -> anyhow::Result<Vec<Spoken>> {
    let voices = VOICES
        .iter()
        .map(|&(variant, wpm, pitch)| {
            Ok(EspeakTts::new()?
                .with_variant(variant)
                .with_speed(wpm)
                .with_pitch(pitch))
        })
        .collect::<Result<Vec<_>, waihu_speech::tts::TtsError>>()
        .context("espeak-ng is needed to speak the test utterances")?;
    let zh = samples.iter().filter(|s| s.lang == "zh").count();
    println!(
        "speaking {} utterances ({zh} zh, {} en) in {} espeak-ng voices…",
        samples.len(),
        samples.len() - zh,
        voices.len()
    );
    samples
        .into_iter()
        .enumerate()
        .map(|(i, sample)| {
            let voice = &voices[(mix(seed, i as u64) % voices.len() as u64) as usize];
            let lang = if sample.lang == "en" {
                Lang::English
            } else {
                Lang::Mandarin
            };
            let speech = voice
                .synthesize(&sample.text, lang)
                .with_context(|| format!("speaking {:?}", sample.text))?;
            Ok(Spoken {
                audio: on_the_line(&speech, LEAD_MS),
                sample,
            })
        })
        .collect()
}

/// The utterances as rendered in advance (`scripts/render-speech.py`): every
/// directory's `index.tsv` lists `file, lang, voice, text`.
fn load_rendered(
    samples: Vec<Sample>,
    dirs: &[std::path::PathBuf],
    seed: u64,
) -> anyhow::Result<Vec<Spoken>> {
    let mut rendered: std::collections::HashMap<(String, String), Vec<std::path::PathBuf>> =
        std::collections::HashMap::new();
    for dir in dirs {
        let index = dir.join("index.tsv");
        let text = std::fs::read_to_string(&index).with_context(|| {
            format!(
                "reading {} (render the utterances first: scripts/render-speech.py)",
                index.display()
            )
        })?;
        for (n, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.splitn(4, '\t').collect();
            match f.as_slice() {
                ["file", ..] => {}
                [file, lang, _voice, text] => rendered
                    .entry((lang.to_string(), text.to_string()))
                    .or_default()
                    .push(dir.join(file)),
                _ => anyhow::bail!(
                    "{}:{}: expected file, lang, voice, text",
                    index.display(),
                    n + 1
                ),
            }
        }
    }
    let missing = samples
        .iter()
        .filter(|s| !rendered.contains_key(&(s.lang.clone(), s.text.clone())))
        .count();
    anyhow::ensure!(
        missing == 0,
        "{missing} of {} utterances have no rendered speech in {:?}: render the corpus part with scripts/render-speech.py",
        samples.len(),
        dirs
    );
    println!(
        "{} utterances rendered by neural voices in advance",
        samples.len()
    );
    samples
        .into_iter()
        .enumerate()
        .map(|(i, sample)| {
            let files = &rendered[&(sample.lang.clone(), sample.text.clone())];
            let file = &files[(mix(seed, i as u64) % files.len() as u64) as usize];
            let speech = waihu_speech::wav::read_wav_8k(file)
                .with_context(|| format!("reading {}", file.display()))?;
            Ok(Spoken {
                audio: on_the_line(&speech, 0),
                sample,
            })
        })
        .collect()
}

/// `speech` with `lead_ms` of silence before it and [`TRAIL_MS`] after, so that
/// the end-pointer closes the utterance as on a call.
fn on_the_line(speech: &[i16], lead_ms: usize) -> Vec<i16> {
    let mut audio = vec![0i16; lead_ms * 8];
    audio.extend_from_slice(speech);
    audio.extend(std::iter::repeat_n(0i16, TRAIL_MS * 8));
    audio
}

/// `a/b` as a percentage with the counts, or a dash when there is nothing to count.
fn share(a: usize, b: usize) -> String {
    if b == 0 {
        "–".into()
    } else {
        format!("{:.1} % ({a}/{b})", a as f64 * 100.0 / b as f64)
    }
}

/// An error rate, or a dash when the language had no utterances.
fn rate(e: Errors) -> String {
    if e.reference == 0 {
        "–".into()
    } else {
        format!("{:.1} %", e.rate() * 100.0)
    }
}

/// The utterances of `part`, at most `limit` per language.
fn select(part: &str, limit: usize) -> Vec<Sample> {
    let mut all = Vec::new();
    if part != "heldout" {
        all.extend(parse(DEV).0);
    }
    if part != "dev" {
        all.extend(parse(HELDOUT).0);
    }
    if limit > 0 {
        let mut per_lang = std::collections::HashMap::new();
        all.retain(|s| {
            let n = per_lang.entry(s.lang.clone()).or_insert(0usize);
            *n += 1;
            *n <= limit
        });
    }
    all
}

/// A well-mixed 64-bit value from a seed and an index.
fn mix(seed: u64, i: u64) -> u64 {
    Noise::new(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// The line: noise in the room, then the codec, then lost packets.
fn degrade(audio: &[i16], c: &Condition, noise: &mut Noise) -> Vec<i16> {
    let noisy = match c.snr_db {
        Some(snr) => add_noise(audio, snr, noise),
        None => audio.to_vec(),
    };
    let coded = match c.codec {
        Some(codec) => {
            let mut bytes = Vec::with_capacity(noisy.len());
            codec.encode(&noisy, &mut bytes);
            let mut back = Vec::with_capacity(noisy.len());
            codec.decode(&bytes, &mut back);
            back
        }
        None => noisy,
    };
    drop_frames(&coded, c.loss, noise).0
}

/// What the robot hears in `audio`: the end-pointer's utterances, each recognised.
fn hear(asr: &dyn Asr, audio: &[i16], lang: &str) -> anyhow::Result<Heard> {
    let mut texts = Vec::new();
    let mut decode_s = 0.0;
    let mut audio_s = 0.0;
    for (start, end) in segments(audio, VadConfig::default()) {
        let a = (start as usize * 8).min(audio.len());
        let b = (end as usize * 8).min(audio.len());
        let started = Instant::now();
        let t = asr.transcribe(&audio[a..b])?;
        decode_s += started.elapsed().as_secs_f64();
        audio_s += (b - a) as f64 / 8000.0;
        if !t.text.is_empty() {
            texts.push(t.text);
        }
    }
    let sep = if lang == "en" { " " } else { "，" };
    Ok(Heard {
        text: texts.join(sep),
        decode_s,
        audio_s,
    })
}

/// Recognises every utterance under one condition on `workers` threads.
fn measure(
    condition: &Condition,
    spoken: &[Spoken],
    asr: &dyn Asr,
    recognizer: &Recognizer,
    workers: usize,
    seed: u64,
    noise_clips: usize,
) -> anyhow::Result<Tally> {
    let tally = Mutex::new(Tally::default());
    let next = AtomicUsize::new(0);
    let failure = Mutex::new(None);
    let noise_jobs = if condition.snr_db.is_some() {
        noise_clips
    } else {
        0
    };
    let jobs = spoken.len() + noise_jobs;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    break;
                }
                let mut noise = Noise::new(mix(seed, i as u64));
                let result = if i < spoken.len() {
                    one_utterance(&spoken[i], condition, asr, recognizer, &mut noise, &tally)
                } else {
                    noise_only(condition, asr, &mut noise, &tally)
                };
                if let Err(e) = result {
                    *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    next.store(jobs, Ordering::Relaxed);
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(tally.into_inner().unwrap_or_else(|p| p.into_inner()))
}

fn one_utterance(
    s: &Spoken,
    condition: &Condition,
    asr: &dyn Asr,
    recognizer: &Recognizer,
    noise: &mut Noise,
    tally: &Mutex<Tally>,
) -> anyhow::Result<()> {
    let heard = hear(asr, &degrade(&s.audio, condition, noise), &s.sample.lang)?;
    let got = recognizer.recognize(&heard.text).intent;
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    if s.sample.lang == "en" {
        t.wer.add(wer(&s.sample.text, &heard.text));
    } else {
        t.cer.add(cer(&s.sample.text, &heard.text));
    }
    t.intents += 1;
    let right = got == s.sample.label;
    t.intents_right += usize::from(right);
    if s.sample.label == "opt_out" {
        t.opt_outs += 1;
        t.opt_outs_right += usize::from(right);
    }
    t.decode_s += heard.decode_s;
    t.audio_s += heard.audio_s;
    if !right {
        t.errors.push((
            s.sample.label.clone(),
            got.to_string(),
            s.sample.text.clone(),
            heard.text,
        ));
    }
    Ok(())
}

/// Three seconds of line noise at the level the condition's SNR gives a typical
/// utterance: the robot must hear nothing.
fn noise_only(
    condition: &Condition,
    asr: &dyn Asr,
    noise: &mut Noise,
    tally: &Mutex<Tally>,
) -> anyhow::Result<()> {
    // Telephone speech sits around −20 dBFS (RMS ≈ 3,300).
    let speech_rms = 3300.0;
    let snr = condition.snr_db.unwrap_or(99.0);
    let amplitude = speech_rms / 10f64.powf(snr / 20.0);
    let silence = vec![0i16; 3 * 8000];
    let noisy = waihu_speech::eval::degrade::add_pink(&silence, amplitude, noise);
    let line = degrade(
        &noisy,
        &Condition {
            snr_db: None,
            ..condition.clone()
        },
        noise,
    );
    let heard = hear(asr, &line, "zh")?;
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    t.noise_clips += 1;
    t.noise_words += usize::from(!heard.text.trim().is_empty());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_and_bad_ones_say_what_is_wrong() {
        let c: Condition = "ulaw+snr15+loss3".parse().unwrap();
        assert_eq!(c.codec, Some(Codec::Pcmu));
        assert_eq!(c.snr_db, Some(15.0));
        assert!((c.loss - 0.03).abs() < 1e-12);
        assert_eq!("pcm".parse::<Condition>().unwrap().codec, None);
        for (bad, says) in [
            ("gsm", "unknown codec"),
            ("ulaw+snr", "needs a number"),
            ("ulaw+loss200", "0–100"),
            ("alaw+echo3", "unknown part"),
        ] {
            let e = bad.parse::<Condition>().unwrap_err();
            assert!(e.contains(says) && e.contains(bad), "{bad}: {e}");
        }
    }
}
