//! `waihu bench line`: the line classifier on the labelled clip set
//! (generated; see `line_clips.rs`), by default its held-out part: accuracy
//! per class and per announcement reason, the confusion matrix, the issue's
//! targets (persons kept, announcement class and reason, voicemail recall,
//! ringback never an answer or a cancel), decision time after the answer and
//! CPU per classified clip (recognition included).

use super::line::{classify_samples, Classified};
use super::line_clips::{generate, Clip, Split};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use waihu_line::{LineClass, Phase, Reason};
use waihu_sip::sys;
use waihu_speech::asr::{Asr, AsrError, Transcript};

/// Arguments of `waihu bench line`.
#[derive(Debug, clap::Args)]
pub struct BenchLineArgs {
    /// Which part of the clip set.
    #[arg(long, value_enum, default_value = "heldout")]
    pub split: Split,
    /// Renditions (voice, speed, pitch, noise) of every phrase, and sets of tone clips.
    #[arg(long, default_value_t = 3)]
    pub renditions: usize,
    /// Decide without speech recognition (tones and pauses only).
    #[arg(long)]
    pub no_asr: bool,
    /// Replace the recogniser by the clip's true text (every utterance "heard"
    /// as the whole phrase): measures the catalogue and the rules apart from
    /// recognition errors.
    #[arg(long, conflicts_with = "no_asr")]
    pub oracle_text: bool,
    /// Write the clips (WAV) and their labels (labels.tsv) into this directory.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<std::path::PathBuf>,
    /// List every misclassified clip.
    #[arg(long)]
    pub errors: bool,
}

/// A "recogniser" that hears the clip's true text in every utterance.
struct Oracle(String);

impl Asr for Oracle {
    fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError> {
        Ok(Transcript {
            text: self.0.clone(),
            confidence: 1.0,
            segments: Vec::new(),
            no_speech: 0.0,
            audio_ms: audio.len() as u64 / 8,
        })
    }
}

struct Row {
    clip: Clip,
    got: Classified,
    cpu_s: f64,
}

/// Runs `waihu bench line`.
pub async fn run(ctx: &super::Context, args: BenchLineArgs) -> anyhow::Result<ExitCode> {
    // A deployment knows the language it calls in; each clip is recognised
    // in its phrase's language (tone clips: Mandarin).
    let asr = if args.no_asr || args.oracle_text {
        None
    } else {
        Some((super::line::asr(ctx, "zh")?, super::line::asr(ctx, "en")?))
    };
    let catalogue = Arc::new(waihu_line::Catalogue::builtin());
    let split = args.split;
    let renditions = args.renditions;
    let clips = tokio::task::spawn_blocking(move || generate(split, renditions))
        .await
        .context("the clip generator stopped")??;
    if let Some(dir) = &args.keep {
        keep(dir, &clips)?;
    }
    let started = Instant::now();
    let oracle = args.oracle_text;
    let rows = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Row>> {
        let mut rows = Vec::new();
        for clip in clips {
            let cpu0 = sys::cpu_seconds();
            let truth = Oracle(clip.text.clone().unwrap_or_default());
            let engine = match &asr {
                _ if oracle => Some(&truth as &dyn Asr),
                Some((zh, en)) => Some(if clip.english {
                    en.as_ref()
                } else {
                    zh.as_ref()
                }),
                None => None,
            };
            let got = classify_samples(&clip.samples, clip.phase, engine, catalogue.clone())?;
            rows.push(Row {
                cpu_s: sys::cpu_seconds() - cpu0,
                clip,
                got,
            });
        }
        Ok(rows)
    })
    .await
    .context("the benchmark stopped")??;
    report(&args, &rows, started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn keep(dir: &std::path::Path, clips: &[Clip]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut labels = String::from("file\tclass\treason\tphase\ttext\n");
    for c in clips {
        let file = format!("{}.wav", c.name);
        waihu_speech::wav::write_wav_8k_mono(dir.join(&file), &c.samples)?;
        labels.push_str(&format!(
            "{file}\t{}\t{}\t{}\t{}\n",
            c.class,
            c.reason.map(|r| r.as_str()).unwrap_or("-"),
            c.phase.as_str(),
            c.text.as_deref().unwrap_or("-")
        ));
    }
    std::fs::write(dir.join("labels.tsv"), labels)?;
    Ok(())
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        return "–".into();
    }
    format!("{:.1} % ({n}/{d})", n as f64 * 100.0 / d as f64)
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}

fn right(r: &Row) -> bool {
    r.got.decision.class == LineClass::Announcement
}

fn exact(r: &Row) -> bool {
    right(r) && r.got.decision.reason == r.clip.reason
}

fn report(args: &BenchLineArgs, rows: &[Row], wall_s: f64) {
    let split = match args.split {
        Split::Dev => "dev",
        Split::Heldout => "held-out",
    };
    println!(
        "{} clips ({split}, {} renditions), recogniser {}, {:.0} s",
        rows.len(),
        args.renditions,
        if args.no_asr {
            "off"
        } else if args.oracle_text {
            "replaced by the true text"
        } else {
            "on"
        },
        wall_s
    );
    println!();
    println!("| class | clips | accuracy |");
    println!("|---|---|---|");
    for class in LineClass::ALL {
        let of: Vec<_> = rows.iter().filter(|r| r.clip.class == class).collect();
        let ok = of.iter().filter(|r| r.got.decision.class == class).count();
        println!("| {class} | {} | {} |", of.len(), pct(ok, of.len()));
    }
    println!();
    println!("| announcement reason | clips | class right | class and reason right |");
    println!("|---|---|---|---|");
    let ann: Vec<_> = rows
        .iter()
        .filter(|r| r.clip.class == LineClass::Announcement)
        .collect();
    for reason in Reason::ALL {
        let of: Vec<_> = ann
            .iter()
            .filter(|r| r.clip.reason == Some(reason))
            .copied()
            .collect();
        println!(
            "| {reason} | {} | {} | {} |",
            of.len(),
            pct(of.iter().filter(|r| right(r)).count(), of.len()),
            pct(of.iter().filter(|r| exact(r)).count(), of.len())
        );
    }
    println!(
        "| **all** | {} | {} | {} |",
        ann.len(),
        pct(ann.iter().filter(|r| right(r)).count(), ann.len()),
        pct(ann.iter().filter(|r| exact(r)).count(), ann.len())
    );
    println!();
    println!("Confusion matrix (rows: truth, columns: decided):");
    println!();
    print!("| truth \\ decided |");
    for c in LineClass::ALL {
        print!(" {c} |");
    }
    println!();
    println!("|---|{}", "---|".repeat(LineClass::ALL.len()));
    for truth in LineClass::ALL {
        let mut counts: BTreeMap<LineClass, usize> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.clip.class == truth) {
            *counts.entry(r.got.decision.class).or_default() += 1;
        }
        print!("| {truth} |");
        for c in LineClass::ALL {
            print!(" {} |", counts.get(&c).copied().unwrap_or(0));
        }
        println!();
    }
    println!();
    let humans: Vec<_> = rows
        .iter()
        .filter(|r| r.clip.class == LineClass::Human)
        .collect();
    let kept = humans
        .iter()
        .filter(|r| r.got.decision.class == LineClass::Human)
        .count();
    let vm: Vec<_> = rows
        .iter()
        .filter(|r| r.clip.class == LineClass::Voicemail)
        .collect();
    let vm_ok = vm
        .iter()
        .filter(|r| r.got.decision.class == LineClass::Voicemail)
        .count();
    let rb: Vec<_> = rows
        .iter()
        .filter(|r| r.clip.class == LineClass::Ringback)
        .collect();
    let rb_bad = rb
        .iter()
        .filter(|r| {
            matches!(
                r.got.decision.class,
                LineClass::Announcement | LineClass::Human | LineClass::Voicemail | LineClass::Fax
            )
        })
        .count();
    let ann_exact = ann.iter().filter(|r| exact(r)).count();
    let ann_class = ann.iter().filter(|r| right(r)).count();
    let target = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("Targets:");
    println!(
        "- persons kept as persons (100 %): {} — {}",
        pct(kept, humans.len()),
        target(kept == humans.len())
    );
    println!(
        "- announcement class (≥ 95 %): {} — {}; class and reason: {} — {}",
        pct(ann_class, ann.len()),
        target(ann_class * 100 >= ann.len() * 95),
        pct(ann_exact, ann.len()),
        target(ann_exact * 100 >= ann.len() * 95)
    );
    println!(
        "- voicemail recall (≥ 90 %): {} — {}",
        pct(vm_ok, vm.len()),
        target(vm_ok * 100 >= vm.len() * 90)
    );
    println!(
        "- ringback taken for an answer or a cancel (never): {rb_bad} of {} — {}",
        rb.len(),
        target(rb_bad == 0)
    );
    let mut answered: Vec<f64> = rows
        .iter()
        .filter(|r| r.clip.phase == Phase::Answered)
        .map(|r| r.got.decision.decided_ms as f64)
        .collect();
    let mut early: Vec<f64> = rows
        .iter()
        .filter(|r| r.clip.phase == Phase::Early)
        .map(|r| r.got.decision.decided_ms as f64)
        .collect();
    let n_answered = answered.len();
    let p95 = quantile(&mut answered, 0.95);
    println!(
        "- decision after the answer ({n_answered} clips): p50 {:.0} ms, p95 {p95:.0} ms (target p95 ≤ 3000 ms — {})",
        quantile(&mut answered, 0.5),
        target(p95 <= 3000.0)
    );
    println!(
        "- decision in early media ({} clips): p50 {:.0} ms, p95 {:.0} ms",
        early.len(),
        quantile(&mut early, 0.5),
        quantile(&mut early, 0.95)
    );
    let mut cpu: Vec<f64> = rows.iter().map(|r| r.cpu_s * 1000.0).collect();
    let calls: usize = rows.iter().map(|r| r.got.asr_calls).sum();
    println!(
        "- CPU per classified clip (recognition included): mean {:.0} ms, p50 {:.0} ms, p95 {:.0} ms; recogniser calls per clip {:.2}",
        cpu.iter().sum::<f64>() / cpu.len().max(1) as f64,
        quantile(&mut cpu, 0.5),
        quantile(&mut cpu, 0.95),
        calls as f64 / rows.len().max(1) as f64
    );
    if args.errors {
        println!();
        for r in rows {
            let d = &r.got.decision;
            if d.class != r.clip.class || d.reason != r.clip.reason {
                println!(
                    "{}\t{}/{}\tgot {}/{} by {} at {} ms\theard {:?}\t{}",
                    r.clip.name,
                    r.clip.class,
                    r.clip.reason.map(|x| x.as_str()).unwrap_or("-"),
                    d.class,
                    d.reason.map(|x| x.as_str()).unwrap_or("-"),
                    d.signal.as_str(),
                    d.decided_ms,
                    r.got.transcript.as_deref().unwrap_or(""),
                    r.clip.text.as_deref().unwrap_or("")
                );
            }
        }
    }
}
