//! A tenant's settings as the web layer handles them, shared by the settings page
//! and the API: its caller numbers (read; the operator registers and verifies
//! them), its lead push targets (add — checked by `waihu_push::Target` exactly
//! like `waihu push target add` — and enable/disable; a secret is never shown
//! back, a robot's URL key is hidden) and its robot-line quota (read).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_push::{Grade, PushError, Target};
use waihu_store::{Actor, NewPushTarget, PushKind, PushTarget};

/// A push target as shown: no secret, the URL without its access key.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushTargetView {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub name: String,
    /// `wecom`, `dingtalk`, `feishu` or `webhook`.
    pub kind: String,
    /// The URL without the robot's access key.
    pub url: String,
    /// Whether a signing secret is set (the secret itself is never shown).
    pub signed: bool,
    /// Leads graded at or above this are pushed.
    pub min_grade: String,
    /// Whether leads are pushed to it.
    pub enabled: bool,
}

fn push_kind(k: PushKind) -> waihu_push::PushKind {
    match k {
        PushKind::Wecom => waihu_push::PushKind::WeCom,
        PushKind::Dingtalk => waihu_push::PushKind::DingTalk,
        PushKind::Feishu => waihu_push::PushKind::Feishu,
        PushKind::Webhook => waihu_push::PushKind::Webhook,
    }
}

fn store_kind(k: waihu_push::PushKind) -> PushKind {
    match k {
        waihu_push::PushKind::WeCom => PushKind::Wecom,
        waihu_push::PushKind::DingTalk => PushKind::Dingtalk,
        waihu_push::PushKind::Feishu => PushKind::Feishu,
        waihu_push::PushKind::Webhook => PushKind::Webhook,
    }
}

impl From<PushTarget> for PushTargetView {
    fn from(t: PushTarget) -> Self {
        Self {
            id: t.id,
            url: waihu_push::shown_url(push_kind(t.kind), &t.url),
            name: t.name,
            kind: t.kind.as_str().into(),
            signed: t.secret.is_some(),
            min_grade: t.min_grade,
            enabled: t.enabled,
        }
    }
}

/// A push target to add (`POST /api/v1/push-targets`; the page's form too).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewPushTargetReq {
    /// Unique within the tenant, 1–64 characters.
    pub name: String,
    /// `wecom`, `dingtalk`, `feishu` or `webhook`.
    pub kind: String,
    /// The robot's or the endpoint's http(s) URL.
    pub url: String,
    /// Signing secret: required for `webhook`, none for `wecom`.
    #[serde(default)]
    pub secret: Option<String>,
    /// Leads graded at or above this are pushed (default `B`).
    #[serde(default)]
    pub min_grade: Option<String>,
    /// Whether to start enabled (default true).
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Enable or disable a push target.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EnabledReq {
    /// The new state.
    pub enabled: bool,
}

/// The tenant's push targets, as shown.
pub async fn push_targets(state: &AppState, tenant: TenantId) -> AppResult<Vec<PushTargetView>> {
    Ok(state
        .store
        .list_push_targets(tenant)
        .await?
        .into_iter()
        .map(PushTargetView::from)
        .collect())
}

/// Checks and adds a push target.
pub async fn add_push_target(
    state: &AppState,
    tenant: TenantId,
    req: NewPushTargetReq,
    actor: &Actor,
) -> AppResult<PushTargetView> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "the name must be 1 to 64 printable characters",
        ));
    }
    let kind: waihu_push::PushKind = req
        .kind
        .parse()
        .map_err(|e: waihu_push::UnknownPushKind| AppError::invalid("kind", e.to_string()))?;
    let grade: Grade = req
        .min_grade
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .unwrap_or("B")
        .parse()
        .map_err(|e: waihu_push::UnknownGrade| AppError::invalid("min_grade", e.to_string()))?;
    let checked = Target::new(kind, &req.url, req.secret.as_deref()).map_err(|e| match e {
        PushError::MissingSecret { .. } => {
            AppError::invalid("secret", format!("a {kind} target needs a signing secret"))
        }
        PushError::InvalidTarget { reason } if reason.contains("secret") => {
            AppError::invalid("secret", reason)
        }
        other => AppError::invalid("url", other.to_string()),
    })?;
    // The outbound URL policy (no internal addresses, resolved names included),
    // so the tenant hears now what the pusher would refuse later.
    waihu_push::check_target_url(
        &state.outbound,
        &checked.url,
        std::time::Duration::from_secs(3),
    )
    .await
    .map_err(|e| AppError::invalid("url", e.to_string()))?;
    let added = state
        .store
        .add_push_target(
            tenant,
            NewPushTarget {
                name: name.to_string(),
                kind: store_kind(kind),
                url: checked.url,
                secret: checked.secret,
                min_grade: grade.as_str().to_string(),
                enabled: req.enabled.unwrap_or(true),
            },
            actor,
        )
        .await?;
    Ok(added.into())
}

/// Enables or disables one of the tenant's push targets (another tenant's: 404).
pub async fn set_enabled(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    enabled: bool,
    actor: &Actor,
) -> AppResult<PushTargetView> {
    if !state
        .store
        .list_push_targets(tenant)
        .await?
        .iter()
        .any(|t| t.id == id)
    {
        return Err(AppError::not_found("push target"));
    }
    Ok(state
        .store
        .set_push_target_enabled(tenant, id, enabled, actor)
        .await?
        .into())
}
