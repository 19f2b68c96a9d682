//! The gate's per-number facts in one statement: DNC membership and attempt
//! counts as one row, left-joined to the tenant's contacts with the number (one
//! row per contact, or one row of NULL contact columns when there is none).
//! Every column is named with `AS`: SQLite does not keep the plain names of
//! columns from a parenthesised join.

/// Contacts, DNC membership and attempt counts of one number. `$1` tenant, `$2`
/// number hash, `$3` the tenant's DNC scope key, `$4` 24 h before now, `$5` 30
/// days before now, `$6` now. Counting matches `attempt_history`: ordinary
/// attempts in (now − 30 d, now], of which those after now − 24 h; verification
/// calls only after now − 24 h.
pub(crate) const NUMBER_FACTS: &str = "SELECT f.dnc_tenant, f.dnc_platform, f.dnc_registry, \
     f.day_n, f.month_n, f.verification_n, \
     c.id AS id, c.list_id AS list_id, c.number_hash AS number_hash, c.number_enc AS number_enc, \
     c.number_masked AS number_masked, c.fields AS fields, c.zone_override AS zone_override, c.consent_withdrawn_at AS consent_withdrawn_at, \
     e.tenant_id AS tenant_id, e.source AS source, e.given_at AS given_at, e.purposes AS purposes, \
     e.share_leads AS share_leads, e.evidence_kind AS evidence_kind, e.evidence AS evidence, e.expires_at AS expires_at \
     FROM (SELECT \
         CASE WHEN EXISTS (SELECT 1 FROM dnc_entries WHERE scope_key = $3 AND number_hash = $2) THEN 1 ELSE 0 END AS dnc_tenant, \
         CASE WHEN EXISTS (SELECT 1 FROM dnc_entries WHERE scope_key = 'platform' AND number_hash = $2) THEN 1 ELSE 0 END AS dnc_platform, \
         CASE WHEN EXISTS (SELECT 1 FROM dnc_entries WHERE scope_key = 'registry' AND number_hash = $2) THEN 1 ELSE 0 END AS dnc_registry, \
         a.day_n, a.month_n, a.verification_n \
         FROM (SELECT \
             COUNT(*) FILTER (WHERE purpose <> 'verification' AND at > $4) AS day_n, \
             COUNT(*) FILTER (WHERE purpose <> 'verification') AS month_n, \
             COUNT(*) FILTER (WHERE purpose = 'verification' AND at > $4) AS verification_n \
             FROM dial_attempts WHERE number_hash = $2 AND at > $5 AND at <= $6) a) f \
     LEFT JOIN (contacts c JOIN consent_evidence e ON e.id = c.consent_id) \
         ON c.tenant_id = $1 AND c.number_hash = $2 \
     ORDER BY c.created_at";

macro_rules! impl_gate_facts {
    ($backend:ty, $db:ty) => {
        mod gate_facts {
            #[allow(unused_imports)]
            use super::prelude::*;
            use chrono::{DateTime, Duration};
            use sqlx::{FromRow as _, Row as _};
            use std::sync::atomic::Ordering;
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;
            use $crate::contacts::{AttemptHistory, DncMembership, DncScope, StoredContact};
            use $crate::gate_facts::{GateFactsRepo, NumberFacts};
            use $crate::sql::contacts::ContactRow;
            use $crate::sql::gate_facts::NUMBER_FACTS;

            /// A count as stored, as the gate's u32 (counts are never negative).
            fn count(n: i64) -> u32 {
                u32::try_from(n).unwrap_or(u32::MAX)
            }

            #[async_trait]
            impl GateFactsRepo for $backend {
                async fn number_facts(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                    now: DateTime<Utc>,
                ) -> StoreResult<NumberFacts> {
                    let rows = sqlx::query(NUMBER_FACTS)
                        .bind(tenant_id.0)
                        .bind(number.0.to_vec())
                        .bind(DncScope::Tenant(tenant_id).key())
                        .bind(storage_time(now - Duration::hours(24)))
                        .bind(storage_time(now - Duration::days(30)))
                        .bind(storage_time(now))
                        .fetch_all(&self.pool)
                        .await?;
                    let mut facts = NumberFacts {
                        contacts: Vec::new(),
                        dnc: DncMembership::default(),
                        attempts: AttemptHistory::default(),
                    };
                    if let Some(first) = rows.first() {
                        facts.dnc = DncMembership {
                            tenant: first.try_get::<i32, _>("dnc_tenant")? != 0,
                            platform: first.try_get::<i32, _>("dnc_platform")? != 0,
                            registry: first.try_get::<i32, _>("dnc_registry")? != 0,
                        };
                        facts.attempts = AttemptHistory {
                            last_24h: count(first.try_get("day_n")?),
                            last_30d: count(first.try_get("month_n")?),
                            verification_last_24h: count(first.try_get("verification_n")?),
                        };
                    }
                    for row in &rows {
                        // NULL contact columns: the number is no contact of the tenant's.
                        if row.try_get::<Option<Uuid>, _>("id")?.is_some() {
                            facts
                                .contacts
                                .push(StoredContact::try_from(ContactRow::from_row(row)?)?);
                        }
                    }
                    Ok(facts)
                }

                fn settings_writes(&self) -> u64 {
                    self.settings_writes.load(Ordering::Acquire)
                }
            }
        }
    };
}
pub(crate) use impl_gate_facts;
