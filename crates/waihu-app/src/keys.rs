//! Rotating the number key: `start_rotation` writes a new current key to the key
//! file and keeps the previous ones as `number_key_old` (still opened), `reseal`
//! re-seals every stored number under the current key in small batches (each its own
//! short transaction, a compare-and-swap per row, resumable: a second run continues
//! where the first stopped, since only rows not yet under the current key are read),
//! and `retire` drops the old keys once no row needs them. Re-sealing also binds
//! ciphertexts written before binding existed to their tenant and number hash, so a
//! rotation is also the migration of old rows.
//!
//! Running processes keep working throughout: they read the key file again when a
//! number names a key they do not hold, and old keys stay until retired.
//!
//! The hash key (`hash_key`) is not rotated here: number hashes are the lookup keys
//! of contacts, do-not-call lists and the attempt history, so rotating it means
//! recomputing every hash in all of them at once (see docs/security.md).

use crate::pii::read_key_file;
use crate::{keyfile, AppError, AppResult};
use std::path::Path;
use waihu_compliance::pii::{KeyId, NumberCipher, RowBinding};
use waihu_store::{Reseal, Store};

/// What a re-sealing pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Rows re-sealed under the current key.
    pub resealed: u64,
    /// Rows that opened with no held key (wrong binding or foreign data); left alone.
    pub unreadable: u64,
    /// Rows changed by someone else between read and write; the next pass takes them.
    pub changed_meanwhile: u64,
    /// Rows still not under the current key after the pass.
    pub remaining: i64,
}

/// The state of the number keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// The key new numbers are sealed with.
    pub current: KeyId,
    /// Older keys still opened.
    pub older: Vec<KeyId>,
    /// Rows not yet sealed under the current key.
    pub not_current: i64,
}

fn cipher_of(path: &Path) -> AppResult<NumberCipher> {
    read_key_file(path)?.cipher(path)
}

/// The keys in the file and how many rows are not yet under the current one.
pub async fn status(store: &Store, path: &Path) -> AppResult<KeyStatus> {
    let cipher = cipher_of(path)?;
    let ids = cipher.key_ids();
    Ok(KeyStatus {
        current: cipher.current_id(),
        older: ids[1..].to_vec(),
        not_current: store
            .count_sealed_not_under(&cipher.current_id().header())
            .await?,
    })
}

/// Makes a new current number key unless a rotation is in progress (old keys still
/// listed): then the current key stays and re-sealing resumes. Returns the current
/// key's id and whether it is new.
pub fn start_rotation(path: &Path) -> AppResult<(KeyId, bool)> {
    let mut file = read_key_file(path)?;
    if !file.number_key_old.is_empty() {
        return Ok((file.cipher(path)?.current_id(), false));
    }
    let (_, new) = NumberCipher::generate();
    let previous = std::mem::replace(&mut file.number_key, hex::encode(new));
    file.number_key_old.push(previous);
    keyfile::replace_private(path, &file.to_text())?;
    Ok((file.cipher(path)?.current_id(), true))
}

/// Re-seals every stored number not under the current key, `batch` rows per
/// transaction; `progress` is told the running count after each batch.
pub async fn reseal(
    store: &Store,
    path: &Path,
    batch: usize,
    mut progress: impl FnMut(u64),
) -> AppResult<ResealReport> {
    let cipher = cipher_of(path)?;
    let header = cipher.current_id().header();
    let limit = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
    let mut report = ResealReport::default();
    let mut after = None;
    loop {
        let rows = store
            .sealed_numbers_not_under(&header, after, limit)
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.contact_id);
        let mut changes = Vec::with_capacity(rows.len());
        for r in rows {
            let binding = RowBinding::new(r.tenant_id, r.number_hash);
            match cipher.open(&r.number_enc, &binding) {
                Ok(number) => changes.push(Reseal {
                    contact_id: r.contact_id,
                    new: cipher.seal(&number, &binding),
                    old: r.number_enc,
                }),
                Err(e) => {
                    // The row's id, never its number.
                    tracing::warn!(contact = %r.contact_id, error = %e, "cannot open a stored number; left as it is");
                    report.unreadable += 1;
                }
            }
        }
        let done = store.reseal_numbers(&changes).await?;
        report.resealed += done;
        report.changed_meanwhile += changes.len() as u64 - done;
        progress(report.resealed);
    }
    report.remaining = store.count_sealed_not_under(&header).await?;
    Ok(report)
}

/// Drops the old number keys from the key file, refusing while any row still
/// needs one. Returns the retired keys' ids.
pub async fn retire(store: &Store, path: &Path) -> AppResult<Vec<KeyId>> {
    let mut file = read_key_file(path)?;
    let cipher = file.cipher(path)?;
    let left = store
        .count_sealed_not_under(&cipher.current_id().header())
        .await?;
    if left > 0 {
        return Err(AppError::Invalid(format!(
            "{left} stored numbers are not yet sealed under the current key {}: run `waihu keys rotate` \
             again (it resumes) before retiring the old keys",
            cipher.current_id()
        )));
    }
    let retired = cipher.key_ids()[1..].to_vec();
    file.number_key_old.clear();
    keyfile::replace_private(path, &file.to_text())?;
    Ok(retired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::Pii;
    use chrono::TimeZone;
    use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
    use waihu_core::{TenantId, TenantName};
    use waihu_store::testing::{fresh_databases, TestDatabase};
    use waihu_store::{Actor, BackendKind, ImportBatch, NewContact};

    const A1: &str = "+8613812345678";
    const A2: &str = "+8613912345679";
    const B1: &str = "+8618612345670";

    /// A key file with these keys, 0600, in a fresh directory.
    fn key_file(dir: &Path, hash: [u8; 32], number: [u8; 32]) -> std::path::PathBuf {
        let path = dir.join("pii.key");
        let text = crate::pii::KeyFile {
            hash_key: hex::encode(hash),
            number_key: hex::encode(number),
            number_key_old: Vec::new(),
        }
        .to_text();
        keyfile::create_private(&path, &text).unwrap();
        path
    }

    fn pii_from(path: &Path) -> Pii {
        let settings = crate::config::PiiSettings {
            key_file: Some(path.to_path_buf()),
            ..Default::default()
        };
        Pii::load(&settings, Path::new("/nonexistent")).unwrap()
    }

    async fn tenant(store: &Store, name: &str) -> TenantId {
        store
            .create_tenant(&TenantName::parse(name).unwrap(), &Actor::cli("t"))
            .await
            .unwrap()
            .id
    }

    /// Stores `numbers` for `tenant`, sealed by `seal` (bound, or legacy).
    async fn store_numbers(
        store: &Store,
        tenant: TenantId,
        pii: &Pii,
        numbers: &[&str],
        seal: impl Fn(&str, TenantId) -> Vec<u8>,
    ) {
        let list = store
            .ensure_contact_list(tenant, "l", &Actor::cli("t"))
            .await
            .unwrap();
        let evidence = ConsentEvidence {
            source: "web_form".into(),
            given_at: chrono::Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 0).unwrap(),
            purposes: vec![Purpose::parse("marketing").unwrap()],
            share_leads: false,
            evidence: EvidenceRef::Reference("F-1".into()),
            expires_at: None,
        };
        let contacts = numbers
            .iter()
            .map(|n| NewContact {
                number_hash: pii.hash(n),
                number_enc: seal(n, tenant),
                number_masked: pii.mask(n),
                fields: serde_json::json!({}),
                zone_override: None,
                evidence: 0,
            })
            .collect();
        store
            .import_contacts(
                tenant,
                list.id,
                ImportBatch {
                    evidence: vec![evidence],
                    contacts,
                },
                &Actor::cli("t"),
            )
            .await
            .unwrap();
    }

    async fn exec(db: &TestDatabase, sql: &str) {
        match db.kind {
            BackendKind::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
            BackendKind::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
        }
    }

    /// Overwrites one contact's ciphertext behind the store's back.
    async fn set_enc(db: &TestDatabase, id: uuid::Uuid, enc: &[u8]) {
        let sql = match db.kind {
            BackendKind::Sqlite => format!(
                "UPDATE contacts SET number_enc = x'{}' WHERE id = x'{}'",
                hex::encode(enc),
                hex::encode(id.as_bytes())
            ),
            BackendKind::Postgres => format!(
                "UPDATE contacts SET number_enc = '\\x{}'::bytea WHERE id = '{id}'",
                hex::encode(enc)
            ),
        };
        exec(db, &sql).await;
    }

    /// Opens the number of the contact stored for `tenant` under `number`'s hash.
    async fn open(
        store: &Store,
        pii: &Pii,
        tenant: TenantId,
        number: &str,
    ) -> Result<String, String> {
        let hash = pii.hash(number);
        let c = store.contacts_by_number(tenant, &hash).await.unwrap();
        pii.open(&c[0].number_enc, tenant, hash)
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn ciphertexts_swapped_between_rows_or_moved_to_another_tenant_do_not_open() {
        for db in fresh_databases().await.unwrap() {
            let store = db.store().await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let pii = pii_from(&key_file(dir.path(), [1; 32], [2; 32]));
            let (ta, tb) = (tenant(&store, "ta").await, tenant(&store, "tb").await);
            store_numbers(&store, ta, &pii, &[A1, A2], |n, t| {
                pii.seal(n, t, pii.hash(n))
            })
            .await;
            store_numbers(&store, tb, &pii, &[B1], |n, t| pii.seal(n, t, pii.hash(n))).await;
            assert_eq!(open(&store, &pii, ta, A1).await.as_deref(), Ok(A1));
            // Swap A1's and A2's ciphertexts (same tenant), as someone with database access.
            let row = |n: &'static str| {
                let store = store.clone();
                let hash = pii.hash(n);
                async move { store.contacts_by_number(ta, &hash).await.unwrap().remove(0) }
            };
            let (a1, a2) = (row(A1).await, row(A2).await);
            set_enc(&db, a1.id, &a2.number_enc).await;
            set_enc(&db, a2.id, &a1.number_enc).await;
            let err = open(&store, &pii, ta, A1).await.unwrap_err();
            assert!(
                err.contains("another row or tenant"),
                "{:?}: {err}",
                db.kind
            );
            assert!(open(&store, &pii, ta, A2).await.is_err());
            // B1's row moved to tenant A: it no longer opens there.
            let tb_hex = hex::encode(tb.0.as_bytes());
            let ta_hex = hex::encode(ta.0.as_bytes());
            let (t_new, t_old) = match db.kind {
                BackendKind::Sqlite => (format!("x'{ta_hex}'"), format!("x'{tb_hex}'")),
                BackendKind::Postgres => (format!("'{ta}'"), format!("'{tb}'")),
            };
            exec(
                &db,
                &format!("UPDATE contacts SET tenant_id = {t_new} WHERE tenant_id = {t_old}"),
            )
            .await;
            let err = open(&store, &pii, ta, B1).await.unwrap_err();
            assert!(
                err.contains("another row or tenant"),
                "{:?}: {err}",
                db.kind
            );
        }
    }

    #[tokio::test]
    async fn rotation_reseals_everything_binds_legacy_rows_and_the_old_key_retires() {
        for db in fresh_databases().await.unwrap() {
            let store = db.store().await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = key_file(dir.path(), [1; 32], [2; 32]);
            let pii = pii_from(&path);
            let ta = tenant(&store, "ta").await;
            // One row from before binding (legacy), one bound under the first key.
            let legacy = NumberCipher::from_bytes([2; 32]);
            store_numbers(&store, ta, &pii, &[A1], |n, _| legacy.seal_legacy(n)).await;
            store_numbers(&store, ta, &pii, &[A2], |n, t| pii.seal(n, t, pii.hash(n))).await;
            let old_id = pii.cipher().current_id();
            // Retiring before rotating is refused: nothing is under a new key yet.
            let (new_id, fresh) = start_rotation(&path).unwrap();
            assert!(fresh && new_id != old_id);
            assert!(
                retire(&store, &path).await.is_err(),
                "rows still under the old key"
            );
            // Small batches: two rows, one per transaction.
            let mut batches = 0;
            let report = reseal(&store, &path, 1, |_| batches += 1).await.unwrap();
            assert_eq!(
                (report.resealed, report.unreadable, report.remaining),
                (2, 0, 0),
                "{:?}",
                db.kind
            );
            assert_eq!(batches, 2);
            // A second run resumes without a new key and finds nothing left.
            assert_eq!(start_rotation(&path).unwrap(), (new_id, false));
            assert_eq!(reseal(&store, &path, 10, |_| {}).await.unwrap().resealed, 0);
            // The running process (old keys loaded) reads the key file again on
            // meeting the new key id.
            assert_eq!(open(&store, &pii, ta, A1).await.as_deref(), Ok(A1));
            assert_eq!(retire(&store, &path).await.unwrap(), vec![old_id]);
            let s = status(&store, &path).await.unwrap();
            assert_eq!((s.current, s.older.len(), s.not_current), (new_id, 0, 0));
            // With the old key gone, every row still opens (and is bound).
            let after = pii_from(&path);
            assert_eq!(after.cipher().key_ids(), vec![new_id]);
            assert_eq!(open(&store, &after, ta, A1).await.as_deref(), Ok(A1));
            assert_eq!(open(&store, &after, ta, A2).await.as_deref(), Ok(A2));
        }
    }
}
