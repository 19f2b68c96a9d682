//! The tenant's library of recorded prompts as the web layer handles it, shared
//! by the page and the API. The audio work (decoding WAV/MP3, converting to
//! 8 kHz, storing under the data dir) is not done here: the server plugs in a
//! [`PromptAudio`] (over `waihu-speech`'s prompt library, exactly as
//! `waihu prompt add`), so this crate stays free of audio code. Uploads are
//! checked for type (the `Content-Type`, then the content itself) and size;
//! audio is served only for a prompt row of the caller's tenant, from a file
//! named by its SHA-256 — never from a path taken from the request.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_store::{Actor, Prompt};

/// Largest upload accepted by the back office (bytes).
pub const MAX_UPLOAD: usize = 20 << 20;

/// `Content-Type`s an upload may carry.
pub const AUDIO_TYPES: [&str; 6] = [
    "audio/wav",
    "audio/x-wav",
    "audio/wave",
    "audio/vnd.wave",
    "audio/mpeg",
    "audio/mp3",
];

pub use waihu_app::prompts::{ImportedPrompt, PromptAudio, PromptRejected};

/// The library, or a clear 409 when the server has none.
fn audio(state: &AppState) -> AppResult<&dyn PromptAudio> {
    state.prompt_audio.as_deref().ok_or_else(|| {
        AppError::new(
            ErrorCode::Conflict,
            "the prompt library is not set up on this server",
        )
    })
}

/// Checks an upload's declared type: one of [`AUDIO_TYPES`] (parameters ignored).
pub fn check_type(content_type: Option<&str>) -> AppResult<()> {
    let t = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if AUDIO_TYPES.contains(&t.as_str()) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "file",
            format!("upload a WAV or MP3 file (Content-Type audio/wav or audio/mpeg), not {t:?}"),
        ))
    }
}

/// Uploads a prompt: type and size checked, the name free, the audio decoded
/// and converted by the library; the row is stored only when all passed.
pub async fn upload(
    state: &AppState,
    tenant: TenantId,
    name: &str,
    content_type: Option<&str>,
    bytes: &[u8],
    actor: &Actor,
) -> AppResult<Prompt> {
    let lib = audio(state)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the prompt a name"));
    }
    check_type(content_type)?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(crate::body_limit::too_large(MAX_UPLOAD).with_field("file"));
    }
    if state.store.find_prompt(tenant, name).await?.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("a prompt named {name:?} exists"),
        ));
    }
    let info = lib
        .import(tenant, name, bytes, "upload")
        .map_err(|e| match e.bad_input {
            true => AppError::invalid("file", e.message),
            false => AppError::internal(e.message),
        })?;
    let duration = i64::try_from(info.duration_ms).unwrap_or(i64::MAX);
    Ok(state
        .store
        .add_prompt(tenant, name, &info.file_name, duration, &info.sha256, actor)
        .await?)
}

/// The WAV bytes of one of the tenant's prompts (another tenant's, or a
/// missing file, is 404).
pub async fn wav(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<Vec<u8>> {
    let lib = audio(state)?;
    let p = state
        .store
        .get_prompt(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("prompt"))?;
    let hex_ok = p.sha256.len() == 64 && p.sha256.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_ok {
        return Err(AppError::not_found("prompt audio"));
    }
    let path = lib
        .wav_file(tenant, &p.sha256)
        .ok_or_else(|| AppError::not_found("prompt audio"))?;
    tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::not_found("prompt audio"))
}

/// An audio answer.
pub fn wav_response(bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "audio/wav")], bytes).into_response()
}
