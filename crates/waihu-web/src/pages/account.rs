//! The caller's own password. The current password is required; on success the
//! caller's other sessions end and the change is audited (in one transaction).

use super::{csrf_field, layout, PageCtx, PageForm};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use waihu_store::password::verify_password;

fn form(ctx: &PageCtx, notice: Option<(bool, String)>) -> Markup {
    let body = html! {
        @if let Some((ok, text)) = notice {
            @if ok { div.notice.ok #password-result { (text) } } @else { div.notice.bad #password-result role="alert" { (text) } }
        }
        div.card.narrow {
            form method="post" action="/account/password" {
                (csrf_field(ctx))
                p { label { (ctx.t(Msg::CurrentPassword)) input type="password" name="current" required autocomplete="current-password"; } }
                p { label { (ctx.t(Msg::NewPassword)) input type="password" name="new" required minlength="12" maxlength="128" autocomplete="new-password" placeholder=(ctx.t(Msg::PasswordHint)); } }
                p { label { (ctx.t(Msg::RepeatPassword)) input type="password" name="repeat" required minlength="12" maxlength="128" autocomplete="new-password"; } }
                button type="submit" { (ctx.t(Msg::Save)) }
            }
        }
    };
    layout::page(ctx, ctx.t(Msg::PasswordTitle), body)
}

/// `GET /account/password`.
pub async fn page(ctx: PageCtx) -> Markup {
    form(&ctx, None)
}

/// The form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// `POST /account/password`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<PasswordForm>,
) -> AppResult<Response> {
    let (Some(user), Some(session)) = (ctx.who.user().cloned(), ctx.who.session().cloned()) else {
        return Err(AppError::unauthorized());
    };
    let bad = |m: String| {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&ctx, Some((false, m))),
        )
            .into_response())
    };
    if f.new != f.repeat {
        return bad(ctx.t(Msg::PasswordMismatch).into());
    }
    let phc = user.password_hash.clone();
    let current = f.current;
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &phc))
        .await
        .map_err(AppError::internal)?;
    if !ok {
        return bad(ctx.t(Msg::WrongCurrentPassword).into());
    }
    match state
        .store
        .change_own_password(&user, &f.new, &session.token_hash, &ctx.who.actor)
        .await
    {
        Ok(()) => Ok(form(&ctx, Some((true, ctx.t(Msg::PasswordChanged).into()))).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if e.code == ErrorCode::Invalid {
                bad(e.message)
            } else {
                Err(e)
            }
        }
    }
}
