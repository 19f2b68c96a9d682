//! The lifecycle state of a calling task: draft → running ⇄ paused → completed |
//! stopped. One type for every crate that speaks of it (the store persists it, the
//! scheduler moves it, the compliance gate refuses to dial unless it is running,
//! the back office and the CLI show it), so no crate needs a conversion.

use std::fmt;
use std::str::FromStr;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskState {
    /// Being set up; nobody is called.
    Draft,
    /// The scheduler dials its contacts.
    Running,
    /// Held by a user or automatically (e.g. complaint rate); resumable.
    Paused,
    /// Every contact is done (or the end date passed).
    Completed,
    /// Ended for good by a person or a rule before completion.
    Stopped,
}

/// Text that is not one of the five state names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task state {0:?}")]
pub struct UnknownTaskState(pub String);

impl TaskState {
    /// Every state, in lifecycle order.
    pub const ALL: [TaskState; 5] = [
        TaskState::Draft,
        TaskState::Running,
        TaskState::Paused,
        TaskState::Completed,
        TaskState::Stopped,
    ];

    /// The stable lowercase name: stored in the database and shown by the API and
    /// the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Draft => "draft",
            TaskState::Running => "running",
            TaskState::Paused => "paused",
            TaskState::Completed => "completed",
            TaskState::Stopped => "stopped",
        }
    }

    /// Whether no command can move the task any more.
    pub fn is_final(self) -> bool {
        matches!(self, TaskState::Completed | TaskState::Stopped)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskState {
    type Err = UnknownTaskState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskState::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTaskState(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_stored_text_and_round_trip() {
        let names: Vec<&str> = TaskState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            ["draft", "running", "paused", "completed", "stopped"]
        );
        for s in TaskState::ALL {
            assert_eq!(s.as_str().parse::<TaskState>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
    }

    #[test]
    fn unknown_names_are_a_typed_error() {
        for bad in ["finished", "done", "Running", ""] {
            assert_eq!(
                bad.parse::<TaskState>(),
                Err(UnknownTaskState(bad.to_string()))
            );
        }
        assert_eq!(
            "done".parse::<TaskState>().unwrap_err().to_string(),
            "unknown task state \"done\""
        );
    }

    #[test]
    fn only_completed_and_stopped_are_final() {
        let finals: Vec<TaskState> = TaskState::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, [TaskState::Completed, TaskState::Stopped]);
    }
}
