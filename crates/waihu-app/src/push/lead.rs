//! Builds the lead one delivery pushes, from what the store holds: the lead, its
//! call (time, intents, transcript), task and tenant names, the contact (name,
//! list fields, current consent) and — only when the tenant allows it — the
//! decrypted full number.

use crate::pii::Pii;
use crate::AppResult;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;
use waihu_push::{present_number, Grade, Lead, PushError, Speaker, Target, TranscriptLine};
use waihu_store::{DueDelivery, PushKind, Store, StoredContact};

/// Transcript lines sent with a lead (the chat messages show up to 10).
const TRANSCRIPT_LINES: usize = 10;

/// Call times are shown in China Standard Time: tenants have no time zone of
/// their own yet, and every tenant calls under the CN jurisdiction.
const SHOWN_OFFSET_SECS: i32 = 8 * 3600;

/// Intent labels that say nothing about the callee's interest.
const NOISE_INTENTS: [&str; 3] = ["silence", "unknown", "default"];

/// Everything one attempt needs.
pub(super) struct Prepared {
    /// The checked target, with its secret.
    pub target: Target,
    /// The lead as it may leave the platform.
    pub lead: Lead,
    /// The contact's consent allows passing the lead on, now.
    pub consent_share_leads: bool,
}

/// Why a delivery cannot be attempted.
pub(super) enum Unpushable {
    /// A push rule refused it (invalid target, no consent); the backoff decides.
    Push(PushError),
    /// The stored lead cannot be made into a push (a bad grade): dead at once.
    BadData(String),
}

/// Loads and builds the lead of `due`. The outer error is a database failure
/// (leave the delivery for the next pass); the inner one says why this delivery
/// cannot be sent.
pub(super) async fn prepare(
    store: &Store,
    pii: &Pii,
    due: &DueDelivery,
    now: DateTime<Utc>,
) -> AppResult<Result<Prepared, Unpushable>> {
    let target = match Target::new(
        push_kind(due.target.kind),
        &due.target.url,
        due.target.secret.as_deref(),
    ) {
        Ok(t) => t,
        Err(e) => return Ok(Err(Unpushable::Push(e))),
    };
    let stored = &due.lead;
    let grade: Grade = match stored.grade().parse() {
        Ok(g) => g,
        Err(e) => return Ok(Err(Unpushable::BadData(format!("lead {}: {e}", stored.id)))),
    };
    let tenant_id = stored.tenant_id;
    let tenant_name = store
        .get_tenant(tenant_id)
        .await?
        .map(|t| t.name.to_string())
        .unwrap_or_else(|| tenant_id.to_string());
    let task_name = store
        .get_task(tenant_id, stored.task_id)
        .await?
        .map(|t| t.name)
        .unwrap_or_else(|| stored.task_id.to_string());
    let call = store.get_call(tenant_id, stored.call_id).await?;
    let contact = match (&call, stored.contact_id) {
        (Some(call), Some(contact_id)) => store
            .contacts_by_number(tenant_id, &call.number_hash)
            .await?
            .into_iter()
            .find(|c| c.id == contact_id),
        _ => None,
    };
    // Consent is checked again at send time: it may have been withdrawn or have
    // expired since the call, and an erased contact has none left.
    let consent_share_leads = stored.shareable
        && contact
            .as_ref()
            .is_some_and(|c| c.consent.allows_lead_sharing(tenant_id, now));
    // The ciphertext is bound to the contact's tenant and number hash.
    let full = match (&due.number_enc, due.full_numbers_in_push, &contact) {
        (Some(sealed), true, Some(c)) => match pii.open(sealed, tenant_id, c.number_hash) {
            Ok(n) => Some(n),
            Err(_) => {
                // Falls back to the masked number; the error names no number.
                tracing::warn!(lead = %stored.id, "cannot decrypt the number; pushing it masked");
                None
            }
        },
        _ => None,
    };
    let (contact_name, contact_fields) = contact.as_ref().map(contact_details).unwrap_or_default();
    let called = call
        .as_ref()
        .map(|c| c.answered_at.unwrap_or(c.created_at))
        .unwrap_or(stored.created_at);
    let lead = Lead {
        lead_id: stored.id,
        tenant_name,
        task_name,
        grade,
        grade_reason: stored.robot_reason.clone(),
        number: present_number(
            &stored.number_masked,
            full.as_deref(),
            due.full_numbers_in_push,
        ),
        contact_name,
        contact_fields,
        intents: call
            .as_ref()
            .and_then(|c| c.intents_json.as_deref())
            .map(intents)
            .unwrap_or_default(),
        transcript: call
            .as_ref()
            .and_then(|c| c.transcript_json.as_deref())
            .map(transcript)
            .unwrap_or_default(),
        called_at: shown_time(called),
        record_url: None,
    };
    Ok(Ok(Prepared {
        target,
        lead,
        consent_share_leads,
    }))
}

fn push_kind(kind: PushKind) -> waihu_push::PushKind {
    match kind {
        PushKind::Wecom => waihu_push::PushKind::WeCom,
        PushKind::Dingtalk => waihu_push::PushKind::DingTalk,
        PushKind::Feishu => waihu_push::PushKind::Feishu,
        PushKind::Webhook => waihu_push::PushKind::Webhook,
    }
}

fn shown_time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    match FixedOffset::east_opt(SHOWN_OFFSET_SECS) {
        Some(offset) => t.with_timezone(&offset),
        None => t.fixed_offset(),
    }
}

/// The contact's name (`name` field) and its other list fields, by field name.
fn contact_details(contact: &StoredContact) -> (Option<String>, Vec<(String, String)>) {
    fields(&contact.fields)
}

fn fields(value: &Value) -> (Option<String>, Vec<(String, String)>) {
    let Some(map) = value.as_object() else {
        return (None, Vec::new());
    };
    let mut name = None;
    let mut rest = Vec::new();
    for (key, v) in map {
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if text.is_empty() {
            continue;
        }
        if key == "name" {
            name = Some(text);
        } else {
            rest.push((key.clone(), text));
        }
    }
    (name, rest)
}

/// Intents in the order first heard, without repeats or the no-intent labels.
fn intents(json: &str) -> Vec<String> {
    let labels: Vec<String> = serde_json::from_str(json).unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for label in labels {
        let label = label.trim();
        if label.is_empty() || NOISE_INTENTS.contains(&label) || out.iter().any(|l| l == label) {
            continue;
        }
        out.push(label.to_string());
    }
    out
}

/// The last lines of the conversation with words in them, leaving out the
/// disclosure (the same on every call) and callee lines not kept after a
/// recording objection.
fn transcript(json: &str) -> Vec<TranscriptLine> {
    let lines: Vec<Value> = serde_json::from_str(json).unwrap_or_default();
    let kept: Vec<TranscriptLine> = lines
        .iter()
        .filter(|l| l.get("disclosure").and_then(Value::as_bool) != Some(true))
        .filter_map(|l| {
            let who = l.get("speaker").or_else(|| l.get("who"))?.as_str()?;
            let speaker = match who {
                "robot" | "bot" => Speaker::Bot,
                "callee" => Speaker::Callee,
                _ => return None,
            };
            let text = l.get("text")?.as_str()?.trim();
            (!text.is_empty()).then(|| TranscriptLine {
                speaker,
                text: text.to_string(),
            })
        })
        .collect();
    let skip = kept.len().saturating_sub(TRANSCRIPT_LINES);
    kept.into_iter().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_keep_first_order_without_noise_or_repeats() {
        let got = intents(r#"["silence","ask_price","unknown","ask_price","book",""]"#);
        assert_eq!(got, vec!["ask_price".to_string(), "book".to_string()]);
        assert!(intents("not json").is_empty());
    }

    #[test]
    fn transcript_drops_disclosure_and_unkept_lines_and_keeps_the_last_ten() {
        let mut lines = vec![
            serde_json::json!({"speaker":"robot","text":"本通话由AI发起","disclosure":true}),
            serde_json::json!({"speaker":"callee","text":null}),
            serde_json::json!({"who":"callee","text":"好的"}),
        ];
        for i in 0..12 {
            lines.push(serde_json::json!({"speaker":"robot","text":format!("第{i}句")}));
        }
        let got = transcript(&Value::Array(lines).to_string());
        assert_eq!(got.len(), TRANSCRIPT_LINES);
        assert_eq!(got[0].text, "第2句");
        assert_eq!(got[9].text, "第11句");
        assert!(got.iter().all(|l| !l.text.contains("AI发起")));

        let short =
            transcript(r#"[{"speaker":"callee","text":" 好的 "},{"speaker":"x","text":"?"}]"#);
        assert_eq!(short.len(), 1);
        assert_eq!(
            (short[0].speaker, short[0].text.as_str()),
            (Speaker::Callee, "好的")
        );
    }

    #[test]
    fn contact_name_is_split_from_the_other_fields() {
        let (name, rest) =
            fields(&serde_json::json!({"name":"王先生","城市":"杭州","age":40,"empty":" "}));
        assert_eq!(name.as_deref(), Some("王先生"));
        assert!(rest.contains(&("城市".to_string(), "杭州".to_string())));
        assert!(rest.contains(&("age".to_string(), "40".to_string())));
        assert_eq!(rest.len(), 2);
        assert_eq!(fields(&Value::Null), (None, Vec::new()));
    }
}
