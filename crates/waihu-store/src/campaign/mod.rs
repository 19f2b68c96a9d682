//! Campaign storage: tenant line limits, call scripts and recorded prompts, SIP
//! trunks, tasks with their per-contact queue, calls (one row per dial attempt or
//! gate refusal), leads and their push deliveries. The scheduler's bookkeeping
//! (claims, calls, retries) is not audited — it is high volume and is its own
//! record — while every change a person makes is audited in the same transaction.
//! JSON columns (task windows and retry policy, gate decisions, transcripts…) are
//! opaque text here: the crates that write them own their format.

pub(crate) mod call_state;
pub(crate) mod calls;
pub mod dashboard;
pub(crate) mod grade;
pub(crate) mod leads;
pub(crate) mod limits;
pub(crate) mod push;
pub(crate) mod scripts;
pub(crate) mod tasks;
pub(crate) mod trunks;

pub use call_state::CallState;
pub use calls::{BeginCall, CallFilter, CallId, CallRecord, CallRepo, CallResult, InFlight};
pub use dashboard::{DashboardFigures, DashboardRepo, TenantRates};
pub use grade::check_grade;
pub use leads::{Lead, LeadFilter, LeadRepo, LeadStatus, NewLead};
pub use limits::{LimitsRepo, TenantLimits};
pub use push::{
    Delivery, DeliveryState, DueDelivery, NewPushTarget, PushKind, PushRepo, PushTarget,
};
pub use scripts::{LintSummary, Prompt, PromptRepo, ScriptRepo, ScriptSummary, ScriptVersion};
pub use tasks::{Claim, NewTask, Next, Task, TaskCounts, TaskRepo, TaskVariant};
pub use trunks::{NewTrunk, Transport, Trunk, TrunkRepo};
