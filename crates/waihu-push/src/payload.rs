//! The generic webhook's JSON body. Field names here are a published contract
//! (docs/leadpush.md): add fields, never rename or remove them.

use crate::lead::Lead;
use serde::Serialize;
use uuid::Uuid;

/// Version of the body layout; raised only for incompatible changes.
pub const WEBHOOK_BODY_VERSION: u32 = 1;

/// Top level of the webhook body.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    /// Always `"lead"`.
    pub event: &'static str,
    /// [`WEBHOOK_BODY_VERSION`].
    pub version: u32,
    /// The same as the `X-Waihu-Delivery` header; stable across retries.
    pub delivery_id: Uuid,
    /// The lead.
    pub lead: LeadBody<'a>,
}

/// The lead inside the webhook body.
#[derive(Debug, Serialize)]
pub struct LeadBody<'a> {
    /// Lead id (UUID), the same for every target and retry.
    pub id: Uuid,
    /// Tenant display name.
    pub tenant: &'a str,
    /// Calling task name.
    pub task: &'a str,
    /// `"A"` to `"F"`.
    pub grade: &'static str,
    /// Why the grade was given.
    pub grade_reason: &'a str,
    /// The phone number as it may be shown.
    pub number: NumberBody<'a>,
    /// Contact name and list fields.
    pub contact: ContactBody<'a>,
    /// Intents recognised, in order first heard.
    pub intents: &'a [String],
    /// A few transcript lines.
    pub transcript: Vec<LineBody<'a>>,
    /// RFC 3339 with the tenant's offset, e.g. `2026-03-02T14:05:00+08:00`.
    pub called_at: String,
    /// Back-office link, or `null`.
    pub record_url: Option<&'a str>,
}

/// The number and whether it is masked.
#[derive(Debug, Serialize)]
pub struct NumberBody<'a> {
    /// `138****5678` or `+8613812345678`.
    pub text: &'a str,
    /// True when `text` is masked.
    pub masked: bool,
}

/// Contact details from the list.
#[derive(Debug, Serialize)]
pub struct ContactBody<'a> {
    /// Name, or `null`.
    pub name: Option<&'a str>,
    /// List fields in list order.
    pub fields: Vec<FieldBody<'a>>,
}

/// One contact field.
#[derive(Debug, Serialize)]
pub struct FieldBody<'a> {
    /// Column name.
    pub name: &'a str,
    /// Value.
    pub value: &'a str,
}

/// One transcript line.
#[derive(Debug, Serialize)]
pub struct LineBody<'a> {
    /// `"bot"` or `"callee"`.
    pub speaker: &'static str,
    /// Recognised text.
    pub text: &'a str,
}

impl<'a> WebhookBody<'a> {
    /// The body for one delivery of `lead`.
    pub fn new(lead: &'a Lead, delivery_id: Uuid) -> Self {
        Self {
            event: "lead",
            version: WEBHOOK_BODY_VERSION,
            delivery_id,
            lead: LeadBody {
                id: lead.lead_id,
                tenant: &lead.tenant_name,
                task: &lead.task_name,
                grade: lead.grade.as_str(),
                grade_reason: &lead.grade_reason,
                number: NumberBody {
                    text: &lead.number.text,
                    masked: !lead.number.is_full,
                },
                contact: ContactBody {
                    name: lead.contact_name.as_deref(),
                    fields: lead
                        .contact_fields
                        .iter()
                        .map(|(name, value)| FieldBody { name, value })
                        .collect(),
                },
                intents: &lead.intents,
                transcript: lead
                    .transcript
                    .iter()
                    .map(|l| LineBody {
                        speaker: l.speaker.as_str(),
                        text: &l.text,
                    })
                    .collect(),
                called_at: lead.called_at.to_rfc3339(),
                record_url: lead.record_url.as_deref(),
            },
        }
    }
}
