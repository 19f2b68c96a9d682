//! The operator's platform console as the web layer handles it, shared by the
//! pages and the API: SIP trunks (list, add; the password is never shown back),
//! the caller-number registry (register, verify, assign to a tenant — numbers
//! normalised to E.164 like `waihu caller-number`) and per-tenant refusal,
//! opt-out and complaint rates over the last 30 days.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_store::{Actor, CallerNumber, NewTrunk, Transport, Trunk};

/// A trunk as shown: no password.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrunkView {
    /// Stable id.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// A SIP URI or `host:port`.
    pub address: String,
    /// `udp` or `tcp`.
    pub transport: String,
    /// Digest user name.
    pub username: Option<String>,
    /// Whether a digest password is set (never shown).
    pub has_password: bool,
    /// Call attempts per second the carrier allows.
    pub cps_limit: f64,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

impl From<Trunk> for TrunkView {
    fn from(t: Trunk) -> Self {
        Self {
            id: t.id,
            name: t.name,
            address: t.address,
            transport: t.transport.as_str().into(),
            username: t.username,
            has_password: t.password.is_some(),
            cps_limit: t.cps_limit,
            created_at: t.created_at,
        }
    }
}

/// A trunk to register (`POST /api/v1/trunks`; the page's form too).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewTrunkReq {
    /// Unique name, 1–64 characters.
    pub name: String,
    /// A SIP URI or `host:port`.
    pub address: String,
    /// `udp` (default) or `tcp`.
    #[serde(default)]
    pub transport: Option<String>,
    /// Digest user name, if the carrier authenticates.
    #[serde(default)]
    pub username: Option<String>,
    /// Digest password.
    #[serde(default)]
    pub password: Option<String>,
    /// Call attempts per second the carrier allows (> 0).
    pub cps_limit: f64,
}

fn filled(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Checks and registers a trunk.
pub async fn add_trunk(state: &AppState, req: NewTrunkReq, actor: &Actor) -> AppResult<TrunkView> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "the name must be 1 to 64 printable characters",
        ));
    }
    let address = req.address.trim();
    if address.is_empty() || address.len() > 255 || address.chars().any(char::is_whitespace) {
        return Err(AppError::invalid(
            "address",
            "the address is a SIP URI or host:port without spaces",
        ));
    }
    let transport = Transport::parse(req.transport.as_deref().unwrap_or("udp").trim())
        .map_err(|e| AppError::from(e).with_field("transport"))?;
    if !(req.cps_limit > 0.0 && req.cps_limit.is_finite()) {
        return Err(AppError::invalid(
            "cps_limit",
            "the carrier's rate must be a positive number of calls per second",
        ));
    }
    let added = state
        .store
        .add_trunk(
            NewTrunk {
                name: name.to_string(),
                address: address.to_string(),
                transport,
                username: filled(req.username),
                password: filled(req.password),
                cps_limit: req.cps_limit,
            },
            actor,
        )
        .await?;
    Ok(added.into())
}

/// A number typed by the operator, as E.164 (default region CN).
pub fn e164(raw: &str) -> AppResult<String> {
    waihu_contacts::phone::Normaliser::new(phonenumber::country::Id::CN)
        .normalise(raw.trim())
        .map_err(|_| AppError::invalid("number", "not a valid phone number"))
}

/// A registry change (`register`, `verify`, `assign`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberAction {
    /// Register (unverified, unassigned).
    Register,
    /// Mark verified.
    Verify,
    /// Assign to a tenant.
    Assign(TenantId),
}

/// Applies a registry change to `raw` (normalised first).
pub async fn change_number(
    state: &AppState,
    raw: &str,
    action: NumberAction,
    actor: &Actor,
) -> AppResult<CallerNumber> {
    let number = e164(raw)?;
    let s = &state.store;
    Ok(match action {
        NumberAction::Register => s.add_caller_number(&number, actor).await?,
        NumberAction::Verify => s.verify_caller_number(&number, actor).await?,
        NumberAction::Assign(t) => {
            if s.get_tenant(t).await?.is_none() {
                return Err(AppError::invalid("tenant_id", "no such tenant"));
            }
            s.assign_caller_number(&number, t, actor).await?
        }
    })
}

/// One tenant's rates as shown to the operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantRatesView {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Its name.
    pub tenant_name: String,
    /// Dialled calls.
    pub attempts: i64,
    /// Answered calls.
    pub answered: i64,
    /// Gate refusals.
    pub refused: i64,
    /// Refusals out of refusals + attempts (0 when none).
    pub refusal_rate: f64,
    /// Callees who opted out.
    pub opt_outs: i64,
    /// Calls where the callee complained.
    pub complaints: i64,
    /// Complaints out of answered calls (0 when none).
    pub complaint_rate: f64,
}

fn ratio(n: i64, d: i64) -> f64 {
    if d > 0 {
        n as f64 / d as f64
    } else {
        0.0
    }
}

/// Every tenant's rates over the 30 days before `now` (tenants without calls: zeros).
pub async fn rates(state: &AppState, now: DateTime<Utc>) -> AppResult<Vec<TenantRatesView>> {
    let rows = state
        .store
        .tenant_rates(now - Duration::days(30), now + Duration::hours(1))
        .await?;
    let mut out = Vec::new();
    for t in state.store.list_tenants().await? {
        let r = rows.iter().find(|r| r.tenant_id == t.id);
        let (attempts, answered, refused, opt_outs, complaints) = r
            .map(|r| (r.attempts, r.answered, r.refused, r.opt_outs, r.complaints))
            .unwrap_or_default();
        out.push(TenantRatesView {
            tenant_id: t.id.0,
            tenant_name: t.name.to_string(),
            attempts,
            answered,
            refused,
            refusal_rate: ratio(refused, refused + attempts),
            opt_outs,
            complaints,
            complaint_rate: ratio(complaints, answered),
        });
    }
    Ok(out)
}
