//! Lead push: a tenant's targets (group-robot webhooks of WeCom, DingTalk, Feishu,
//! or a generic signed webhook) and the delivery queue with retries and a
//! dead-letter list. Target secrets never appear in `Debug` output.

use crate::campaign::leads::Lead;
use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use uuid::Uuid;
use waihu_core::TenantId;

/// The kind of push target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// WeCom (企业微信) group robot.
    Wecom,
    /// DingTalk (钉钉) group robot.
    Dingtalk,
    /// Feishu (飞书) group robot.
    Feishu,
    /// Generic signed JSON webhook.
    Webhook,
}

impl PushKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            PushKind::Wecom => "wecom",
            PushKind::Dingtalk => "dingtalk",
            PushKind::Feishu => "feishu",
            PushKind::Webhook => "webhook",
        }
    }
    /// Parses the stored form.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "wecom" => Ok(PushKind::Wecom),
            "dingtalk" => Ok(PushKind::Dingtalk),
            "feishu" => Ok(PushKind::Feishu),
            "webhook" => Ok(PushKind::Webhook),
            other => Err(format!(
                "unknown push target kind {other:?} (expected wecom, dingtalk, feishu or webhook)"
            )),
        }
    }
}

/// A push target to add.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPushTarget {
    /// Unique within the tenant.
    pub name: String,
    /// Which protocol.
    pub kind: PushKind,
    /// Where to post.
    pub url: String,
    /// Signing secret (never printed).
    pub secret: Option<String>,
    /// Only leads graded at or above this letter are pushed.
    pub min_grade: String,
    /// Whether new leads are queued for it.
    pub enabled: bool,
}

/// A stored push target.
#[derive(Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// Stable id.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Unique within the tenant.
    pub name: String,
    /// Which protocol.
    pub kind: PushKind,
    /// Where to post.
    pub url: String,
    /// Signing secret (never printed).
    pub secret: Option<String>,
    /// Lowest grade pushed.
    pub min_grade: String,
    /// Whether new leads are queued for it.
    pub enabled: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

fn redacted(s: &Option<String>) -> &'static str {
    if s.is_some() {
        "Some(<redacted>)"
    } else {
        "None"
    }
}

impl fmt::Debug for NewPushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPushTarget")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("secret", &redacted(&self.secret))
            .field("min_grade", &self.min_grade)
            .field("enabled", &self.enabled)
            .finish()
    }
}

impl fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushTarget")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("secret", &redacted(&self.secret))
            .field("min_grade", &self.min_grade)
            .field("enabled", &self.enabled)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// Delivered.
    Delivered,
    /// Given up (on the dead-letter list).
    Dead,
}

impl DeliveryState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }
    /// Parses the stored form.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(DeliveryState::Pending),
            "delivered" => Ok(DeliveryState::Delivered),
            "dead" => Ok(DeliveryState::Dead),
            other => Err(format!("unknown delivery state {other:?}")),
        }
    }
}

/// One lead to deliver to one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Stable id.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The lead.
    pub lead_id: Uuid,
    /// The target.
    pub target_id: Uuid,
    /// The target's name.
    pub target_name: String,
    /// Where it is.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: i32,
    /// When it is next due.
    pub next_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A due delivery with everything the pusher needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: Delivery,
    /// The target, with its secret.
    pub target: PushTarget,
    /// The lead.
    pub lead: Lead,
    /// Whether the tenant allows full numbers in pushes.
    pub full_numbers_in_push: bool,
    /// The contact's number ciphertext, only when full numbers are allowed and the
    /// contact still exists.
    pub number_enc: Option<Vec<u8>>,
}

/// Push targets (tenant-scoped, audited) and the delivery queue (all tenants).
#[async_trait]
pub trait PushRepo {
    /// Adds a target; the name must be free within the tenant.
    async fn add_push_target(
        &self,
        tenant_id: TenantId,
        target: NewPushTarget,
        actor: &Actor,
    ) -> StoreResult<PushTarget>;
    /// The tenant's targets, by name.
    async fn list_push_targets(&self, tenant_id: TenantId) -> StoreResult<Vec<PushTarget>>;
    /// Enables or disables a target.
    async fn set_push_target_enabled(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        enabled: bool,
        actor: &Actor,
    ) -> StoreResult<PushTarget>;
    /// Pending deliveries due at `now` to enabled targets, oldest due first.
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32)
        -> StoreResult<Vec<DueDelivery>>;
    /// Marks a delivery delivered.
    async fn mark_delivered(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;
    /// Records a failed attempt: retry at `next_at`, or dead when `None`.
    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        next_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// The tenant's dead deliveries, newest first.
    async fn dead_letters(&self, tenant_id: TenantId) -> StoreResult<Vec<Delivery>>;
    /// Queues a dead delivery again, due `now`.
    async fn retry_dead_letter(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<()>;
}
