//! The VAD on real synthesised speech with known silences between phrases.

use waihu_speech::tts::{Lang, Tts};
use waihu_speech::vad::{segments, Vad, VadConfig, VadEvent, FRAME_SAMPLES};

use crate::audio::{active_bounds, espeak, ms, silence};

/// Builds silence + phrase + silence + ... and returns the audio with the
/// true (start_ms, end_ms) of each phrase's audible part.
fn conversation(phrases: &[(&str, Lang)], gap_ms: u64) -> (Vec<i16>, Vec<(u64, u64)>) {
    let mut audio = silence(600);
    let mut truth = Vec::new();
    for (text, lang) in phrases {
        let clip = espeak().synthesize(text, *lang).unwrap();
        let (a, b) = active_bounds(&clip, 200).expect("audible clip");
        let clip = &clip[a..b];
        truth.push((ms(audio.len()), ms(audio.len() + clip.len())));
        audio.extend_from_slice(clip);
        audio.extend(silence(gap_ms));
    }
    (audio, truth)
}

fn assert_matches(found: &[(u64, u64)], truth: &[(u64, u64)]) {
    assert_eq!(found.len(), truth.len(), "found {found:?}, truth {truth:?}");
    for (f, t) in found.iter().zip(truth) {
        assert!(
            f.0.abs_diff(t.0) <= 80,
            "start: found {found:?}, truth {truth:?}"
        );
        assert!(
            f.1.abs_diff(t.1) <= 150,
            "end: found {found:?}, truth {truth:?}"
        );
    }
}

#[test]
fn finds_each_phrase_in_synthesised_speech() {
    let (audio, truth) = conversation(
        &[
            ("不需要", Lang::Mandarin),
            ("我现在没有时间", Lang::Mandarin),
            ("Yes, I am interested", Lang::English),
        ],
        1_500,
    );
    assert_matches(&segments(&audio, VadConfig::default()), &truth);
}

#[test]
fn finds_phrases_over_line_noise() {
    let (mut audio, truth) = conversation(
        &[
            ("好的，可以", Lang::Mandarin),
            ("请问你们是哪家公司", Lang::Mandarin),
        ],
        1_500,
    );
    // Deterministic low-level noise, about -50 dBFS.
    let mut seed: u32 = 12345;
    for s in &mut audio {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = ((seed >> 16) as i32 % 200) - 100;
        *s = s.saturating_add(noise as i16);
    }
    assert_matches(&segments(&audio, VadConfig::default()), &truth);
}

#[test]
fn streaming_events_arrive_after_the_configured_silence() {
    let (audio, truth) = conversation(&[("您好，请讲", Lang::Mandarin)], 1_500);
    for end_silence_ms in [400, 700] {
        let mut vad = Vad::new(VadConfig {
            end_silence_ms,
            ..VadConfig::default()
        });
        let mut events = Vec::new();
        for (i, frame) in audio.chunks(FRAME_SAMPLES).enumerate() {
            let t = i as u64 * 20;
            if let Some(e) = vad.push(frame, t) {
                events.push((t + 20, e));
            }
        }
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(
            matches!(events[0].1, VadEvent::SpeechStart { .. }),
            "{events:?}"
        );
        let (reported_at, VadEvent::SpeechEnd { start_ms, end_ms }) = events[1] else {
            panic!("{events:?}");
        };
        assert!(start_ms.abs_diff(truth[0].0) <= 80, "{events:?} {truth:?}");
        assert!(end_ms.abs_diff(truth[0].1) <= 150, "{events:?} {truth:?}");
        let delay = reported_at - end_ms;
        assert!(
            (end_silence_ms..end_silence_ms + 40).contains(&delay),
            "end reported {delay} ms after speech, wanted {end_silence_ms}"
        );
    }
}
