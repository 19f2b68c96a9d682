//! The commands that move a task between its states ([`waihu_core::TaskState`]):
//! draft → running ⇄ paused → completed | stopped. Pure; the store applies a
//! transition as a compare-and-set on the command's source states.

use std::fmt;
use waihu_core::TaskState;

/// What a user (or the scheduler) asks of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskCommand {
    /// draft → running.
    Start,
    /// running → paused.
    Pause,
    /// paused → running.
    Resume,
    /// draft, running or paused → stopped.
    Stop,
    /// running or paused → completed (the scheduler, when nothing is left).
    Complete,
}

/// A command that does not apply to the task's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {command} a task that is {state}")]
pub struct TransitionError {
    /// The command given.
    pub command: TaskCommand,
    /// The state the task is in.
    pub state: TaskState,
}

impl TaskCommand {
    /// The commands a person may give, in the order the back office offers them
    /// (completing is the scheduler's).
    pub const BY_PERSON: [TaskCommand; 4] = [
        TaskCommand::Start,
        TaskCommand::Pause,
        TaskCommand::Resume,
        TaskCommand::Stop,
    ];

    /// The command's verb, as typed on the command line and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskCommand::Start => "start",
            TaskCommand::Pause => "pause",
            TaskCommand::Resume => "resume",
            TaskCommand::Stop => "stop",
            TaskCommand::Complete => "complete",
        }
    }

    /// The states the command applies to.
    pub fn sources(self) -> &'static [TaskState] {
        use TaskState::*;
        match self {
            TaskCommand::Start => &[Draft],
            TaskCommand::Pause => &[Running],
            TaskCommand::Resume => &[Paused],
            TaskCommand::Stop => &[Draft, Running, Paused],
            TaskCommand::Complete => &[Running, Paused],
        }
    }

    /// The state it leads to.
    pub fn target(self) -> TaskState {
        match self {
            TaskCommand::Start | TaskCommand::Resume => TaskState::Running,
            TaskCommand::Pause => TaskState::Paused,
            TaskCommand::Stop => TaskState::Stopped,
            TaskCommand::Complete => TaskState::Completed,
        }
    }

    /// Whether the command applies to a task in `state`.
    pub fn applies_to(self, state: TaskState) -> bool {
        self.sources().contains(&state)
    }

    /// The state after the command on a task in `state`, or why it does not apply.
    pub fn apply(self, state: TaskState) -> Result<TaskState, TransitionError> {
        if self.applies_to(state) {
            Ok(self.target())
        } else {
            Err(TransitionError {
                command: self,
                state,
            })
        }
    }
}

impl fmt::Display for TaskCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TaskCommand::*;
    use super::*;
    use waihu_core::TaskState::*;

    #[test]
    fn every_command_from_every_state() {
        let table = [
            (Draft, Start, Some(Running)),
            (Draft, Pause, None),
            (Draft, Resume, None),
            (Draft, Stop, Some(Stopped)),
            (Draft, Complete, None),
            (Running, Start, None),
            (Running, Pause, Some(Paused)),
            (Running, Resume, None),
            (Running, Stop, Some(Stopped)),
            (Running, Complete, Some(Completed)),
            (Paused, Start, None),
            (Paused, Pause, None),
            (Paused, Resume, Some(Running)),
            (Paused, Stop, Some(Stopped)),
            (Paused, Complete, Some(Completed)),
        ];
        for (from, cmd, to) in table {
            assert_eq!(cmd.apply(from).ok(), to, "{from} --{cmd}-->");
            assert_eq!(cmd.applies_to(from), to.is_some(), "{from} --{cmd}-->");
        }
        for s in [Completed, Stopped] {
            assert!(s.is_final());
            for c in [Start, Pause, Resume, Stop, Complete] {
                let e = c.apply(s).unwrap_err();
                assert_eq!(e.to_string(), format!("cannot {c} a task that is {s}"));
            }
        }
    }

    #[test]
    fn a_person_cannot_complete_a_task() {
        let verbs: Vec<&str> = TaskCommand::BY_PERSON.iter().map(|c| c.as_str()).collect();
        assert_eq!(verbs, ["start", "pause", "resume", "stop"]);
    }
}
