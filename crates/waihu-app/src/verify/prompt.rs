//! The audio of a verification call: nothing but the code. "您的验证码是", the
//! digits one by one, then "再说一遍" and the digits again, three readings in
//! all (`READINGS`) — every phrase a separate
//! utterance with a pause between (the words are the contract with the virtual
//! callee's `hear_code` step, `waihu_callee::code`).

use waihu_callee::code::{CODE_INTRO, CODE_REPEAT, DIGIT_WORDS, GAP_MS, READINGS};
use waihu_speech::tts::{Lang, Tts, TtsError};

/// The phrases spoken for `code` (ASCII digits; anything else is skipped).
pub fn phrases(code: &str) -> Vec<&'static str> {
    let digits: Vec<&'static str> = code
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| DIGIT_WORDS[d as usize])
        .collect();
    let mut out = vec![CODE_INTRO];
    out.extend(&digits);
    for _ in 1..READINGS {
        out.push(CODE_REPEAT);
        out.extend(&digits);
    }
    out
}

/// 8 kHz audio of the whole prompt.
pub fn render(tts: &dyn Tts, code: &str) -> Result<Vec<i16>, TtsError> {
    let gap = vec![0i16; (GAP_MS * 8) as usize];
    let mut out = gap.clone();
    for p in phrases(code) {
        out.extend(tts.synthesize(p, Lang::Mandarin)?);
        out.extend(&gap);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_is_the_code_three_times_and_nothing_else() {
        assert_eq!(
            phrases("105"),
            vec![
                CODE_INTRO,
                "一",
                "零",
                "五",
                CODE_REPEAT,
                "一",
                "零",
                "五",
                CODE_REPEAT,
                "一",
                "零",
                "五"
            ]
        );
    }
}
