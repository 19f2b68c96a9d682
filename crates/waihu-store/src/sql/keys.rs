//! Key maintenance: the contacts' number ciphertexts read and replaced in batches
//! (see `crate::keys`). `substr` on a blob/bytea works the same on both backends.

macro_rules! impl_keys {
    ($backend:ty, $db:ty) => {
        mod keys {
            #[allow(unused_imports)]
            use super::prelude::*;
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;
            use $crate::keys::{KeyRepo, Reseal, SealedNumber};

            #[async_trait]
            impl KeyRepo for $backend {
                async fn sealed_numbers_not_under(
                    &self,
                    header: &[u8],
                    after: Option<Uuid>,
                    limit: i64,
                ) -> StoreResult<Vec<SealedNumber>> {
                    let rows: Vec<(Uuid, Uuid, Vec<u8>, Vec<u8>)> = match after {
                        Some(after) => sqlx::query_as(
                            "SELECT id, tenant_id, number_hash, number_enc FROM contacts \
                             WHERE id > $1 AND substr(number_enc, 1, $2) <> $3 ORDER BY id LIMIT $4",
                        )
                        .bind(after)
                        .bind(i32::try_from(header.len()).unwrap_or(i32::MAX))
                        .bind(header)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?,
                        None => sqlx::query_as(
                            "SELECT id, tenant_id, number_hash, number_enc FROM contacts \
                             WHERE substr(number_enc, 1, $1) <> $2 ORDER BY id LIMIT $3",
                        )
                        .bind(i32::try_from(header.len()).unwrap_or(i32::MAX))
                        .bind(header)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?,
                    };
                    rows.into_iter()
                        .map(|(id, tenant, hash, enc)| {
                            let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Corrupt {
                                table: "contacts",
                                why: format!("number_hash of {id} is not 32 bytes"),
                            })?;
                            Ok(SealedNumber {
                                contact_id: id,
                                tenant_id: TenantId(tenant),
                                number_hash: PhoneHash(hash),
                                number_enc: enc,
                            })
                        })
                        .collect()
                }

                async fn reseal_numbers(&self, changes: &[Reseal]) -> StoreResult<u64> {
                    let mut w = self.begin_bookkeeping().await?;
                    let mut done = 0;
                    for c in changes {
                        done += sqlx::query(
                            "UPDATE contacts SET number_enc = $1 WHERE id = $2 AND number_enc = $3",
                        )
                        .bind(&c.new)
                        .bind(c.contact_id)
                        .bind(&c.old)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();
                    }
                    w.tx.commit().await?;
                    Ok(done)
                }

                async fn count_sealed_not_under(&self, header: &[u8]) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM contacts WHERE substr(number_enc, 1, $1) <> $2",
                    )
                    .bind(i32::try_from(header.len()).unwrap_or(i32::MAX))
                    .bind(header)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }
            }
        }
    };
}
pub(crate) use impl_keys;
