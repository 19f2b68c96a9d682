//! Shared small types of waihu: typed ids, validated tenant names, roles, the task
//! state, the catalogue of call outcome codes and the injectable clock. This crate
//! does no I/O; every other crate may depend on it.

pub mod call_outcome;
pub mod clock;
pub mod ids;
pub mod role;
pub mod task_state;
pub mod tenant_name;

pub use call_outcome::{CallOutcome, UnknownCallOutcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{TenantId, UserId};
pub use role::Role;
pub use task_state::{TaskState, UnknownTaskState};
pub use tenant_name::TenantName;
