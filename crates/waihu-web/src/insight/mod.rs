//! Learning from calls in the back office and the JSON API: per-task reports
//! (table, SVG charts, CSV/XLSX exports, each export audited), the node funnel
//! of a script version with its coloured flow graph, clusters of unrecognised
//! utterances (and teaching the script their phrases), keywords of callee speech, and the A/B comparison of a task's
//! two variants. The computing is `waihu-insight`'s; this module reads the
//! store (tenant-scoped: another tenant's task or version is 404) and renders.
//! Pages live under `/insight/…`, the API under `/api/v1/insight/…`.

pub mod ab;
pub mod data;
pub mod dto;
pub mod funnel;
pub mod index;
pub mod keywords;
pub mod report;
pub mod teach;
pub mod unknown;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The back-office pages (merged into `pages::routes`, behind its CSRF guard
/// and error pages).
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/insight", get(index::page))
        .route("/insight/tasks/{id}", get(report::page))
        .route("/insight/tasks/{id}/report.csv", get(report::csv_download))
        .route(
            "/insight/tasks/{id}/report.xlsx",
            get(report::xlsx_download),
        )
        .route("/insight/tasks/{id}/unknown", get(unknown::page))
        .route("/insight/tasks/{id}/unknown/teach", post(teach::page))
        .route("/insight/tasks/{id}/keywords", get(keywords::page))
        .route("/insight/tasks/{id}/ab", get(ab::page))
        .route("/insight/script-versions/{id}/funnel", get(funnel::page))
}

/// The JSON API (merged into `api::routes`, relative to `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/insight/tasks/{id}/report", get(report::api))
        .route("/insight/tasks/{id}/export", get(report::api_export))
        .route("/insight/tasks/{id}/unknown", get(unknown::api))
        .route("/insight/tasks/{id}/unknown/teach", post(teach::api))
        .route("/insight/tasks/{id}/keywords", get(keywords::api))
        .route("/insight/tasks/{id}/ab", get(ab::api))
        .route("/insight/script-versions/{id}/funnel", get(funnel::api))
}

/// The OpenAPI description of the insight routes (merged into the API document).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(report::api, report::api_export, unknown::api, teach::api, keywords::api, ab::api, funnel::api),
    components(schemas(
        dto::ReportDto, dto::ReportRowDto, dto::FunnelDto, dto::NodeDto, dto::BranchDto,
        dto::ClusterDto, dto::UnknownDto, dto::KeywordsDto, dto::GroupKeywordsDto, dto::RankedDto,
        dto::ContrastDto, dto::AbDto, dto::VariantDto, dto::DifferenceDto,
        teach::TeachReq, teach::TeachDto, teach::TeachFindingDto
    )),
    tags((name = "insight", description = "reports, funnels, unrecognised utterances, keywords, A/B; numbers masked"))
)]
pub struct InsightApi;
