//! The API's own shapes (domain types are not `Serialize`): conversions are
//! explicit, so that a new field in the store never leaks by accident.

use crate::auth::Principal;
use crate::error::AppResult;
use crate::pages::audit::ChainView;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_compliance::{ConsentRecord, EvidenceRef};
use waihu_store::{ApiToken, AuditEntry, ContactList, StoredContact, Tenant, User};

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: usize,
    /// The page size asked for.
    pub limit: usize,
    /// Items skipped.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDto {
    /// Stable id.
    pub id: Uuid,
    /// Unique short name.
    pub name: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<Tenant> for TenantDto {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id.0,
            name: t.name.to_string(),
            status: t.status.as_str().into(),
            created_at: t.created_at,
        }
    }
}

/// A back-office account (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Stable id.
    pub id: Uuid,
    /// The tenant; null for operators.
    pub tenant_id: Option<Uuid>,
    /// Login name.
    pub username: String,
    /// operator, admin, agent or auditor.
    pub role: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            tenant_id: u.tenant_id.map(|t| t.0),
            username: u.username,
            role: u.role.as_str().into(),
            created_at: u.created_at,
        }
    }
}

/// An API token (never its secret, except once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// Stable id.
    pub id: Uuid,
    /// Label.
    pub name: String,
    /// The audit actor who created it.
    pub created_by: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenDto {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            created_by: t.created_by,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The token.
    pub token: TokenDto,
    /// The bearer secret; store it now, it cannot be shown again.
    pub secret: String,
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`user:…`, `token:…`, `cli:…`, `system`).
    pub actor: String,
    /// The tenant concerned.
    pub tenant_id: Option<Uuid>,
    /// What, e.g. `auth.login`.
    pub action: String,
    /// To what.
    pub target: String,
    /// Details (JSON object).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

impl From<AuditEntry> for AuditDto {
    fn from(e: AuditEntry) -> Self {
        let details =
            serde_json::from_str(&e.details).unwrap_or(serde_json::Value::String(e.details));
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            tenant_id: e.tenant_id.map(|t| t.0),
            action: e.action,
            target: e.target,
            details,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// The result of walking the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainResult {
    /// `platform` (the operator: the whole log) or `tenant` (the caller's own
    /// entries only).
    pub scope: String,
    /// Whether every entry is intact.
    pub intact: bool,
    /// Entries (when intact): the platform's, or the tenant's own.
    pub count: Option<i64>,
    /// `COUNT:HASH` of the newest entry (operator, when intact), for `--expect-head`.
    pub head: Option<String>,
    /// The first bad entry (when broken; for a tenant only if it is its own).
    pub first_bad_seq: Option<i64>,
    /// What is wrong with it.
    pub why: Option<String>,
}

impl From<ChainView> for ChainResult {
    fn from(v: ChainView) -> Self {
        let (scope, ok, count, head, bad) = match v {
            ChainView::Platform(Ok(h)) => {
                ("platform", true, Some(h.count), Some(h.to_string()), None)
            }
            ChainView::Platform(Err(b)) => ("platform", false, None, None, Some(b)),
            ChainView::Tenant(Ok(n)) => ("tenant", true, Some(n), None, None),
            ChainView::Tenant(Err(b)) => ("tenant", false, None, None, b),
        };
        Self {
            scope: scope.into(),
            intact: ok,
            count,
            head,
            first_bad_seq: bad.as_ref().map(|b| b.seq),
            why: match (ok, bad) {
                (_, Some(b)) => Some(b.why),
                (false, None) => Some("an entry outside this tenant's part of the log is broken; the operator can see where".into()),
                (true, None) => None,
            },
        }
    }
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// The audit actor.
    pub actor: String,
    /// The effective role (API tokens act as admin).
    pub role: String,
    /// The tenant, null for operators.
    pub tenant_id: Option<Uuid>,
    /// Username or token name.
    pub name: String,
}

/// `POST /api/v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTenantReq {
    /// `^[a-z][a-z0-9-]{1,31}$`.
    pub name: String,
}

/// Suspend or resume.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StatusReq {
    /// Why (recorded in the audit log).
    pub reason: Option<String>,
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserReq {
    /// Login name: letters, digits, `.`, `_`, `-`. A tenant's admin gives the
    /// name only: the platform adds `@` and the tenant (`carl@acme`, 64
    /// characters at most in all).
    pub username: String,
    /// 12-128 characters, not a common password, not containing the username
    /// or the tenant's name.
    pub password: String,
    /// admin, agent or auditor.
    pub role: String,
}

/// A new password set by an administrator.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordReq {
    /// 12-128 characters, not a common password, not containing the username
    /// or the tenant's name.
    pub password: String,
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTokenReq {
    /// Label, 1-64 characters.
    pub name: String,
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = MeDto), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(who: Principal) -> AppResult<Json<MeDto>> {
    Ok(Json(MeDto {
        actor: who.actor.to_string(),
        role: who.role.as_str().into(),
        tenant_id: who.tenant_id.map(|t| t.0),
        name: who.display,
    }))
}

/// A contact list of the tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactListDto {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<ContactList> for ContactListDto {
    fn from(l: ContactList) -> Self {
        Self {
            id: l.id,
            name: l.name,
            created_at: l.created_at,
        }
    }
}

/// The consent evidence held for a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    /// Where consent was collected (`web_form`, `in_store` …).
    pub source: String,
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// The purposes it covers.
    pub purposes: Vec<String>,
    /// Whether leads may be passed on.
    pub share_leads: bool,
    /// A reference to the evidence, if given as one.
    pub reference: Option<String>,
    /// The wording agreed to, if given as such.
    pub wording: Option<String>,
    /// When it lapses, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the callee withdrew it, if they did.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<&ConsentRecord> for ConsentDto {
    fn from(c: &ConsentRecord) -> Self {
        let e = &c.evidence;
        let (reference, wording) = match &e.evidence {
            EvidenceRef::Reference(r) => (Some(r.clone()), None),
            EvidenceRef::Wording(w) => (None, Some(w.clone())),
        };
        Self {
            source: e.source.clone(),
            given_at: e.given_at,
            purposes: e.purposes.iter().map(|p| p.as_str().to_string()).collect(),
            share_leads: e.share_leads,
            reference,
            wording,
            expires_at: e.expires_at,
            withdrawn_at: c.withdrawn_at,
        }
    }
}

/// A contact. Its number is only ever shown masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    /// Stable id.
    pub id: Uuid,
    /// The list it belongs to.
    pub list_id: Uuid,
    /// The masked number (138****5678).
    pub number_masked: String,
    /// Name and custom fields (script variables).
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// Explicit IANA time zone, if the import gave one.
    pub time_zone: Option<String>,
    /// The consent held.
    pub consent: ConsentDto,
}

impl From<StoredContact> for ContactDto {
    fn from(c: StoredContact) -> Self {
        // Explicit: the hash and the ciphertext never leave the server.
        Self {
            id: c.id,
            list_id: c.list_id,
            number_masked: c.number_masked,
            consent: ConsentDto::from(&c.consent),
            fields: c.fields,
            time_zone: c.zone_override,
        }
    }
}

/// One page of a list's contacts (no total: counting a large list is not cheap).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    /// The contacts of this page, oldest first.
    pub items: Vec<ContactDto>,
    /// The page size asked for.
    pub limit: usize,
    /// Contacts skipped.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// A number to look up on the do-not-call lists (sent in the body, never in a
/// URL, so it stays out of access logs and browser history).
#[derive(Debug, Deserialize, ToSchema)]
pub struct DncCheckReq {
    /// The number as typed: `13812345678`, `+86 138 1234 5678`, `+14155550123` …
    pub number: String,
}

/// Add a number to, or remove it from, the tenant's do-not-call list.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DncChangeReq {
    /// The number as typed.
    pub number: String,
    /// Why (required, 1-200 characters; kept in the audit log).
    #[serde(default)]
    pub reason: Option<String>,
}

/// On which do-not-call lists a number is.
#[derive(Debug, Serialize, ToSchema)]
pub struct DncStatusDto {
    /// The masked number.
    pub number_masked: String,
    /// The tenant's own list.
    pub tenant: bool,
    /// The platform's list.
    pub platform: bool,
    /// The national registry list.
    pub registry: bool,
}

/// The result of adding a number.
#[derive(Debug, Serialize, ToSchema)]
pub struct DncAddedDto {
    /// The masked number.
    pub number_masked: String,
    /// False when it was already on the tenant's list.
    pub added: bool,
}

/// The tenant's do-not-call list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DncSummaryDto {
    /// Entries on the tenant's own list.
    pub tenant_entries: i64,
    /// Whether this server can hash typed numbers (the PII key is configured).
    pub lookups_enabled: bool,
}
