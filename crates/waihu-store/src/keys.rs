//! Key maintenance: re-sealing the stored number ciphertexts under a new key, in
//! small batches. Platform-wide by nature (a key protects every tenant's rows), so
//! these calls are for the operator's `waihu keys` command only; every change is a
//! compare-and-swap on the ciphertext, so a row changed meanwhile (a running import,
//! an erasure) is left for the next pass instead of overwritten.

use crate::error::StoreResult;
use async_trait::async_trait;
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// A stored number ciphertext with what it is bound to.
#[derive(Debug, Clone)]
pub struct SealedNumber {
    /// The contact row.
    pub contact_id: Uuid,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its number's keyed hash.
    pub number_hash: PhoneHash,
    /// The ciphertext as stored.
    pub number_enc: Vec<u8>,
}

/// One ciphertext to replace, if it is still `old`.
#[derive(Debug, Clone)]
pub struct Reseal {
    /// The contact row.
    pub contact_id: Uuid,
    /// The ciphertext read.
    pub old: Vec<u8>,
    /// Its replacement.
    pub new: Vec<u8>,
}

/// Key maintenance over the contacts' number ciphertexts (all tenants).
#[async_trait]
pub trait KeyRepo {
    /// Up to `limit` contacts with id greater than `after`, in id order, whose
    /// ciphertext does not start with `header` (the current key's v2 header).
    async fn sealed_numbers_not_under(
        &self,
        header: &[u8],
        after: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<SealedNumber>>;
    /// Replaces ciphertexts in one short transaction, each only if it is still the
    /// one read; returns how many were replaced.
    async fn reseal_numbers(&self, changes: &[Reseal]) -> StoreResult<u64>;
    /// How many contacts' ciphertexts do not start with `header`.
    async fn count_sealed_not_under(&self, header: &[u8]) -> StoreResult<i64>;
}
