//! Task commands as both the CLI and the back office apply them: the command
//! must be allowed from the task's state (`waihu_campaign::TaskCommand`); start
//! and resume queue the task's contacts first; then the state changes, audited,
//! as a compare-and-set from the command's source states (a concurrent change
//! makes it fail rather than be overwritten).

use chrono::{DateTime, Utc};
use waihu_campaign::{TaskCommand, TransitionError};
use waihu_core::TenantId;
use waihu_store::{Actor, Store, StoreError, Task};

/// Why a command was not applied.
#[derive(Debug, thiserror::Error)]
pub enum TaskCommandError {
    /// The command is not allowed from the task's state (e.g. pausing a draft).
    #[error(transparent)]
    NotAllowed(#[from] TransitionError),
    /// The store failed, or the task changed state meanwhile (`Conflict`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Applies `command` to `task` of `tenant` at `now` with an optional reason
/// (audited with the change); returns the task as it is now.
pub async fn apply_command(
    store: &Store,
    tenant: TenantId,
    task: &Task,
    command: TaskCommand,
    reason: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Task, TaskCommandError> {
    let target = command.apply(task.state)?;
    if matches!(command, TaskCommand::Start | TaskCommand::Resume) {
        store.enqueue_task_contacts(tenant, task.id, now).await?;
    }
    Ok(store
        .set_task_state(tenant, task.id, command.sources(), target, reason, actor)
        .await?)
}
