//! waihu-campaign: tasks that dial. The task model and the commands between its
//! states (the state itself is [`waihu_core::TaskState`]), retry
//! policies, pacing and line limits are pure; the scheduler ([`Engine`]) asks
//! the compliance gate before every single attempt, persists the attempt before
//! dialling, and drives calls through a [`CampaignPort`] that the binary
//! implements over the database, the gate and `waihu-call`.

pub mod command;
pub mod delay;
pub mod draft;
pub mod engine;
pub mod lines;
pub mod pacer;
pub mod port;
pub mod refusal;
pub mod retry;
pub mod settings;
pub mod variant;

pub use command::{TaskCommand, TransitionError};
pub use delay::{Delay, InvalidDelay};
pub use draft::{CallerNumberFacts, CheckedDraft, DraftError, TaskDraft};
pub use engine::{Engine, EngineConfig, TickReport};
pub use port::{CampaignPort, Dialled, InFlight, PortError, TaskRun, Verdict};
pub use refusal::{after_refusal, RefusalEffect};
pub use retry::{InvalidRetry, Next, RetryPolicy};
pub use settings::{InvalidSettings, LeadThreshold, TaskSettings};
pub use variant::{InvalidSplit, Split, Variant};
