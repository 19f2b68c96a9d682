//! The calling work of a tenant as the web layer handles it, shared by the back
//! office pages and the JSON API: scripts (lint on upload, publish only clean
//! versions), task state changes, call and lead look-ups, lead push dead letters,
//! and serving call recordings safely. Every function takes the tenant from the
//! caller (never from the request), so another tenant's row is simply 404.

pub mod calls;
pub mod leads;
pub mod operator;
pub mod prompts;
pub mod recordings;
pub mod script_chat;
pub mod scripts;
pub mod settings;
pub mod task_create;
pub mod tasks;

use crate::error::{AppError, AppResult};

/// A page of rows read with one extra row to tell whether more follow.
#[derive(Debug)]
pub struct Window<T> {
    /// The rows of this page.
    pub rows: Vec<T>,
    /// Whether another page follows.
    pub more: bool,
}

impl<T> Window<T> {
    /// Cuts `rows` (read with `limit + 1`) to `limit`.
    pub fn cut(mut rows: Vec<T>, limit: usize) -> Self {
        let more = rows.len() > limit;
        rows.truncate(limit);
        Self { rows, more }
    }
}

/// `limit + 1` and `offset` as the store takes them.
pub fn store_window(limit: usize, offset: usize) -> AppResult<(i64, i64)> {
    let lim = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
    let off = i64::try_from(offset).map_err(|_| AppError::invalid("offset", "offset too large"))?;
    Ok((lim, off))
}

/// An optional filter value from a query: empty means "no filter".
pub fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A grade: one letter `A` (best) to `F` (the store's `check_grade`); field
/// `grade` on error.
pub fn check_grade(g: &str) -> AppResult<()> {
    waihu_store::check_grade(g, "a grade").map_err(|e| AppError::from(e).with_field("grade"))
}
