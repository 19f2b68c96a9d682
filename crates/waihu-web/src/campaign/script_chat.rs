//! The chat simulator of the script version page: the author types what the
//! callee says and sees the robot's answers, the node it is at, the intent it
//! understood and how sure it was — the same interpreter and text simulator as
//! `waihu script chat` (`waihu_dialog::sim`), on the stored version.
//!
//! No state is kept on the server: the form carries the callee's lines so far
//! (JSON in a hidden field) and every request replays them on a fresh
//! simulator. The replay is deterministic (simulated clock), and the lines are
//! only what the author could type anyway, so the field needs no signature;
//! it is bounded ([`MAX_TURNS`] lines of at most [`MAX_INPUT`] characters).

use crate::error::{AppError, AppResult, ErrorCode};
use std::collections::BTreeMap;
use waihu_dialog::interp::{Action, Event, Interpreter};
use waihu_dialog::sim::{parse_line, render, Simulator};

/// Callee lines one chat may have.
pub const MAX_TURNS: usize = 40;
/// Characters per callee line.
pub const MAX_INPUT: usize = 200;

/// One robot line or event (`[hangup: booked]`, `[tag: interested]`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotLine {
    /// Something the robot says (else an event).
    pub speech: bool,
    /// The text.
    pub text: String,
}

/// One exchange: the callee's line and what followed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatTurn {
    /// As typed (empty: silence; `#5`: key 5).
    pub said: String,
    /// The robot's answer and events.
    pub robot: Vec<RobotLine>,
    /// The node the conversation is at afterwards.
    pub node: Option<String>,
    /// The intent the interpreter recorded for the line.
    pub intent: Option<String>,
    /// The recogniser's confidence 0..1 (typed text only).
    pub confidence: Option<f32>,
}

/// A simulated conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    /// What the robot says on answering.
    pub opening: Vec<RobotLine>,
    /// The node after the opening.
    pub opening_node: Option<String>,
    /// Each callee line and its answer.
    pub turns: Vec<ChatTurn>,
    /// The call is over (no more input).
    pub ended: bool,
    /// Outcome and grade once ended.
    pub result: Option<(String, String)>,
    /// The lines typed so far (for the next form).
    pub history: Vec<String>,
}

fn lines(actions: &[Action]) -> Vec<RobotLine> {
    actions
        .iter()
        .filter_map(|a| {
            let speech = matches!(a, Action::Speak { .. } | Action::PlayPrompt { .. });
            render(a).map(|t| RobotLine {
                speech,
                text: t.strip_prefix("bot: ").map(str::to_string).unwrap_or(t),
            })
        })
        .collect()
}

/// One typed line made safe for the simulator (first line only, trimmed of
/// line breaks); too long is an error on field `say`.
pub fn clean_input(raw: &str) -> AppResult<String> {
    let line = raw.lines().next().unwrap_or("").trim_end().to_string();
    if line.chars().count() > MAX_INPUT {
        return Err(AppError::invalid(
            "say",
            format!("a line may have at most {MAX_INPUT} characters"),
        ));
    }
    Ok(line)
}

/// The lines typed so far, from the form's hidden `history` field.
pub fn parse_history(raw: Option<&str>) -> AppResult<Vec<String>> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("[]");
    let h: Vec<String> = serde_json::from_str(raw).map_err(|_| {
        AppError::new(
            ErrorCode::BadRequest,
            "the chat's history field is not a JSON list of lines: start the chat over",
        )
        .with_field("history")
    })?;
    if h.len() > MAX_TURNS {
        return Err(AppError::invalid(
            "history",
            format!("a simulated chat is limited to {MAX_TURNS} lines: start over"),
        ));
    }
    h.iter()
        .map(|l| clean_input(l).map_err(|e| e.with_field("history")))
        .collect()
}

/// Compiles a version's YAML for the simulator; a version that does not load
/// (the linter says why) is `409`.
pub fn interpreter(yaml: &str) -> AppResult<Interpreter> {
    let loaded = waihu_dialog::script::load_str(yaml);
    let script = loaded.script.ok_or_else(|| {
        AppError::new(
            ErrorCode::Conflict,
            "this version does not load (see the linter's findings): the simulator cannot run it",
        )
    })?;
    Interpreter::new(script)
        .map_err(|e| AppError::new(ErrorCode::Conflict, format!("this version cannot run: {e}")))
}

/// Replays `history` on a fresh conversation and returns it. Each declared
/// variable reads as its own placeholder (`{name}`), so the author sees where
/// contact fields go.
pub fn run(it: &Interpreter, history: &[String]) -> Chat {
    let vars: BTreeMap<String, String> = it
        .script()
        .variables
        .iter()
        .map(|v| (v.clone(), format!("{{{v}}}")))
        .collect();
    let mut sim = Simulator::new(it, vars);
    let opening = lines(&sim.start());
    let opening_node = sim.state().and_then(|s| s.node.clone());
    let mut turns = Vec::new();
    let mut used = Vec::new();
    for said in history {
        if sim.ended() {
            break;
        }
        let turns_before = sim.state().map_or(0, |s| s.turns);
        let actions = sim.input(said);
        let st = sim.state();
        let counted = st.is_some_and(|s| s.turns > turns_before);
        let confidence = match parse_line(said) {
            Event::Utterance { text, confidence } => Some(it.classify(&text, confidence).score),
            _ => None,
        };
        turns.push(ChatTurn {
            said: said.clone(),
            robot: lines(&actions),
            node: st.and_then(|s| s.node.clone()),
            intent: st
                .filter(|_| counted)
                .and_then(|s| s.intents.last().cloned()),
            confidence,
        });
        used.push(said.clone());
    }
    let ended = sim.ended();
    let result = ended.then(|| {
        let (summary, _) = sim.finish();
        (summary.outcome, summary.grade)
    });
    Chat {
        opening,
        opening_node,
        turns,
        ended,
        result,
        history: used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"name: t
business: {name: 测试}
variables: [name]
start: ask
nodes:
  ask:
    say: {text: "{name}您好，需要吗？"}
    listen: {}
    branches: {affirm: yes_end, "dtmf:1": yes_end, unknown: repeat, silence: repeat}
    repeat: {max: 1, fallback: no_end}
  yes_end: {say: {text: 好的，再见。}, end: interested}
  no_end: {say: {text: 打扰了。}, end: declined}
global:
  opt_out: {say: 好的。}
"#;

    #[test]
    fn a_replayed_chat_reaches_the_node_with_intent_and_confidence() {
        let it = interpreter(YAML).unwrap();
        let chat = run(&it, &["".into(), "可以".into()]);
        assert_eq!(chat.opening[0].text, "{name}您好，需要吗？");
        assert_eq!(chat.opening_node.as_deref(), Some("ask"));
        assert_eq!(chat.turns[0].intent.as_deref(), Some("silence"));
        assert_eq!(chat.turns[0].confidence, None);
        let t = &chat.turns[1];
        assert_eq!(
            (t.intent.as_deref(), t.node.as_deref()),
            (Some("affirm"), Some("yes_end"))
        );
        assert!(t.confidence.is_some_and(|c| c > 0.0));
        assert!(t.robot.iter().any(|l| l.speech && l.text == "好的，再见。"));
        assert!(chat.ended);
        assert_eq!(
            chat.result.as_ref().map(|r| r.0.as_str()),
            Some("interested")
        );
    }

    #[test]
    fn input_after_the_end_is_not_replayed_and_bounds_hold() {
        let it = interpreter(YAML).unwrap();
        let chat = run(&it, &["#1".into(), "还有".into()]);
        assert_eq!(chat.turns.len(), 1);
        assert_eq!(chat.history, ["#1"]);
        assert!(parse_history(Some("not json")).is_err());
        let long = serde_json::to_string(&vec!["好"; MAX_TURNS + 1]).unwrap();
        assert!(parse_history(Some(&long)).is_err());
        assert!(clean_input(&"字".repeat(MAX_INPUT + 1)).is_err());
        assert_eq!(clean_input("可以\n#9").unwrap(), "可以");
        assert!(interpreter("nodes: [").is_err());
    }
}
