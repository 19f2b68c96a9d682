//! Task state changes from the back office and the API: start, pause, resume,
//! stop. Starting and resuming first queue the task's contacts (idempotent), then
//! move the state by compare-and-set, so a concurrent change is a clear 409.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use uuid::Uuid;
use waihu_app::tasks::TaskCommandError;
use waihu_campaign::TaskCommand;
use waihu_core::TenantId;
use waihu_store::{Actor, Task};

/// The command a person asks for by its verb in a URL (`start`, `pause`, `resume`,
/// `stop`); anything else, `complete` included (that is the scheduler's), is `None`.
pub fn parse_command(verb: &str) -> Option<TaskCommand> {
    TaskCommand::BY_PERSON
        .into_iter()
        .find(|c| c.as_str() == verb)
}

/// One of the tenant's tasks; another tenant's is 404.
pub async fn find_task(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<Task> {
    state
        .store
        .get_task(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// Applies `command` to one of the tenant's tasks.
pub async fn apply(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    command: TaskCommand,
    reason: Option<&str>,
    actor: &Actor,
) -> AppResult<Task> {
    let task = find_task(state, tenant, id).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 200) {
        return Err(AppError::invalid(
            "reason",
            "the reason is longer than 200 characters",
        ));
    }
    let now = state.clock.now();
    waihu_app::tasks::apply_command(&state.store, tenant, &task, command, reason, actor, now)
        .await
        .map_err(|e| match e {
            TaskCommandError::NotAllowed(e) => AppError::new(ErrorCode::Conflict, e.to_string()),
            TaskCommandError::Store(e) => e.into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_persons_verbs_parse() {
        for c in TaskCommand::BY_PERSON {
            assert_eq!(parse_command(c.as_str()), Some(c));
        }
        for verb in ["complete", "Start", "", "delete"] {
            assert_eq!(parse_command(verb), None, "{verb}");
        }
    }
}
