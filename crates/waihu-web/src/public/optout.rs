//! Opting out: the verified number goes onto one business's do-not-call list
//! (the business picked by the number that called, or by its name) or onto the
//! platform list (every business). The entry is written at once; the scheduler
//! reads do-not-call facts before every dial, so running tasks respect it from
//! their next dial.

use super::{parse_number, verified, PubCtx, PubForm};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use waihu_core::{TenantId, TenantName};
use waihu_store::{Actor, DncScope};

/// The opt-out form.
#[derive(Debug, Deserialize)]
pub struct OptOutForm {
    scope: Option<String>,
    caller_number: Option<String>,
    business: Option<String>,
}

/// The tenant a callee names: by the number that called (a caller number
/// assigned to it) or by its name.
pub(crate) async fn business(
    state: &AppState,
    caller_number: Option<&str>,
    name: Option<&str>,
) -> AppResult<TenantId> {
    let caller_number = caller_number.map(str::trim).filter(|s| !s.is_empty());
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    if let Some(raw) = caller_number {
        let e164 = parse_number(state, raw, "caller_number")?.e164;
        let owner = state
            .store
            .get_caller_number(&e164)
            .await?
            .and_then(|c| c.tenant_id);
        return owner.ok_or_else(|| {
            AppError::invalid(
                "caller_number",
                "this number is not a caller number of any business on this platform",
            )
            .localised(Msg::PubErrUnknownCaller)
        });
    }
    if let Some(raw) = name {
        let bad = || {
            AppError::invalid("business", "no business of that name on this platform")
                .localised(Msg::PubErrUnknownBusiness)
        };
        let name = TenantName::parse(&raw.to_ascii_lowercase()).map_err(|_| bad())?;
        return Ok(state
            .store
            .find_tenant_by_name(&name)
            .await?
            .ok_or_else(bad)?
            .id);
    }
    Err(AppError::invalid(
        "caller_number",
        "give the number that called you or the name of the business",
    )
    .localised(Msg::PubErrCallerOrBusiness))
}

/// `POST /p/optout`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(form): PubForm<OptOutForm>,
) -> AppResult<Response> {
    let Some(target) = verified(&state, &ctx) else {
        return Ok(super::expired());
    };
    let scope = match form.scope.as_deref().unwrap_or("business") {
        "all" => DncScope::Platform,
        "business" => DncScope::Tenant(
            business(
                &state,
                form.caller_number.as_deref(),
                form.business.as_deref(),
            )
            .await?,
        ),
        _ => {
            return Err(AppError::invalid("scope", "choose one business or all")
                .localised(Msg::PubErrScope))
        }
    };
    state
        .store
        .add_dnc(
            scope,
            &target.hash,
            &target.masked,
            "the callee opted out on the public page",
            "public",
            &Actor::raw("public"),
        )
        .await?;
    Ok(crate::pages::see_other("/p/me?done=optout"))
}
