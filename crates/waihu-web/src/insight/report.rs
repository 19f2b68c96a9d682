//! A task's report: per day attempts, answered, average talk time, grades,
//! leads, gate refusals by rule, opt-outs and complaints, as a page with SVG
//! charts and a table, as JSON, and as CSV / XLSX downloads. Exports carry
//! masked numbers only (the web holds no key to decrypt numbers) and every
//! export is written to the audit log (`insight.export`) before it is sent.

use super::data::{self, report_offset};
use super::dto::ReportDto;
use super::index::tabs;
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::i18n::{Lang, Msg};
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;
use waihu_core::call_outcome::IN_FLIGHT;
use waihu_core::TenantId;
use waihu_insight::chart::{bar_chart, line_chart};
use waihu_insight::export::{self, CallLine, Numbers};
use waihu_insight::report::{Report, ReportRow};
use waihu_store::{FactPage, FactScope, NewAudit, Task};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV (UTF-8 with BOM), the daily table.
    Csv,
    /// XLSX: sheets `daily` and `calls`.
    Xlsx,
}

impl Format {
    fn parse(s: &str) -> AppResult<Self> {
        match s {
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            _ => Err(AppError::invalid("format", "format must be csv or xlsx")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

fn lang_of(l: Lang) -> export::Lang {
    match l {
        Lang::Zh => export::Lang::Zh,
        Lang::En => export::Lang::En,
    }
}

/// The newest calls of the task for the `calls` sheet (masked numbers).
async fn call_lines(state: &AppState, t: TenantId, task: Uuid) -> AppResult<Vec<CallLine>> {
    let rows = state
        .store
        .call_facts(
            t,
            &FactPage {
                scope: FactScope::Task(task),
                before: None,
                limit: waihu_store::insight::MAX_FACT_PAGE,
                only_unknown: false,
            },
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| CallLine {
            call_id: r.id,
            created_at: r.created_at,
            number_masked: r.number_masked,
            number_full: None,
            outcome: r.outcome.unwrap_or_else(|| IN_FLIGHT.into()),
            grade: r.grade.and_then(|g| g.chars().next()),
            duration_ms: r.duration_ms.and_then(|d| u64::try_from(d).ok()),
            opt_out: r.opt_out,
        })
        .collect())
}

/// Builds an export, audits it, and answers it as a download.
async fn export_response(
    state: &AppState,
    who: &Principal,
    t: TenantId,
    task: &Task,
    format: Format,
    lang: Lang,
) -> AppResult<Response> {
    let report = data::report(state, t, task.id).await?;
    let (bytes, calls) = match format {
        Format::Csv => (
            export::report_csv(&report, lang_of(lang)).map_err(AppError::internal)?,
            0,
        ),
        Format::Xlsx => {
            let lines = call_lines(state, t, task.id).await?;
            let b = export::report_xlsx(
                &report,
                &lines,
                Numbers::Masked,
                report_offset(),
                lang_of(lang),
            )
            .map_err(AppError::internal)?;
            (b, lines.len())
        }
    };
    let entry = NewAudit::new(
        &who.actor,
        Some(t),
        "insight.export",
        format!("task:{}", task.id),
    )
    .with_details(serde_json::json!({
        "format": format.as_str(),
        "days": report.days.len(),
        "calls": calls,
        "numbers": "masked",
    }));
    state.store.append_audit(entry).await?;
    let (mime, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{}.{ext}\"", task.id),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn row_cells(ctx: &PageCtx, r: &ReportRow, rules: &[String]) -> Markup {
    html! {
        td.mono { @match r.day { Some(d) => (d.format("%Y-%m-%d")), None => strong { (ctx.t(Msg::InsTotal)) } } }
        td { (r.attempts) } td { (r.answered) } td { (pct(r.answer_rate())) }
        td { @if let Some(s) = r.avg_duration_secs() { (format!("{s:.1}")) } @else { "—" } }
        @for g in r.grades { td { (g) } }
        td { (r.leads) } td { (r.refused) }
        @for rule in rules { td { (r.refusals.get(rule).copied().unwrap_or(0)) } }
        td { (r.opt_outs) } td { (r.complaints) } td { (r.complaint_tickets) }
    }
}

fn charts(ctx: &PageCtx, r: &Report) -> Markup {
    let labels: Vec<String> = r
        .days
        .iter()
        .filter_map(|d| d.day.map(|x| x.format("%m-%d").to_string()))
        .collect();
    let daily = line_chart(
        ctx.t(Msg::InsDaily),
        &labels,
        &[
            (
                ctx.t(Msg::InsAttempts).to_string(),
                r.days.iter().map(|d| d.attempts as f64).collect(),
            ),
            (
                ctx.t(Msg::InsAnswered).to_string(),
                r.days.iter().map(|d| d.answered as f64).collect(),
            ),
            (
                ctx.t(Msg::InsLeads).to_string(),
                r.days.iter().map(|d| d.leads as f64).collect(),
            ),
        ],
    );
    let grades: Vec<(String, f64)> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .zip(r.total.grades)
        .map(|(g, n)| (g.to_string(), n as f64))
        .collect();
    let refusals: Vec<(String, f64)> = r
        .total
        .refusals
        .iter()
        .map(|(k, v)| (k.clone(), *v as f64))
        .collect();
    html! {
        div.card #report-charts {
            (PreEscaped(daily))
            (PreEscaped(bar_chart(ctx.t(Msg::InsGrades), &grades)))
            @if !refusals.is_empty() { (PreEscaped(bar_chart(ctx.t(Msg::InsRefusalsByRule), &refusals))) }
        }
    }
}

/// `GET /insight/tasks/{id}`: the report page.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(&state, t, &id).await?;
    let r = data::report(&state, t, task.id).await?;
    let rules = r.rules();
    let body = html! {
        (tabs(&ctx, &task, "report"))
        @if r.days.is_empty() {
            div.card { p.empty { (ctx.t(Msg::InsNoData)) } }
        } @else {
            (charts(&ctx, &r))
        }
        div.card {
            p.actions {
                a.btn.secondary href={ "/insight/tasks/" (task.id) "/report.csv" } { (ctx.t(Msg::InsDownloadCsv)) } " "
                a.btn.secondary href={ "/insight/tasks/" (task.id) "/report.xlsx" } { (ctx.t(Msg::InsDownloadXlsx)) }
            }
            p.hint { (ctx.t(Msg::InsExportNote)) }
            table #report-table {
                thead { tr {
                    th { (ctx.t(Msg::InsDay)) } th { (ctx.t(Msg::InsAttempts)) } th { (ctx.t(Msg::InsAnswered)) }
                    th { (ctx.t(Msg::InsAnswerRate)) } th { (ctx.t(Msg::InsAvgTalk)) }
                    @for g in ["A", "B", "C", "D", "E", "F"] { th { (g) } }
                    th { (ctx.t(Msg::InsLeads)) } th { (ctx.t(Msg::InsRefused)) }
                    @for rule in &rules { th.mono { (rule) } }
                    th { (ctx.t(Msg::InsOptOuts)) } th { (ctx.t(Msg::InsComplaints)) }
                    th { (ctx.t(Msg::InsComplaintTickets)) }
                } }
                tbody {
                    @for d in &r.days { tr { (row_cells(&ctx, d, &rules)) } }
                    tr.total { (row_cells(&ctx, &r.total, &rules)) }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsReport), body))
}

/// `GET /insight/tasks/{id}/report.csv`.
pub async fn csv_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(&state, t, &id).await?;
    export_response(&state, &ctx.who, t, &task, Format::Csv, ctx.lang).await
}

/// `GET /insight/tasks/{id}/report.xlsx`.
pub async fn xlsx_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(&state, t, &id).await?;
    export_response(&state, &ctx.who, t, &task, Format::Xlsx, ctx.lang).await
}

/// A task's daily report.
#[utoipa::path(get, path = "/api/v1/insight/tasks/{id}/report", tag = "insight",
    params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = ReportDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ReportDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(&state, t, &id).await?;
    let r = data::report(&state, t, task.id).await?;
    Ok(Json(ReportDto::new(task.id, &r)))
}

/// The export's format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` or `xlsx`.
    pub format: String,
    /// Column headings: `zh` (default) or `en`.
    pub lang: Option<String>,
}

/// A task's report as CSV or XLSX (audited; numbers masked).
#[utoipa::path(get, path = "/api/v1/insight/tasks/{id}/export", tag = "insight",
    params(("id" = Uuid, Path, description = "task id"), ExportQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_export(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let format = Format::parse(&q.format)?;
    let lang = match q.lang.as_deref() {
        None | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        Some(_) => return Err(AppError::invalid("lang", "lang must be zh or en")),
    };
    let task = data::task(&state, t, &id).await?;
    export_response(&state, &who, t, &task, format, lang).await
}
