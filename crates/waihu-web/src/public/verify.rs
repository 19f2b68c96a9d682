//! Proving control of a number: type it, receive a one-time code by a call (or
//! another [`CodeSender`](super::CodeSender)), type the code. Code requests are
//! limited per address and per number; wrong codes kill the code after five
//! tries and lock the address or the number for 15 minutes after ten.

use super::codes::{Check, Target, CODE_DIGITS, CODE_TTL_MINUTES};
use super::session::{CHALLENGE_COOKIE, COOKIE, SESSION_MINUTES};
use super::state::{WRONG_CODES_PER_ADDRESS, WRONG_CODES_PER_NUMBER};
use super::{frame, ok, parse_number, verified, PubCtx, PubForm, SendError};
use crate::auth::{cookies, csrf};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use waihu_store::{Actor, NewAudit};

/// `GET /p` query.
#[derive(Debug, Default, Deserialize)]
pub struct IndexQuery {
    expired: Option<String>,
}

/// The number form.
#[derive(Debug, Deserialize)]
pub struct NumberForm {
    number: Option<String>,
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: Option<String>,
}

fn csrf_field(ctx: &PubCtx) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(ctx.csrf); }
}

fn number_key(t: &Target) -> String {
    format!("pubnum:{}", hex::encode(t.hash.0))
}

/// `GET /p`: what the pages are for, and the number form.
pub async fn index(
    State(state): State<AppState>,
    ctx: PubCtx,
    Query(q): Query<IndexQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let me = state
        .public
        .sessions
        .get(&ctx.headers, ctx.ip, state.clock.now());
    let body = html! {
        p.lead { (Msg::PubIntro.t(lang)) }
        @if q.expired.is_some() { div.notice.bad role="alert" { (Msg::PubSessionExpired.t(lang)) } }
        @if let Some(t) = &me {
            div.notice.ok { (Msg::PubVerifiedAs.t(lang)) " " strong { (t.masked) } " · " a href="/p/me" { (Msg::PubContinue.t(lang)) } }
        }
        @if state.public.sender.is_none() {
            div.notice.bad { (Msg::PubUnavailable.t(lang)) }
        }
        section.card {
            h2 { (Msg::PubStep1.t(lang)) }
            p.hint { (Msg::PubStep1Hint.t(lang)) }
            form method="post" action="/p/code" {
                (csrf_field(&ctx))
                label { (Msg::PubYourNumber.t(lang))
                    input type="tel" name="number" inputmode="tel" autocomplete="tel" required maxlength="32" placeholder="138 0000 0000"; }
                button type="submit" { (Msg::PubCallMe.t(lang)) }
            }
        }
        ul.pub-what {
            li { (Msg::PubWhatOptOut.t(lang)) }
            li { (Msg::PubWhatComplain.t(lang)) }
            li { (Msg::PubWhatData.t(lang)) }
        }
    };
    ok(frame::page(lang, "/p", Msg::PubTitle.t(lang), body))
}

fn too_many(msg: &str, local: Msg) -> AppError {
    AppError::new(ErrorCode::LockedOut, msg).localised(local)
}

/// Locked after too many wrong codes.
fn locked() -> AppError {
    too_many(
        "too many wrong codes: locked for 15 minutes",
        Msg::PubErrWrongCodesLocked,
    )
}

/// Why the code sender refused, in the callee's words: the gate's rules.
fn refused(rules: &[String], why: &str) -> AppError {
    let local = if rules.iter().any(|r| r == "cap_24h") {
        Msg::PubErrCapReached
    } else if rules.iter().any(|r| r == "calling_hours") {
        Msg::PubErrOutsideHours
    } else {
        Msg::PubErrCannotCall
    };
    too_many(&format!("we cannot call this number now: {why}"), local)
}

/// `POST /p/code`: checks the limits, issues a code and has it delivered.
pub async fn request_code(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(form): PubForm<NumberForm>,
) -> AppResult<Response> {
    let typed = parse_number(&state, form.number.as_deref().unwrap_or(""), "number")?;
    let Some(sender) = state.public.sender.clone() else {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "code delivery is not set up on this server",
        )
        .localised(Msg::PubErrNotSetUp));
    };
    let now = state.clock.now();
    let limits = &state.public.limits;
    let nkey = number_key(&typed.target);
    if limits
        .wrong_codes
        .locked(&[ctx.addr_key(), nkey.clone()], now)
    {
        return Err(locked());
    }
    if limits.requests_by_number.exhausted(&nkey, now) {
        return Err(too_many(
            "too many codes requested for this number: try again in an hour",
            Msg::PubErrCodesPerNumber,
        ));
    }
    if !limits.requests_by_address.hit(&ctx.addr_key(), now) {
        return Err(too_many(
            "too many codes requested from your address: try again in an hour",
            Msg::PubErrCodesPerAddress,
        ));
    }
    limits.requests_by_number.hit(&nkey, now);
    let challenge = waihu_store::password::random_secret(24);
    let code = state.public.codes.issue(&challenge, typed.target, now);
    if let Err(e) = sender.send(&typed.e164, &code).await {
        state.public.codes.withdraw(&challenge);
        return Err(match e {
            SendError::Refused { rules, why } => refused(&rules, &why),
            SendError::Unavailable(why) => {
                tracing::warn!(error = %why, "one-time code not delivered");
                AppError::new(
                    ErrorCode::Conflict,
                    "code delivery is unavailable right now; try again later",
                )
                .localised(Msg::PubUnavailable)
            }
        });
    }
    let secure = cookies::secure(&state, &ctx.headers);
    ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/p/verify".to_string()),
            (
                SET_COOKIE,
                cookies::set(CHALLENGE_COOKIE, &challenge, CODE_TTL_MINUTES * 60, secure),
            ),
        ],
    ))
}

fn code_form(ctx: &PubCtx, target: &Target, notice: Option<(bool, String)>) -> Markup {
    let lang = ctx.lang;
    let body = html! {
        @if let Some((good, text)) = notice {
            div class={ "notice " (if good { "ok" } else { "bad" }) } role="alert" { (text) }
        }
        p { (Msg::PubCalling.t(lang)) " " strong { (target.masked) } }
        p.hint { (Msg::PubCodeHint.t(lang)) }
        form method="post" action="/p/verify" {
            (csrf_field(ctx))
            label { (Msg::PubCode.t(lang))
                input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9]*" maxlength=(CODE_DIGITS) required autofocus; }
            button type="submit" { (Msg::PubVerify.t(lang)) }
        }
        p { a href="/p" { (Msg::PubNewCode.t(lang)) } }
    };
    frame::page(lang, "/p/verify", Msg::PubEnterCode.t(lang), body)
}

fn challenge(ctx: &PubCtx) -> Option<String> {
    cookies::get(&ctx.headers, CHALLENGE_COOKIE)
}

/// `GET /p/verify`: the code form for the pending challenge.
pub async fn code_page(State(state): State<AppState>, ctx: PubCtx) -> AppResult<Response> {
    let now = state.clock.now();
    match challenge(&ctx).and_then(|c| state.public.codes.target(&c, now)) {
        Some(t) => ok(code_form(&ctx, &t, None)),
        None => ok(crate::pages::see_other("/p?expired=1")),
    }
}

fn wrong_page(ctx: &PubCtx, status: StatusCode, target: &Target, text: String) -> Response {
    (status, code_form(ctx, target, Some((false, text)))).into_response()
}

fn tries_left(lang: Lang, left: u32) -> String {
    match lang {
        Lang::Zh => format!("验证码错误，还可以再试 {left} 次。"),
        Lang::En => format!("Wrong code; {left} tries left."),
    }
}

/// `POST /p/verify`: checks the code; right → a verified session.
pub async fn check_code(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(form): PubForm<CodeForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let lang = ctx.lang;
    let code = form.code.as_deref().unwrap_or("").trim().to_string();
    if code.len() != CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            AppError::invalid("code", format!("the code is {CODE_DIGITS} digits"))
                .localised(Msg::PubErrCodeDigits),
        );
    }
    let Some(ch) = challenge(&ctx) else {
        return Err(AppError::invalid(
            "code",
            "no code is pending for this browser; request a new one",
        )
        .localised(Msg::PubErrNoPending));
    };
    let guard = &state.public.limits.wrong_codes;
    if guard.locked(&[ctx.addr_key()], now) {
        return Err(locked());
    }
    if let Some(t) = state.public.codes.target(&ch, now) {
        if guard.locked(&[number_key(&t)], now) {
            return Err(locked());
        }
    }
    let failed = |target: &Target| {
        let a = guard.record_failure(&ctx.addr_key(), WRONG_CODES_PER_ADDRESS, now);
        let n = guard.record_failure(&number_key(target), WRONG_CODES_PER_NUMBER, now);
        a || n
    };
    match state.public.codes.check(&ch, &code, now) {
        Check::Verified(target) => {
            let e = NewAudit::new(
                &Actor::raw("public"),
                None,
                "subject.verified",
                format!("number:{}", target.masked),
            )
            .with_details(serde_json::json!({
                "ip": ctx.ip.map(|i| i.to_string()),
                "number_hash": hex::encode(target.hash.0),
            }));
            state.store.append_audit(e).await?;
            let token = state.public.sessions.start(target, ctx.ip, now);
            let secure = cookies::secure(&state, &ctx.headers);
            let mut resp = crate::pages::see_other("/p/me");
            for c in [
                cookies::set(COOKIE, &token, SESSION_MINUTES * 60, secure),
                cookies::set(CHALLENGE_COOKIE, "", 0, secure),
            ] {
                resp.headers_mut()
                    .append(SET_COOKIE, c.parse().map_err(AppError::internal)?);
            }
            Ok(resp)
        }
        Check::Wrong { target, left } => {
            if failed(&target) {
                return Err(locked());
            }
            Ok(wrong_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &target,
                tries_left(lang, left),
            ))
        }
        Check::Dead(target) => {
            if failed(&target) {
                return Err(locked());
            }
            Err(AppError::invalid(
                "code",
                "too many wrong tries: this code no longer works; request a new one",
            )
            .localised(Msg::PubErrCodeDead))
        }
        Check::Expired | Check::Unknown => Err(AppError::invalid(
            "code",
            "this code has expired or was replaced; request a new one",
        )
        .localised(Msg::PubErrCodeExpired)),
    }
}

/// `GET /p/me` query.
#[derive(Debug, Default, Deserialize)]
pub struct MeQuery {
    done: Option<String>,
}

/// `GET /p/me`: what the verified callee can do.
pub async fn me(
    State(state): State<AppState>,
    ctx: PubCtx,
    Query(q): Query<MeQuery>,
) -> AppResult<Response> {
    let Some(target) = verified(&state, &ctx) else {
        return Ok(super::expired());
    };
    let lang = ctx.lang;
    let done = match q.done.as_deref() {
        Some("optout") => Some(Msg::PubOptedOut),
        Some("complaint") => Some(Msg::PubComplaintFiled),
        _ => None,
    };
    let body = html! {
        div.notice.ok { (Msg::PubVerifiedAs.t(lang)) " " strong { (target.masked) } }
        @if let Some(m) = done { div.notice.ok role="status" { (m.t(lang)) } }
        section.card {
            h2 { (Msg::PubOptOutTitle.t(lang)) }
            form method="post" action="/p/optout" {
                (csrf_field(&ctx))
                label.radio { input type="radio" name="scope" value="business" checked; (Msg::PubOptOutOne.t(lang)) }
                label { (Msg::PubCallerNumber.t(lang))
                    input type="tel" name="caller_number" inputmode="tel" maxlength="32"; }
                label { (Msg::PubBusinessName.t(lang))
                    input type="text" name="business" maxlength="32"; }
                label.radio { input type="radio" name="scope" value="all"; (Msg::PubOptOutAll.t(lang)) }
                button type="submit" { (Msg::PubOptOutButton.t(lang)) }
            }
        }
        section.card {
            h2 { (Msg::PubComplaintTitle.t(lang)) }
            form method="post" action="/p/complaint" {
                (csrf_field(&ctx))
                label { (Msg::PubCallerNumber.t(lang))
                    input type="tel" name="caller_number" inputmode="tel" maxlength="32" required; }
                label { (Msg::PubCalledAt.t(lang))
                    input type="datetime-local" name="called_at" required; }
                label { (Msg::PubWhatHappened.t(lang))
                    textarea name="what" rows="5" maxlength="2000" required {} }
                button type="submit" { (Msg::PubComplaintButton.t(lang)) }
            }
        }
        section.card {
            h2 { (Msg::PubDataTitle.t(lang)) }
            p { a.btn href="/p/data" { (Msg::PubSeeData.t(lang)) } }
            form method="post" action="/p/erase" {
                (csrf_field(&ctx))
                label.radio { input type="checkbox" name="confirm" value="yes" required; (Msg::PubEraseConfirm.t(lang)) }
                button.danger type="submit" { (Msg::PubEraseButton.t(lang)) }
            }
        }
        form method="post" action="/p/logout" {
            (csrf_field(&ctx))
            button.link type="submit" { (Msg::PubLogout.t(lang)) }
        }
    };
    ok(frame::page(lang, "/p/me", Msg::PubMeTitle.t(lang), body))
}

/// `POST /p/logout`: forgets the verified number on this browser.
pub async fn logout(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(_): PubForm<serde::de::IgnoredAny>,
) -> AppResult<Response> {
    state.public.sessions.end(&ctx.headers);
    let secure = cookies::secure(&state, &ctx.headers);
    ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/p".to_string()),
            (SET_COOKIE, cookies::set(COOKIE, "", 0, secure)),
        ],
    ))
}
