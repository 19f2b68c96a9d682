//! waihu-push: delivering good leads to the sales team's chat groups and
//! systems — WeCom, DingTalk and Feishu group-robot webhooks and a generic
//! signed JSON webhook — with retries, backoff and a dead-letter list.
//!
//! Pure where possible: [`may_push`] and [`present_number`] decide what may
//! leave the platform, [`build_request`] makes the exact documented request,
//! [`interpret_response`] reads the reply, [`Backoff`] says when to retry or
//! give up. [`OutboundPolicy`] says which URLs and addresses may be called
//! (pure); [`check_target_url`] and [`Deliverer`] are the only I/O. The caller (the application) loads due
//! deliveries, builds the request at attempt time, sends it and stores the
//! outcome. Formats: docs/leadpush.md.

mod backoff;
mod deliver;
mod error;
mod lead;
mod outbound;
mod payload;
mod policy;
mod render;
mod request;
mod resolve;
mod response;
mod sign;
mod target;

pub use backoff::{AfterFailure, Backoff, BackoffError, DeadReason};
pub use deliver::{Delivered, Deliverer};
pub use error::{retry_for_status, PushError, Retry};
pub use lead::{Grade, Lead, PresentedNumber, Speaker, TranscriptLine, UnknownGrade};
pub use outbound::{classify, AddrClass, BadAllowEntry, OutboundError, OutboundPolicy};
pub use payload::WEBHOOK_BODY_VERSION;
pub use policy::{may_push, present_number};
pub use render::MAX_MESSAGE_BYTES;
pub use request::{build_request, PushRequest};
pub use resolve::{check_target_url, resolve_checked};
pub use response::interpret_response;
pub use sign::{
    dingtalk_sign, feishu_sign, verify_webhook_signature, webhook_signature, VerifyError,
    HEADER_DELIVERY, HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
pub use target::{shown_url, PushKind, Target, UnknownPushKind};
