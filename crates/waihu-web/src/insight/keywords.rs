//! Keywords of a task's callee speech: TF-IDF and TextRank for the whole task,
//! per grade and per node, the contrast of A-grade against D-grade callees,
//! and of this task against the tenant's other tasks; ranked lists plus a
//! bar chart of the task's top TF-IDF words.

use super::data;
use super::dto::{contrast, GroupKeywordsDto, KeywordsDto};
use super::index::tabs;
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::i18n::Msg;
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use waihu_insight::chart::bar_chart;
use waihu_insight::keywords::{
    contrast as contrast_words, extract, grade_contrast, keywords, speech_by, Contrasted, GroupBy,
    GroupKeywords,
};
use waihu_store::{FactScope, Task};

const TOP: usize = 15;

struct Built {
    task: Task,
    whole: GroupKeywords,
    by_grade: Vec<GroupKeywords>,
    by_node: Vec<GroupKeywords>,
    grades: Vec<Contrasted>,
    tasks: Vec<Contrasted>,
}

async fn build(state: &AppState, who: &Principal, raw: &str) -> AppResult<Built> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(state, t, raw).await?;
    let facts = data::facts(state, t, FactScope::Task(task.id), false).await?;
    let docs: Vec<String> = speech_by(&facts, GroupBy::Task)
        .into_values()
        .flatten()
        .collect();
    let (tfidf, textrank) = extract(&docs, TOP);
    let whole = GroupKeywords {
        group: task.name.clone(),
        utterances: docs.len() as u64,
        tfidf,
        textrank,
    };
    let tenant = data::facts(state, t, FactScope::Tenant, false).await?;
    let others: Vec<String> = tenant
        .iter()
        .filter(|f| f.task_id != Some(task.id))
        .flat_map(|f| f.turns.iter().filter_map(|x| x.callee_text.clone()))
        .map(|s| waihu_dialog::normalize::normalize_zh(&s))
        .filter(|s| !s.is_empty())
        .collect();
    Ok(Built {
        by_grade: keywords(&facts, GroupBy::Grade, TOP),
        by_node: keywords(&facts, GroupBy::Node, TOP),
        grades: grade_contrast(&facts, 'A', 'D', TOP),
        tasks: contrast_words(&docs, &others, TOP),
        whole,
        task,
    })
}

fn ranked_list(title: &str, words: &[waihu_insight::keywords::Ranked]) -> Markup {
    html! {
        div {
            h4 { (title) }
            ol.small { @for w in words { li { (w.word) " " span.hint { (format!("{:.2}", w.weight)) } } } }
        }
    }
}

fn contrast_table(ctx: &PageCtx, title: Msg, rows: &[Contrasted], id: &str) -> Markup {
    html! {
        div.card {
            h3 { (ctx.t(title)) }
            table id=(id) {
                thead { tr { th { (ctx.t(Msg::InsWord)) } th { "A" } th { "B" } th { (ctx.t(Msg::InsScore)) } } }
                tbody {
                    @for c in rows { tr { td { (c.word) } td { (c.count_a) } td { (c.count_b) } td.mono { (format!("{:+.2}", c.z)) } } }
                    @if rows.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::InsNoData)) } } }
                }
            }
        }
    }
}

fn groups(ctx: &PageCtx, title: Msg, gs: &[GroupKeywords]) -> Markup {
    html! {
        div.card {
            h3 { (ctx.t(title)) }
            @for g in gs {
                h4 { (g.group) " · " (g.utterances) }
                div.grid {
                    (ranked_list(ctx.t(Msg::InsTfidf), &g.tfidf))
                    (ranked_list(ctx.t(Msg::InsTextrank), &g.textrank))
                }
            }
            @if gs.is_empty() { p.empty { (ctx.t(Msg::InsNoData)) } }
        }
    }
}

/// `GET /insight/tasks/{id}/keywords`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let b = build(&state, &ctx.who, &id).await?;
    let bars: Vec<(String, f64)> = b
        .whole
        .tfidf
        .iter()
        .take(10)
        .map(|k| (k.word.clone(), k.weight))
        .collect();
    let body = html! {
        (tabs(&ctx, &b.task, "keywords"))
        div.card #keywords-task {
            p.hint { (ctx.t(Msg::InsSample)) }
            @if b.whole.utterances == 0 {
                p.empty { (ctx.t(Msg::InsNoData)) }
            } @else {
                (PreEscaped(bar_chart(ctx.t(Msg::InsTfidf), &bars)))
                div.grid {
                    (ranked_list(ctx.t(Msg::InsTfidf), &b.whole.tfidf))
                    (ranked_list(ctx.t(Msg::InsTextrank), &b.whole.textrank))
                }
            }
        }
        (contrast_table(&ctx, Msg::InsContrastGrades, &b.grades, "contrast-grades"))
        (contrast_table(&ctx, Msg::InsContrastTasks, &b.tasks, "contrast-tasks"))
        (groups(&ctx, Msg::InsByGrade, &b.by_grade))
        (groups(&ctx, Msg::InsByNode, &b.by_node))
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsKeywords), body))
}

/// A task's keywords: whole task, per grade, per node, and contrasts.
#[utoipa::path(get, path = "/api/v1/insight/tasks/{id}/keywords", tag = "insight",
    params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = KeywordsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<KeywordsDto>> {
    let b = build(&state, &who, &id).await?;
    Ok(Json(KeywordsDto {
        task_id: b.task.id,
        task: GroupKeywordsDto::from(&b.whole),
        by_grade: b.by_grade.iter().map(GroupKeywordsDto::from).collect(),
        by_node: b.by_node.iter().map(GroupKeywordsDto::from).collect(),
        grade_contrast: contrast(&b.grades),
        task_contrast: contrast(&b.tasks),
    }))
}
