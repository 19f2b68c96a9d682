//! Intent recognition: what did the callee mean? Chinese first (jieba tokens,
//! keywords, regular expressions, negation scope, pinyin for ASR homophones),
//! English second (stemmed token phrases, negation). Every answer carries a
//! score and the id of the rule that decided it, so it can be explained.

mod english;
pub mod llm;
mod model;
pub mod openai;
mod phonetic;
mod recognizer;
mod rules;

pub use model::{features, IntentModel};
pub use phonetic::pinyin_syllable;
pub use recognizer::{
    Opinion, Recognition, Recognizer, RecognizerError, MODEL_FILL, MODEL_OPT_OUT, MODEL_RULE,
};
pub use rules::{IntentPatterns, RuleKind, RuleSpec};

/// The built-in intent labels, in the order the docs list them.
pub const BUILTIN: [&str; 11] = [
    AFFIRM,
    REJECT,
    OPT_OUT,
    BUSY_LATER,
    ASK_IDENTITY,
    ASK_NUMBER_SOURCE,
    ASK_IS_ROBOT,
    ASK_REPEAT,
    OBJECT_RECORDING,
    COMPLAINT,
    UNKNOWN,
];

/// Yes / interested / go on.
pub const AFFIRM: &str = "affirm";
/// No / not interested.
pub const REJECT: &str = "reject";
/// Stop contacting me.
pub const OPT_OUT: &str = "opt_out";
/// Busy now, call later.
pub const BUSY_LATER: &str = "busy_later";
/// Who are you / which company.
pub const ASK_IDENTITY: &str = "ask_identity";
/// How did you get my number.
pub const ASK_NUMBER_SOURCE: &str = "ask_number_source";
/// Are you a robot.
pub const ASK_IS_ROBOT: &str = "ask_is_robot";
/// Say that again.
pub const ASK_REPEAT: &str = "ask_repeat";
/// Do not record me.
pub const OBJECT_RECORDING: &str = "object_recording";
/// I will complain / report you.
pub const COMPLAINT: &str = "complaint";
/// Nothing recognised.
pub const UNKNOWN: &str = "unknown";
/// The label of a callee turn with no speech.
pub const SILENCE: &str = "silence";

/// True for one of the [`BUILTIN`] labels.
pub fn is_builtin(label: &str) -> bool {
    BUILTIN.contains(&label)
}

/// Precedence when one utterance carries several intents: higher wins.
/// `opt_out` > `complaint` > `object_recording` is fixed by the product; below
/// them questions outrank busy, and busy outranks plain yes/no, because a
/// question or a constraint is more specific than an attitude.
pub fn tier(label: &str) -> u8 {
    match label {
        OPT_OUT => 100,
        COMPLAINT => 90,
        OBJECT_RECORDING => 80,
        ASK_NUMBER_SOURCE => 70,
        ASK_IS_ROBOT => 65,
        ASK_IDENTITY => 60,
        ASK_REPEAT => 55,
        BUSY_LATER => 40,
        AFFIRM | REJECT => 30,
        UNKNOWN => 0,
        // Script intents and knowledge-base questions are specific to the script.
        _ => 50,
    }
}
