//! SIP trunks (platform-level, operator).

use crate::campaign::{Transport, Trunk};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub(crate) const TRUNK_COLS: &str =
    "id, name, address, transport, username, password, cps_limit, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct TrunkRow {
    id: Uuid,
    name: String,
    address: String,
    transport: String,
    username: Option<String>,
    password: Option<String>,
    cps_limit: f64,
    created_at: DateTime<Utc>,
}

impl TryFrom<TrunkRow> for Trunk {
    type Error = StoreError;
    fn try_from(r: TrunkRow) -> StoreResult<Self> {
        let transport = Transport::parse(&r.transport).map_err(|e| StoreError::Corrupt {
            table: "trunks",
            why: e.to_string(),
        })?;
        Ok(Trunk {
            id: r.id,
            name: r.name,
            address: r.address,
            transport,
            username: r.username,
            password: r.password,
            cps_limit: r.cps_limit,
            created_at: r.created_at,
        })
    }
}

macro_rules! impl_trunks {
    ($backend:ty, $db:ty) => {
        mod trunks {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::grade::check_name;
            use $crate::campaign::{NewTrunk, Trunk, TrunkRepo};
            use $crate::sql::trunks::{TrunkRow, TRUNK_COLS};
            use uuid::Uuid;

            #[async_trait]
            impl TrunkRepo for $backend {
                async fn add_trunk(&self, new: NewTrunk, actor: &Actor) -> StoreResult<Trunk> {
                    let name = check_name(&new.name, "trunk")?;
                    let address = new.address.trim().to_string();
                    if address.is_empty() {
                        return Err(StoreError::Invalid(format!("trunk {name:?}: the address is empty")));
                    }
                    if !(new.cps_limit.is_finite() && new.cps_limit > 0.0) {
                        return Err(StoreError::Invalid(format!(
                            "trunk {name:?}: the CPS limit must be a positive number, not {}",
                            new.cps_limit
                        )));
                    }
                    let trunk = Trunk {
                        id: Uuid::now_v7(),
                        name,
                        address,
                        transport: new.transport,
                        username: new.username,
                        password: new.password,
                        cps_limit: new.cps_limit,
                        created_at: storage_time(Utc::now()),
                    };
                    let mut w = self.begin_write().await?;
                    sqlx::query(&format!(
                        "INSERT INTO trunks ({TRUNK_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    ))
                    .bind(trunk.id)
                    .bind(&trunk.name)
                    .bind(&trunk.address)
                    .bind(trunk.transport.as_str())
                    .bind(&trunk.username)
                    .bind(&trunk.password)
                    .bind(trunk.cps_limit)
                    .bind(trunk.created_at)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(|e| unique_or(e, || format!("trunk {:?} already exists", trunk.name)))?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, None, "trunk.add", format!("trunk:{}", trunk.id))
                            .with_details(serde_json::json!({
                                "name": trunk.name,
                                "address": trunk.address,
                                "transport": trunk.transport.as_str(),
                                "cps_limit": trunk.cps_limit,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(trunk)
                }

                async fn list_trunks(&self) -> StoreResult<Vec<Trunk>> {
                    let rows: Vec<TrunkRow> =
                        sqlx::query_as(&format!("SELECT {TRUNK_COLS} FROM trunks ORDER BY name"))
                            .fetch_all(&self.pool)
                            .await?;
                    rows.into_iter().map(Trunk::try_from).collect()
                }

                async fn get_trunk(&self, id: Uuid) -> StoreResult<Option<Trunk>> {
                    let row: Option<TrunkRow> =
                        sqlx::query_as(&format!("SELECT {TRUNK_COLS} FROM trunks WHERE id = $1"))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await?;
                    row.map(Trunk::try_from).transpose()
                }

                async fn find_trunk(&self, name: &str) -> StoreResult<Option<Trunk>> {
                    let row: Option<TrunkRow> =
                        sqlx::query_as(&format!("SELECT {TRUNK_COLS} FROM trunks WHERE name = $1"))
                            .bind(name.trim())
                            .fetch_optional(&self.pool)
                            .await?;
                    row.map(Trunk::try_from).transpose()
                }
            }
        }
    };
}
pub(crate) use impl_trunks;
