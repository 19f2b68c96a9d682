//! espeak-ng synthesis through the `Tts` trait.

use waihu_speech::tts::{Lang, Tts};

use crate::audio::{espeak, ms, rms, tone_amplitude};

#[test]
fn mandarin_sentence_is_audible_8k_speech_of_plausible_length() {
    // 16 syllables; espeak-ng at 175 wpm speaks roughly 4–5 per second.
    let text = "您好，我是智能客服小王，请问您现在方便吗？";
    let audio = espeak().synthesize(text, Lang::Mandarin).unwrap();
    let dur = ms(audio.len());
    assert!((2_000..=9_000).contains(&dur), "duration {dur} ms");
    assert!(rms(&audio) > 500.0, "rms {}", rms(&audio));
    // Resampled to 8 kHz properly: a 3.9 kHz component would be aliasing
    // residue; speech energy sits lower.
    assert!(tone_amplitude(&audio, 3_950.0) < rms(&audio) / 10.0);
}

#[test]
fn english_sentence_is_audible_8k_speech_of_plausible_length() {
    let text = "Hello, this is an automated call. Is now a good time to talk?";
    let audio = espeak().synthesize(text, Lang::English).unwrap();
    let dur = ms(audio.len());
    assert!((2_000..=8_000).contains(&dur), "duration {dur} ms");
    assert!(rms(&audio) > 500.0, "rms {}", rms(&audio));
}

#[test]
fn longer_text_gives_longer_audio_and_cache_is_consistent() {
    let short = espeak().synthesize("好的", Lang::Mandarin).unwrap();
    let long = espeak()
        .synthesize("好的，我明白了，谢谢您的耐心解答，再见", Lang::Mandarin)
        .unwrap();
    assert!(
        long.len() > short.len() * 3,
        "{} vs {}",
        long.len(),
        short.len()
    );
    let again = espeak().synthesize("好的", Lang::Mandarin).unwrap();
    assert_eq!(short, again);
    // The same text in another language is synthesised separately.
    let en = espeak().synthesize("好的", Lang::English).unwrap();
    assert_ne!(short, en);
}

#[test]
fn empty_text_is_empty_audio() {
    assert!(espeak()
        .synthesize("  ", Lang::Mandarin)
        .unwrap()
        .is_empty());
}

#[test]
fn text_starting_with_a_dash_is_spoken_not_parsed_as_an_option() {
    let audio = espeak().synthesize("-v xx --help", Lang::English).unwrap();
    assert!(rms(&audio) > 300.0);
}

#[test]
fn voice_variants_and_pitch_change_the_voice_and_odd_names_are_ignored() {
    use waihu_speech::tts::EspeakTts;
    let text = "请问您是哪位";
    let plain = espeak().synthesize(text, Lang::Mandarin).unwrap();
    let female = EspeakTts::new()
        .unwrap()
        .with_variant("f2")
        .synthesize(text, Lang::Mandarin)
        .unwrap();
    let high = EspeakTts::new()
        .unwrap()
        .with_pitch(80)
        .synthesize(text, Lang::Mandarin)
        .unwrap();
    assert_ne!(plain, female);
    assert_ne!(plain, high);
    assert!(rms(&female) > 300.0 && rms(&high) > 300.0);
    // Anything but a plain variant name is dropped, never passed to espeak-ng.
    let odd = EspeakTts::new()
        .unwrap()
        .with_variant("f2 --help")
        .synthesize(text, Lang::Mandarin)
        .unwrap();
    assert_eq!(odd, plain);
}
