//! The frame of the public pages: no navigation, no third-party anything, a
//! language switch, sized for a phone; and their localised error page.

use crate::assets::VERSION;
use crate::error::{AppError, ErrorCode};
use crate::i18n::{Lang, Msg};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// A public page.
pub fn page(lang: Lang, path: &str, title: &str, body: Markup) -> Markup {
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (Msg::PubSiteName.t(lang)) }
                link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
                link rel="stylesheet" href={ "/static/app.css?v=" (VERSION) };
            }
            body.public {
                header.pub-head {
                    a.pub-home href="/p" { span.logo { "呼" } (Msg::PubSiteName.t(lang)) }
                    a.lang href={ (path) "?lang=" (other.code()) } hreflang=(other.code()) { (Msg::SwitchLang.t(lang)) }
                }
                main.pub-main {
                    h1 { (title) }
                    (body)
                }
                footer.pub-foot { (Msg::PubPrivacyNote.t(lang)) }
            }
        }
    }
}

/// Turns an [`AppError`] of a public route into a localised page.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let resp = next.run(req).await;
    let Some(err) = resp.extensions().get::<AppError>().cloned() else {
        return resp;
    };
    let title = match err.code {
        ErrorCode::NotFound => Msg::ErrNotFound,
        ErrorCode::CsrfFailed => Msg::ErrCsrf,
        ErrorCode::Invalid => Msg::ErrInvalid,
        ErrorCode::LockedOut => Msg::PubTooMany,
        ErrorCode::Internal => Msg::ErrInternal,
        ErrorCode::Conflict => Msg::PubUnavailable,
        _ => Msg::ErrBadRequest,
    };
    let body = html! {
        div.notice.bad role="alert" {
            @if let Some(m) = err.local { (m.t(lang)) }
            @else if err.code != ErrorCode::Internal { (err.message) }
            @else { (title.t(lang)) }
        }
        p { a.btn href="/p" { (Msg::PubBackHome.t(lang)) } }
    };
    (err.code.status(), page(lang, "/p", title.t(lang), body)).into_response()
}
