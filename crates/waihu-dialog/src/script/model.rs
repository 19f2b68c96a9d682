//! The typed script. Field names are the YAML keys (documented in
//! docs/scripts.md and schemas/script.schema.json); unknown keys are errors.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A dialog script.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// Human name of the script.
    pub name: String,
    /// `zh` or `en`: the language of the robot's lines.
    #[serde(default = "default_language")]
    pub language: String,
    /// Who is calling; `{business_name}` in texts.
    pub business: Business,
    /// Contact fields the texts may use, e.g. `name`, `product`.
    #[serde(default)]
    pub variables: Vec<String>,
    /// DTMF key that opts out at any node (announced in the disclosure).
    #[serde(default = "default_opt_out_dtmf")]
    pub opt_out_dtmf: String,
    /// The call ends with outcome `max_turns` after this many callee turns.
    pub max_turns: Option<u32>,
    /// The call ends with outcome `max_duration` after this many seconds.
    pub max_duration_secs: Option<u32>,
    /// Utterances recognised with lower ASR confidence count as `unknown`.
    #[serde(default)]
    pub min_confidence: f32,
    /// Said before hanging up on a limit (turns or duration).
    pub goodbye: Option<String>,
    /// The first node: the disclosure.
    pub start: String,
    /// The flow graph, by node id.
    pub nodes: BTreeMap<String, Node>,
    /// Handlers that apply at every node, by intent.
    #[serde(default)]
    pub global: BTreeMap<String, Handler>,
    /// The script's own intents, by label.
    #[serde(default)]
    pub intents: BTreeMap<String, IntentDef>,
    /// The knowledge base (FAQ).
    #[serde(default)]
    pub knowledge: Vec<KbEntry>,
    /// Lead grading rules, tried in order before the defaults.
    #[serde(default)]
    pub grading: Vec<GradeRule>,
}

fn default_language() -> String {
    "zh".into()
}
fn default_opt_out_dtmf() -> String {
    "9".into()
}
fn default_true() -> bool {
    true
}
fn default_timeout() -> u32 {
    5000
}
fn default_max_speech() -> u32 {
    15000
}
fn default_repeats() -> u32 {
    2
}

/// The business on whose behalf the robot calls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Business {
    /// Name spoken in the disclosure (`{business_name}`).
    pub name: String,
    /// A call-back number (`{business_phone}`).
    pub phone: Option<String>,
}

/// One node of the flow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// This is the disclosure (must be the start node; never interruptible).
    #[serde(default)]
    pub disclosure: bool,
    /// What the robot says on entering the node.
    pub say: Option<Say>,
    /// Said instead of `say.text` when the node is repeated or resumed.
    pub reprompt: Option<String>,
    /// Listen after speaking; absent on end nodes and pass-through nodes.
    pub listen: Option<Listen>,
    /// Trigger → target node id, or `repeat`. Triggers: intents, `silence`,
    /// `unknown`, `dtmf:N`, `default`.
    #[serde(default)]
    pub branches: BTreeMap<String, String>,
    /// For a node that does not listen: the node that follows at once.
    pub next: Option<String>,
    /// Makes this an end node with this outcome tag.
    pub end: Option<String>,
    /// Repeat limit for `repeat` branches.
    pub repeat: Option<Repeat>,
    /// Tags set when the node is entered (e.g. `interested`).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What the robot says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Say {
    /// TTS text with `{variables}`; also the transcript of a recorded prompt.
    pub text: Option<String>,
    /// A recorded prompt file, relative to the script file.
    pub audio: Option<String>,
    /// A prompt id in the prompt library.
    pub prompt: Option<String>,
    /// Whether the callee may barge in (the disclosure never may).
    #[serde(default = "default_true")]
    pub interruptible: bool,
}

/// How to listen after speaking.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    /// No-input timeout in milliseconds.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    /// Longest callee utterance in milliseconds.
    #[serde(default = "default_max_speech")]
    pub max_speech_ms: u32,
    /// Whether speech during the prompt interrupts it.
    #[serde(default = "default_true")]
    pub barge_in: bool,
}

/// Repeat limit: re-prompt at most `max` times, then go to `fallback`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// Maximum re-prompts at this node.
    #[serde(default = "default_repeats")]
    pub max: u32,
    /// Node after the last re-prompt.
    pub fallback: String,
}

/// A global handler: say something, then go to a node or resume where the callee was.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handler {
    /// The answer.
    pub say: Option<String>,
    /// The node to go to; absent = re-ask the current node.
    pub goto: Option<String>,
}

/// A script-defined intent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentDef {
    /// Keywords / phrases (Chinese ones also match by pinyin).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Whole words.
    #[serde(default)]
    pub words: Vec<String>,
    /// Regular expressions over the normalised text.
    #[serde(default)]
    pub regex: Vec<String>,
}

/// A knowledge-base entry: question variants → answer, then back.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KbEntry {
    /// Stable id; the intent label is `kb:<id>`.
    pub id: String,
    /// Ways a callee asks it (matched as keywords).
    pub questions: Vec<String>,
    /// The answer (may use variables).
    pub answer: String,
    /// Optional node to go to after answering; default: resume.
    pub goto: Option<String>,
}

/// A grading rule: when every given condition holds, the lead gets `grade`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeRule {
    /// `A`..`F`.
    pub grade: String,
    /// Why, shown to agents.
    pub reason: String,
    /// Conditions (all must hold; empty = always).
    #[serde(default)]
    pub when: GradeWhen,
}

/// Conditions of a grading rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeWhen {
    /// Some of these nodes were visited.
    #[serde(default)]
    pub reached_any: Vec<String>,
    /// The outcome is one of these.
    #[serde(default)]
    pub outcome_any: Vec<String>,
    /// Some of these intents were seen.
    #[serde(default)]
    pub intents_any: Vec<String>,
    /// None of these intents were seen.
    #[serde(default)]
    pub intents_none: Vec<String>,
    /// At least this many callee turns.
    pub min_turns: Option<u32>,
    /// At most this many callee turns.
    pub max_turns: Option<u32>,
    /// The callee said one of these words.
    #[serde(default)]
    pub keywords_any: Vec<String>,
    /// The call lasted at least this long.
    pub min_duration_secs: Option<u32>,
}

/// Variables every script may use without declaring them.
pub const BUILTIN_VARIABLES: [&str; 3] = ["business_name", "business_phone", "opt_out_dtmf"];

/// Outcome tags the interpreter sets itself; end nodes may not use them
/// (except `opt_out`, on the node the `opt_out` handler leads to).
pub const RESERVED_OUTCOMES: [&str; 4] = ["hangup", "max_turns", "max_duration", "opt_out"];

impl Script {
    /// The `{placeholders}` used in a text, in order.
    pub fn placeholders(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j) => {
                    let name = &after[..j];
                    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        out.push(name);
                    }
                    rest = &after[j + 1..];
                }
                None => break,
            }
        }
        out
    }

    /// Replaces `{var}` with values; unknown variables become empty.
    pub fn fill(text: &str, vars: &BTreeMap<String, String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j) if after[..j].chars().all(|c| c.is_alphanumeric() || c == '_') => {
                    out.push_str(vars.get(&after[..j]).map(String::as_str).unwrap_or(""));
                    rest = &after[j + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_fill() {
        assert_eq!(
            Script::placeholders("您好{name}，{ bad }{product}"),
            ["name", "product"]
        );
        let vars = BTreeMap::from([("name".to_string(), "张先生".to_string())]);
        assert_eq!(Script::fill("您好{name}{x}{", &vars), "您好张先生{");
    }
}
