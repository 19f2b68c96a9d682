//! Contacts, consent evidence, do-not-call lists, caller numbers and the dial
//! attempt history: the data the compliance gate decides on. Numbers appear here
//! only as a keyed hash ([`PhoneHash`]), AEAD ciphertext and a masked form.

use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_compliance::{ConsentEvidence, ConsentRecord};
use waihu_core::TenantId;

/// A named contact list of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactList {
    /// Stable id.
    pub id: Uuid,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Unique within the tenant.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One contact ready to be stored (already validated, hashed and encrypted).
#[derive(Debug, Clone)]
pub struct NewContact {
    /// Keyed hash of the E.164 number.
    pub number_hash: PhoneHash,
    /// AEAD ciphertext of the E.164 number.
    pub number_enc: Vec<u8>,
    /// Masked number for display (138****5678).
    pub number_masked: String,
    /// Name and custom fields (script variables) as a JSON object.
    pub fields: serde_json::Value,
    /// Explicit IANA time zone, if the file gave one.
    pub zone_override: Option<String>,
    /// Index into [`ImportBatch::evidence`].
    pub evidence: usize,
}

/// Contacts to add to a list in one all-or-nothing transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    /// Distinct consent evidence records referenced by the contacts.
    pub evidence: Vec<ConsentEvidence>,
    /// The contacts.
    pub contacts: Vec<NewContact>,
}

/// One message of a streamed import: evidence records before the contacts that
/// refer to them (by their position among the evidence messages), contacts in
/// chunks, and `Failed` when the producer hit a whole-file error — then nothing
/// is stored. The import ends when the sender is dropped.
#[derive(Debug)]
pub enum FeedItem {
    /// The next consent evidence record (index = number of earlier `Evidence` items).
    Evidence(ConsentEvidence),
    /// A chunk of contacts.
    Contacts(Vec<NewContact>),
    /// The producer failed; roll everything back with this message.
    Failed(String),
}

/// The receiving end of a streamed import.
pub type ImportFeed = tokio::sync::mpsc::Receiver<FeedItem>;

/// What an import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoredImport {
    /// Contacts added.
    pub imported: u64,
    /// Contacts skipped because the list already had the number.
    pub duplicates: u64,
}

/// A stored contact as the gate and the dialer see it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredContact {
    /// Stable id.
    pub id: Uuid,
    /// The list it belongs to.
    pub list_id: Uuid,
    /// Keyed hash of the number.
    pub number_hash: PhoneHash,
    /// AEAD ciphertext of the number.
    pub number_enc: Vec<u8>,
    /// Masked number.
    pub number_masked: String,
    /// Name and custom fields.
    pub fields: serde_json::Value,
    /// Explicit time zone.
    pub zone_override: Option<String>,
    /// The consent held for this contact.
    pub consent: ConsentRecord,
}

/// Which do-not-call list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DncScope {
    /// A tenant's own list.
    Tenant(TenantId),
    /// The platform-wide list (operator).
    Platform,
    /// An imported national registry list (operator).
    Registry,
}

impl DncScope {
    pub(crate) fn key(self) -> String {
        match self {
            DncScope::Tenant(t) => format!("tenant:{t}"),
            DncScope::Platform => "platform".into(),
            DncScope::Registry => "registry".into(),
        }
    }
    pub(crate) fn tenant(self) -> Option<TenantId> {
        match self {
            DncScope::Tenant(t) => Some(t),
            _ => None,
        }
    }
    /// A label for messages and audit targets.
    pub fn label(self) -> String {
        match self {
            DncScope::Tenant(_) => "tenant".into(),
            DncScope::Platform => "platform".into(),
            DncScope::Registry => "registry".into(),
        }
    }
}

/// On which do-not-call lists a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DncMembership {
    /// The tenant's list.
    pub tenant: bool,
    /// The platform list.
    pub platform: bool,
    /// The registry list.
    pub registry: bool,
}

/// A caller number the platform knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerNumber {
    /// E.164.
    pub number: String,
    /// The tenant it is assigned to.
    pub tenant_id: Option<TenantId>,
    /// When the operator verified it.
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// Attempts made to one number, across all tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttemptHistory {
    /// Ordinary attempts in the last 24 h.
    pub last_24h: u32,
    /// Ordinary attempts in the last 30 days.
    pub last_30d: u32,
    /// Verification calls in the last 24 h.
    pub verification_last_24h: u32,
}

/// Contact lists and contacts (tenant-scoped).
#[async_trait]
pub trait ContactRepo {
    /// The tenant's list of that name, created (and audited) if missing.
    async fn ensure_contact_list(
        &self,
        tenant_id: TenantId,
        name: &str,
        actor: &Actor,
    ) -> StoreResult<ContactList>;
    /// The tenant's lists, by name.
    async fn list_contact_lists(&self, tenant_id: TenantId) -> StoreResult<Vec<ContactList>>;
    /// Adds contacts to a list in one transaction: all or nothing. Numbers the list
    /// already has are skipped and counted as duplicates.
    async fn import_contacts(
        &self,
        tenant_id: TenantId,
        list_id: Uuid,
        batch: ImportBatch,
        actor: &Actor,
    ) -> StoreResult<StoredImport>;
    /// Streams contacts into the tenant's list of that name (created if missing), all
    /// in one transaction: the database works while the producer is still reading
    /// the file. On `FeedItem::Failed` nothing is stored, not even the list.
    async fn import_contacts_feed(
        &self,
        tenant_id: TenantId,
        list_name: &str,
        feed: ImportFeed,
        actor: &Actor,
    ) -> StoreResult<(ContactList, StoredImport)>;
    /// The tenant's contacts with this number (in any of its lists).
    async fn contacts_by_number(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
    ) -> StoreResult<Vec<StoredContact>>;
    /// Contacts of one list, oldest first, paged.
    async fn list_contacts(
        &self,
        tenant_id: TenantId,
        list_id: Uuid,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredContact>>;
    /// Marks the consent of every contact of the tenant with this number withdrawn.
    /// Returns how many contacts it touched.
    async fn withdraw_consent(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
        masked: &str,
        reason: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<u64>;
    /// Deletes every contact of the tenant with this number and puts the number on
    /// the tenant's do-not-call list (only the hash remains). Returns contacts deleted.
    async fn delete_contact_number(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
        masked: &str,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<u64>;
}

/// Do-not-call lists.
#[async_trait]
pub trait DncRepo {
    /// Adds a number; returns false if it was already there.
    async fn add_dnc(
        &self,
        scope: DncScope,
        number: &PhoneHash,
        masked: &str,
        reason: &str,
        source: &str,
        actor: &Actor,
    ) -> StoreResult<bool>;
    /// Adds many numbers in one transaction (one audit entry); returns how many were new.
    async fn import_dnc(
        &self,
        scope: DncScope,
        numbers: &[PhoneHash],
        source: &str,
        actor: &Actor,
    ) -> StoreResult<u64>;
    /// Removes a number (with a reason, audited); returns false if it was not there.
    async fn remove_dnc(
        &self,
        scope: DncScope,
        number: &PhoneHash,
        masked: &str,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<bool>;
    /// On which lists the number is, for this tenant.
    async fn dnc_membership(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
    ) -> StoreResult<DncMembership>;
    /// Number of entries on one list.
    async fn count_dnc(&self, scope: DncScope) -> StoreResult<i64>;
    /// Every hash on the tenant's, the platform's and the registry list (for
    /// in-memory checks during imports and dialling).
    async fn dnc_hashes(&self, tenant_id: TenantId) -> StoreResult<Vec<PhoneHash>>;
}

/// Caller numbers: registered and verified by the operator, assigned to one tenant.
#[async_trait]
pub trait CallerNumberRepo {
    /// Registers a number (unverified, unassigned).
    async fn add_caller_number(&self, number: &str, actor: &Actor) -> StoreResult<CallerNumber>;
    /// Marks a number verified.
    async fn verify_caller_number(&self, number: &str, actor: &Actor) -> StoreResult<CallerNumber>;
    /// Assigns a number to a tenant (one owner at a time).
    async fn assign_caller_number(
        &self,
        number: &str,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> StoreResult<CallerNumber>;
    /// One number.
    async fn get_caller_number(&self, number: &str) -> StoreResult<Option<CallerNumber>>;
    /// All numbers (operator) .
    async fn list_caller_numbers(&self) -> StoreResult<Vec<CallerNumber>>;
}

/// Whose policy: the platform's or a tenant's override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyScope {
    /// The operator's policy for a jurisdiction.
    Platform,
    /// A tenant's stricter override.
    Tenant(TenantId),
}

impl PolicyScope {
    pub(crate) fn key(self) -> String {
        match self {
            PolicyScope::Platform => "platform".into(),
            PolicyScope::Tenant(t) => format!("tenant:{t}"),
        }
    }
    pub(crate) fn tenant(self) -> Option<TenantId> {
        match self {
            PolicyScope::Platform => None,
            PolicyScope::Tenant(t) => Some(t),
        }
    }
}

/// Jurisdiction policies as JSON documents (the compliance crate owns their shape).
#[async_trait]
pub trait PolicyRepo {
    /// The stored document, if any.
    async fn get_policy(
        &self,
        scope: PolicyScope,
        jurisdiction: &str,
    ) -> StoreResult<Option<String>>;
    /// Stores a document (audited, with the document as details).
    async fn set_policy(
        &self,
        scope: PolicyScope,
        jurisdiction: &str,
        body: &serde_json::Value,
        actor: &Actor,
    ) -> StoreResult<()>;
}

/// The history of dial attempts, across all tenants (for frequency caps).
#[async_trait]
pub trait AttemptRepo {
    /// Records an attempt before it is dialled; returns its id.
    async fn record_attempt(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
        purpose: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Uuid>;
    /// Stores the outcome code of an attempt.
    async fn set_attempt_outcome(&self, id: Uuid, outcome: &str) -> StoreResult<()>;
    /// Attempts to the number in the 24 h and 30 days before `now`, all tenants.
    async fn attempt_history(
        &self,
        number: &PhoneHash,
        now: DateTime<Utc>,
    ) -> StoreResult<AttemptHistory>;
}
