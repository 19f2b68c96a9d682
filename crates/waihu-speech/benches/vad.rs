//! VAD benchmark: cost per 20 ms frame of the end-pointer (libfvad plus the
//! level gates) on synthesised speech with pauses, i.e. how many call
//! directions one core can watch.
//!
//! Run: `cargo bench -p waihu-speech --bench vad --no-default-features`

use std::time::Instant;

use waihu_speech::tts::{EspeakTts, Lang, Tts};
use waihu_speech::vad::{Vad, VadConfig, FRAME_SAMPLES};

fn main() {
    let tts = EspeakTts::new().expect("espeak-ng is needed");
    let mut audio = Vec::new();
    for phrase in ["您好，请问您现在方便吗", "不需要，谢谢", "好的，你说吧"]
    {
        audio.extend(tts.synthesize(phrase, Lang::Mandarin).expect("tts"));
        audio.extend(vec![0i16; 8000]);
    }
    let frames: Vec<&[i16]> = audio.chunks_exact(FRAME_SAMPLES).collect();
    let rounds = 200;
    let mut vad = Vad::new(VadConfig::default());
    let mut events = 0usize;
    let started = Instant::now();
    for round in 0..rounds {
        for (i, frame) in frames.iter().enumerate() {
            let t = ((round * frames.len() + i) * 20) as u64;
            events += usize::from(vad.push(frame, t).is_some());
        }
    }
    let elapsed = started.elapsed();
    let n = rounds * frames.len();
    let per_frame_ns = elapsed.as_nanos() as f64 / n as f64;
    println!(
        "{n} frames ({:.0} s of audio), {events} events: {per_frame_ns:.0} ns per 20 ms frame; \
         one core keeps up with {:.0} streams",
        n as f64 * 0.02,
        20e6 / per_frame_ns
    );
}
