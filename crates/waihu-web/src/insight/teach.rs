//! Teaching the script from a cluster of unrecognised utterances: the author
//! picks the phrases and where they go (one of the script's intents or
//! knowledge-base entries, or a new one) and sees the edited YAML with the
//! linter's verdict, ready to save as a new version (nothing is stored until
//! they do). The text edit is `waihu_dialog::script::teach`.

use super::data;
use crate::auth::principal::TENANT_ADMINS;
use crate::auth::Principal;
use crate::campaign::scripts::{lint, FindingView};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::i18n::Msg;
use crate::pages::scripts::{findings_table, upload_form};
use crate::pages::{csrf_field, layout, PageCtx, PageForm};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waihu_dialog::script::teach::{add_phrases, TeachTarget};
use waihu_store::{ScriptVersion, Task};

/// Most phrases taught at once.
const MAX_PHRASES: usize = 50;

/// What to teach (the form's fields and the API's body).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TeachReq {
    /// The phrases, one per line.
    pub phrases: String,
    /// `intent:<name>`, `kb:<id>`, `new-intent` or `new-kb`.
    pub target: String,
    /// The name of a new intent or the id of a new knowledge entry.
    #[serde(default)]
    pub name: Option<String>,
    /// The answer of a new knowledge entry.
    #[serde(default)]
    pub answer: Option<String>,
}

/// The edited script and the linter's verdict on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeachDto {
    /// The script version the edit starts from.
    pub script_version_id: uuid::Uuid,
    /// The script's name (upload the YAML under it to keep the edit).
    pub script_name: String,
    /// The edited YAML.
    pub yaml: String,
    /// The linter's findings on it (none: it can be published).
    pub findings: Vec<TeachFindingDto>,
}

/// One finding of the linter.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeachFindingDto {
    /// Line in the YAML.
    pub line: usize,
    /// Stable rule id.
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

/// The targets a script offers: its intents and knowledge entries.
pub fn targets(v: &ScriptVersion) -> (Vec<String>, Vec<String>) {
    match waihu_dialog::script::load_str(&v.yaml).script {
        Some(s) => (
            s.intents.keys().cloned().collect(),
            s.knowledge.into_iter().map(|k| k.id).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// The form under a cluster (admins only).
pub fn form(
    ctx: &PageCtx,
    task: &Task,
    phrases: &[String],
    targets: &(Vec<String>, Vec<String>),
) -> Markup {
    html! {
        details.teach {
            summary.small { (ctx.t(Msg::InsTeach)) }
            form method="post" action={ "/insight/tasks/" (task.id) "/unknown/teach" } {
                (csrf_field(ctx))
                label { (ctx.t(Msg::InsTeachPhrases)) textarea name="phrases" rows="4" { (phrases.join("\n")) } }
                label { (ctx.t(Msg::InsTeachTarget)) select name="target" {
                    @for n in &targets.0 { option value={ "intent:" (n) } { (ctx.t(Msg::InsTeachIntent)) " " (n) } }
                    @for id in &targets.1 { option value={ "kb:" (id) } { (ctx.t(Msg::InsTeachKb)) " " (id) } }
                    option value="new-intent" { (ctx.t(Msg::InsTeachNewIntent)) }
                    option value="new-kb" { (ctx.t(Msg::InsTeachNewKb)) }
                } }
                label { (ctx.t(Msg::InsTeachName)) input type="text" name="name" maxlength="64" pattern="[A-Za-z_][A-Za-z0-9_]*"; }
                label { (ctx.t(Msg::InsTeachAnswer)) input type="text" name="answer" maxlength="500"; }
                button.small.secondary type="submit" { (ctx.t(Msg::InsTeachPreview)) }
            }
        }
    }
}

fn target_of(req: &TeachReq) -> AppResult<TeachTarget> {
    let name = || req.name.as_deref().map(str::trim).unwrap_or("").to_string();
    let t = req.target.trim();
    if let Some(n) = t.strip_prefix("intent:") {
        return Ok(TeachTarget::Intent(n.to_string()));
    }
    if let Some(id) = t.strip_prefix("kb:") {
        return Ok(TeachTarget::Knowledge(id.to_string()));
    }
    match t {
        "new-intent" => Ok(TeachTarget::NewIntent(name())),
        "new-kb" => Ok(TeachTarget::NewKnowledge {
            id: name(),
            answer: req.answer.clone().unwrap_or_default(),
        }),
        _ => Err(AppError::invalid(
            "target",
            "target is intent:<name>, kb:<id>, new-intent or new-kb",
        )),
    }
}

/// The task's script version with the phrases taught, and the linter's findings.
async fn build(
    state: &AppState,
    who: &Principal,
    raw: &str,
    req: &TeachReq,
) -> AppResult<(ScriptVersion, String, Vec<FindingView>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let task = data::task(state, t, raw).await?;
    let version = data::version(state, t, &task.script_version_id.to_string()).await?;
    let phrases: Vec<String> = req
        .phrases
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if phrases.len() > MAX_PHRASES || phrases.iter().any(|p| p.chars().count() > 200) {
        return Err(AppError::invalid(
            "phrases",
            format!("at most {MAX_PHRASES} phrases of at most 200 characters"),
        ));
    }
    let target = target_of(req)?;
    let yaml = add_phrases(&version.yaml, &target, &phrases).map_err(|e| {
        let field = match e {
            waihu_dialog::script::teach::TeachError::NoPhrases => "phrases",
            waihu_dialog::script::teach::TeachError::BadName(_) => "name",
            _ => "target",
        };
        AppError::invalid(field, e.to_string())
    })?;
    let (_, findings) = lint(&yaml);
    Ok((version, yaml, findings))
}

/// `POST /insight/tasks/{id}/unknown/teach`: the edited YAML with the linter's
/// verdict, in the upload form of a new version.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(req): PageForm<TeachReq>,
) -> AppResult<Markup> {
    let (version, yaml, findings) = build(&state, &ctx.who, &id, &req).await?;
    let body = html! {
        div.card {
            h2 { (ctx.t(Msg::InsTeach)) " · " (version.name) " v" (version.version) }
            p.hint { (ctx.t(Msg::InsTeachResult)) }
            p.actions { a.btn.secondary href={ "/insight/tasks/" (id) "/unknown" } { (ctx.t(Msg::Back)) } }
        }
        (findings_table(&ctx, &findings))
        (upload_form(&ctx, Some(&version.name), &yaml))
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsTeach), body))
}

/// Previews teaching the task's script version some phrases: the edited YAML
/// and the linter's findings (nothing is stored; upload the YAML to keep it).
#[utoipa::path(post, path = "/api/v1/insight/tasks/{id}/unknown/teach", tag = "insight",
    params(("id" = Uuid, Path, description = "task id")),
    request_body = TeachReq,
    responses((status = 200, body = TeachDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    crate::api::ApiJson(req): crate::api::ApiJson<TeachReq>,
) -> AppResult<Json<TeachDto>> {
    let (version, yaml, findings) = build(&state, &who, &id, &req).await?;
    Ok(Json(TeachDto {
        script_version_id: version.id,
        script_name: version.name,
        yaml,
        findings: findings
            .into_iter()
            .map(|f| TeachFindingDto {
                line: f.line,
                rule: f.rule,
                message: f.message,
            })
            .collect(),
    }))
}
