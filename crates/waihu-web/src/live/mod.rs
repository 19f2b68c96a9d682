//! Live calls: the calls the dialler of this process is making, with their
//! transcript as it happens. The binary publishes each call's events to the
//! [`LiveHub`] in [`AppState::live`](crate::state::AppState); viewers read them
//! on the `/live` page (updated by `app.js` over `EventSource`), as
//! Server-Sent Events at `/live/events`, or as JSON at `/api/v1/live`. A
//! tenant's users see their tenant's calls only, the operator all; numbers are
//! masked before they reach the hub.

pub mod api;

pub mod page;
pub mod sse;

pub use waihu_app::live::{LiveCall, LiveEvent, LiveHub, LiveKind, LiveLine, Scope};

use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::error::AppResult;
use waihu_core::Role;

/// What the caller may watch: the operator every tenant, a tenant's admins,
/// agents and auditors their own tenant; anyone else 403.
pub fn scope_of(who: &Principal) -> AppResult<Scope> {
    if who.role == Role::Operator {
        return Ok(Scope::All);
    }
    Ok(Scope::Tenant(who.tenant_for(CAMPAIGN_READERS)?))
}
