//! Task states and the commands that move between them:
//! draft → running ⇄ paused → completed | stopped. Pure; the store applies a
//! transition as a compare-and-set on the allowed source states.

use std::fmt;
use std::str::FromStr;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskStatus {
    /// Being set up; nobody is called.
    Draft,
    /// The scheduler dials its contacts.
    Running,
    /// Held by a user or automatically; resumable.
    Paused,
    /// Every contact is done (or the end date passed).
    Completed,
    /// Stopped for good by a user.
    Stopped,
}

/// What a user (or the scheduler) asks of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The command's name.
    pub command: &'static str,
    /// The state the task is in.
    pub state: TaskStatus,
}

/// A state name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task state {0:?}")]
pub struct UnknownStatus(pub String);

impl TaskStatus {
    /// The stable lower-case name stored in the database and shown by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Draft => "draft",
            TaskStatus::Running => "running",
            TaskStatus::Paused => "paused",
            TaskStatus::Completed => "completed",
            TaskStatus::Stopped => "stopped",
        }
    }

    /// Whether no command can move the task any more.
    pub fn is_final(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Stopped)
    }

    /// The state after `command`, or why it does not apply.
    pub fn apply(self, command: TaskCommand) -> Result<TaskStatus, TransitionError> {
        if command.sources().contains(&self) {
            Ok(command.target())
        } else {
            Err(TransitionError {
                command: command.as_str(),
                state: self,
            })
        }
    }
}

impl TaskCommand {
    /// The command's verb, as typed on the command line.
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
    pub fn sources(self) -> &'static [TaskStatus] {
        use TaskStatus::*;
        match self {
            TaskCommand::Start => &[Draft],
            TaskCommand::Pause => &[Running],
            TaskCommand::Resume => &[Paused],
            TaskCommand::Stop => &[Draft, Running, Paused],
            TaskCommand::Complete => &[Running, Paused],
        }
    }

    /// The state it leads to.
    pub fn target(self) -> TaskStatus {
        match self {
            TaskCommand::Start | TaskCommand::Resume => TaskStatus::Running,
            TaskCommand::Pause => TaskStatus::Paused,
            TaskCommand::Stop => TaskStatus::Stopped,
            TaskCommand::Complete => TaskStatus::Completed,
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for TaskCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "draft" => TaskStatus::Draft,
            "running" => TaskStatus::Running,
            "paused" => TaskStatus::Paused,
            "completed" => TaskStatus::Completed,
            "stopped" => TaskStatus::Stopped,
            other => return Err(UnknownStatus(other.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::TaskCommand::*;
    use super::TaskStatus::*;
    use super::*;

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
            assert_eq!(from.apply(cmd).ok(), to, "{from} --{cmd}-->");
        }
        for s in [Completed, Stopped] {
            for c in [Start, Pause, Resume, Stop, Complete] {
                let e = s.apply(c).unwrap_err();
                assert_eq!(e.to_string(), format!("cannot {c} a task that is {s}"));
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in [Draft, Running, Paused, Completed, Stopped] {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(s));
        }
        assert!("finished".parse::<TaskStatus>().is_err());
    }
}
