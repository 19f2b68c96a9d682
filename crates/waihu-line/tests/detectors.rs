//! Table tests of each detector on synthesised tones, through the whole
//! classifier (no transcripts): what each tone is, and that speech-like audio
//! is not taken for any tone.

use waihu_line::detect::sit::SitPattern;
use waihu_line::synth::{self, Rng};
use waihu_line::{classify_audio, LineClass, Phase, Reason, Signal};

/// Telephone treatment: noise at -50 dBFS and a μ-law round trip.
fn line(audio: Vec<i16>, seed: u64) -> Vec<i16> {
    let mut rng = Rng::new(seed);
    let n = synth::noise(&mut rng, audio.len(), 0.003);
    synth::ulaw_roundtrip(&synth::mix(&audio, &n))
}

fn cat(parts: &[Vec<i16>]) -> Vec<i16> {
    parts.concat()
}

#[test]
fn every_sit_pattern_is_an_announcement_with_its_reason() {
    for (i, pattern) in SitPattern::ALL.into_iter().enumerate() {
        for phase in [Phase::Early, Phase::Answered] {
            let audio = line(
                cat(&[
                    synth::silence(300),
                    synth::sit(pattern, 0.5),
                    synth::silence(2000),
                ]),
                i as u64,
            );
            let d = classify_audio(&audio, phase);
            assert_eq!(
                d.class,
                LineClass::Announcement,
                "{pattern:?} {phase:?}: {d:?}"
            );
            assert_eq!(d.reason, Some(pattern.reason()), "{pattern:?}");
            assert_eq!(d.signal, Signal::Sit);
            // Decided at the third segment, not at the end of the clip.
            assert!(d.decided_ms < 1500, "{pattern:?}: {d:?}");
        }
    }
    assert_eq!(SitPattern::VacantCode.reason(), Reason::VacantNumber);
}

#[test]
fn ring_cadences_are_ringback() {
    type Row<'a> = (&'a str, &'a [f64], &'a [(u64, u64)]);
    let table: &[Row] = &[
        ("China 450 Hz 1 s / 4 s", &[450.0], &[(1000, 4000)]),
        ("Europe 425 Hz 1 s / 4 s", &[425.0], &[(1000, 4000)]),
        (
            "North America 440+480 Hz 2 s / 4 s",
            &[440.0, 480.0],
            &[(2000, 4000)],
        ),
        ("UK 400+450 Hz", &[400.0, 450.0], &[(400, 200), (400, 2000)]),
    ];
    for (i, (name, freqs, pattern)) in table.iter().enumerate() {
        for offset in [0, 300, 2500] {
            let audio = line(
                synth::cadence(freqs, pattern, offset, 12_000, 0.4),
                i as u64,
            );
            // After the answer only from the start: seconds of quiet first are dead air.
            let phases: &[Phase] = if offset == 0 {
                &[Phase::Early, Phase::Answered]
            } else {
                &[Phase::Early]
            };
            for &phase in phases {
                let d = classify_audio(&audio, phase);
                assert_eq!(
                    d.class,
                    LineClass::Ringback,
                    "{name} offset {offset} {phase:?}: {d:?}"
                );
                assert_eq!(d.signal, Signal::RingTone, "{name}: {d:?}");
            }
        }
    }
}

#[test]
fn music_is_ringback() {
    for seed in 1..=4 {
        let audio = line(synth::music(&mut Rng::new(seed), 8000, 0.5), seed);
        let d = classify_audio(&audio, Phase::Early);
        assert_eq!(
            (d.class, d.signal),
            (LineClass::Ringback, Signal::Music),
            "seed {seed}: {d:?}"
        );
    }
}

#[test]
fn fax_tones_are_fax() {
    let cng = line(synth::cadence(&[1100.0], &[(500, 3000)], 0, 8000, 0.4), 1);
    let ced = line(
        cat(&[
            synth::silence(200),
            synth::tone(&[2100.0], 3300, 0.4),
            synth::silence(1000),
        ]),
        2,
    );
    for (name, audio) in [("CNG", cng), ("CED", ced)] {
        let d = classify_audio(&audio, Phase::Answered);
        assert_eq!(
            (d.class, d.signal),
            (LineClass::Fax, Signal::FaxTone),
            "{name}: {d:?}"
        );
    }
}

#[test]
fn speech_like_audio_is_not_a_tone() {
    for seed in 1..=6 {
        let audio = line(synth::babble(&mut Rng::new(seed), 6000, 0.5), seed);
        for phase in [Phase::Early, Phase::Answered] {
            let d = classify_audio(&audio, phase);
            assert!(
                matches!(d.signal, Signal::Default | Signal::Pause),
                "babble seed {seed} {phase:?} was taken for {d:?}"
            );
        }
        // After the answer, talk nobody recognised is a person.
        assert_eq!(
            classify_audio(&audio, Phase::Answered).class,
            LineClass::Human
        );
    }
}

#[test]
fn a_beep_after_speech_is_voicemail_but_not_before() {
    let mut rng = Rng::new(7);
    let greeting = synth::babble(&mut rng, 3000, 0.5);
    let audio = line(
        cat(&[
            greeting.clone(),
            synth::silence(300),
            synth::tone(&[1000.0], 500, 0.4),
            synth::silence(2000),
        ]),
        3,
    );
    let d = classify_audio(&audio, Phase::Answered);
    assert_eq!(
        (d.class, d.signal),
        (LineClass::Voicemail, Signal::Beep),
        "{d:?}"
    );
    // The same beep with no speech before is no voicemail.
    let audio = line(
        cat(&[
            synth::tone(&[1000.0], 500, 0.4),
            synth::silence(500),
            greeting,
        ]),
        3,
    );
    assert_ne!(
        classify_audio(&audio, Phase::Answered).class,
        LineClass::Voicemail
    );
}

#[test]
fn a_short_greeting_and_a_pause_is_a_person() {
    let mut rng = Rng::new(9);
    let audio = line(
        cat(&[
            synth::silence(400),
            synth::babble(&mut rng, 600, 0.5),
            synth::silence(4000),
        ]),
        4,
    );
    let d = classify_audio(&audio, Phase::Answered);
    assert_eq!(
        (d.class, d.signal),
        (LineClass::Human, Signal::Pause),
        "{d:?}"
    );
    assert!(d.decided_ms < 2500, "{d:?}");
    // While ringing the same audio is no person.
    assert_eq!(
        classify_audio(&audio, Phase::Early).class,
        LineClass::Ringback
    );
}

#[test]
fn dead_air_is_silence() {
    let audio = line(synth::silence(5000), 5);
    let d = classify_audio(&audio, Phase::Answered);
    assert_eq!(
        (d.class, d.signal),
        (LineClass::Silence, Signal::DeadAir),
        "{d:?}"
    );
    assert_eq!(d.decided_ms, 3000);
}

#[test]
fn a_beep_after_a_short_greeting_is_no_machine() {
    // A person says "喂，你好" (1.5 s) and their phone beeps (call waiting):
    // still a person.
    let mut rng = Rng::new(11);
    let audio = line(
        cat(&[
            synth::babble(&mut rng, 1500, 0.5),
            synth::silence(300),
            synth::tone(&[450.0], 400, 0.3),
            synth::silence(3000),
        ]),
        6,
    );
    assert_eq!(
        classify_audio(&audio, Phase::Answered).class,
        LineClass::Human
    );
}
