//! ASR benchmark: time per utterance and real-time factor of the built-in
//! Whisper engine on espeak-ng Mandarin phrases, with the encoder window
//! shrunk to the utterance (the default) and with Whisper's full 30 s
//! window, at 1 and 2 threads, and two decodes in parallel.
//!
//! Run: `WAIHU_ASR_MODEL=$(scripts/fetch-asr-model.sh | tail -n1) cargo bench -p waihu-speech --bench asr`;
//! set `WAIHU_ASR_MODEL_ALT` to a second model (e.g. the Q8_0 one) to
//! compare it under the same conditions.
//! (`--profile dev` also gives representative figures: whisper.cpp is built
//! with opt-level 3 in every profile).

use std::time::{Duration, Instant};

use waihu_speech::asr::{Asr, WhisperAsr, WhisperConfig};
use waihu_speech::tts::{EspeakTts, Lang, Tts};

const PHRASES: &[&str] = &[
    "不需要",
    "好的",
    "我现在没有时间",
    "你们是哪家公司",
    "可以，你说吧",
    "我对这个不感兴趣，谢谢",
];
const ROUNDS: usize = 3;

fn main() {
    let model = std::env::var("WAIHU_ASR_MODEL")
        .expect("set WAIHU_ASR_MODEL to the ggml model (scripts/fetch-asr-model.sh prints it)");
    let tts = EspeakTts::new().expect("espeak-ng is needed");
    let clips: Vec<Vec<i16>> = PHRASES
        .iter()
        .map(|p| {
            let mut audio = vec![0i16; 1600];
            audio.extend(tts.synthesize(p, Lang::Mandarin).expect("tts"));
            audio.extend(vec![0i16; 1600]);
            audio
        })
        .collect();
    let audio_ms: u64 = clips.iter().map(|c| c.len() as u64 / 8).sum();
    println!(
        "{} phrases, {:.1} s of audio, {} rounds",
        clips.len(),
        audio_ms as f64 / 1000.0,
        ROUNDS
    );
    let alt = std::env::var("WAIHU_ASR_MODEL_ALT").ok();
    let mut runs = vec![
        (model.clone(), "shrunk window, 1 thread ", 64, 1),
        (model.clone(), "shrunk window, 2 threads", 64, 2),
        (model.clone(), "full 30 s window, 2 thr.", 1500, 2),
    ];
    if let Some(alt) = &alt {
        runs.push((alt.clone(), "ALT shrunk, 1 thread    ", 64, 1));
    }
    for (path, label, margin, threads) in runs {
        let mut config = WhisperConfig::new(&path);
        config.audio_ctx_margin = margin;
        config.threads = threads;
        let asr = WhisperAsr::new(config).expect("model");
        asr.transcribe(&clips[0]).expect("warm-up");
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            for clip in &clips {
                let t = Instant::now();
                asr.transcribe(clip).expect("transcribe");
                times.push(t.elapsed());
            }
        }
        report(label, &mut times, audio_ms * ROUNDS as u64);
    }

    // Two calls decoding at once, one thread each: throughput on 2 cores.
    for (label, path) in std::iter::once(("", &model)).chain(alt.iter().map(|a| ("ALT ", a))) {
        let mut config = WhisperConfig::new(path);
        config.threads = 1;
        let asr = WhisperAsr::new(config).expect("model");
        asr.transcribe(&clips[0]).expect("warm-up");
        let started = Instant::now();
        let mut times: Vec<Duration> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let mut times = Vec::new();
                        for _ in 0..ROUNDS {
                            for clip in &clips {
                                let t = Instant::now();
                                asr.transcribe(clip).expect("transcribe");
                                times.push(t.elapsed());
                            }
                        }
                        times
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("worker"))
                .collect()
        });
        let wall = started.elapsed();
        report(
            &format!("{label}2 parallel, 1 thread ea."),
            &mut times,
            2 * audio_ms * ROUNDS as u64,
        );
        println!(
            "  throughput: {:.1} s of audio per wall-clock second",
            (2 * audio_ms * ROUNDS as u64) as f64 / 1000.0 / wall.as_secs_f64()
        );
    }
}

fn report(label: &str, times: &mut [Duration], audio_ms: u64) {
    times.sort();
    let total: Duration = times.iter().sum();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_millis();
    println!(
        "{label}: per utterance p50 {} ms, p95 {} ms, max {} ms; RTF {:.3}",
        pick(0.5),
        pick(0.95),
        pick(1.0),
        total.as_secs_f64() / (audio_ms as f64 / 1000.0)
    );
}
