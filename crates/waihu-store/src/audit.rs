//! The audit log: append-only and hash-chained. Each entry stores the hash of the
//! previous entry and the hash of its own canonical content, so that changing,
//! removing or reordering any entry breaks the chain; truncation of the newest
//! entries is caught by comparing the head (count and last hash) with one recorded
//! earlier. Details must never hold a full phone number (only a keyed hash or a
//! masked form), so that erasing a person's data never requires rewriting the chain.

use chrono::{DateTime, SubsecRound, Utc};
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
}

/// Truncates to what both backends store exactly.
pub fn storage_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// The hash of an entry's canonical content: every field length-prefixed, so that
/// no two different entries share an encoding.
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
    let tenant = tenant_id.map(|t| t.to_string()).unwrap_or_default();
    let at = storage_time(at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let seq = seq.to_string();
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

impl AuditEntry {
    /// Recomputes this entry's hash from its content.
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
    /// What is wrong.
    pub why: String,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.why)
    }
}

/// Walks entries in storage order and checks the chain incrementally, so that a
/// log of any length is verified in constant memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    broken: Option<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.into(),
            broken: None,
        }
    }
}

impl ChainVerifier {
    /// Feeds the next entry (ordered by `seq`); returns false once broken.
    pub fn push(&mut self, e: &AuditEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let broken = if e.seq > self.expected_seq {
            Some((
                self.expected_seq,
                format!("entries {}..{} are missing", self.expected_seq, e.seq - 1),
            ))
        } else if e.seq < self.expected_seq {
            Some((
                e.seq,
                format!("duplicate or out-of-order sequence number {}", e.seq),
            ))
        } else if e.prev_hash != self.prev_hash {
            Some((
                e.seq,
                "its previous-hash does not match the entry before it (removed or reordered entries)".into(),
            ))
        } else if e.computed_hash() != e.hash {
            Some((
                e.seq,
                "its content does not match its hash (the entry was changed)".into(),
            ))
        } else {
            None
        };
        if let Some((seq, why)) = broken {
            self.broken = Some(ChainBreak { seq, why });
            return false;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    /// The result: the head if the chain is intact, else the first break.
    pub fn finish(self) -> Result<ChainHead, ChainBreak> {
        match self.broken {
            Some(b) => Err(b),
            None => Ok(ChainHead {
                count: self.expected_seq - 1,
                hash: self.prev_hash,
            }),
        }
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
                };
                prev = hash;
                e
            })
            .collect()
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
