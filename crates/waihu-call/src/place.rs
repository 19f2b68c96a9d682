//! Placing a call with a conversation: dial, run the conversation if
//! answered, and return one [`CallRecord`]. The setup's observer hears
//! `Dialling` first and `Ended` last, whatever happens in between.

use tokio::sync::mpsc;
use waihu_core::CallOutcome;
use waihu_sip::{DialRequest, DialResult, Progress, UserAgent};

use crate::conversation::{run_conversation, ConversationSetup};
use crate::{CallError, CallRecord, LiveEvent};

/// Dials `req` and, if answered, runs the script's conversation on it.
/// The setup's recording path and maximum duration override the request's.
/// Outcomes (busy, no answer, hang-ups) are in the record; an error is a
/// local failure (bad request, no RTP port, recording file not writable).
pub async fn place_call(
    ua: &UserAgent,
    req: DialRequest,
    setup: ConversationSetup,
    progress: Option<mpsc::UnboundedSender<Progress>>,
) -> Result<CallRecord, CallError> {
    let observer = setup.observer.clone();
    if let Some(o) = &observer {
        o.event(LiveEvent::Dialling);
    }
    let result = dial_and_converse(ua, req, setup, progress).await;
    if let Some(o) = &observer {
        o.event(ended(&result));
    }
    result
}

/// The `Ended` event of a finished attempt.
fn ended(result: &Result<CallRecord, CallError>) -> LiveEvent {
    match result {
        Ok(r) => LiveEvent::Ended {
            outcome: r.report.outcome.call_outcome(),
            script_outcome: r.conversation.as_ref().map(|c| c.script_outcome.clone()),
            grade: r.conversation.as_ref().map(|c| c.grade),
        },
        Err(_) => LiveEvent::Ended {
            outcome: CallOutcome::Failed,
            script_outcome: None,
            grade: None,
        },
    }
}

async fn dial_and_converse(
    ua: &UserAgent,
    mut req: DialRequest,
    setup: ConversationSetup,
    progress: Option<mpsc::UnboundedSender<Progress>>,
) -> Result<CallRecord, CallError> {
    if setup.record_to.is_some() {
        req.record = setup.record_to.clone();
    }
    let max = setup.config.max_duration;
    req.max_duration = Some(req.max_duration.map_or(max, |m| m.min(max)));
    match ua.dial(req, progress).await? {
        DialResult::NotAnswered(report) => Ok(CallRecord {
            report,
            conversation: None,
        }),
        DialResult::Answered(call) => {
            let (report, conversation) = run_conversation(*call, &setup).await;
            Ok(CallRecord {
                report,
                conversation: Some(conversation),
            })
        }
    }
}
