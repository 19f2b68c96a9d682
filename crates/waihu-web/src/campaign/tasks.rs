//! Task state changes from the back office and the API: start, pause, resume,
//! stop. Starting and resuming first queue the task's contacts (idempotent), then
//! move the state by compare-and-set, so a concurrent change is a clear 409.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use uuid::Uuid;
use waihu_core::{TaskState, TenantId};
use waihu_store::{Actor, Task};

/// What a person can do to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    /// draft → running.
    Start,
    /// running → paused.
    Pause,
    /// paused → running.
    Resume,
    /// draft, running or paused → stopped (final).
    Stop,
}

impl TaskAction {
    /// Parses `start`, `pause`, `resume`, `stop`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start" => Some(Self::Start),
            "pause" => Some(Self::Pause),
            "resume" => Some(Self::Resume),
            "stop" => Some(Self::Stop),
            _ => None,
        }
    }

    /// As in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Stop => "stop",
        }
    }

    /// The states it may leave.
    pub fn from_states(self) -> &'static [TaskState] {
        use TaskState::*;
        match self {
            Self::Start => &[Draft],
            Self::Pause => &[Running],
            Self::Resume => &[Paused],
            Self::Stop => &[Draft, Running, Paused],
        }
    }

    /// The state it leads to.
    pub fn to_state(self) -> TaskState {
        match self {
            Self::Start | Self::Resume => TaskState::Running,
            Self::Pause => TaskState::Paused,
            Self::Stop => TaskState::Stopped,
        }
    }

    /// Whether it is offered for a task in `state`.
    pub fn allowed_from(self, state: TaskState) -> bool {
        self.from_states().contains(&state)
    }

    /// Every action, in button order.
    pub const ALL: [TaskAction; 4] = [Self::Start, Self::Pause, Self::Resume, Self::Stop];
}

/// One of the tenant's tasks; another tenant's is 404.
pub async fn find_task(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<Task> {
    state
        .store
        .get_task(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// Applies `action` to one of the tenant's tasks.
pub async fn apply(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    action: TaskAction,
    reason: Option<&str>,
    actor: &Actor,
) -> AppResult<Task> {
    let task = find_task(state, tenant, id).await?;
    if !action.allowed_from(task.state) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "cannot {} a task that is {}",
                action.as_str(),
                task.state.as_str()
            ),
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 200) {
        return Err(AppError::invalid(
            "reason",
            "the reason is longer than 200 characters",
        ));
    }
    if matches!(action, TaskAction::Start | TaskAction::Resume) {
        state
            .store
            .enqueue_task_contacts(tenant, id, state.clock.now())
            .await?;
    }
    Ok(state
        .store
        .set_task_state(
            tenant,
            id,
            action.from_states(),
            action.to_state(),
            reason,
            actor,
        )
        .await?)
}
