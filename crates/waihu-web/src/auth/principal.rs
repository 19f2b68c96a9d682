//! The authenticated caller and the checks every handler makes: its role, and the
//! tenant its data comes from. A tenant-scoped handler starts with
//! `let tenant = who.tenant_for(&[Role::Admin])?;` and passes `tenant` to every
//! repository call, so another tenant's row is simply not found (404).

use crate::error::{AppError, AppResult};
use waihu_core::{Role, TenantId};
use waihu_store::{ApiToken, User, WebSession};

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A browser session.
    Session {
        /// The logged-in user.
        user: User,
        /// The session.
        session: WebSession,
    },
    /// A tenant API token (acts with the admin role inside its tenant).
    Token(ApiToken),
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The audit actor (`user:<name>` or `token:<id>`).
    pub actor: waihu_store::Actor,
    /// What the caller may do.
    pub role: Role,
    /// The caller's tenant (`None` for operators).
    pub tenant_id: Option<TenantId>,
    /// A name to show (username or token name).
    pub display: String,
    /// How it authenticated.
    pub auth: Auth,
}

impl Principal {
    /// A principal for a logged-in user.
    pub fn from_session(user: User, session: WebSession) -> Self {
        Self {
            actor: waihu_store::Actor::user(&user.username),
            role: user.role,
            tenant_id: user.tenant_id,
            display: user.username.clone(),
            auth: Auth::Session { user, session },
        }
    }

    /// A principal for an API token: the tenant's admin rights.
    pub fn from_token(token: ApiToken) -> Self {
        Self {
            actor: waihu_store::Actor::token(token.id),
            role: Role::Admin,
            tenant_id: Some(token.tenant_id),
            display: token.name.clone(),
            auth: Auth::Token(token),
        }
    }

    /// Fails with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The caller's tenant, after checking its role is one of `roles`. Operators
    /// (no tenant) get 403: they reach tenants' data through the operator routes.
    pub fn tenant_for(&self, roles: &[Role]) -> AppResult<TenantId> {
        self.require(roles)?;
        self.tenant_id.ok_or_else(AppError::forbidden)
    }

    /// The logged-in user, if this is a browser session.
    pub fn user(&self) -> Option<&User> {
        match &self.auth {
            Auth::Session { user, .. } => Some(user),
            Auth::Token(_) => None,
        }
    }

    /// The session, if this is a browser session.
    pub fn session(&self) -> Option<&WebSession> {
        match &self.auth {
            Auth::Session { session, .. } => Some(session),
            Auth::Token(_) => None,
        }
    }

    /// The anti-CSRF token forms of this session carry.
    pub fn csrf(&self) -> &str {
        self.session().map(|s| s.csrf_token.as_str()).unwrap_or("")
    }
}

/// Roles that may read a tenant's administration pages.
pub const TENANT_READERS: &[Role] = &[Role::Admin, Role::Auditor];
/// Roles that may change a tenant's administration.
pub const TENANT_ADMINS: &[Role] = &[Role::Admin];
/// Roles that may read a tenant's calling work (scripts, tasks, calls, leads).
pub const CAMPAIGN_READERS: &[Role] = &[Role::Admin, Role::Agent, Role::Auditor];
/// Roles that work leads (regrade, follow-up status).
pub const LEAD_WORKERS: &[Role] = &[Role::Admin, Role::Agent];
