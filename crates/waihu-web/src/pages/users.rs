//! Users. An admin manages its tenant's users; an auditor sees them; the operator
//! sees and creates operator accounts here and a tenant's users on the tenant's
//! page. A user of another tenant is not found (404).

use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, role_label, see_other, DoneQuery, PageCtx,
    PageForm,
};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::{Role, UserId};
use waihu_store::User;

/// A table of users, with delete buttons when `manage`.
pub fn table(ctx: &PageCtx, users: &[User], manage: bool) -> Markup {
    html! {
        table {
            thead { tr { th { (ctx.t(Msg::Username)) } th { (ctx.t(Msg::Role)) } th { (ctx.t(Msg::CreatedAt)) } @if manage { th { (ctx.t(Msg::Actions)) } } } }
            tbody {
                @for u in users {
                    tr {
                        td { a href={ "/users/" (u.id) } { (u.username) } }
                        td { span.badge.role { (role_label(u.role).t(ctx.lang)) } }
                        td.mono { (fmt_time(u.created_at)) }
                        @if manage {
                            td {
                                @if Some(u.id) != ctx.who.user().map(|me| me.id) {
                                    form.inline method="post" action={ "/users/" (u.id) "/delete" } data-confirm=(ctx.t(Msg::ConfirmDelete)) {
                                        (csrf_field(ctx))
                                        button.small.danger type="submit" { (ctx.t(Msg::Delete)) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if users.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
            }
        }
    }
}

/// The create form posting to `action`; `tenant_roles` offers admin/agent/auditor,
/// otherwise the account is an operator.
pub fn create_form(ctx: &PageCtx, action: &str, tenant_roles: bool) -> Markup {
    html! {
        form.row method="post" action=(action) {
            (csrf_field(ctx))
            label { (ctx.t(Msg::Username)) input type="text" name="username" required autocomplete="off";
                @if ctx.who.tenant_id.is_some() { small.hint { (ctx.t(Msg::UsernameGetsTenant)) } } }
            label { (ctx.t(Msg::Password)) input type="password" name="password" required minlength="12" maxlength="128" autocomplete="new-password" placeholder=(ctx.t(Msg::PasswordHint)); }
            @if tenant_roles {
                label { (ctx.t(Msg::Role))
                    select name="role" {
                        @for r in [Role::Admin, Role::Agent, Role::Auditor] {
                            option value=(r.as_str()) { (role_label(r).t(ctx.lang)) }
                        }
                    }
                }
            } @else {
                input type="hidden" name="role" value="operator";
            }
            button type="submit" { (ctx.t(Msg::Create)) }
        }
    }
}

/// A role a tenant user may have (never operator).
pub fn tenant_role(raw: &str) -> AppResult<Role> {
    match raw.parse::<Role>() {
        Ok(r) if r.is_tenant_role() => Ok(r),
        _ => Err(AppError::invalid(
            "role",
            "role must be admin, agent or auditor",
        )),
    }
}

/// The create form's fields.
#[derive(Debug, Deserialize)]
pub struct CreateUser {
    /// Login name.
    pub username: String,
    /// Initial password.
    pub password: String,
    /// Role name.
    pub role: String,
}

/// `GET /users`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let (title, users, manage, form_action, tenant_roles) = if ctx.who.role == Role::Operator {
        (
            Msg::OperatorsTitle,
            state.store.list_operators().await?,
            false,
            Some("/users"),
            false,
        )
    } else {
        let t = ctx.who.tenant_for(TENANT_READERS)?;
        let admin = ctx.who.role == Role::Admin;
        (
            Msg::UsersTitle,
            state.store.list_users(t).await?,
            admin,
            admin.then_some("/users"),
            true,
        )
    };
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        @if let Some(action) = form_action {
            div.card { h2 { (ctx.t(Msg::CreateUser)) } (create_form(&ctx, action, tenant_roles)) }
        }
        div.card { (table(&ctx, &users, manage)) }
    };
    Ok(layout::page(&ctx, ctx.t(title), body))
}

/// `POST /users`: an admin creates a user in its tenant; the operator an operator.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<CreateUser>,
) -> AppResult<Response> {
    if ctx.who.role == Role::Operator {
        if f.role != "operator" {
            return Err(AppError::invalid(
                "role",
                "operator accounts only; tenant users are created on the tenant's page",
            ));
        }
        state
            .store
            .create_user(
                None,
                f.username.trim(),
                &f.password,
                Role::Operator,
                &ctx.who.actor,
            )
            .await?;
    } else {
        let t = ctx.who.tenant_for(TENANT_ADMINS)?;
        let role = tenant_role(&f.role)?;
        // `name@tenant`: a namespace per tenant (see `api::users::tenant_login_name`).
        let username = crate::api::users::tenant_login_name(&state, t, &f.username).await?;
        state
            .store
            .create_user(Some(t), &username, &f.password, role, &ctx.who.actor)
            .await?;
    }
    Ok(see_other("/users?done=1"))
}

/// One user the caller may see: in its tenant, or an operator account for the operator.
async fn visible_user(state: &AppState, ctx: &PageCtx, id: UserId) -> AppResult<User> {
    let found = if ctx.who.role == Role::Operator {
        state
            .store
            .list_operators()
            .await?
            .into_iter()
            .find(|u| u.id == id)
    } else {
        let t = ctx.who.tenant_for(TENANT_READERS)?;
        state.store.get_user(t, id).await?
    };
    found.ok_or_else(|| AppError::not_found("user"))
}

/// `GET /users/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let id: UserId = parse_id(&id, "user")?;
    let u = visible_user(&state, &ctx, id).await?;
    let is_me = ctx.who.user().is_some_and(|me| me.id == u.id);
    let can_reset = ctx.who.role == Role::Admin && !is_me;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            h2 { (u.username) " " span.badge.role { (role_label(u.role).t(ctx.lang)) } }
            p.hint.mono { (u.id) " · " (fmt_time(u.created_at)) }
        }
        @if can_reset {
            div.card.narrow {
                h2 { (ctx.t(Msg::ResetPassword)) }
                p.hint { (ctx.t(Msg::ResetPasswordHint)) }
                form.row method="post" action={ "/users/" (u.id) "/password" } {
                    (csrf_field(&ctx))
                    label { (ctx.t(Msg::NewPassword))
                        input type="password" name="password" required minlength="12" maxlength="128" autocomplete="new-password" placeholder=(ctx.t(Msg::PasswordHint)); }
                    button type="submit" { (ctx.t(Msg::Save)) }
                }
            }
        }
        p { a.btn.secondary href="/users" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::UserDetail), body))
}

/// The reset form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    password: String,
}

/// `POST /users/{id}/password`: an admin sets a new password for one of its
/// tenant's users; the user's sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ResetForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: UserId = parse_id(&id, "user")?;
    reset_in(&state, &ctx.who, t, id, &f.password).await?;
    Ok(see_other(&format!("/users/{id}?done=1")))
}

/// Sets the password of a user of `tenant` (404 for another tenant's) and ends
/// its sessions. Not for oneself: that is the account page, which asks for the
/// current password.
pub async fn reset_in(
    state: &AppState,
    who: &crate::auth::Principal,
    tenant: waihu_core::TenantId,
    id: UserId,
    password: &str,
) -> AppResult<()> {
    if who.user().is_some_and(|me| me.id == id) {
        return Err(AppError::invalid(
            "id",
            "change your own password on the account page",
        ));
    }
    state
        .store
        .set_user_password(tenant, id, password, &who.actor)
        .await
        .map_err(|e| match AppError::from(e) {
            e if e.code == crate::error::ErrorCode::Invalid => e.with_field("password"),
            e => e,
        })?;
    state.store.delete_user_sessions(id).await?;
    Ok(())
}

/// `POST /users/{id}/delete`: an admin deletes one of its tenant's users.
pub async fn delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: UserId = parse_id(&id, "user")?;
    if ctx.who.user().is_some_and(|me| me.id == id) {
        return Err(AppError::invalid(
            "id",
            "you cannot delete your own account",
        ));
    }
    state.store.delete_user(t, id, &ctx.who.actor).await?;
    Ok(see_other("/users?done=1"))
}
