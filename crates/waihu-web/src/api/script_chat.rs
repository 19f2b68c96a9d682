//! The chat simulator over the API: a script version answers the callee lines
//! given (typed text, `#5` for a key, empty for silence) exactly as the version
//! page's simulator does; nothing is dialled or stored.

use super::{parse_id, ApiJson};
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::campaign::script_chat::{self, Chat, RobotLine};
use crate::campaign::scripts;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The callee's lines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatReq {
    /// In order: text, `#N` for a key, `""` for silence.
    pub lines: Vec<String>,
}

/// One robot line or event.
#[derive(Debug, Serialize, ToSchema)]
pub struct RobotLineDto {
    /// Speech (else an event such as `[hangup: booked]`).
    pub speech: bool,
    /// The text.
    pub text: String,
}

/// One callee line and what followed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatTurnDto {
    /// As given.
    pub said: String,
    /// The robot's answer and events.
    pub robot: Vec<RobotLineDto>,
    /// The node afterwards.
    pub node: Option<String>,
    /// The intent recorded for the line.
    pub intent: Option<String>,
    /// Recognition confidence 0..1 (text only).
    pub confidence: Option<f32>,
}

/// A simulated conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatDto {
    /// What the robot says on answering.
    pub opening: Vec<RobotLineDto>,
    /// Each line and its answer.
    pub turns: Vec<ChatTurnDto>,
    /// The call is over.
    pub ended: bool,
    /// The script outcome, once ended.
    pub outcome: Option<String>,
    /// The grade, once ended.
    pub grade: Option<String>,
}

fn robot(lines: Vec<RobotLine>) -> Vec<RobotLineDto> {
    lines
        .into_iter()
        .map(|l| RobotLineDto {
            speech: l.speech,
            text: l.text,
        })
        .collect()
}

impl From<Chat> for ChatDto {
    fn from(c: Chat) -> Self {
        let (outcome, grade) = c.result.map_or((None, None), |(o, g)| (Some(o), Some(g)));
        Self {
            opening: robot(c.opening),
            turns: c
                .turns
                .into_iter()
                .map(|t| ChatTurnDto {
                    said: t.said,
                    robot: robot(t.robot),
                    node: t.node,
                    intent: t.intent,
                    confidence: t.confidence,
                })
                .collect(),
            ended: c.ended,
            outcome,
            grade,
        }
    }
}

/// Simulates a conversation with a script version (nothing dialled or stored).
#[utoipa::path(post, path = "/api/v1/script-versions/{id}/chat", tag = "scripts",
    params(("id" = Uuid, Path, description = "script version id")), request_body = ChatReq,
    responses((status = 200, body = ChatDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn chat(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ChatReq>,
) -> AppResult<Json<ChatDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "script version")?;
    let v = scripts::find_version(&state, t, id).await?;
    if req.lines.len() > script_chat::MAX_TURNS {
        return Err(AppError::invalid(
            "lines",
            format!(
                "a simulated chat is limited to {} lines",
                script_chat::MAX_TURNS
            ),
        ));
    }
    let history = req
        .lines
        .iter()
        .map(|l| script_chat::clean_input(l))
        .collect::<AppResult<Vec<String>>>()
        .map_err(|e| e.with_field("lines"))?;
    let it = script_chat::interpreter(&v.yaml)?;
    Ok(Json(script_chat::run(&it, &history).into()))
}
