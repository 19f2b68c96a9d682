//! Creating a task in the browser (admins): `GET /tasks/new` draws the form —
//! the tenant's published script versions, its contact lists, its verified
//! caller numbers only, the trunks, lines within the quota, calling windows,
//! retry policy, lead threshold, dates, an optional A/B variant B with its
//! split — and `POST /tasks` stores it through
//! `campaign::task_create` (the API's and the CLI's rules). A rule broken
//! re-draws the form with what was typed and the message by the field.

use super::{csrf_field, layout, see_other, PageCtx, PageForm};
use crate::auth::principal::TENANT_ADMINS;
use crate::campaign::task_create::{self, parse_when, CreateTaskReq};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::BTreeMap;
use uuid::Uuid;
use waihu_core::TenantId;

/// What was typed, by field (`list_ids` may repeat).
#[derive(Debug, Default)]
struct Typed {
    one: BTreeMap<String, String>,
    lists: Vec<String>,
}

impl Typed {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut t = Typed::default();
        for (k, v) in pairs {
            if k == "list_ids" {
                t.lists.push(v);
            } else {
                t.one.insert(k, v);
            }
        }
        t
    }

    fn get(&self, k: &str) -> &str {
        self.one.get(k).map(String::as_str).unwrap_or("")
    }

    fn uuid(&self, k: &str) -> AppResult<Uuid> {
        self.get(k)
            .trim()
            .parse()
            .map_err(|_| AppError::invalid(k, "choose one"))
    }

    fn opt<T: std::str::FromStr>(&self, k: &str) -> AppResult<Option<T>> {
        let v = self.get(k).trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(Some)
            .map_err(|_| AppError::invalid(k, format!("{v:?} is not a number")))
    }

    fn text(&self, k: &str) -> Option<String> {
        Some(self.get(k).trim().to_string()).filter(|s| !s.is_empty())
    }

    /// The typed form as the API's request.
    fn request(&self) -> AppResult<CreateTaskReq> {
        let mut list_ids = Vec::new();
        for l in &self.lists {
            list_ids.push(
                l.parse()
                    .map_err(|_| AppError::invalid("list_ids", "choose the lists to call"))?,
            );
        }
        Ok(CreateTaskReq {
            name: self.get("name").to_string(),
            purpose: self.text("purpose"),
            script_version_id: self.uuid("script_version_id")?,
            list_ids,
            caller_number: self.get("caller_number").to_string(),
            trunk_id: self.uuid("trunk_id")?,
            lines: self.opt("lines")?,
            cps_limit: self.opt("cps_limit")?,
            windows: self.text("windows"),
            retry: self.text("retry"),
            priority: self.opt("priority")?,
            lead_grade: self.text("lead_grade"),
            starts_at: parse_when("starts_at", self.get("starts_at"))?,
            ends_at: parse_when("ends_at", self.get("ends_at"))?,
            variant_b_script_version_id: match self.text("variant_b_script_version_id") {
                Some(v) => {
                    Some(v.parse().map_err(|_| {
                        AppError::invalid("variant_b_script_version_id", "choose one")
                    })?)
                }
                None => None,
            },
            split_percent: match self.text("variant_b_script_version_id") {
                Some(_) => self.opt("split_percent")?,
                None => None,
            },
        })
    }
}

async fn form(
    state: &AppState,
    ctx: &PageCtx,
    tenant: TenantId,
    typed: &Typed,
    error: Option<&AppError>,
) -> AppResult<Markup> {
    let versions = task_create::published_versions(state, tenant).await?;
    let lists = state.store.list_contact_lists(tenant).await?;
    let numbers: Vec<_> = task_create::tenant_numbers(state, tenant)
        .await?
        .into_iter()
        .filter(|n| n.verified_at.is_some())
        .collect();
    let trunks = state.store.list_trunks().await?;
    let quota = state.store.get_limits(tenant).await?.line_quota;
    let val = |k: &str, dflt: &str| -> String {
        match typed.one.get(k) {
            Some(v) => v.clone(),
            None => dflt.to_string(),
        }
    };
    let sel = |k: &str, v: &str| typed.get(k) == v;
    let default_retry =
        serde_json::to_string(&waihu_campaign::RetryPolicy::default()).unwrap_or_default();
    let body = html! {
        @if let Some(e) = error {
            div.notice.bad #form-error data-field=[e.field.as_deref()] {
                @if let Some(f) = &e.field { code { (f) } ": " }
                (e.message)
            }
        }
        @if versions.is_empty() || numbers.is_empty() || lists.is_empty() {
            div.notice.warn #missing-parts { (ctx.t(Msg::TaskNeedsParts)) }
        }
        div.card {
            form.stack method="post" action="/tasks" {
                (csrf_field(ctx))
                label { (ctx.t(Msg::TaskName)) input type="text" name="name" required maxlength="64" value=(val("name", "")); }
                label { (ctx.t(Msg::Purpose)) input type="text" name="purpose" value=(val("purpose", "marketing")); }
                label { (ctx.t(Msg::ScriptVersion))
                    select name="script_version_id" required {
                        @for (name, v) in &versions {
                            option value=(v.id) selected[sel("script_version_id", &v.id.to_string())] { (name) " v" (v.version) }
                        }
                    }
                }
                fieldset #ab {
                    legend { (ctx.t(Msg::AbVariantB)) }
                    label { (ctx.t(Msg::ScriptVersion))
                        select name="variant_b_script_version_id" {
                            option value="" { (ctx.t(Msg::AbNone)) }
                            @for (name, v) in &versions {
                                option value=(v.id) selected[sel("variant_b_script_version_id", &v.id.to_string())] { (name) " v" (v.version) }
                            }
                        }
                    }
                    label { (ctx.t(Msg::AbSplit)) input type="number" name="split_percent" min="1" max="99" value=(val("split_percent", "50")); }
                }
                fieldset {
                    legend { (ctx.t(Msg::NavContacts)) }
                    @for l in &lists {
                        label.check {
                            input type="checkbox" name="list_ids" value=(l.id) checked[typed.lists.contains(&l.id.to_string())];
                            (l.name)
                        }
                    }
                    @if lists.is_empty() { p.hint { (ctx.t(Msg::NoRows)) } }
                }
                label { (ctx.t(Msg::CallerNumber))
                    select name="caller_number" required {
                        @for n in &numbers {
                            option value=(n.number) selected[sel("caller_number", &n.number)] { (n.number) }
                        }
                    }
                }
                label { (ctx.t(Msg::Trunk))
                    select name="trunk_id" required {
                        @for t in &trunks {
                            option value=(t.id) selected[sel("trunk_id", &t.id.to_string())] { (t.name) }
                        }
                    }
                }
                label { (ctx.t(Msg::Lines)) " (≤ " (quota) ")"
                    input type="number" name="lines" min="1" max=(quota) value=(val("lines", "1"));
                }
                label { (ctx.t(Msg::CpsLimit)) input type="text" name="cps_limit" inputmode="decimal" value=(val("cps_limit", "")); }
                label { (ctx.t(Msg::CallingWindows)) span.hint { (ctx.t(Msg::CallingWindowsHint)) }
                    input type="text" name="windows" value=(val("windows", waihu_campaign::draft::DEFAULT_WINDOW));
                }
                label { (ctx.t(Msg::RetryPolicy))
                    textarea.code name="retry" rows="3" { (val("retry", &default_retry)) }
                }
                label { (ctx.t(Msg::Priority)) input type="number" name="priority" value=(val("priority", "0")); }
                label { (ctx.t(Msg::LeadGrade))
                    select name="lead_grade" {
                        @for g in ["A", "B", "C", "D", "E", "F"] {
                            option value=(g) selected[typed.get("lead_grade") == g || (typed.get("lead_grade").is_empty() && g == "B")] { (g) }
                        }
                    }
                }
                label { (ctx.t(Msg::StartsAt)) input type="datetime-local" name="starts_at" value=(val("starts_at", "")); }
                label { (ctx.t(Msg::EndsAt)) input type="datetime-local" name="ends_at" value=(val("ends_at", "")); }
                div { button type="submit" { (ctx.t(Msg::Create)) } " " a.btn.secondary href="/tasks" { (ctx.t(Msg::Back)) } }
            }
        }
    };
    Ok(layout::page(ctx, ctx.t(Msg::NewTaskTitle), body))
}

/// `GET /tasks/new`.
pub async fn page(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    form(&state, &ctx, t, &Typed::default(), None).await
}

/// `POST /tasks`: create, then to the new task; a broken rule re-draws the form (422).
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let typed = Typed::from_pairs(pairs);
    let result = match typed.request() {
        Ok(req) => task_create::create(&state, t, req, &ctx.who.actor).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(task) => Ok(see_other(&format!("/tasks/{}?done=1", task.id))),
        Err(e) if matches!(e.code, ErrorCode::Invalid | ErrorCode::Conflict) => {
            let page = form(&state, &ctx, t, &typed, Some(&e)).await?;
            Ok((e.code.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}
