//! The API's shapes for the calling work (scripts, tasks, calls, leads, dead
//! letters). Explicit conversions: the number's hash and ciphertext, push target
//! secrets and the raw recording path never leave the server.

use crate::campaign::calls::{json_column, transcript, TranscriptLine};
use crate::campaign::scripts::{findings, FindingView};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_store::{CallRecord, Delivery, Lead, ScriptSummary, ScriptVersion, Task, TaskCounts};

/// A script with its newest and published version numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptDto {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub name: String,
    /// The newest version number.
    pub latest_version: i32,
    /// The newest published version number, if any.
    pub published_version: Option<i32>,
    /// When the newest version was saved.
    pub updated_at: DateTime<Utc>,
}

impl From<ScriptSummary> for ScriptDto {
    fn from(s: ScriptSummary) -> Self {
        Self {
            id: s.id,
            name: s.name,
            latest_version: s.latest_version,
            published_version: s.published_version,
            updated_at: s.updated_at,
        }
    }
}

/// One version of a script, with the linter's findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptVersionDto {
    /// Stable id (tasks refer to it).
    pub id: Uuid,
    /// The script.
    pub script_id: Uuid,
    /// The script's name.
    pub name: String,
    /// 1, 2, 3… per script.
    pub version: i32,
    /// The source.
    pub yaml: String,
    /// The linter's findings; publishable when empty.
    pub findings: Vec<FindingView>,
    /// When it was published, if it was.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

impl From<ScriptVersion> for ScriptVersionDto {
    fn from(v: ScriptVersion) -> Self {
        Self {
            findings: findings(&v),
            id: v.id,
            script_id: v.script_id,
            name: v.name,
            version: v.version,
            yaml: v.yaml,
            published_at: v.published_at,
            created_at: v.created_at,
        }
    }
}

/// A new script version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UploadScriptReq {
    /// The script's name (created on first upload), 1-100 characters.
    pub name: String,
    /// The YAML source, at most 256 KiB.
    pub yaml: String,
}

/// A task's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCountsDto {
    /// Task contacts by state (`pending`, `in_flight`, `done`).
    pub by_state: BTreeMap<String, i64>,
    /// Calls by outcome code.
    pub by_outcome: BTreeMap<String, i64>,
    /// Dial attempts made.
    pub attempts: i64,
    /// Leads produced.
    pub leads: i64,
}

impl From<TaskCounts> for TaskCountsDto {
    fn from(c: TaskCounts) -> Self {
        Self {
            by_state: c.by_state,
            by_outcome: c.by_outcome,
            attempts: c.attempts,
            leads: c.leads,
        }
    }
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub name: String,
    /// `draft`, `running`, `paused`, `completed` or `stopped`.
    pub state: String,
    /// Why it entered that state, if given.
    pub state_reason: Option<String>,
    /// The consent purpose its calls serve.
    pub purpose: String,
    /// The script version it runs.
    pub script_version_id: Uuid,
    /// The trunk it dials through.
    pub trunk_id: Uuid,
    /// Its contact lists.
    pub list_ids: Vec<Uuid>,
    /// Calling windows (JSON as the campaign crate wrote it).
    #[schema(value_type = Object)]
    pub windows: serde_json::Value,
    /// Retry policy (JSON as the campaign crate wrote it).
    #[schema(value_type = Object)]
    pub retry: serde_json::Value,
    /// Concurrent lines.
    pub lines: u32,
    /// Attempts per second, if limited.
    pub cps_limit: Option<f64>,
    /// Higher runs first.
    pub priority: i32,
    /// Lowest grade that makes a lead.
    pub lead_grade: String,
    /// Not before this time.
    pub starts_at: Option<DateTime<Utc>>,
    /// Not after this time.
    pub ends_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Progress (in lists: always present).
    pub counts: Option<TaskCountsDto>,
}

impl TaskDto {
    /// The task with its counts.
    pub fn new(t: Task, counts: Option<TaskCounts>) -> Self {
        Self {
            id: t.id,
            name: t.name,
            state: t.state.as_str().into(),
            state_reason: t.state_reason,
            purpose: t.purpose,
            script_version_id: t.script_version_id,
            trunk_id: t.trunk_id,
            list_ids: t.list_ids,
            windows: json_column(Some(&t.windows_json)).unwrap_or_default(),
            retry: json_column(Some(&t.retry_json)).unwrap_or_default(),
            lines: t.lines,
            cps_limit: t.cps_limit,
            priority: t.priority,
            lead_grade: t.lead_grade,
            starts_at: t.starts_at,
            ends_at: t.ends_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            counts: counts.map(TaskCountsDto::from),
        }
    }
}

/// An optional reason for a state change.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TaskActionReq {
    /// Why (kept with the state and in the audit log), at most 200 characters.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A call record. The number is only ever masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDto {
    /// Stable id.
    pub id: Uuid,
    /// The task, if any.
    pub task_id: Option<Uuid>,
    /// The contact (null once erased).
    pub contact_id: Option<Uuid>,
    /// The masked number (138****5678).
    pub number_masked: String,
    /// `in_flight` or `done`.
    pub state: String,
    /// When it was created (dial or refusal).
    pub created_at: DateTime<Utc>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// Outcome code (`answered`, `busy`, `refused`, `interrupted`…).
    pub outcome: Option<String>,
    /// Final SIP status.
    pub sip_status: Option<i32>,
    /// The script's outcome.
    pub script_outcome: Option<String>,
    /// The robot's grade.
    pub grade: Option<String>,
    /// Why that grade.
    pub grade_reason: Option<String>,
    /// The callee asked not to be called again.
    pub opt_out: bool,
    /// Recording was stopped at the callee's request.
    pub recording_stopped: bool,
    /// Whether a recording is on file (`GET /api/v1/calls/{id}/recording`).
    pub has_recording: bool,
    /// Mean response latency.
    pub latency_ms: Option<i64>,
}

/// A call with its details.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetailDto {
    /// The call.
    #[serde(flatten)]
    pub call: CallDto,
    /// The script version that ran.
    pub script_version_id: Option<Uuid>,
    /// The compliance gate's decision (JSON as the gate wrote it).
    #[schema(value_type = Object)]
    pub gate: serde_json::Value,
    /// The dialog path: the script nodes visited, in order.
    #[schema(value_type = Option<Vec<String>>)]
    pub path: Option<serde_json::Value>,
    /// Recognised intents, in order.
    #[schema(value_type = Option<Vec<String>>)]
    pub intents: Option<serde_json::Value>,
    /// The transcript.
    pub transcript: Vec<TranscriptLine>,
}

impl CallDto {
    /// The call's summary; `has_recording` is decided by the caller.
    pub fn new(c: &CallRecord, has_recording: bool) -> Self {
        Self {
            id: c.id,
            task_id: c.task_id,
            contact_id: c.contact_id,
            number_masked: c.number_masked.clone(),
            state: c.state.as_str().into(),
            created_at: c.created_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            duration_ms: c.duration_ms,
            outcome: c.outcome.clone(),
            sip_status: c.sip_status,
            script_outcome: c.script_outcome.clone(),
            grade: c.grade.clone(),
            grade_reason: c.grade_reason.clone(),
            opt_out: c.opt_out,
            recording_stopped: c.recording_stopped,
            has_recording,
            latency_ms: c.latency_ms,
        }
    }
}

impl CallDetailDto {
    /// The call with its JSON columns parsed.
    pub fn new(c: &CallRecord, has_recording: bool) -> Self {
        Self {
            call: CallDto::new(c, has_recording),
            script_version_id: c.script_version_id,
            gate: json_column(Some(&c.gate_json)).unwrap_or_default(),
            path: json_column(c.path_json.as_deref()),
            intents: json_column(c.intents_json.as_deref()),
            transcript: transcript(c),
        }
    }
}

/// A page of calls (no total: counting is not cheap).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallPage {
    /// Newest first.
    pub items: Vec<CallDto>,
    /// The page size asked for.
    pub limit: usize,
    /// Calls skipped.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// A lead. The number is only ever masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDto {
    /// Stable id.
    pub id: Uuid,
    /// The task that called.
    pub task_id: Uuid,
    /// The call it came from.
    pub call_id: Uuid,
    /// The masked number.
    pub number_masked: String,
    /// The robot's grade (never changed).
    pub robot_grade: String,
    /// The robot's reason.
    pub robot_reason: String,
    /// An agent's grade, if regraded.
    pub agent_grade: Option<String>,
    /// The agent's note.
    pub agent_note: Option<String>,
    /// Who regraded it (user id).
    pub agent_id: Option<Uuid>,
    /// When it was regraded.
    pub regraded_at: Option<DateTime<Utc>>,
    /// The grade that counts: the agent's, else the robot's.
    pub grade: String,
    /// Whether consent allows passing it on.
    pub shareable: bool,
    /// `new`, `contacted` or `closed`.
    pub status: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl From<Lead> for LeadDto {
    fn from(l: Lead) -> Self {
        Self {
            grade: l.grade().to_string(),
            id: l.id,
            task_id: l.task_id,
            call_id: l.call_id,
            number_masked: l.number_masked,
            robot_grade: l.robot_grade,
            robot_reason: l.robot_reason,
            agent_grade: l.agent_grade,
            agent_note: l.agent_note,
            agent_id: l.agent_id.map(|u| u.0),
            regraded_at: l.regraded_at,
            shareable: l.shareable,
            status: l.status.as_str().into(),
            created_at: l.created_at,
        }
    }
}

/// A page of leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadPage {
    /// Newest first.
    pub items: Vec<LeadDto>,
    /// The page size asked for.
    pub limit: usize,
    /// Leads skipped.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// An agent's grade.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegradeReq {
    /// `A` (best) to `F`.
    pub grade: String,
    /// A note, at most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// A follow-up status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeadStatusReq {
    /// `new`, `contacted` or `closed`.
    pub status: String,
}

/// A lead push that was given up.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterDto {
    /// Stable id.
    pub id: Uuid,
    /// The lead.
    pub lead_id: Uuid,
    /// The target.
    pub target_id: Uuid,
    /// The target's name.
    pub target_name: String,
    /// Attempts made.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeadLetterDto {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            lead_id: d.lead_id,
            target_id: d.target_id,
            target_name: d.target_name,
            attempts: d.attempts,
            last_error: d.last_error,
            created_at: d.created_at,
        }
    }
}
