//! The labelled clip set of `waihu bench line`, generated (nothing binary is
//! committed): the phrases of `crates/waihu-line/clips/{dev,heldout}.tsv`
//! spoken by espeak-ng in several voice variants, speeds and pitches
//! (Mandarin through tone-numbered pinyin, the English sentence carriers
//! append in an English voice), and the tone clips synthesised by
//! `waihu_line::synth` — every clip then goes through noise and a G.711 μ-law
//! round trip. The held-out part uses other voice variants and another seed
//! than the dev part. See crates/waihu-line/clips/README.md.

use anyhow::Context as _;
use std::process::{Command, Stdio};
use waihu_line::detect::sit::SitPattern;
use waihu_line::synth::{self, Rng};
use waihu_line::{LineClass, Phase, Reason};

const DEV: &str = include_str!("../../../waihu-line/clips/dev.tsv");
const HELDOUT: &str = include_str!("../../../waihu-line/clips/heldout.tsv");

/// Which part of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// The part thresholds and catalogue entries were checked on.
    Dev,
    /// The part frozen before any tuning; for figures only.
    Heldout,
}

/// One labelled clip.
#[derive(Debug, Clone)]
pub struct Clip {
    /// A file-name-safe name.
    pub name: String,
    /// The truth.
    pub class: LineClass,
    /// The truth, for announcements.
    pub reason: Option<Reason>,
    /// Early media or after the answer.
    pub phase: Phase,
    /// The spoken text, if any.
    pub text: Option<String>,
    /// Whether the text is English (else Mandarin, or no speech).
    pub english: bool,
    /// 8 kHz PCM.
    pub samples: Vec<i16>,
}

struct Phrase {
    class: LineClass,
    reason: Option<Reason>,
    zh: bool,
    text: String,
}

fn phrases(split: Split) -> anyhow::Result<Vec<Phrase>> {
    let text = match split {
        Split::Dev => DEV,
        Split::Heldout => HELDOUT,
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [class, reason, lang, text] = cols[..] else {
            anyhow::bail!("clip list line {}: expected 4 tab-separated columns", i + 1);
        };
        out.push(Phrase {
            class: LineClass::parse(class)
                .with_context(|| format!("clip list line {}: class {class:?}", i + 1))?,
            reason: match reason {
                "-" => None,
                r => Some(
                    Reason::parse(r)
                        .with_context(|| format!("clip list line {}: reason {r:?}", i + 1))?,
                ),
            },
            zh: lang == "zh",
            text: text.to_string(),
        });
    }
    Ok(out)
}

/// A voice for one rendition.
struct Voice {
    variant: &'static str,
    speed: u32,
    pitch: u32,
}

fn voice(rng: &mut Rng, split: Split) -> Voice {
    let variants: &[&'static str] = match split {
        Split::Dev => &["", "+m3", "+f2", "+m5"],
        Split::Heldout => &["+m1", "+f4", "+m7", "+f1"],
    };
    Voice {
        variant: variants[(rng.next_u64() % variants.len() as u64) as usize],
        speed: rng.range(145.0, 195.0) as u32,
        pitch: rng.range(30.0, 70.0) as u32,
    }
}

/// Speaks `text` with espeak-ng (Mandarin runs through tone pinyin, Latin
/// runs through an English voice), 8 kHz.
fn speak(text: &str, zh: bool, v: &Voice, dir: &std::path::Path) -> anyhow::Result<Vec<i16>> {
    let mut out = Vec::new();
    for (latin, run) in runs(text) {
        let (base, input) = if latin || !zh {
            ("en-us", run.clone())
        } else {
            ("cmn-latn-pinyin", waihu_speech::tts::to_tone_pinyin(&run))
        };
        let path = dir.join("espeak.wav");
        let status = Command::new("espeak-ng")
            .args(["-v", &format!("{base}{}", v.variant)])
            .args(["-s", &v.speed.to_string(), "-p", &v.pitch.to_string()])
            .arg("-w")
            .arg(&path)
            .arg(&input)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("cannot run espeak-ng (apt-get install espeak-ng)")?;
        anyhow::ensure!(status.success(), "espeak-ng failed on {input:?}");
        if !out.is_empty() {
            out.extend(synth::silence(300));
        }
        out.extend(waihu_speech::wav::read_wav_8k(&path)?);
    }
    Ok(out)
}

/// Splits text into runs of Latin letters and the rest (a carrier's
/// Mandarin line and the English sentence after it).
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let latin = c.is_ascii_alphabetic();
        let neutral = !latin && (c.is_ascii_punctuation() || c.is_whitespace());
        match out.last_mut() {
            Some((l, s)) if *l == latin || neutral => s.push(c),
            _ => out.push((latin, c.to_string())),
        }
    }
    out.retain(|(_, s)| s.chars().any(|c| c.is_alphanumeric()));
    out
}

/// A clip through the line: level, noise, μ-law.
fn line(rng: &mut Rng, audio: Vec<i16>) -> Vec<i16> {
    let audio = synth::gain(&audio, rng.range(0.5, 1.0));
    let rms = rng.range(0.0005, 0.004);
    let noise = synth::noise(rng, audio.len(), rms);
    synth::ulaw_roundtrip(&synth::mix(&audio, &noise))
}

/// Generates the clips of a split: `renditions` per phrase, and the tone clips.
pub fn generate(split: Split, renditions: usize) -> anyhow::Result<Vec<Clip>> {
    let seed = match split {
        Split::Dev => 1,
        Split::Heldout => 2,
    };
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let mut clips = Vec::new();
    for (pi, p) in phrases(split)?.iter().enumerate() {
        for r in 0..renditions {
            let v = voice(&mut rng, split);
            let speech = speak(&p.text, p.zh, &v, dir.path())?;
            let lead = synth::silence(rng.range(200.0, 800.0) as u64);
            let (phase, audio) = match p.class {
                LineClass::Announcement => {
                    // Early media mostly, some after an answer; some
                    // behind a ring or a SIT whose code fits the reason;
                    // carriers repeat the line.
                    let phase = if (pi + r) % 3 == 2 {
                        Phase::Answered
                    } else {
                        Phase::Early
                    };
                    let mut audio = lead;
                    if phase == Phase::Early && rng.unit() < 0.3 {
                        audio.extend(synth::cadence(&[450.0], &[(1000, 4000)], 0, 5000, 0.3));
                    }
                    let sit = match p.reason {
                        Some(Reason::VacantNumber) => {
                            Some(*rng.pick(&[SitPattern::Intercept, SitPattern::VacantCode]))
                        }
                        Some(Reason::Unreachable) => Some(SitPattern::NoCircuitIntra),
                        _ => None,
                    };
                    if let Some(sit) = sit.filter(|_| rng.unit() < 0.3) {
                        audio.extend(synth::sit(sit, 0.4));
                        audio.extend(synth::silence(300));
                    }
                    audio.extend(&speech);
                    audio.extend(synth::silence(1000));
                    audio.extend(&speech);
                    (phase, audio)
                }
                LineClass::Voicemail => {
                    let mut audio = lead;
                    audio.extend(&speech);
                    if rng.unit() < 0.5 {
                        audio.extend(synth::silence(rng.range(200.0, 600.0) as u64));
                        let hz = *rng.pick(&[1000.0, 850.0, 1400.0, 440.0]);
                        audio.extend(synth::tone(&[hz], rng.range(250.0, 800.0) as u64, 0.3));
                    }
                    audio.extend(synth::silence(3000));
                    (Phase::Answered, audio)
                }
                _ => {
                    // A person says a few words and waits.
                    let mut audio = lead;
                    audio.extend(&speech);
                    audio.extend(synth::silence(4000));
                    (Phase::Answered, audio)
                }
            };
            clips.push(Clip {
                name: format!("{:03}-{}-{r}", pi, p.class),
                class: p.class,
                reason: p.reason,
                phase,
                text: Some(p.text.clone()),
                english: !p.zh,
                samples: line(&mut rng, audio),
            });
        }
    }
    clips.extend(tone_clips(&mut rng, renditions));
    Ok(clips)
}

fn tone_clips(rng: &mut Rng, n: usize) -> Vec<Clip> {
    let mut out = Vec::new();
    let mut push = |name: String, class, phase, samples| {
        out.push(Clip {
            name,
            class,
            reason: None,
            phase,
            text: None,
            english: false,
            samples,
        })
    };
    type Cadence = (&'static str, &'static [f64], &'static [(u64, u64)]);
    let cadences: [Cadence; 4] = [
        ("cn", &[450.0], &[(1000, 4000)]),
        ("eu", &[425.0], &[(1000, 4000)]),
        ("us", &[440.0, 480.0], &[(2000, 4000)]),
        ("uk", &[400.0, 450.0], &[(400, 200), (400, 2000)]),
    ];
    for i in 0..n {
        for (name, freqs, pattern) in cadences {
            let offset = rng.range(0.0, 4000.0) as u64;
            let audio = synth::cadence(freqs, pattern, offset, 12_000, rng.range(0.2, 0.5));
            push(
                format!("ring-{name}-{i}"),
                LineClass::Ringback,
                Phase::Early,
                line(rng, audio),
            );
        }
        for m in 0..2 {
            let amp = rng.range(0.3, 0.6);
            let audio = synth::music(rng, 10_000, amp);
            push(
                format!("music-{i}-{m}"),
                LineClass::Ringback,
                Phase::Early,
                line(rng, audio),
            );
        }
        let cng = synth::cadence(
            &[1100.0],
            &[(500, 3000)],
            rng.range(0.0, 3000.0) as u64,
            8000,
            0.3,
        );
        push(
            format!("fax-cng-{i}"),
            LineClass::Fax,
            Phase::Answered,
            line(rng, cng),
        );
        let mut ced = synth::silence(rng.range(100.0, 600.0) as u64);
        ced.extend(synth::tone(&[2100.0], 3300, 0.3));
        ced.extend(synth::silence(1000));
        push(
            format!("fax-ced-{i}"),
            LineClass::Fax,
            Phase::Answered,
            line(rng, ced),
        );
        let quiet = synth::silence(6000);
        push(
            format!("silence-{i}"),
            LineClass::Silence,
            Phase::Answered,
            line(rng, quiet),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_mandarin_and_english() {
        let r = runs("您拨打的电话已关机。Sorry, the subscriber is power off.");
        assert_eq!(r.len(), 2);
        assert!(!r[0].0 && r[1].0, "{r:?}");
        assert_eq!(r[1].1, "Sorry, the subscriber is power off.");
        assert_eq!(runs("The number is not in service.").len(), 1);
        assert_eq!(runs("喂，你好。").len(), 1);
    }

    #[test]
    fn both_lists_parse() {
        assert!(phrases(Split::Dev).unwrap().len() > 40);
        assert!(phrases(Split::Heldout).unwrap().len() > 30);
    }
}
