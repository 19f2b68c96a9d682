//! A task's unrecognised utterances: turns that fell to `unknown` or matched
//! below the confidence threshold, clustered (homophones together) and ranked
//! by frequency, with example calls linked to `/calls/{id}`. From a cluster
//! an admin adds the phrases to an intent or knowledge-base entry of the
//! script (`teach`) and sees the linter's verdict before saving a new version;
//! a YAML fragment to copy is there for everyone.

use super::data;
use super::dto::{ClusterDto, UnknownDto};
use super::index::tabs;
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::i18n::Msg;
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use maud::{html, Markup};
use waihu_insight::unknown::{clusters, Cluster, UnknownOptions};
use waihu_store::{FactScope, Task};

async fn build(state: &AppState, who: &Principal, raw: &str) -> AppResult<(Task, Vec<Cluster>)> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(state, t, raw).await?;
    // Low-confidence matches count too, so every answered call is read.
    let facts = data::facts(state, t, FactScope::Task(task.id), false).await?;
    let cs = clusters(&facts, &UnknownOptions::default());
    Ok((task, cs))
}

/// A YAML fragment that teaches the script a cluster's phrases: paste it under
/// `intents:` (and add a branch), or use the phrases as a knowledge-base entry's
/// `questions`; the uploaded version's page shows the linter's verdict.
pub fn snippet(i: usize, c: &Cluster) -> String {
    let phrases: Vec<String> = c
        .variants
        .iter()
        .take(12)
        .map(|(v, _)| serde_json::to_string(v).unwrap_or_default())
        .collect();
    format!(
        "intents:\n  new_intent_{}:\n    keywords: [{}]\n",
        i + 1,
        phrases.join(", ")
    )
}

/// `GET /insight/tasks/{id}/unknown`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (task, cs) = build(&state, &ctx.who, &id).await?;
    let teaching = if TENANT_ADMINS.contains(&ctx.who.role) {
        let t = ctx.who.tenant_for(TENANT_ADMINS)?;
        let v = data::version(&state, t, &task.script_version_id.to_string()).await?;
        Some(super::teach::targets(&v))
    } else {
        None
    };
    let body = html! {
        (tabs(&ctx, &task, "unknown"))
        div.card {
            p.hint { (ctx.t(Msg::InsSample)) }
            table #unknown-table {
                thead { tr {
                    th { (ctx.t(Msg::InsUtterance)) } th { (ctx.t(Msg::InsCount)) } th { (ctx.t(Msg::InsCalls)) }
                    th { (ctx.t(Msg::InsVariants)) } th { (ctx.t(Msg::InsNode)) } th { (ctx.t(Msg::InsExamples)) }
                } }
                tbody {
                    @for (i, c) in cs.iter().take(100).enumerate() {
                        tr.cluster {
                            td { strong { (c.label) } }
                            td { (c.count) } td { (c.calls) }
                            td.small { @for (v, n) in c.variants.iter().take(8) { (v) " ×" (n) br; } }
                            td.small.mono { @for (node, n) in c.nodes.iter().take(4) { (node) " ×" (n) br; } }
                            td.small.mono { @for id in &c.example_calls { a href={ "/calls/" (id) } { (id.to_string().chars().take(8).collect::<String>()) } " " } }
                        }
                        tr.snippet { td colspan="6" {
                            @if let Some(targets) = &teaching {
                                @let phrases: Vec<String> = c.variants.iter().take(12).map(|(v, _)| v.clone()).collect();
                                (super::teach::form(&ctx, &task, &phrases, targets))
                            }
                            details { summary.small { (ctx.t(Msg::InsSnippet)) } pre.code { (snippet(i, c)) } }
                        } }
                    }
                    @if cs.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::InsNoData)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsUnknown), body))
}

/// A task's unrecognised utterances, clustered, most frequent first.
#[utoipa::path(get, path = "/api/v1/insight/tasks/{id}/unknown", tag = "insight",
    params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = UnknownDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<UnknownDto>> {
    let (task, cs) = build(&state, &who, &id).await?;
    Ok(Json(UnknownDto {
        task_id: task.id,
        clusters: cs.iter().map(ClusterDto::from).collect(),
    }))
}
