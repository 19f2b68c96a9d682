//! Database rows of the rights tables and their conversion to the public types.

use super::{Complaint, ComplaintState};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

pub(crate) const COMPLAINT_COLS: &str = "id, tenant_id, number_hash, number_masked, caller_number, \
     verified, description, occurred_at, state, tenant_answer, answered_at, resolution, created_at, \
     acked_at, closed_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ComplaintRow {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub number_hash: Vec<u8>,
    pub number_masked: String,
    pub caller_number: Option<String>,
    pub verified: bool,
    pub description: String,
    pub occurred_at: DateTime<Utc>,
    pub state: String,
    pub tenant_answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
    pub acked_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A stored hash back into a [`PhoneHash`].
pub(crate) fn phone_hash(table: &'static str, bytes: Vec<u8>) -> StoreResult<PhoneHash> {
    let arr: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| StoreError::Corrupt {
        table,
        why: format!("number hash of {} bytes, expected 32", b.len()),
    })?;
    Ok(PhoneHash(arr))
}

impl ComplaintRow {
    pub(crate) fn into_complaint(self, call_ids: Vec<Uuid>) -> StoreResult<Complaint> {
        let state = ComplaintState::parse(&self.state).map_err(|why| StoreError::Corrupt {
            table: "complaints",
            why,
        })?;
        Ok(Complaint {
            id: self.id,
            tenant_id: self.tenant_id.map(TenantId),
            number_hash: phone_hash("complaints", self.number_hash)?,
            number_masked: self.number_masked,
            caller_number: self.caller_number,
            verified: self.verified,
            description: self.description,
            occurred_at: self.occurred_at,
            state,
            tenant_answer: self.tenant_answer,
            answered_at: self.answered_at,
            call_ids,
            created_at: self.created_at,
            acked_at: self.acked_at,
            closed_at: self.closed_at,
            resolution: self.resolution,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExportCallRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub task_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub outcome: Option<String>,
    pub script_outcome: Option<String>,
    pub grade: Option<String>,
    pub opt_out: bool,
    pub transcript: Option<String>,
    pub recording_path: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExportContactRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub list_name: String,
    pub fields: String,
    pub created_at: DateTime<Utc>,
    pub source: String,
    pub given_at: DateTime<Utc>,
    pub purposes: String,
    pub share_leads: bool,
    pub evidence_kind: String,
    pub evidence: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExportDncRow {
    pub scope_key: String,
    pub tenant_id: Option<Uuid>,
    pub tenant_name: Option<String>,
    pub reason: String,
    pub source: String,
    pub created_at: DateTime<Utc>,
}
