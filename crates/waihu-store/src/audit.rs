//! The audit log: append-only and hash-chained. Each entry stores the hash of the
//! previous entry and the hash of its own canonical content, so that changing,
//! removing or reordering any entry breaks the chain; truncation of the newest
//! entries is caught by comparing the head (count and last hash) with one recorded
//! earlier. Details must never hold a full phone number (only a keyed hash or a
//! masked form), so that erasing a person's data never requires rewriting the chain.
//!
//! Entries written with an [`AuditKey`] (every entry since the key exists) are hashed
//! with HMAC-SHA256 under that key and name it (`key_id`), so the chain cannot be
//! recomputed by someone who can only write to the database. Older entries keep their
//! plain SHA-256 hashes up to the key's anchor (see [`crate::audit_key`]).

pub use crate::audit_key::AuditKey;
use chrono::{DateTime, SubsecRound, Utc};
use hmac::Mac;
use sha2::{Digest, Sha256};
use std::fmt;
use waihu_core::TenantId;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: `user:<name>`, `token:<id>`, `cli:<os user>` or `system`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// A logged-in back-office user.
    pub fn user(username: &str) -> Self {
        Self(format!("user:{username}"))
    }
    /// An API token, by id.
    pub fn token(id: impl fmt::Display) -> Self {
        Self(format!("token:{id}"))
    }
    /// A command-line invocation by an OS user.
    pub fn cli(os_user: &str) -> Self {
        Self(format!("cli:{os_user}"))
    }
    /// The platform itself (scheduled jobs, first start).
    pub fn system() -> Self {
        Self("system".into())
    }
    /// An actor given as text (e.g. from the binary's context).
    pub fn raw(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// As text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An entry about to be appended.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// Who did it.
    pub actor: Actor,
    /// The tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// What was done, e.g. `tenant.create`.
    pub action: String,
    /// What it was done to, e.g. `tenant:acme`.
    pub target: String,
    /// A JSON object with details (no full phone numbers).
    pub details: serde_json::Value,
}

impl NewAudit {
    /// An entry with empty details.
    pub fn new(
        actor: &Actor,
        tenant_id: Option<TenantId>,
        action: &str,
        target: impl Into<String>,
    ) -> Self {
        Self {
            actor: actor.clone(),
            tenant_id,
            action: action.into(),
            target: target.into(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// A search of the audit log, newest first, done by the database over the whole
/// log (not a window of the newest entries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSearch {
    /// Only this tenant's entries; `None` for the whole platform.
    pub tenant_id: Option<waihu_core::TenantId>,
    /// Only actions starting with this (e.g. `auth.`).
    pub action_prefix: Option<String>,
    /// Only actors containing this (e.g. `user:`).
    pub actor_contains: Option<String>,
    /// Entries to skip.
    pub offset: i64,
    /// Entries to return.
    pub limit: i64,
}

/// `text` as a literal inside a LIKE pattern escaped with `\`.
pub(crate) fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When it was written (microsecond precision).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// The tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// Details as stored (JSON text).
    pub details: String,
    /// Hash of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hash of this entry's canonical content.
    pub hash: String,
    /// The audit key the hash is keyed with; `None` for entries written before the
    /// switch-over to keyed hashes (plain SHA-256).
    pub key_id: Option<String>,
}

/// Truncates to what both backends store exactly.
pub fn storage_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// The hash of an entry's canonical content: every field length-prefixed, so that
/// no two different entries share an encoding. Unkeyed (plain SHA-256): what entries
/// written before the switch-over to the audit key carry.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: DateTime<Utc>,
    actor: &str,
    tenant_id: Option<TenantId>,
    action: &str,
    target: &str,
    details: &str,
    prev_hash: &str,
) -> String {
    let [seq, at, tenant] = canonical_fields(seq, at, tenant_id);
    let mut h = Sha256::new();
    h.update(b"waihu-audit-v1");
    for field in [
        seq.as_str(),
        at.as_str(),
        actor,
        tenant.as_str(),
        action,
        target,
        details,
        prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The keyed hash of an entry: HMAC-SHA256 under `key` over the same canonical
/// fields as [`entry_hash`] plus the key's id, in a different domain.
#[allow(clippy::too_many_arguments)]
pub fn keyed_entry_hash(
    key: &AuditKey,
    seq: i64,
    at: DateTime<Utc>,
    actor: &str,
    tenant_id: Option<TenantId>,
    action: &str,
    target: &str,
    details: &str,
    prev_hash: &str,
) -> String {
    let mut m = key.mac();
    m.update(b"waihu-audit-v2");
    let [seq, at, tenant] = canonical_fields(seq, at, tenant_id);
    for field in [
        key.id(),
        seq.as_str(),
        at.as_str(),
        actor,
        tenant.as_str(),
        action,
        target,
        details,
        prev_hash,
    ] {
        m.update(&(field.len() as u64).to_be_bytes());
        m.update(field.as_bytes());
    }
    hex::encode(m.finalize().into_bytes())
}

/// The fields that need formatting as text: seq, time and tenant.
fn canonical_fields(seq: i64, at: DateTime<Utc>, tenant_id: Option<TenantId>) -> [String; 3] {
    let tenant = tenant_id.map(|t| t.to_string()).unwrap_or_default();
    let at = storage_time(at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    [seq.to_string(), at, tenant]
}

impl AuditEntry {
    /// Recomputes this entry's unkeyed hash from its content.
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            self.at,
            &self.actor,
            self.tenant_id,
            &self.action,
            &self.target,
            &self.details,
            &self.prev_hash,
        )
    }

    /// Recomputes this entry's hash keyed with `key`.
    pub fn keyed_hash(&self, key: &AuditKey) -> String {
        keyed_entry_hash(
            key,
            self.seq,
            self.at,
            &self.actor,
            self.tenant_id,
            &self.action,
            &self.target,
            &self.details,
            &self.prev_hash,
        )
    }
}

/// The newest entry's position and hash: what `--expect-head COUNT:HASH` compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Number of entries.
    pub count: i64,
    /// Hash of the newest entry ([`GENESIS_HASH`] when empty).
    pub hash: String,
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.count, self.hash)
    }
}

impl std::str::FromStr for ChainHead {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (count, hash) = s
            .split_once(':')
            .ok_or_else(|| format!("expected COUNT:HASH, got {s:?}"))?;
        let count = count
            .parse::<i64>()
            .map_err(|_| format!("COUNT in {s:?} is not a number"))?;
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("HASH in {s:?} is not 64 hex digits"));
        }
        Ok(Self {
            count,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// The first problem found while walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The stored `seq` of the first bad entry (or the expected one, for gaps).
    pub seq: i64,
    /// The tenant of the bad entry, when it is a stored entry with a tenant (so a
    /// tenant is told where only when the entry is its own).
    pub tenant_id: Option<TenantId>,
    /// What is wrong.
    pub why: String,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.why)
    }
}

/// Walks entries in storage order and checks the chain incrementally, so that a
/// log of any length is verified in constant memory. With an [`AuditKey`] it also
/// checks the keyed hashes and the key's anchor; without one, keyed entries cannot
/// be checked and count as a break.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    broken: Option<ChainBreak>,
    key: Option<std::sync::Arc<AuditKey>>,
    seen_keyed: bool,
    tenant: Option<TenantId>,
    tenant_count: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new(None)
    }
}

impl ChainVerifier {
    /// A verifier checking keyed entries with `key` (if any).
    pub fn new(key: Option<std::sync::Arc<AuditKey>>) -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.into(),
            broken: None,
            key,
            seen_keyed: false,
            tenant: None,
            tenant_count: 0,
        }
    }

    /// Also counts the intact entries of `tenant` (see [`Self::tenant_count`]).
    pub fn counting_tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// Intact entries of the tenant given to [`Self::counting_tenant`] so far.
    pub fn tenant_count(&self) -> i64 {
        self.tenant_count
    }

    /// What is wrong with `e` as the next entry, if anything.
    fn check(&self, e: &AuditEntry) -> Option<(i64, String)> {
        if e.seq > self.expected_seq {
            return Some((
                self.expected_seq,
                format!("entries {}..{} are missing", self.expected_seq, e.seq - 1),
            ));
        }
        if e.seq < self.expected_seq {
            return Some((
                e.seq,
                format!("duplicate or out-of-order sequence number {}", e.seq),
            ));
        }
        if e.prev_hash != self.prev_hash {
            return Some((
                e.seq,
                "its previous-hash does not match the entry before it (removed or reordered entries)".into(),
            ));
        }
        let changed = "its content does not match its hash (the entry was changed)";
        match (&e.key_id, &self.key) {
            (None, key) => {
                if let Some(k) = key.as_ref().filter(|k| e.seq > k.anchor().count) {
                    return Some((
                        e.seq,
                        format!(
                            "it is not keyed, but every entry after the audit key's anchor (entry {}) must be \
                             (rewritten by someone without the audit key?)",
                            k.anchor().count
                        ),
                    ));
                }
                if self.seen_keyed {
                    return Some((
                        e.seq,
                        "it is not keyed, but entries before it are (rewritten by someone without the audit key?)"
                            .into(),
                    ));
                }
                if e.computed_hash() != e.hash {
                    return Some((e.seq, changed.into()));
                }
                if let Some(k) = key.as_ref().filter(|k| e.seq == k.anchor().count) {
                    if e.hash != k.anchor().hash {
                        return Some((
                            e.seq,
                            format!(
                                "its hash does not match the anchor {} recorded in the audit key file \
                                 (entries up to it were rewritten)",
                                k.anchor()
                            ),
                        ));
                    }
                }
                None
            }
            (Some(id), None) => Some((
                e.seq,
                format!("it is keyed with audit key {id}; checking it needs that key (the audit key file)"),
            )),
            (Some(id), Some(k)) if id != k.id() => Some((
                e.seq,
                format!("it is keyed with audit key {id}, not with the loaded audit key {}", k.id()),
            )),
            (Some(_), Some(k)) if e.seq <= k.anchor().count => Some((
                e.seq,
                format!(
                    "it is keyed, but entries up to the audit key's anchor (entry {}) were written before the key",
                    k.anchor().count
                ),
            )),
            (Some(_), Some(k)) => (e.keyed_hash(k) != e.hash).then(|| (e.seq, changed.into())),
        }
    }

    /// Feeds the next entry (ordered by `seq`); returns false once broken.
    pub fn push(&mut self, e: &AuditEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if let Some((seq, why)) = self.check(e) {
            let tenant_id = if seq == e.seq { e.tenant_id } else { None };
            self.broken = Some(ChainBreak {
                seq,
                tenant_id,
                why,
            });
            return false;
        }
        self.seen_keyed |= e.key_id.is_some();
        if self.tenant.is_some() && e.tenant_id == self.tenant {
            self.tenant_count += 1;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    /// The result: the head if the chain is intact, else the first break.
    pub fn finish(self) -> Result<ChainHead, ChainBreak> {
        if let Some(b) = self.broken {
            return Err(b);
        }
        let count = self.expected_seq - 1;
        if let Some(k) = self.key.as_ref().filter(|k| count < k.anchor().count) {
            return Err(ChainBreak {
                seq: self.expected_seq,
                tenant_id: None,
                why: format!(
                    "the log ends after {count} entries, but the audit key file's anchor records {} \
                     (entries were removed)",
                    k.anchor().count
                ),
            });
        }
        Ok(ChainHead {
            count,
            hash: self.prev_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
                    + chrono::Duration::seconds(seq);
                let hash = entry_hash(
                    seq,
                    at,
                    "cli:root",
                    None,
                    "tenant.create",
                    "tenant:x",
                    "{}",
                    &prev,
                );
                let e = AuditEntry {
                    seq,
                    at,
                    actor: "cli:root".into(),
                    tenant_id: None,
                    action: "tenant.create".into(),
                    target: "tenant:x".into(),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    key_id: None,
                };
                prev = hash;
                e
            })
            .collect()
    }

    /// Re-keys entries from `from` (1-based) on with `key`, re-linking the chain.
    fn keyed_from(mut c: Vec<AuditEntry>, from: i64, key: &AuditKey) -> Vec<AuditEntry> {
        let mut prev = if from > 1 {
            c[(from - 2) as usize].hash.clone()
        } else {
            GENESIS_HASH.to_string()
        };
        for e in c.iter_mut().skip((from - 1) as usize) {
            e.prev_hash = prev.clone();
            e.key_id = Some(key.id().to_string());
            e.hash = e.keyed_hash(key);
            prev = e.hash.clone();
        }
        c
    }

    /// Recomputes unkeyed hashes from `from` on: what someone without the key can do.
    fn unkeyed_from(mut c: Vec<AuditEntry>, from: i64) -> Vec<AuditEntry> {
        let mut prev = c[(from - 2) as usize].hash.clone();
        for e in c.iter_mut().skip((from - 1) as usize) {
            e.prev_hash = prev.clone();
            e.key_id = None;
            e.hash = e.computed_hash();
            prev = e.hash.clone();
        }
        c
    }

    fn key_anchored_at(c: &[AuditEntry], count: i64) -> std::sync::Arc<AuditKey> {
        let hash = if count == 0 {
            GENESIS_HASH.to_string()
        } else {
            c[(count - 1) as usize].hash.clone()
        };
        std::sync::Arc::new(AuditKey::new([9; 32], ChainHead { count, hash }))
    }

    fn verify_with(
        entries: &[AuditEntry],
        key: Option<std::sync::Arc<AuditKey>>,
    ) -> Result<ChainHead, ChainBreak> {
        let mut v = ChainVerifier::new(key);
        for e in entries {
            if !v.push(e) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn keyed_chain_after_anchor_verifies_only_with_its_key() {
        let legacy = chain(6);
        let key = key_anchored_at(&legacy, 3);
        let c = keyed_from(legacy, 4, &key);
        assert_eq!(verify_with(&c, Some(key.clone())).unwrap().count, 6);
        let without = verify_with(&c, None).unwrap_err();
        assert_eq!(without.seq, 4);
        assert!(without.why.contains(key.id()), "{}", without.why);
        let other = std::sync::Arc::new(AuditKey::new([8; 32], key.anchor().clone()));
        assert_eq!(verify_with(&c, Some(other)).unwrap_err().seq, 4);
    }

    #[test]
    fn rewriting_without_the_key_is_caught() {
        let legacy = chain(8);
        let key = key_anchored_at(&legacy, 3);
        let good = keyed_from(legacy, 4, &key);
        // Entry 6 changed and every hash after it recomputed, unkeyed.
        let mut forged = good.clone();
        forged[5].target = "tenant:forged".into();
        let forged = unkeyed_from(forged, 6);
        assert_eq!(verify_with(&forged, Some(key.clone())).unwrap_err().seq, 6);
        // The whole keyed part rewritten unkeyed: the anchor says it must be keyed.
        let all = unkeyed_from(good.clone(), 4);
        assert_eq!(verify_with(&all, Some(key.clone())).unwrap_err().seq, 4);
        // A legacy entry before the anchor rewritten with the chain recomputed up to
        // the end: the anchor's hash no longer matches.
        let mut early = good.clone();
        early[1].target = "tenant:forged".into();
        let early = unkeyed_from(early, 2);
        assert_eq!(verify_with(&early, Some(key.clone())).unwrap_err().seq, 3);
        // The keyed part removed: shorter than the anchor is fine only if it reaches it.
        assert_eq!(
            verify_with(&good[..2], Some(key.clone())).unwrap_err().seq,
            3
        );
        // A keyed entry changed (the forger cannot recompute the HMAC).
        let mut changed = good;
        changed[6].details = "{\"x\":1}".into();
        assert_eq!(verify_with(&changed, Some(key)).unwrap_err().seq, 7);
    }

    #[test]
    fn tenant_count_and_break_tenant() {
        let t = TenantId(uuid::Uuid::from_u128(7));
        let mut c = chain(4);
        c[1].tenant_id = Some(t);
        c[3].tenant_id = Some(t);
        let c = unkeyed_from(c, 2);
        let mut v = ChainVerifier::new(None).counting_tenant(t);
        for e in &c {
            assert!(v.push(e));
        }
        assert_eq!(v.tenant_count(), 2);
        let mut bad = c.clone();
        bad[3].target = "x".into();
        let broken = verify(&bad).unwrap_err();
        assert_eq!((broken.seq, broken.tenant_id), (4, Some(t)));
        let mut gap = c;
        gap.remove(1);
        assert_eq!(verify(&gap).unwrap_err().tenant_id, None);
    }

    fn verify(entries: &[AuditEntry]) -> Result<ChainHead, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            if !v.push(e) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn intact_chain_verifies_with_head() {
        let c = chain(5);
        let head = verify(&c).unwrap();
        assert_eq!(head.count, 5);
        assert_eq!(head.hash, c[4].hash);
        assert_eq!(verify(&[]).unwrap().hash, GENESIS_HASH);
    }

    #[test]
    fn changed_removed_and_reordered_entries_are_caught() {
        let mut changed = chain(5);
        changed[2].target = "tenant:y".into();
        assert_eq!(verify(&changed).unwrap_err().seq, 3);

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify(&removed).unwrap_err().seq, 2);

        // Reorder by swapping contents but keeping seq numbers.
        let mut reordered = chain(5);
        let (a, b) = (reordered[1].clone(), reordered[2].clone());
        reordered[1] = AuditEntry { seq: 2, ..b };
        reordered[2] = AuditEntry { seq: 3, ..a };
        assert_eq!(verify(&reordered).unwrap_err().seq, 2);
    }

    #[test]
    fn head_parses_and_rejects_garbage() {
        let h: ChainHead = format!("3:{}", "ab".repeat(32)).parse().unwrap();
        assert_eq!(h.count, 3);
        assert!("3".parse::<ChainHead>().is_err());
        assert!("x:abc".parse::<ChainHead>().is_err());
    }
}
