//! Task commands as both the CLI and the back office apply them: start and
//! resume queue the task's contacts first, then the state changes (audited) only
//! from a state the command is allowed from.

use crate::{AppError, AppResult};
use chrono::{DateTime, Utc};
use waihu_campaign::TaskCommand;
use waihu_store::{Actor, Store, Task, Tenant};

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
    let target = command
        .apply(task.state)
        .map_err(|e| AppError::Invalid(format!("task {}: {e}", task.name)))?;
    if matches!(command, TaskCommand::Start | TaskCommand::Resume) {
        store.enqueue_task_contacts(tenant.id, task.id, now).await?;
    }
    Ok(store
        .set_task_state(tenant.id, task.id, command.sources(), target, reason, actor)
        .await?)
}
