//! From a stored call row (columns as the store reads them, JSON as text) to a
//! [`CallFact`]: parses the `path`, `turn_log`, `transcript` and `gate` JSON
//! and attributes turns to nodes ([`build_turns`]). A column that cannot be
//! read is an error naming the call and the column; nothing is guessed.

use crate::facts::{build_turns, CallFact, GateRecord, RecordLine, RecordTurn, Variant};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use uuid::Uuid;
use waihu_core::CallOutcome;

/// A stored call row, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct StoredCall<'a> {
    /// Call id.
    pub id: Uuid,
    /// Task.
    pub task_id: Option<Uuid>,
    /// Script version.
    pub script_version_id: Option<Uuid>,
    /// `A`/`B`.
    pub variant: Option<&'a str>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// Call-outcome code.
    pub outcome: Option<&'a str>,
    /// Script end tag.
    pub script_outcome: Option<&'a str>,
    /// Grade letter.
    pub grade: Option<&'a str>,
    /// Opted out.
    pub opt_out: bool,
    /// Made a lead.
    pub lead: bool,
    /// Gate decision JSON.
    pub gate_json: &'a str,
    /// Path JSON (array of node ids).
    pub path_json: Option<&'a str>,
    /// Turn log JSON.
    pub turn_log_json: Option<&'a str>,
    /// Transcript JSON.
    pub transcript_json: Option<&'a str>,
}

/// A stored call that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("call {call}: column {column}: {why}")]
pub struct FactError {
    /// The call.
    pub call: Uuid,
    /// The column.
    pub column: &'static str,
    /// What is wrong.
    pub why: String,
}

fn parse<T: serde::de::DeserializeOwned>(
    call: Uuid,
    column: &'static str,
    json: Option<&str>,
) -> Result<Option<T>, FactError> {
    match json
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "null")
    {
        None => Ok(None),
        Some(s) => serde_json::from_str(s).map(Some).map_err(|e| FactError {
            call,
            column,
            why: e.to_string(),
        }),
    }
}

/// Converts a stored call; `listening` are the listening nodes of its script
/// version (see [`crate::facts::listening_nodes`]).
pub fn to_fact(c: &StoredCall<'_>, listening: &BTreeSet<String>) -> Result<CallFact, FactError> {
    let path: Vec<String> = parse(c.id, "path", c.path_json)?.unwrap_or_default();
    let log: Vec<RecordTurn> = parse(c.id, "turn_log", c.turn_log_json)?.unwrap_or_default();
    let lines: Vec<RecordLine> = parse(c.id, "transcript", c.transcript_json)?.unwrap_or_default();
    let refused = CallOutcome::Refused.is(c.outcome);
    let refusal_rules = if refused {
        parse::<GateRecord>(c.id, "gate", Some(c.gate_json))?
            .map(|g| g.rules())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let grade = match c.grade {
        None => None,
        Some(g) => match g
            .chars()
            .next()
            .filter(|l| ('A'..='F').contains(l) && g.len() == 1)
        {
            Some(l) => Some(l),
            None => {
                return Err(FactError {
                    call: c.id,
                    column: "grade",
                    why: format!("{g:?} is not a grade A..F"),
                })
            }
        },
    };
    let variant = match c.variant {
        None | Some("") => None,
        Some(v) => Some(
            v.chars()
                .next()
                .filter(|_| v.len() == 1)
                .and_then(Variant::from_char)
                .ok_or_else(|| FactError {
                    call: c.id,
                    column: "variant",
                    why: format!("{v:?} is not A or B"),
                })?,
        ),
    };
    let turns = build_turns(&path, listening, &log, &lines, c.script_outcome);
    Ok(CallFact {
        call_id: c.id,
        task_id: c.task_id,
        script_version_id: c.script_version_id,
        variant,
        created_at: c.created_at,
        answered: c.answered_at.is_some() || CallOutcome::Answered.is(c.outcome),
        duration_ms: c.duration_ms.and_then(|d| u64::try_from(d).ok()),
        outcome: c.outcome.map(String::from),
        script_outcome: c.script_outcome.map(String::from),
        grade,
        lead: c.lead,
        opt_out: c.opt_out,
        refusal_rules,
        path,
        turns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row<'a>() -> StoredCall<'a> {
        StoredCall {
            id: Uuid::from_u128(1),
            task_id: Some(Uuid::from_u128(2)),
            script_version_id: Some(Uuid::from_u128(3)),
            variant: Some("B"),
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
            answered_at: Some(Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 5).unwrap()),
            duration_ms: Some(30_000),
            outcome: Some("answered"),
            script_outcome: Some("booked"),
            grade: Some("A"),
            opt_out: false,
            lead: true,
            gate_json: r#"{"decision":"allow","reasons":[]}"#,
            path_json: Some(r#"["intro","offer","booked"]"#),
            turn_log_json: Some(
                r#"[{"callee":"好的","dtmf":null,"intent":"affirm"},{"callee":"可以","dtmf":null,"intent":"affirm"}]"#,
            ),
            transcript_json: Some(r#"[{"speaker":"callee","text":"好的","confidence":0.8}]"#),
        }
    }

    #[test]
    fn a_full_row_converts() {
        let listening: BTreeSet<String> =
            ["intro", "offer"].iter().map(|s| s.to_string()).collect();
        let f = to_fact(&row(), &listening).unwrap();
        assert_eq!(f.variant, Some(Variant::B));
        assert_eq!(f.grade, Some('A'));
        assert!(f.answered && f.lead);
        assert_eq!(f.turns.len(), 2);
        assert_eq!(f.turns[1].node.as_deref(), Some("offer"));
        assert_eq!(f.turns[0].confidence, Some(0.8));
    }

    #[test]
    fn a_refusal_keeps_its_rules() {
        let mut r = row();
        r.outcome = Some("refused");
        r.answered_at = None;
        r.gate_json = r#"{"decision":"deny","reasons":[{"rule":"calling-window","message":"x"}]}"#;
        r.path_json = None;
        r.turn_log_json = None;
        r.transcript_json = Some("null");
        let f = to_fact(&r, &BTreeSet::new()).unwrap();
        assert!(f.refused() && !f.answered);
        assert_eq!(f.refusal_rules, vec!["calling-window".to_string()]);
    }

    #[test]
    fn bad_columns_are_named() {
        let mut r = row();
        r.path_json = Some("{not json");
        let e = to_fact(&r, &BTreeSet::new()).unwrap_err();
        assert_eq!((e.column, e.call), ("path", Uuid::from_u128(1)));
        let mut r = row();
        r.grade = Some("Z");
        assert_eq!(to_fact(&r, &BTreeSet::new()).unwrap_err().column, "grade");
        let mut r = row();
        r.variant = Some("C");
        assert!(to_fact(&r, &BTreeSet::new())
            .unwrap_err()
            .to_string()
            .contains("column variant"));
    }
}
