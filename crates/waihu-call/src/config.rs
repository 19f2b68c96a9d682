//! Tuning of a conversation: end-pointing (fixed and adaptive), barge-in
//! and its echo guard, and the call's hard limits.

use std::time::Duration;

use waihu_speech::vad::VadConfig;

/// How one conversation listens, interrupts and ends.
#[derive(Debug, Clone)]
pub struct ConversationConfig {
    /// The end-pointer: `end_silence_ms` is the pause that ends an utterance
    /// (default 700 ms); `max_utterance_ms` caps any utterance (a node's
    /// `listen.max_speech_ms` can only shorten it).
    pub vad: VadConfig,
    /// Adaptive end-pointing: after this much silence the audio so far is
    /// recognised speculatively, and if its intent is confident the robot
    /// answers at once instead of waiting for `vad.end_silence_ms`. `None`
    /// disables it (every utterance waits for the full pause).
    pub speculative_pause_ms: Option<u64>,
    /// The lowest intent score that counts as confident for a speculative
    /// answer.
    pub speculative_min_score: f32,
    /// Speech must last this long while the robot talks before it counts
    /// as a barge-in (a cough or a short "嗯" should not stop the robot).
    pub barge_in_min_ms: u64,
    /// Echo guard: while the robot plays, a callee frame counts as speech
    /// only if its level is at least this fraction of the robot's level at
    /// that moment (0.35 ≈ −9 dB; telephone echo returns 10 dB or more
    /// below the robot, the callee's own voice near or above it).
    pub echo_ratio: f32,
    /// How far back the echo guard looks at the robot's audio (the echo
    /// path delay of the line).
    pub echo_window_ms: u64,
    /// Hang up after this long, whatever the script says.
    pub max_duration: Duration,
    /// Trim leading and trailing silence from synthesised prompts (answers
    /// start sooner and the callee's end-pointer sees one utterance).
    pub trim_prompt_silence: bool,
}

impl Default for ConversationConfig {
    fn default() -> Self {
        Self {
            vad: VadConfig::default(),
            speculative_pause_ms: Some(300),
            speculative_min_score: 0.6,
            barge_in_min_ms: 200,
            echo_ratio: 0.35,
            echo_window_ms: 200,
            max_duration: Duration::from_secs(600),
            trim_prompt_silence: true,
        }
    }
}
