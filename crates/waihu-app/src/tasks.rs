//! Task commands as both the CLI and the back office apply them: start and
//! resume queue the task's contacts first, then the state changes (audited) only
//! from a state the command is allowed from; and the conversion between the
//! campaign's and the store's names for a task state.

use crate::{AppError, AppResult};
use chrono::{DateTime, Utc};
use waihu_campaign::{TaskCommand, TaskStatus};
use waihu_store::{Actor, Store, Task, TaskStateName, Tenant};

/// The store's name for a campaign state.
pub fn state_name(s: TaskStatus) -> TaskStateName {
    match s {
        TaskStatus::Draft => TaskStateName::Draft,
        TaskStatus::Running => TaskStateName::Running,
        TaskStatus::Paused => TaskStateName::Paused,
        TaskStatus::Completed => TaskStateName::Completed,
        TaskStatus::Stopped => TaskStateName::Stopped,
    }
}

/// The campaign's name for a stored state.
pub fn status_of(s: TaskStateName) -> TaskStatus {
    match s {
        TaskStateName::Draft => TaskStatus::Draft,
        TaskStateName::Running => TaskStatus::Running,
        TaskStateName::Paused => TaskStatus::Paused,
        TaskStateName::Completed => TaskStatus::Completed,
        TaskStateName::Stopped => TaskStatus::Stopped,
    }
}

/// Applies a command to a task at `now` (queueing its contacts first on start
/// and resume).
pub async fn apply_command(
    store: &Store,
    tenant: &Tenant,
    task: &Task,
    command: TaskCommand,
    reason: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Task> {
    let current = status_of(task.state);
    let target = current
        .apply(command)
        .map_err(|e| AppError::Invalid(format!("task {}: {e}", task.name)))?;
    if matches!(command, TaskCommand::Start | TaskCommand::Resume) {
        store.enqueue_task_contacts(tenant.id, task.id, now).await?;
    }
    let from: Vec<_> = command.sources().iter().map(|s| state_name(*s)).collect();
    Ok(store
        .set_task_state(tenant.id, task.id, &from, state_name(target), reason, actor)
        .await?)
}
