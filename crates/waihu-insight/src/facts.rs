//! The input of every insight: one [`CallFact`] per call row, with one
//! [`TurnFact`] per callee turn. The store builds them from the `calls` table
//! (columns plus the JSON the conversation wrote: `path`, `turn_log`,
//! `transcript`, `gate`); the helpers here do the parts of that which need
//! knowledge of those JSON shapes and of the interpreter:
//!
//! - [`RecordTurn`], [`RecordLine`], [`GateRecord`]: `Deserialize` mirrors of the
//!   stored JSON (unknown fields ignored), to parse with `serde_json`.
//! - [`build_turns`]: attributes each turn to the node that was listening and
//!   says what happened next, from the path and the set of listening nodes
//!   ([`listening_nodes`] of the script version).
//!
//! These types are the contract with the store: keep them stable.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeSet;
use uuid::Uuid;
use waihu_core::CallOutcome;
use waihu_dialog::script::Script;

/// Which of a task's two script variants a call ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// The first (control) variant.
    A,
    /// The second variant.
    B,
}

impl Variant {
    /// `'A'` or `'B'` (as stored).
    pub fn from_char(c: char) -> Option<Self> {
        match c.to_ascii_uppercase() {
            'A' => Some(Self::A),
            'B' => Some(Self::B),
            _ => None,
        }
    }

    /// `"A"` or `"B"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }
}

/// One call (a dial attempt or a gate refusal) as the insights see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFact {
    /// The call row's id.
    pub call_id: Uuid,
    /// The task, if any.
    pub task_id: Option<Uuid>,
    /// The script version run (or that would have run, for a refusal).
    pub script_version_id: Option<Uuid>,
    /// The A/B variant, when the task runs two.
    pub variant: Option<Variant>,
    /// When the call was persisted (before dialling).
    pub created_at: DateTime<Utc>,
    /// The callee answered.
    pub answered: bool,
    /// Talk time, ms (answered calls).
    pub duration_ms: Option<u64>,
    /// Call-outcome code as stored (a [`CallOutcome`] code: `answered`,
    /// `busy`, …, `refused`, `interrupted`); `None` while in flight.
    pub outcome: Option<String>,
    /// The script's end tag (`booked`, `opt_out`, `hangup`, `max_turns`…).
    pub script_outcome: Option<String>,
    /// The grade `A`..`F`, for a finished conversation.
    pub grade: Option<char>,
    /// A lead was created (grade at least the task's lead grade).
    pub lead: bool,
    /// The callee opted out (or complained).
    pub opt_out: bool,
    /// For a gate refusal: the rule ids of the gate's reasons.
    pub refusal_rules: Vec<String>,
    /// Every script node entered, repeats included.
    pub path: Vec<String>,
    /// The callee's turns in order.
    pub turns: Vec<TurnFact>,
}

impl CallFact {
    /// A blank fact (not answered, no conversation) — convenient for callers
    /// that fill in the fields they have.
    pub fn new(call_id: Uuid, created_at: DateTime<Utc>) -> Self {
        Self {
            call_id,
            task_id: None,
            script_version_id: None,
            variant: None,
            created_at,
            answered: false,
            duration_ms: None,
            outcome: None,
            script_outcome: None,
            grade: None,
            lead: false,
            opt_out: false,
            refusal_rules: Vec::new(),
            path: Vec::new(),
            turns: Vec::new(),
        }
    }

    /// The gate refused the dial.
    pub fn refused(&self) -> bool {
        CallOutcome::Refused.is(self.outcome.as_deref())
    }

    /// A dial was attempted (everything but a gate refusal).
    pub fn attempted(&self) -> bool {
        !self.refused()
    }
}

/// What followed a callee turn.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TurnNext {
    /// The conversation went on at this node (a branch, a re-prompt, or an
    /// answer and a return to the same node).
    Node(String),
    /// The call ended after the turn with this script outcome (`opt_out`,
    /// `hangup`, `max_turns`, an end node's tag…).
    End(String),
}

/// One callee turn.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnFact {
    /// The node that was listening when the callee spoke (`None` if it could
    /// not be told from the path).
    pub node: Option<String>,
    /// What the callee said as recognised (`None`: silence, DTMF, or recording refused).
    pub callee_text: Option<String>,
    /// The key pressed, for a DTMF turn.
    pub dtmf: Option<char>,
    /// The intent label (`unknown`, `silence`, `dtmf:1`, `kb:price`, …).
    pub intent: String,
    /// Recognition confidence 0..1, when known.
    pub confidence: Option<f32>,
    /// What happened next.
    pub next: TurnNext,
}

/// One entry of the stored `turn_log` JSON (waihu-call's `Turn`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordTurn {
    /// What the callee said.
    #[serde(default)]
    pub callee: Option<String>,
    /// The key pressed.
    #[serde(default)]
    pub dtmf: Option<char>,
    /// The intent label.
    pub intent: String,
}

/// One line of the stored `transcript` JSON (waihu-call's `TranscriptLine`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordLine {
    /// `robot` or `callee`.
    pub speaker: String,
    /// What was said.
    #[serde(default)]
    pub text: Option<String>,
    /// Callee: recognition confidence.
    #[serde(default)]
    pub confidence: Option<f32>,
}

/// The stored `gate` JSON: `{"decision": …, "reasons": [{"rule": …, "message": …}]}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GateRecord {
    /// `allow` or `deny`.
    #[serde(default)]
    pub decision: String,
    /// The reasons, each with its rule id.
    #[serde(default)]
    pub reasons: Vec<GateReason>,
}

/// One reason of a gate decision.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GateReason {
    /// The rule id.
    pub rule: String,
}

impl GateRecord {
    /// The rule ids, in order, without repeats.
    pub fn rules(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.reasons {
            if !out.contains(&r.rule) {
                out.push(r.rule.clone());
            }
        }
        out
    }
}

/// The nodes of a script at which the callee can take a turn: nodes that
/// listen and do not end the call.
pub fn listening_nodes(script: &Script) -> BTreeSet<String> {
    script
        .nodes
        .iter()
        .filter(|(_, n)| n.listen.is_some() && n.end.is_none())
        .map(|(id, _)| id.clone())
        .collect()
}

/// Builds the turn facts of one call.
///
/// The interpreter enters nodes in chains: each chain (after the answer, and
/// after every turn) ends at the first listening node, or ends the call.
/// So turn *i* happened at the *i*-th listening entry of the path, and what
/// followed it is the next path entry, or the call's end (`script_outcome`,
/// `hangup` if unknown) when no entry follows. Confidences come from the
/// callee lines of the transcript, matched in order by text.
pub fn build_turns(
    path: &[String],
    listening: &BTreeSet<String>,
    turn_log: &[RecordTurn],
    transcript: &[RecordLine],
    script_outcome: Option<&str>,
) -> Vec<TurnFact> {
    let listen_at: Vec<usize> = path
        .iter()
        .enumerate()
        .filter(|(_, n)| listening.contains(*n))
        .map(|(i, _)| i)
        .collect();
    let end = script_outcome.unwrap_or("hangup").to_string();
    let mut cursor = 0usize;
    turn_log
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = listen_at.get(i).copied();
            let node = at.map(|p| path[p].clone());
            let next = match at.and_then(|p| path.get(p + 1)) {
                Some(n) => TurnNext::Node(n.clone()),
                None => TurnNext::End(end.clone()),
            };
            let confidence = t
                .callee
                .as_deref()
                .and_then(|text| confidence_of(transcript, &mut cursor, text));
            TurnFact {
                node,
                callee_text: t.callee.clone(),
                dtmf: t.dtmf,
                intent: t.intent.clone(),
                confidence,
                next,
            }
        })
        .collect()
}

/// The confidence of the next callee line at or after `cursor` with this text.
fn confidence_of(lines: &[RecordLine], cursor: &mut usize, text: &str) -> Option<f32> {
    let found = lines
        .iter()
        .enumerate()
        .skip(*cursor)
        .find(|(_, l)| l.speaker == "callee" && l.text.as_deref() == Some(text))?;
    *cursor = found.0 + 1;
    found.1.confidence
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn turn(text: Option<&str>, intent: &str) -> RecordTurn {
        RecordTurn {
            callee: text.map(String::from),
            dtmf: None,
            intent: intent.into(),
        }
    }

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn turns_are_attributed_to_listening_nodes_through_pass_through_nodes() {
        // disclosure → intro (listen) ; turn 1 affirm → offer → ask (listen) ;
        // turn 2 unknown → ask (re-prompt) ; turn 3 opt_out → call ends.
        let path = s(&["disclosure", "intro", "offer", "ask", "ask"]);
        let listening = set(&["intro", "ask"]);
        let log = vec![
            turn(Some("好的"), "affirm"),
            turn(Some("啥子"), "unknown"),
            turn(Some("别打了"), "opt_out"),
        ];
        let transcript = vec![
            RecordLine {
                speaker: "robot".into(),
                text: Some("您好".into()),
                confidence: None,
            },
            RecordLine {
                speaker: "callee".into(),
                text: Some("好的".into()),
                confidence: Some(0.9),
            },
            RecordLine {
                speaker: "callee".into(),
                text: Some("啥子".into()),
                confidence: Some(0.4),
            },
        ];
        let turns = build_turns(&path, &listening, &log, &transcript, Some("opt_out"));
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].node.as_deref(), Some("intro"));
        assert_eq!(turns[0].next, TurnNext::Node("offer".into()));
        assert_eq!(turns[0].confidence, Some(0.9));
        assert_eq!(turns[1].node.as_deref(), Some("ask"));
        assert_eq!(turns[1].next, TurnNext::Node("ask".into()));
        assert_eq!(turns[1].confidence, Some(0.4));
        assert_eq!(turns[2].node.as_deref(), Some("ask"));
        assert_eq!(turns[2].next, TurnNext::End("opt_out".into()));
        assert_eq!(turns[2].confidence, None);
    }

    #[test]
    fn more_turns_than_listening_entries_leave_the_node_unknown() {
        let turns = build_turns(&[], &set(&[]), &[turn(None, "silence")], &[], None);
        assert_eq!(turns[0].node, None);
        assert_eq!(turns[0].next, TurnNext::End("hangup".into()));
    }

    #[test]
    fn stored_json_shapes_parse() {
        let log: Vec<RecordTurn> = serde_json::from_str(
            r#"[{"callee":"好","dtmf":null,"intent":"affirm","robot":null,"latency_ms":3,"timings":{}}]"#,
        )
        .unwrap();
        assert_eq!(log[0].intent, "affirm");
        let gate: GateRecord = serde_json::from_str(
            r#"{"decision":"deny","reasons":[{"rule":"window","message":"m"},{"rule":"window","message":"n"},{"rule":"dnc","message":"x"}],"at":"t"}"#,
        )
        .unwrap();
        assert_eq!(gate.rules(), vec!["window".to_string(), "dnc".to_string()]);
        let line: RecordLine =
            serde_json::from_str(r#"{"speaker":"callee","text":"嗯","start_ms":1,"end_ms":2,"interrupted":false,"disclosure":false,"confidence":0.5,"dtmf":null}"#)
                .unwrap();
        assert_eq!(line.confidence, Some(0.5));
    }

    #[test]
    fn variant_round_trip() {
        assert_eq!(Variant::from_char('b'), Some(Variant::B));
        assert_eq!(Variant::from_char('C'), None);
        assert_eq!(Variant::A.as_str(), "A");
    }
}
