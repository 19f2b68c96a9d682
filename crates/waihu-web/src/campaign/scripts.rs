//! Scripts: upload a version (linted with `waihu-dialog`, the findings stored with
//! it), list, and publish — refused while a version has findings.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_store::{Actor, LintSummary, ScriptVersion};

/// Largest script source accepted (bytes).
pub const MAX_YAML: usize = 256 * 1024;

/// One linter finding as stored with a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    /// 1-based line in the script.
    pub line: usize,
    /// Stable rule id (docs/scripts.md).
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

/// Lints `yaml` with `waihu_dialog::lint::lint_summary`, exactly as `waihu script
/// upload` does: every finding counts as an error (publishable when there are none).
pub fn lint(yaml: &str) -> (LintSummary, Vec<FindingView>) {
    let v = waihu_dialog::lint::lint_summary(yaml);
    let findings = v
        .findings
        .into_iter()
        .map(|f| FindingView {
            line: f.line,
            rule: f.rule.to_string(),
            message: f.message,
        })
        .collect();
    let summary = LintSummary {
        errors: v.errors,
        warnings: v.warnings,
        findings_json: v.findings_json,
    };
    (summary, findings)
}

/// The findings stored with a version (an unreadable column reads as one
/// finding saying so, so that it is never mistaken for a clean script).
pub fn findings(v: &ScriptVersion) -> Vec<FindingView> {
    match serde_json::from_str::<Vec<FindingView>>(&v.lint.findings_json) {
        Ok(f) => f,
        Err(_) if v.lint.errors == 0 => Vec::new(),
        Err(_) => vec![FindingView {
            line: 1,
            rule: "stored".into(),
            message: format!("{} finding(s) recorded", v.lint.errors),
        }],
    }
}

/// One of the tenant's versions; another tenant's is 404.
pub async fn find_version(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
) -> AppResult<ScriptVersion> {
    state
        .store
        .get_script_version(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("script version"))
}

/// The versions of one of the tenant's scripts, newest first; 404 when there are
/// none (a script always has one).
pub async fn versions_of(
    state: &AppState,
    tenant: TenantId,
    script_id: Uuid,
) -> AppResult<Vec<ScriptVersion>> {
    let v = state.store.list_script_versions(tenant, script_id).await?;
    if v.is_empty() {
        return Err(AppError::not_found("script"));
    }
    Ok(v)
}

/// Lints and saves a new version of the script `name`.
pub async fn upload(
    state: &AppState,
    tenant: TenantId,
    name: &str,
    yaml: &str,
    actor: &Actor,
) -> AppResult<ScriptVersion> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "a script name must be 1-100 characters",
        ));
    }
    if yaml.trim().is_empty() {
        return Err(AppError::invalid("yaml", "the script is empty"));
    }
    if yaml.len() > MAX_YAML {
        return Err(AppError::invalid(
            "yaml",
            "the script is larger than 256 KiB",
        ));
    }
    let (summary, _) = lint(yaml);
    Ok(state
        .store
        .save_script_version(tenant, name, yaml, summary, actor)
        .await?)
}

/// Publishes a version; refused (409) while it has linter findings.
pub async fn publish(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    actor: &Actor,
) -> AppResult<ScriptVersion> {
    let v = find_version(state, tenant, id).await?;
    if v.lint.errors > 0 {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "version {} of {} has {} linter finding(s): fix them and upload a new version before publishing",
                v.version, v.name, v.lint.errors
            ),
        ));
    }
    Ok(state
        .store
        .publish_script_version(tenant, id, actor)
        .await?)
}

/// The version's flow graph as SVG (laid out by `waihu_dialog::graph`), its
/// stored findings marked on their nodes; `None` when the YAML does not load.
pub fn flow_graph(v: &ScriptVersion) -> Option<String> {
    let loaded = waihu_dialog::script::load_str(&v.yaml);
    let script = loaded.script.as_ref()?;
    let marks: Vec<(usize, String)> = findings(v)
        .into_iter()
        .map(|f| (f.line, format!("{}: {}", f.rule, f.message)))
        .collect();
    Some(waihu_dialog::graph::to_svg(
        script,
        &loaded.positions,
        &marks,
    ))
}
