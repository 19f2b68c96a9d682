//! Placing a call with a conversation: dial, run the conversation if
//! answered, and return one [`CallRecord`].

use tokio::sync::mpsc;
use waihu_sip::{DialRequest, DialResult, Progress, UserAgent};

use crate::conversation::{run_conversation, ConversationSetup};
use crate::{CallError, CallRecord};

/// Dials `req` and, if answered, runs the script's conversation on it.
/// The setup's recording path and maximum duration override the request's.
/// Outcomes (busy, no answer, hang-ups) are in the record; an error is a
/// local failure (bad request, no RTP port, recording file not writable).
pub async fn place_call(
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
