//! `waihu line classify`: WAV files of any rate made here (espeak-ng speech,
//! a synthesised SIT) classified by the binary; bad files get a clear error.
//! The tests with the recogniser need the Whisper model.

use crate::support::{err, out, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

const RATE: u32 = 22_050;

/// espeak-ng's own output (22.05 kHz), as samples.
fn espeak(dir: &Path, voice: &str, text: &str) -> Vec<i16> {
    let path = dir.join("say.wav");
    let ok = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng runs (apt-get install espeak-ng)")
        .success();
    assert!(ok);
    let mut r = hound::WavReader::open(&path).unwrap();
    assert_eq!(r.spec().sample_rate, RATE);
    r.samples::<i16>().map(|s| s.unwrap()).collect()
}

fn tone(hz: f64, ms: u32) -> Vec<i16> {
    let n = RATE * ms / 1000;
    (0..n)
        .map(|i| (8000.0 * (2.0 * std::f64::consts::PI * hz * i as f64 / RATE as f64).sin()) as i16)
        .collect()
}

fn silence(ms: u32) -> Vec<i16> {
    vec![0; (RATE * ms / 1000) as usize]
}

fn write(dir: &Path, name: &str, parts: &[Vec<i16>]) -> PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for s in parts.concat() {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    path
}

/// A vacant-code SIT (985.2 long, 1370.6 short, 1776.7 long), then the
/// carrier's line, twice.
fn sit_announcement(dir: &Path) -> PathBuf {
    let line = espeak(
        dir,
        "cmn-latn-pinyin",
        "nin2 bo1 da3 de5 hao4 ma3 shi4 kong1 hao4",
    );
    write(
        dir,
        "sit.wav",
        &[
            silence(300),
            tone(985.2, 380),
            tone(1370.6, 274),
            tone(1776.7, 380),
            silence(300),
            line.clone(),
            silence(1000),
            line,
        ],
    )
}

/// "喂？" and a person waiting.
fn wei(dir: &Path) -> PathBuf {
    let wei = espeak(dir, "cmn-latn-pinyin", "wei2?");
    write(dir, "wei.wav", &[silence(400), wei, silence(4000)])
}

fn classify(env: &Env, file: &Path, phase: &str, extra: &[&str]) -> serde_json::Value {
    let file = file.to_str().unwrap();
    let mut args = vec!["line", "classify", file, "--phase", phase, "--json"];
    args.extend(extra);
    env.json(&args)
}

#[test]
fn classifies_from_tones_and_pauses_without_recognition() {
    let env = Env::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let v = classify(&env, &sit_announcement(dir.path()), "early", &["--no-asr"]);
    assert_eq!(v["class"], "announcement", "{v}");
    assert_eq!(v["reason"], "vacant_number", "{v}");
    assert!(v["decided_ms"].as_u64().unwrap() < 1500, "{v}");
    assert_eq!(v["transcript"], serde_json::Value::Null);
    let v = classify(&env, &wei(dir.path()), "answered", &["--no-asr"]);
    assert_eq!(v["class"], "human", "{v}");
    assert_eq!(v["reason"], serde_json::Value::Null);
    // The same audio while ringing is no person: still ringing.
    assert_eq!(
        classify(&env, &wei(dir.path()), "early", &["--no-asr"])["class"],
        "ringback"
    );
}

#[test]
fn bad_files_get_a_clear_error() {
    let env = Env::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.wav");
    std::fs::write(&bad, "not audio at all").unwrap();
    let o = env.run(
        &[
            "line",
            "classify",
            bad.to_str().unwrap(),
            "--phase",
            "answered",
            "--no-asr",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        err(&o).contains("notes.wav") && err(&o).contains("not a usable WAV or MP3"),
        "{}",
        err(&o)
    );
    assert!(out(&o).is_empty());
    let missing = dir.path().join("missing.wav");
    let o = env.run(
        &[
            "line",
            "classify",
            missing.to_str().unwrap(),
            "--phase",
            "answered",
        ],
        None,
    );
    assert!(
        !o.status.success() && err(&o).contains("cannot read"),
        "{}",
        err(&o)
    );
    let o = env.run(
        &[
            "line",
            "classify",
            missing.to_str().unwrap(),
            "--phase",
            "ringing",
        ],
        None,
    );
    assert!(
        !o.status.success() && err(&o).contains("ringing"),
        "{}",
        err(&o)
    );
}

fn model() -> String {
    std::env::var("WAIHU_ASR_MODEL").unwrap_or_else(|_| {
        panic!(
            "WAIHU_ASR_MODEL is not set: run scripts/fetch-asr-model.sh and set it to the path it prints"
        )
    })
}

#[test]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh (WAIHU_ASR_MODEL)"]
fn classifies_with_the_recogniser() {
    let env = Env::sqlite();
    let model = model();
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &Path, phase: &str| -> serde_json::Value {
        let o = crate::support::run_cmd(
            env.cmd()
                .env("WAIHU_SPEECH__MODEL", &model)
                .args(["line", "classify"])
                .arg(file)
                .args(["--phase", phase, "--json"]),
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        serde_json::from_str(out(&o).trim()).unwrap()
    };
    let v = run(&sit_announcement(dir.path()), "early");
    assert_eq!(
        (v["class"].as_str(), v["reason"].as_str()),
        (Some("announcement"), Some("vacant_number")),
        "{v}"
    );
    let v = run(&wei(dir.path()), "answered");
    assert_eq!(v["class"], "human", "{v}");
    assert!(v["decided_ms"].as_u64().unwrap() <= 3000, "{v}");
}
