//! `waihu line classify FILE`: what a recording of a line is — a person,
//! voicemail, a carrier announcement (and its reason), ringback, silence or
//! fax — decided from the audio alone by `waihu-line`, with the built-in
//! recogniser reading the speech for the phrase catalogue. Also the shared
//! routine `waihu bench line` runs on every clip.

use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use waihu_line::{Catalogue, ClassifierConfig, Decision, LineClassifier, Phase, Span, FRAME};
use waihu_speech::asr::Asr;

/// `waihu line …`.
#[derive(Debug, clap::Subcommand)]
pub enum LineCommand {
    /// Classify a WAV or MP3 recording (any rate) of a line.
    Classify(ClassifyArgs),
}

/// Arguments of `waihu line classify`.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// The recording: WAV or MP3, any rate, mono or stereo (mixed down).
    pub file: PathBuf,
    /// Whether the audio is early media while ringing or the first seconds
    /// after the answer.
    #[arg(long, value_parser = ["early", "answered"])]
    pub phase: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// An extra phrase catalogue (a TOML file or a directory of them) on top
    /// of the built-in one.
    #[arg(long, value_name = "PATH")]
    pub catalogue: Option<PathBuf>,
    /// Decide from tones and pauses only, without speech recognition.
    #[arg(long)]
    pub no_asr: bool,
    /// The language the built-in recogniser listens for (`auto`: detect per
    /// utterance, less reliable on short telephone audio). Mandarin
    /// announcements with an English sentence appended are `zh`.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en", "auto"])]
    pub lang: String,
}

/// Runs `waihu line`.
pub async fn run(ctx: &super::Context, cmd: LineCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LineCommand::Classify(args) => classify(ctx, args).await,
    }
}

async fn classify(ctx: &super::Context, args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let phase = Phase::parse(&args.phase).context("--phase is early or answered")?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let samples = waihu_speech::prompts::decode_prompt(&bytes, &Default::default())
        .with_context(|| format!("{} is not a usable WAV or MP3 file", args.file.display()))?
        .samples;
    let catalogue = Arc::new(catalogue(args.catalogue.as_deref())?);
    let asr = if args.no_asr {
        None
    } else {
        Some(asr(ctx, &args.lang)?)
    };
    let result = tokio::task::spawn_blocking(move || {
        classify_samples(&samples, phase, asr.as_deref(), catalogue)
    })
    .await
    .context("the classifier stopped")??;
    let d = &result.decision;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "class": d.class.as_str(),
                "reason": d.reason.map(|r| r.as_str()),
                "decided_ms": d.decided_ms,
                "transcript": result.transcript,
            })
        );
    } else {
        let reason = d.reason.map(|r| format!(" ({r})")).unwrap_or_default();
        println!(
            "{}{reason} after {} ms, from {}",
            d.class,
            d.decided_ms,
            d.signal.as_str()
        );
        if let Some(t) = &result.transcript {
            println!("heard: {t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The built-in catalogue plus an operator's file or directory.
pub fn catalogue(extra: Option<&std::path::Path>) -> anyhow::Result<Catalogue> {
    let mut c = Catalogue::builtin();
    if let Some(path) = extra {
        c.merge(Catalogue::load(path)?);
    }
    Ok(c)
}

/// The recogniser of `[speech]`; the built-in Whisper engine listens for
/// `lang` (a Whisper code or `auto`).
pub fn asr(ctx: &super::Context, lang: &str) -> anyhow::Result<Arc<dyn Asr>> {
    let speech = &ctx.settings.speech;
    #[cfg(feature = "whisper")]
    if speech.asr == crate::settings::AsrEngineSetting::Whisper {
        let model = speech.model_path(&ctx.settings.data.dir);
        anyhow::ensure!(
            model.is_file(),
            "the speech model {} is missing: run scripts/fetch-asr-model.sh or set speech.model \
             (WAIHU_SPEECH__MODEL); --no-asr decides from tones and pauses only",
            model.display()
        );
        let mut config = waihu_speech::asr::WhisperConfig::new(&model);
        config.language = Some(lang.into());
        let engine = waihu_speech::asr::WhisperAsr::new(config)
            .with_context(|| format!("cannot load the speech model {}", model.display()))?;
        return Ok(Arc::new(engine));
    }
    let _ = lang;
    let tts = waihu_app::speech::tts()?;
    Ok(waihu_app::speech::asr(
        speech,
        &ctx.settings.data.dir,
        tts.as_ref(),
    )?)
}

/// What classifying one recording gave.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The decision.
    pub decision: Decision,
    /// What the recogniser heard up to the decision, utterances joined.
    pub transcript: Option<String>,
    /// Recogniser calls made.
    pub asr_calls: usize,
}

/// Longest audio handed to the recogniser at once (Whisper reads 30 s).
const MAX_ASR_MS: u64 = 25_000;

/// Streams a recording through the classifier as a live call would:
/// frame by frame, recognising each utterance (and every two seconds of a
/// long one) when the classifier offers it, the transcript arriving at the
/// utterance's end on the audio clock (recognition time is not counted in
/// `decided_ms`). Stops at the first final decision.
pub fn classify_samples(
    samples: &[i16],
    phase: Phase,
    asr: Option<&dyn Asr>,
    catalogue: Arc<Catalogue>,
) -> anyhow::Result<Classified> {
    let mut config = ClassifierConfig::new(phase);
    config.transcripts = asr.is_some();
    let mut c = LineClassifier::new(config, catalogue);
    // Texts by utterance start: an interim text is replaced by later ones.
    let mut texts: Vec<(u64, String)> = Vec::new();
    let mut asr_calls = 0;
    let mut hear = |span: Span, c: &mut LineClassifier| -> anyhow::Result<()> {
        let Some(asr) = asr else { return Ok(()) };
        let start_ms = span.start_ms.max(span.end_ms.saturating_sub(MAX_ASR_MS));
        let a = (start_ms as usize * 8).min(samples.len());
        let b = (span.end_ms as usize * 8).min(samples.len());
        if b <= a {
            return Ok(());
        }
        asr_calls += 1;
        let t = asr
            .transcribe(&samples[a..b])
            .context("speech recognition failed")?;
        let text = t.text.trim().to_string();
        match texts.iter_mut().find(|(s, _)| *s == span.start_ms) {
            Some((_, old)) => *old = text.clone(),
            None => texts.push((span.start_ms, text.clone())),
        }
        let now = c.now_ms();
        c.push_transcript(&text, span.end_ms, now);
        Ok(())
    };
    for frame in samples.chunks(FRAME) {
        let p = c.push_frame(frame);
        if let Some(span) = p.utterance {
            if c.decided().is_none() {
                hear(span, &mut c)?;
            }
        }
        if c.decided().is_some() {
            break;
        }
    }
    if c.decided().is_none() {
        if let Some(open) = open_utterance(&c) {
            hear(open, &mut c)?;
        }
    }
    let decision = c.finish();
    let joined = texts
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Classified {
        decision,
        transcript: (!joined.is_empty()).then_some(joined),
        asr_calls,
    })
}

fn open_utterance(c: &LineClassifier) -> Option<Span> {
    c.open_utterance().map(|s| Span {
        end_ms: c.now_ms(),
        ..s
    })
}
