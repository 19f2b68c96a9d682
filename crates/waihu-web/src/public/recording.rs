//! Recording links on the "see my data" page: signed (HMAC-SHA256 under a
//! per-process key) over the tenant, the call, the verified number and an expiry
//! ten minutes ahead. `GET /p/recording` serves the WAV only for a valid,
//! unexpired signature and the same verified number; anything else is 404.
//! The file is served by the back office's recording code (tenant folder only).

use super::{verified, PubCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// How long a recording link works.
pub const LINK_MINUTES: i64 = 10;

fn sign(key: &[u8; 32], tenant: Uuid, call: Uuid, number: &PhoneHash, exp: i64) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(b"recording\0");
    m.update(tenant.as_bytes());
    m.update(call.as_bytes());
    m.update(&number.0);
    m.update(&exp.to_be_bytes());
    m.finalize().into_bytes().into()
}

/// A link to a call's recording for the verified `number`, valid until
/// `now + LINK_MINUTES`.
pub fn link(
    state: &AppState,
    tenant: Uuid,
    call: Uuid,
    number: &PhoneHash,
    now: DateTime<Utc>,
) -> String {
    let exp = (now + Duration::minutes(LINK_MINUTES)).timestamp();
    let sig = sign(&state.public.link_key, tenant, call, number, exp);
    format!(
        "/p/recording?t={tenant}&c={call}&exp={exp}&sig={}",
        hex::encode(sig)
    )
}

/// `GET /p/recording` query.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    t: Option<String>,
    c: Option<String>,
    exp: Option<i64>,
    sig: Option<String>,
}

/// `GET /p/recording`.
pub async fn serve(
    State(state): State<AppState>,
    ctx: PubCtx,
    Query(q): Query<LinkQuery>,
) -> AppResult<Response> {
    let gone = || AppError::not_found("recording");
    let target = verified(&state, &ctx).ok_or_else(gone)?;
    let tenant: Uuid =
        q.t.as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or_else(gone)?;
    let call: Uuid =
        q.c.as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or_else(gone)?;
    let exp = q.exp.ok_or_else(gone)?;
    let given = q
        .sig
        .as_deref()
        .and_then(|s| hex::decode(s).ok())
        .ok_or_else(gone)?;
    let expected = sign(&state.public.link_key, tenant, call, &target.hash, exp);
    if !bool::from(expected.as_slice().ct_eq(&given)) || exp <= state.clock.now().timestamp() {
        return Err(gone());
    }
    // The same checks as the back office: the call of that tenant, a file under
    // the tenant's recordings folder, an audio type.
    crate::campaign::recordings::serve(&state, TenantId(tenant), call, &ctx.headers).await
}
