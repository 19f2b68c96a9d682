//! Tasks and their contact queue. Claims are one UPDATE over a locked selection
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so concurrent schedulers never claim
//! the same contact; queue bookkeeping is not audited.

use crate::campaign::tasks::parse_state;
use crate::campaign::{Claim, Task, TaskVariant};
use crate::error::{StoreError, StoreResult};
use crate::sql::contacts::{phone_hash, ConsentColumns};
use crate::sql::limits::count_column;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;
use waihu_core::TenantId;

pub(crate) const TASK_COLS: &str =
    "id, tenant_id, name, purpose, script_version_id, caller_number, \
     trunk_id, windows, lines, cps_limit, retry, priority, lead_grade, starts_at, ends_at, state, \
     state_reason, created_at, updated_at, variant_b_script_version_id, split_percent";

/// Claimed rows per detail query (well under both backends' bind limits).
pub(crate) const CLAIM_CHUNK: usize = 500;

pub(crate) const CLAIM_SELECT: &str =
    "SELECT tc.task_id, tc.contact_id, tc.tenant_id, tc.attempts, \
     c.number_hash, c.number_enc, c.number_masked, c.fields, c.zone_override, \
     c.consent_withdrawn_at, e.source, e.given_at, e.purposes, e.share_leads, e.evidence_kind, \
     e.evidence, e.expires_at \
     FROM task_contacts tc JOIN contacts c ON c.id = tc.contact_id \
     JOIN consent_evidence e ON e.id = c.consent_id";

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    purpose: String,
    script_version_id: Uuid,
    caller_number: String,
    trunk_id: Uuid,
    windows: String,
    lines: i32,
    cps_limit: Option<f64>,
    retry: String,
    priority: i32,
    lead_grade: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    state: String,
    state_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    variant_b_script_version_id: Option<Uuid>,
    split_percent: Option<i32>,
}

impl TaskRow {
    fn into_task(self, list_ids: Vec<Uuid>) -> StoreResult<Task> {
        let variant = match (self.variant_b_script_version_id, self.split_percent) {
            (None, None) => None,
            (Some(id), Some(pct)) => Some(TaskVariant {
                script_version_id: id,
                split_percent: u8::try_from(pct)
                    .ok()
                    .filter(|p| (1..=99).contains(p))
                    .ok_or_else(|| StoreError::Corrupt {
                        table: "tasks",
                        why: format!("A/B split of {pct} %"),
                    })?,
            }),
            _ => {
                return Err(StoreError::Corrupt {
                    table: "tasks",
                    why: "variant B without a split, or a split without variant B".into(),
                })
            }
        };
        Ok(Task {
            variant,
            id: self.id,
            tenant_id: TenantId(self.tenant_id),
            name: self.name,
            purpose: self.purpose,
            script_version_id: self.script_version_id,
            caller_number: self.caller_number,
            trunk_id: self.trunk_id,
            list_ids,
            windows_json: self.windows,
            lines: count_column(self.lines, "tasks", "line count")?,
            cps_limit: self.cps_limit,
            retry_json: self.retry,
            priority: self.priority,
            lead_grade: self.lead_grade,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            state: parse_state(&self.state)?,
            state_reason: self.state_reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Joins task rows with their `(task_id, list_id)` pairs, keeping the rows' order.
pub(crate) fn tasks_with_lists(
    rows: Vec<TaskRow>,
    lists: Vec<(Uuid, Uuid)>,
) -> StoreResult<Vec<Task>> {
    let mut by_task: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (task, list) in lists {
        by_task.entry(task).or_default().push(list);
    }
    rows.into_iter()
        .map(|r| {
            let mut ids = by_task.remove(&r.id).unwrap_or_default();
            ids.sort();
            r.into_task(ids)
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    task_id: Uuid,
    contact_id: Uuid,
    tenant_id: Uuid,
    attempts: i32,
    number_hash: Vec<u8>,
    number_enc: Vec<u8>,
    number_masked: String,
    fields: String,
    zone_override: Option<String>,
    consent_withdrawn_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    consent: ConsentColumns,
}

impl TryFrom<ClaimRow> for Claim {
    type Error = StoreError;
    fn try_from(r: ClaimRow) -> StoreResult<Self> {
        Ok(Claim {
            task_id: r.task_id,
            contact_id: r.contact_id,
            tenant_id: TenantId(r.tenant_id),
            attempts: count_column(r.attempts, "task_contacts", "attempt count")?,
            number_hash: phone_hash(&r.number_hash, "contacts")?,
            number_enc: r.number_enc,
            number_masked: r.number_masked,
            fields: r.fields,
            zone_override: r.zone_override,
            consent: r.consent.parse("consent_evidence")?,
            consent_withdrawn_at: r.consent_withdrawn_at,
        })
    }
}

macro_rules! impl_tasks {
    ($backend:ty, $db:ty) => {
        mod tasks {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::grade::{check_grade, check_name};
            use $crate::campaign::tasks::parse_state;
            use $crate::campaign::{Claim, NewTask, Next, Task, TaskCounts, TaskRepo, TaskVariant};
            use waihu_core::TaskState;
            use $crate::sql::limits::int_column;
            use $crate::sql::tasks::{tasks_with_lists, ClaimRow, TaskRow, CLAIM_CHUNK, CLAIM_SELECT, TASK_COLS};
            use chrono::DateTime;
            use std::collections::BTreeMap;
            use uuid::Uuid;

            /// Sets a claimed task contact per `next` and clears its claim.
            /// `call_outcome` (the call's outcome, if this follows a call) becomes the
            /// last outcome of a `Done`; a retry records its own outcome. With
            /// `only_claimed`, a contact that is not in flight is a `Conflict`.
            pub(super) async fn apply_next(
                tx: &mut WriteTx<$db>,
                task_id: Uuid,
                contact_id: Uuid,
                next: &Next,
                call_outcome: Option<&str>,
                only_claimed: bool,
            ) -> StoreResult<()> {
                let claimed = if only_claimed { " AND state = 'in_flight'" } else { "" };
                let done = match next {
                    Next::RetryAt(at, outcome) => sqlx::query(&format!(
                        "UPDATE task_contacts SET state = 'pending', next_at = $1, last_outcome = $2, \
                         claimed_by = NULL, claimed_at = NULL WHERE task_id = $3 AND contact_id = $4{claimed}"
                    ))
                    .bind(storage_time(*at))
                    .bind(outcome)
                    .bind(task_id)
                    .bind(contact_id)
                    .execute(&mut **tx)
                    .await?,
                    Next::Done(reason) => sqlx::query(&format!(
                        "UPDATE task_contacts SET state = 'done', done_reason = $1, \
                         last_outcome = COALESCE($2, last_outcome), claimed_by = NULL, claimed_at = NULL \
                         WHERE task_id = $3 AND contact_id = $4{claimed}"
                    ))
                    .bind(reason)
                    .bind(call_outcome)
                    .bind(task_id)
                    .bind(contact_id)
                    .execute(&mut **tx)
                    .await?,
                };
                if done.rows_affected() == 1 {
                    return Ok(());
                }
                let state: Option<(String,)> = sqlx::query_as(
                    "SELECT state FROM task_contacts WHERE task_id = $1 AND contact_id = $2",
                )
                .bind(task_id)
                .bind(contact_id)
                .fetch_optional(&mut **tx)
                .await?;
                Err(match state {
                    None => StoreError::NotFound("task contact"),
                    Some((state,)) => StoreError::Conflict(format!(
                        "task contact {contact_id} of task {task_id} is {state}, not claimed"
                    )),
                })
            }

            impl $backend {
                async fn task_rows(&self, filter: &str, bind: Option<Uuid>, order: &str) -> StoreResult<Vec<Task>> {
                    let sql = format!("SELECT {TASK_COLS} FROM tasks t WHERE {filter} ORDER BY {order}");
                    let mut q = sqlx::query_as::<_, TaskRow>(&sql);
                    if let Some(b) = bind {
                        q = q.bind(b);
                    }
                    let rows = q.fetch_all(&self.pool).await?;
                    let sql = format!(
                        "SELECT tl.task_id, tl.list_id FROM task_lists tl JOIN tasks t ON t.id = tl.task_id WHERE {filter}"
                    );
                    let mut q = sqlx::query_as::<_, (Uuid, Uuid)>(&sql);
                    if let Some(b) = bind {
                        q = q.bind(b);
                    }
                    let lists = q.fetch_all(&self.pool).await?;
                    tasks_with_lists(rows, lists)
                }

                async fn one_task(&self, tenant_id: TenantId, column: &str, value: &str, id: Option<Uuid>) -> StoreResult<Option<Task>> {
                    let sql = format!("SELECT {TASK_COLS} FROM tasks WHERE tenant_id = $1 AND {column} = $2");
                    let q = sqlx::query_as::<_, TaskRow>(&sql).bind(tenant_id.0);
                    let row = match id {
                        Some(id) => q.bind(id).fetch_optional(&self.pool).await?,
                        None => q.bind(value.trim()).fetch_optional(&self.pool).await?,
                    };
                    let Some(row) = row else { return Ok(None) };
                    let task_id = row_id(&row);
                    let lists: Vec<(Uuid, Uuid)> =
                        sqlx::query_as("SELECT task_id, list_id FROM task_lists WHERE task_id = $1")
                            .bind(task_id)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(tasks_with_lists(vec![row], lists)?.pop())
                }

                /// Whether the task exists and is the tenant's.
                async fn owns_task(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<bool> {
                    let row: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM tasks WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant_id.0)
                        .bind(task_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.is_some())
                }
            }

            fn row_id(row: &TaskRow) -> Uuid {
                $crate::sql::tasks::task_row_id(row)
            }

            #[async_trait]
            impl TaskRepo for $backend {
                async fn create_task_with_variant(
                    &self,
                    tenant_id: TenantId,
                    new: NewTask,
                    variant: Option<TaskVariant>,
                    actor: &Actor,
                ) -> StoreResult<Task> {
                    let name = check_name(&new.name, "task")?;
                    check_grade(&new.lead_grade, "the lead grade")?;
                    let lines = int_column(new.lines, "line count")?;
                    let purpose = new.purpose.trim().to_string();
                    if purpose.is_empty() {
                        return Err(StoreError::Invalid(format!("task {name:?}: the purpose is empty")));
                    }
                    if let Some(cps) = new.cps_limit {
                        if !(cps.is_finite() && cps > 0.0) {
                            return Err(StoreError::Invalid(format!(
                                "task {name:?}: the CPS limit must be a positive number, not {cps}"
                            )));
                        }
                    }
                    if let (Some(s), Some(e)) = (new.starts_at, new.ends_at) {
                        if e <= s {
                            return Err(StoreError::Invalid(format!("task {name:?}: it ends before it starts")));
                        }
                    }
                    if let Some(v) = &variant {
                        if !(1..=99).contains(&v.split_percent) {
                            return Err(StoreError::Invalid(format!(
                                "task {name:?}: the A/B split must be 1 to 99 percent on variant B, not {}",
                                v.split_percent
                            )));
                        }
                    }
                    let mut list_ids = new.list_ids.clone();
                    list_ids.sort();
                    list_ids.dedup();
                    if list_ids.is_empty() {
                        return Err(StoreError::Invalid(format!("task {name:?}: no contact list given")));
                    }
                    let now = storage_time(Utc::now());
                    let mut w = self.begin_write().await?;
                    let version: Option<(Uuid,)> =
                        sqlx::query_as("SELECT id FROM script_versions WHERE tenant_id = $1 AND id = $2")
                            .bind(tenant_id.0)
                            .bind(new.script_version_id)
                            .fetch_optional(&mut *w.tx)
                            .await?;
                    version.ok_or(StoreError::NotFound("script version"))?;
                    if let Some(v) = &variant {
                        let b: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as(
                            "SELECT published_at FROM script_versions WHERE tenant_id = $1 AND id = $2",
                        )
                        .bind(tenant_id.0)
                        .bind(v.script_version_id)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                        match b {
                            None => return Err(StoreError::NotFound("script version (variant B)")),
                            Some((None,)) => {
                                return Err(StoreError::Invalid(format!(
                                    "task {name:?}: variant B's script version {} is not published",
                                    v.script_version_id
                                )))
                            }
                            Some((Some(_),)) => {}
                        }
                    }
                    let trunk: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM trunks WHERE id = $1")
                        .bind(new.trunk_id)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    trunk.ok_or(StoreError::NotFound("trunk"))?;
                    for list in &list_ids {
                        let found: Option<(Uuid,)> =
                            sqlx::query_as("SELECT id FROM contact_lists WHERE tenant_id = $1 AND id = $2")
                                .bind(tenant_id.0)
                                .bind(*list)
                                .fetch_optional(&mut *w.tx)
                                .await?;
                        found.ok_or(StoreError::NotFound("contact list"))?;
                    }
                    let task = Task {
                        id: Uuid::now_v7(),
                        tenant_id,
                        name,
                        purpose,
                        script_version_id: new.script_version_id,
                        variant,
                        caller_number: new.caller_number.trim().to_string(),
                        trunk_id: new.trunk_id,
                        list_ids,
                        windows_json: new.windows_json,
                        lines: new.lines,
                        cps_limit: new.cps_limit,
                        retry_json: new.retry_json,
                        priority: new.priority,
                        lead_grade: new.lead_grade,
                        starts_at: new.starts_at.map(storage_time),
                        ends_at: new.ends_at.map(storage_time),
                        state: TaskState::Draft,
                        state_reason: None,
                        created_at: now,
                        updated_at: now,
                    };
                    sqlx::query(&format!(
                        "INSERT INTO tasks ({TASK_COLS}) VALUES \
                         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
                    ))
                    .bind(task.id)
                    .bind(tenant_id.0)
                    .bind(&task.name)
                    .bind(&task.purpose)
                    .bind(task.script_version_id)
                    .bind(&task.caller_number)
                    .bind(task.trunk_id)
                    .bind(&task.windows_json)
                    .bind(lines)
                    .bind(task.cps_limit)
                    .bind(&task.retry_json)
                    .bind(task.priority)
                    .bind(&task.lead_grade)
                    .bind(task.starts_at)
                    .bind(task.ends_at)
                    .bind(task.state.as_str())
                    .bind(&task.state_reason)
                    .bind(now)
                    .bind(now)
                    .bind(variant.map(|v| v.script_version_id))
                    .bind(variant.map(|v| i32::from(v.split_percent)))
                    .execute(&mut *w.tx)
                    .await
                    .map_err(|e| unique_or(e, || format!("task {:?} already exists", task.name)))?;
                    for list in &task.list_ids {
                        sqlx::query("INSERT INTO task_lists (task_id, list_id) VALUES ($1, $2)")
                            .bind(task.id)
                            .bind(*list)
                            .execute(&mut *w.tx)
                            .await?;
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "task.create", format!("task:{}", task.id))
                            .with_details(serde_json::json!({
                                "name": task.name,
                                "purpose": task.purpose,
                                "script_version_id": task.script_version_id,
                                "trunk_id": task.trunk_id,
                                "list_ids": task.list_ids,
                                "caller_number": task.caller_number,
                                "lines": task.lines,
                                "lead_grade": task.lead_grade,
                                "variant_b_script_version_id": variant.map(|v| v.script_version_id),
                                "split_percent": variant.map(|v| v.split_percent),
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(task)
                }

                async fn get_task(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Task>> {
                    self.one_task(tenant_id, "id", "", Some(id)).await
                }

                async fn find_task(&self, tenant_id: TenantId, name: &str) -> StoreResult<Option<Task>> {
                    self.one_task(tenant_id, "name", name, None).await
                }

                async fn list_tasks(&self, tenant_id: TenantId) -> StoreResult<Vec<Task>> {
                    self.task_rows("t.tenant_id = $1", Some(tenant_id.0), "t.created_at DESC, t.id DESC").await
                }

                async fn list_running_tasks(&self) -> StoreResult<Vec<Task>> {
                    self.task_rows("t.state = 'running'", None, "t.priority DESC, t.created_at, t.id").await
                }

                async fn set_task_state(
                    &self,
                    tenant_id: TenantId,
                    id: Uuid,
                    from: &[TaskState],
                    to: TaskState,
                    reason: Option<&str>,
                    actor: &Actor,
                ) -> StoreResult<Task> {
                    let mut w = self.begin_write().await?;
                    let row: Option<(String, String)> =
                        sqlx::query_as("SELECT state, name FROM tasks WHERE tenant_id = $1 AND id = $2")
                            .bind(tenant_id.0)
                            .bind(id)
                            .fetch_optional(&mut *w.tx)
                            .await?;
                    let (current, name) = row.ok_or(StoreError::NotFound("task"))?;
                    let current = parse_state(&current)?;
                    if !from.contains(&current) {
                        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
                        return Err(StoreError::Conflict(format!(
                            "task {name:?} is {}, not {} (cannot move it to {})",
                            current.as_str(),
                            allowed.join(" or "),
                            to.as_str()
                        )));
                    }
                    let now = storage_time(Utc::now());
                    sqlx::query("UPDATE tasks SET state = $1, state_reason = $2, updated_at = $3 WHERE id = $4")
                        .bind(to.as_str())
                        .bind(reason)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "task.state", format!("task:{id}"))
                            .with_details(serde_json::json!({
                                "name": name,
                                "from": current.as_str(),
                                "to": to.as_str(),
                                "reason": reason,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    self.get_task(tenant_id, id).await?.ok_or(StoreError::NotFound("task"))
                }

                async fn enqueue_task_contacts(
                    &self,
                    tenant_id: TenantId,
                    task_id: Uuid,
                    now: DateTime<Utc>,
                ) -> StoreResult<u64> {
                    // The audit-chain writer lock also serialises enqueues, so the
                    // per-number de-duplication is exact across processes.
                    let mut w = self.begin_write().await?;
                    let owned: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM tasks WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant_id.0)
                        .bind(task_id)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    owned.ok_or(StoreError::NotFound("task"))?;
                    // One row per number: the task's oldest contact with it, unless the
                    // task already has a contact with that number.
                    let added = sqlx::query(
                        "INSERT INTO task_contacts (task_id, contact_id, tenant_id, state, attempts, next_at) \
                         SELECT $1, x.id, x.tenant_id, 'pending', 0, $2 FROM ( \
                           SELECT c.id, c.tenant_id, c.number_hash, ROW_NUMBER() OVER ( \
                             PARTITION BY c.number_hash ORDER BY c.created_at, c.id) AS rn \
                           FROM contacts c JOIN task_lists tl ON tl.list_id = c.list_id AND tl.task_id = $1 \
                           WHERE c.tenant_id = $3) x \
                         WHERE x.rn = 1 \
                         AND NOT EXISTS (SELECT 1 FROM task_contacts tc JOIN contacts c2 ON c2.id = tc.contact_id \
                             WHERE tc.task_id = $1 AND c2.number_hash = x.number_hash)",
                    )
                    .bind(task_id)
                    .bind(storage_time(now))
                    .bind(tenant_id.0)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    w.tx.commit().await?;
                    Ok(added)
                }

                async fn claim_due(
                    &self,
                    task_id: Uuid,
                    now: DateTime<Utc>,
                    limit: u32,
                    worker: &str,
                ) -> StoreResult<Vec<Claim>> {
                    if limit == 0 {
                        return Ok(Vec::new());
                    }
                    let now = storage_time(now);
                    let mut w = self.begin_bookkeeping().await?;
                    // One statement: selection and update cannot interleave with
                    // another claimer's (SQLite takes its write lock up front).
                    let claimed: Vec<(Uuid,)> = sqlx::query_as(&format!(
                        "UPDATE task_contacts SET state = 'in_flight', claimed_by = $3, claimed_at = $2 \
                         WHERE task_id = $1 AND state = 'pending' AND contact_id IN ( \
                           SELECT tc.contact_id FROM task_contacts tc \
                           WHERE tc.task_id = $1 AND tc.state = 'pending' AND tc.next_at <= $2 \
                           ORDER BY tc.next_at, tc.contact_id LIMIT $4 {}) \
                         RETURNING contact_id",
                        <$backend>::CLAIM_LOCK
                    ))
                    .bind(task_id)
                    .bind(now)
                    .bind(worker)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *w.tx)
                    .await?;
                    let mut claims = Vec::with_capacity(claimed.len());
                    for chunk in claimed.chunks(CLAIM_CHUNK) {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(CLAIM_SELECT);
                        qb.push(" WHERE tc.task_id = ").push_bind(task_id).push(" AND tc.contact_id IN (");
                        let mut ids = qb.separated(", ");
                        for (id,) in chunk {
                            ids.push_bind(*id);
                        }
                        qb.push(") ORDER BY tc.next_at, tc.contact_id");
                        let rows: Vec<ClaimRow> = qb.build_query_as().fetch_all(&mut *w.tx).await?;
                        for r in rows {
                            claims.push(Claim::try_from(r)?);
                        }
                    }
                    w.tx.commit().await?;
                    Ok(claims)
                }

                async fn release_claim(&self, task_id: Uuid, contact_id: Uuid, next: Next) -> StoreResult<()> {
                    let mut w = self.begin_bookkeeping().await?;
                    apply_next(&mut w.tx, task_id, contact_id, &next, None, true).await?;
                    w.tx.commit().await?;
                    Ok(())
                }

                async fn release_stale_claims(&self, worker: &str, now: DateTime<Utc>) -> StoreResult<u64> {
                    let mut w = self.begin_bookkeeping().await?;
                    let released = sqlx::query(
                        "UPDATE task_contacts SET state = 'pending', next_at = $2, claimed_by = NULL, claimed_at = NULL \
                         WHERE state = 'in_flight' AND claimed_by = $1 AND NOT EXISTS ( \
                           SELECT 1 FROM calls k WHERE k.task_id = task_contacts.task_id \
                           AND k.contact_id = task_contacts.contact_id AND k.state = 'in_flight')",
                    )
                    .bind(worker)
                    .bind(storage_time(now))
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    w.tx.commit().await?;
                    Ok(released)
                }

                async fn task_counts(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<TaskCounts> {
                    if !self.owns_task(tenant_id, task_id).await? {
                        return Err(StoreError::NotFound("task"));
                    }
                    let states: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT state, COUNT(*) FROM task_contacts WHERE task_id = $1 GROUP BY state",
                    )
                    .bind(task_id)
                    .fetch_all(&self.pool)
                    .await?;
                    let outcomes: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT outcome, COUNT(*) FROM calls WHERE task_id = $1 AND outcome IS NOT NULL GROUP BY outcome",
                    )
                    .bind(task_id)
                    .fetch_all(&self.pool)
                    .await?;
                    let (attempts,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM calls WHERE task_id = $1 AND attempt_id IS NOT NULL",
                    )
                    .bind(task_id)
                    .fetch_one(&self.pool)
                    .await?;
                    let (leads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads WHERE task_id = $1")
                        .bind(task_id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(TaskCounts {
                        by_state: states.into_iter().collect::<BTreeMap<_, _>>(),
                        by_outcome: outcomes.into_iter().collect::<BTreeMap<_, _>>(),
                        attempts,
                        leads,
                    })
                }

                async fn task_remaining(&self, task_id: Uuid) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM task_contacts WHERE task_id = $1 AND state IN ('pending', 'in_flight')",
                    )
                    .bind(task_id)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }
            }
        }
    };
}
pub(crate) use impl_tasks;

/// A task row's id (its fields are private to this module).
pub(crate) fn task_row_id(row: &TaskRow) -> Uuid {
    row.id
}
