//! For tests only: finds every table column that still holds a trace of a number
//! (its keyed hash as bytes, or any of some text forms: E.164, masked, hash hex),
//! by scanning every column of every table of the database — so that a table added
//! later is checked too. The do-not-call list and the audit log are skipped: the
//! hashed DNC entry and the audit entries (masked number and hash only) are what
//! erasure keeps.

use crate::error::StoreResult;
use sqlx::Connection;

/// Tables whose traces are expected to remain.
pub const KEPT_TABLES: &[&str] = &["dnc_entries", "audit_log", "_sqlx_migrations"];

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Needles {
    /// Raw bytes compared for equality (a keyed hash).
    pub bytes: Vec<Vec<u8>>,
    /// Text searched for inside any column's text form.
    pub texts: Vec<String>,
}

/// `table.column` for every column holding a needle (outside [`KEPT_TABLES`]).
pub async fn find_traces(url: &str, needles: &Needles) -> StoreResult<Vec<String>> {
    let mut hits = Vec::new();
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await?;
        for (table,) in tables {
            if KEPT_TABLES.contains(&table.as_str()) {
                continue;
            }
            let cols: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await?;
            for (col,) in cols {
                let mut found = 0i64;
                for b in &needles.bytes {
                    let (n,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM \"{table}\" WHERE \"{col}\" = $1"
                    ))
                    .bind(b)
                    .fetch_one(&mut conn)
                    .await?;
                    found += n;
                }
                for t in &needles.texts {
                    let (n,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{col}\" AS TEXT), $1) > 0"
                    ))
                    .bind(t)
                    .fetch_one(&mut conn)
                    .await?;
                    found += n;
                }
                if found > 0 {
                    hits.push(format!("{table}.{col}"));
                }
            }
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let cols: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY c.table_name, c.ordinal_position",
        )
        .fetch_all(&mut conn)
        .await?;
        for (table, col, ty) in cols {
            if KEPT_TABLES.contains(&table.as_str()) {
                continue;
            }
            let mut found = 0i64;
            if ty == "bytea" {
                for b in &needles.bytes {
                    let (n,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM \"{table}\" WHERE \"{col}\" = $1"
                    ))
                    .bind(b)
                    .fetch_one(&mut conn)
                    .await?;
                    found += n;
                }
            }
            for t in &needles.texts {
                let (n,): (i64,) = sqlx::query_as(&format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE strpos(CAST(\"{col}\" AS TEXT), $1) > 0"
                ))
                .bind(t)
                .fetch_one(&mut conn)
                .await?;
                found += n;
            }
            if found > 0 {
                hits.push(format!("{table}.{col}"));
            }
        }
    }
    Ok(hits)
}
