//! Sign in and sign out. Failed attempts are throttled per account and client,
//! per account over all clients and per client address (`auth::throttle`, counted
//! in the database); a lock is audited.
//! Every login and logout is written to the audit log.

use super::{layout, safe_next, PageCtx, PageForm};
use crate::auth::cookies::{self, PRE_LOGIN_COOKIE, SESSION_COOKIE};
use crate::auth::throttle::{self, Refusal};
use crate::auth::{csrf, session};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use maud::html;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::OnceLock;
use waihu_store::password::{hash_password, random_secret, verify_password};
use waihu_store::{Actor, NewAudit, User};

/// `GET /login` query.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Why the form is shown again.
enum Notice {
    None,
    Bye,
    Failed,
    /// Locked for this client or address ([`throttle::LOCK_MINUTES`]).
    Locked,
    /// Too many failures from anywhere: wait a little.
    Delayed,
}

impl From<Refusal> for Notice {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::ClientLocked(_) | Refusal::AddressLocked(_) => Notice::Locked,
            Refusal::Delayed(_) => Notice::Delayed,
        }
    }
}

fn render(
    lang: Lang,
    csrf_token: &str,
    next: &str,
    username: &str,
    notice: Notice,
) -> maud::Markup {
    let body = html! {
        div.card.login {
            div.brand {
                span.logo { "呼" }
                span { (Msg::AppName.t(lang)) small { (Msg::AppTagline.t(lang)) } }
            }
            @match notice {
                Notice::Bye => div.notice.ok { (Msg::LoggedOut.t(lang)) },
                Notice::Failed => div.notice.bad role="alert" { (Msg::LoginFailed.t(lang)) },
                Notice::Locked => div.notice.bad role="alert" { (Msg::LoginLocked.t(lang)) },
                Notice::Delayed => div.notice.bad role="alert" { (Msg::LoginDelayed.t(lang)) },
                Notice::None => {},
            }
            form method="post" action="/login" {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="next" value=(next);
                label { (Msg::Username.t(lang))
                    input type="text" name="username" value=(username) autocomplete="username" required autofocus; }
                label { (Msg::Password.t(lang))
                    input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { (Msg::LoginButton.t(lang)) }
            }
            div.foot { span { "waihu " (crate::assets::VERSION) } (layout::bare_lang_switch(lang, "/login")) }
        }
    };
    layout::bare(lang, Msg::LoginTitle.t(lang), body)
}

/// `GET /login`: the form (already logged in: the dashboard).
pub async fn page(
    State(state): State<AppState>,
    Extension(lang): Extension<Lang>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if session::from_cookie(&state, &headers).await?.is_some() {
        return Ok(super::see_other("/"));
    }
    let (pre, set) = match cookies::get(&headers, PRE_LOGIN_COOKIE) {
        Some(v) => (v, None),
        None => {
            let v = random_secret(32);
            let c = cookies::set(
                PRE_LOGIN_COOKIE,
                &v,
                3600,
                cookies::secure(&state, &headers),
            );
            (v, Some(c))
        }
    };
    let notice = if q.bye.is_some() {
        Notice::Bye
    } else {
        Notice::None
    };
    let next = safe_next(q.next.as_deref());
    let mut resp = render(lang, &pre, &next, "", notice).into_response();
    if let Some(c) = set {
        resp.headers_mut()
            .append(SET_COOKIE, c.parse().map_err(AppError::internal)?);
    }
    Ok(resp)
}

/// A hash to verify against when the username does not exist, so that a wrong
/// username takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("waihu-timing-equaliser").unwrap_or_default())
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(lang): Extension<Lang>,
    peer: Peer,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> AppResult<Response> {
    let ip = client_ip(&state, &peer, &headers);
    let now = state.clock.now();
    let keys = throttle::Keys::new(&form.username, ip);
    let pre = cookies::get(&headers, PRE_LOGIN_COOKIE).unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let username = form.username.trim().to_string();
    let again = |status: StatusCode, notice| {
        (status, render(lang, &pre, &next, &username, notice)).into_response()
    };
    let counters = state.store.login_counters(&keys.lookup()).await?;
    if let Some(refusal) = throttle::decide(&keys, &counters, now) {
        return Ok(again(StatusCode::TOO_MANY_REQUESTS, Notice::from(refusal)));
    }
    let user = state.store.find_user_for_login(&username).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let password = form.password;
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(AppError::internal)?;
    let Some(user) = user.filter(|_| ok) else {
        let counters = state
            .store
            .record_login_failure(&keys.failure(), now)
            .await?;
        // This failure may have started a lock (a delay is not announced: the
        // next attempt learns of it).
        return Ok(match throttle::decide(&keys, &counters, now) {
            Some(r @ (Refusal::ClientLocked(_) | Refusal::AddressLocked(_))) => {
                audit_lockout(&state, &username, ip, r).await?;
                again(StatusCode::TOO_MANY_REQUESTS, Notice::from(r))
            }
            _ => again(StatusCode::UNAUTHORIZED, Notice::Failed),
        });
    };
    state
        .store
        .clear_login_failures(&keys.account, &keys.client)
        .await?;
    // A fresh session every login (no fixation); a previous one on this browser ends.
    if let Some(old) = cookies::get(&headers, SESSION_COOKIE) {
        state
            .store
            .delete_session(&waihu_store::password::token_hash(&old))
            .await?;
    }
    let token = session::create(&state, &user).await?;
    audit_login(&state, &user, "auth.login", ip).await?;
    let secure = cookies::secure(&state, &headers);
    let max_age = state.config.session_ttl.num_seconds();
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, next),
            (
                SET_COOKIE,
                cookies::set(SESSION_COOKIE, &token, max_age, secure),
            ),
        ],
    )
        .into_response()
        .with_cleared_pre_cookie(secure))
}

/// `POST /logout`: ends the session (the CSRF guard has checked the form).
pub async fn logout(
    State(state): State<AppState>,
    peer: Peer,
    ctx: PageCtx,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(s) = ctx.who.session() {
        state.store.delete_session(&s.token_hash).await?;
    }
    if let Some(user) = ctx.who.user() {
        audit_login(
            &state,
            user,
            "auth.logout",
            client_ip(&state, &peer, &headers),
        )
        .await?;
    }
    let secure = cookies::secure(&state, &headers);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/login?bye=1".to_string()),
            (SET_COOKIE, cookies::set(SESSION_COOKIE, "", 0, secure)),
        ],
    )
        .into_response())
}

/// The peer's address as the server saw the connection; absent in in-process
/// tests.
type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// The client's address: the peer, or behind a trusted proxy the address it
/// forwarded for (never a header a client sent on its own).
fn client_ip(state: &AppState, peer: &Peer, headers: &HeaderMap) -> Option<std::net::IpAddr> {
    let peer = peer.as_ref().map(|Extension(ConnectInfo(a))| a.ip());
    state.config.trusted_proxies.client_ip(peer, headers)
}

async fn audit_login(
    state: &AppState,
    user: &User,
    action: &str,
    ip: Option<std::net::IpAddr>,
) -> AppResult<()> {
    let mut e = NewAudit::new(
        &Actor::user(&user.username),
        user.tenant_id,
        action,
        format!("user:{}", user.username),
    );
    if let Some(ip) = ip {
        e = e.with_details(serde_json::json!({ "ip": ip.to_string() }));
    }
    state.store.append_audit(e).await?;
    Ok(())
}

async fn audit_lockout(
    state: &AppState,
    username: &str,
    ip: Option<std::net::IpAddr>,
    refusal: Refusal,
) -> AppResult<()> {
    // The name typed may not exist; keep what is stored short and printable.
    let shown: String = username
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let tenant = state
        .store
        .find_user_for_login(username)
        .await?
        .and_then(|u| u.tenant_id);
    let e = NewAudit::new(
        &Actor::system(),
        tenant,
        "auth.lockout",
        format!("user:{shown}"),
    )
    .with_details(serde_json::json!({
        "scope": if matches!(refusal, Refusal::AddressLocked(_)) { "address" } else { "client" },
        "ip": ip.map(|i| i.to_string()),
        "minutes": throttle::LOCK_MINUTES,
    }));
    state.store.append_audit(e).await?;
    Ok(())
}

trait ClearPre {
    fn with_cleared_pre_cookie(self, secure: bool) -> Response;
}

impl ClearPre for Response {
    fn with_cleared_pre_cookie(mut self, secure: bool) -> Response {
        if let Ok(v) = cookies::set(PRE_LOGIN_COOKIE, "", 0, secure).parse() {
            self.headers_mut().append(SET_COOKIE, v);
        }
        self
    }
}
