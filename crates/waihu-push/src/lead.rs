//! What is pushed: one lead as the sales team sees it, already stripped to what
//! may leave the platform (the number masked unless the tenant chose otherwise).

use chrono::{DateTime, FixedOffset};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The grade the dialog gave the callee, A (hot) to F (no interest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Clear interest, asked to be contacted.
    A,
    /// Interest, worth a call back.
    B,
    /// Some interest.
    C,
    /// Little interest.
    D,
    /// No interest.
    E,
    /// Refused or unreachable in conversation.
    F,
}

impl Grade {
    /// The letter, as shown to people and sent in the webhook body.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A grade text that is not one of `A`..`F`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lead grade '{0}' (expected one letter A to F)")]
pub struct UnknownGrade(pub String);

impl FromStr for Grade {
    type Err = UnknownGrade;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(Grade::A),
            "B" => Ok(Grade::B),
            "C" => Ok(Grade::C),
            "D" => Ok(Grade::D),
            "E" => Ok(Grade::E),
            "F" => Ok(Grade::F),
            _ => Err(UnknownGrade(s.to_string())),
        }
    }
}

/// The phone number as it may be shown outside the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedNumber {
    /// The text to show: `138****5678` or the full `+8613812345678`.
    pub text: String,
    /// True when `text` is the full number.
    pub is_full: bool,
}

/// Who spoke a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The robot (our side of the call).
    Bot,
    /// The person called.
    Callee,
}

impl Speaker {
    /// Stable name used in the webhook body.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Bot => "bot",
            Speaker::Callee => "callee",
        }
    }

    /// Label shown in chat messages (zh-CN first, as the sales team reads them).
    pub fn label(self) -> &'static str {
        match self {
            Speaker::Bot => "机器人",
            Speaker::Callee => "客户",
        }
    }
}

/// One line of the conversation, chosen by the caller (a few, not the whole call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    /// Who said it.
    pub speaker: Speaker,
    /// What was said (recognised text).
    pub text: String,
}

/// One lead to push.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// Identifies the lead; the same across retries and targets.
    pub lead_id: Uuid,
    /// The tenant's display name.
    pub tenant_name: String,
    /// The calling task that produced the lead.
    pub task_name: String,
    /// The grade and why it was given.
    pub grade: Grade,
    /// Short reason for the grade, from the dialog's grading rules.
    pub grade_reason: String,
    /// The number, masked or full (see [`crate::present_number`]).
    pub number: PresentedNumber,
    /// The contact's name, when the list had one.
    pub contact_name: Option<String>,
    /// Further contact fields from the list, in list order (name, value).
    pub contact_fields: Vec<(String, String)>,
    /// Intents recognised during the call, in the order first heard.
    pub intents: Vec<String>,
    /// A few transcript lines that show the interest.
    pub transcript: Vec<TranscriptLine>,
    /// When the call was answered, in the tenant's local offset.
    pub called_at: DateTime<FixedOffset>,
    /// Link to the record in the back office, when the base URL is configured.
    pub record_url: Option<String>,
}
