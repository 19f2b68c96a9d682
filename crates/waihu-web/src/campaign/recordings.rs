//! Serving a call's recording: only for a call of the caller's tenant, only a
//! file that really lies (after resolving symbolic links) under the tenant's
//! folder of the recordings directory, only audio types. Anything else is 404
//! — a stored path that points elsewhere is never read.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::path::{Component, Path, PathBuf};
use uuid::Uuid;
use waihu_core::TenantId;

fn content_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "wav" => Some("audio/wav"),
        "mp3" => Some("audio/mpeg"),
        "ogg" | "opus" => Some("audio/ogg"),
        _ => None,
    }
}

/// The file `stored` names, if it lies under `root/<tenant>/`. A relative
/// `stored` is taken relative to `root`; any `..` component is refused outright.
pub fn resolve(root: &Path, tenant: TenantId, stored: &str) -> Option<PathBuf> {
    let p = Path::new(stored);
    if stored.is_empty() || p.components().any(|c| matches!(c, Component::ParentDir)) {
        return None;
    }
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let tenant_root = root.canonicalize().ok()?.join(tenant.to_string());
    let real = p.canonicalize().ok()?;
    (real.starts_with(&tenant_root) && real.is_file() && content_type(&real).is_some())
        .then_some(real)
}

/// Whether this call has a recording the server can serve.
pub fn available(state: &AppState, tenant: TenantId, stored: Option<&str>) -> bool {
    match (&state.recordings_dir, stored) {
        (Some(root), Some(s)) => resolve(root, tenant, s).is_some(),
        _ => false,
    }
}

/// The inclusive byte range a `Range: bytes=…` header asks for within a file of
/// `len` bytes: `a-b`, `a-` or `-n` (one range only). `None` when it cannot be
/// satisfied or is not understood.
pub fn byte_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (start, end)
    };
    (start <= end && start < len).then_some((start, end))
}

/// The audio of one of the tenant's calls; honours a single byte range (players
/// seek with it).
pub async fn serve(
    state: &AppState,
    tenant: TenantId,
    call_id: Uuid,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let call = super::calls::find(state, tenant, call_id).await?;
    let missing = || AppError::not_found("recording");
    let root = state.recordings_dir.as_ref().ok_or_else(missing)?;
    let stored = call.recording_path.as_deref().ok_or_else(missing)?;
    let path = resolve(root, tenant, stored).ok_or_else(missing)?;
    let kind = content_type(&path).ok_or_else(missing)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| missing())?;
    let len = bytes.len() as u64;
    let disposition = format!(
        "inline; filename=\"{call_id}.{}\"",
        path.extension().and_then(|e| e.to_str()).unwrap_or("wav")
    );
    let common = [
        (header::CONTENT_TYPE, kind.to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::ACCEPT_RANGES, "bytes".to_string()),
    ];
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok((common, bytes).into_response());
    };
    match byte_range(range, len) {
        Some((start, end)) => {
            let part = bytes[start as usize..=end as usize].to_vec();
            Ok((
                StatusCode::PARTIAL_CONTENT,
                common,
                [(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))],
                part,
            )
                .into_response())
        }
        None => Ok((
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn byte_ranges_parse_and_clamp() {
        assert_eq!(byte_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(byte_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=50-500", 100), Some((50, 99)));
        for bad in [
            "bytes=100-",
            "bytes=9-3",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=-0",
            "bytes=x-",
        ] {
            assert_eq!(byte_range(bad, 100), None, "{bad}");
        }
        assert_eq!(byte_range("bytes=0-", 0), None);
    }
}
