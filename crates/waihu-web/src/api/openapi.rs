//! The OpenAPI 3 document, generated from the handlers' annotations.

use super::campaign_dto as cd;
use super::dto;
use crate::error::{ErrorBody, ErrorDetail};
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "waihu API", description = "JSON API of the waihu back office. Tenant routes: `Authorization: Bearer <API token>`. Platform routes: the operator's session cookie plus `X-CSRF-Token` on changes."),
    paths(
        dto::me,
        super::tenants::list, super::tenants::create, super::tenants::get,
        super::tenants::suspend, super::tenants::resume, super::tenants::set_quota, super::account::change_password,
        super::tenants::list_users, super::tenants::create_user,
        super::users::list, super::users::create, super::users::get, super::users::delete, super::users::set_password,
        super::tokens::list, super::tokens::create, super::tokens::revoke,
        super::contacts::list, super::contacts::get, super::contacts::contacts, super::contact_import::import,
        super::dnc::summary, super::dnc::check, super::dnc::add, super::dnc::remove,
        super::audit::list, super::audit::verify,
        super::scripts::list, super::scripts::versions, super::scripts::version, super::scripts::upload, super::scripts::publish, super::script_chat::chat,
        super::tasks::list, super::tasks::create, super::tasks::get, super::tasks::counts, super::tasks::start, super::tasks::pause, super::tasks::resume, super::tasks::stop,
        super::calls::list, super::calls::get, super::calls::recording,
        crate::live::api::current,
        super::dashboard::get, super::dashboard::rates,
        super::settings::get, super::settings::list_push_targets, super::settings::add_push_target, super::settings::set_enabled,
        super::trunks::list, super::trunks::add,
        super::prompts::list, super::prompts::upload, super::prompts::audio,
        super::caller_numbers::list, super::caller_numbers::register, super::caller_numbers::verify, super::caller_numbers::assign,
        super::leads::list, super::leads::get, super::leads::regrade, super::leads::set_status, super::leads::dead_letters, super::leads::retry,
        super::complaints::list, super::complaints::get, super::complaints::ack, super::complaints::answer, super::complaints::close,
        super::complaints::get_retention, super::complaints::put_retention, super::complaints::get_rights_settings, super::complaints::put_rights_settings,
    ),
    components(schemas(ErrorBody, ErrorDetail, super::tenants::QuotaReq, super::account::OwnPasswordReq,
        super::script_chat::ChatReq, super::script_chat::ChatDto, super::script_chat::ChatTurnDto, super::script_chat::RobotLineDto, dto::TenantDto, dto::UserDto, dto::TokenDto, dto::CreatedToken,
        dto::AuditDto, dto::ChainResult, dto::MeDto, dto::CreateTenantReq, dto::StatusReq, dto::CreateUserReq, dto::CreateTokenReq, dto::PasswordReq,
        dto::ContactListDto, dto::ContactDto, dto::ConsentDto, dto::ContactPage,
        super::contact_import::ImportContactsForm, crate::contacts::import::ImportSummaryDto, crate::contacts::import::RowErrorView, dto::DncCheckReq, dto::DncChangeReq,
        dto::DncStatusDto, dto::DncAddedDto, dto::DncSummaryDto,
        cd::ScriptDto, cd::ScriptVersionDto, cd::UploadScriptReq, crate::campaign::scripts::FindingView,
        cd::TaskDto, crate::campaign::task_create::CreateTaskReq, cd::TaskCountsDto, cd::TaskActionReq, cd::CallDto, cd::CallDetailDto, cd::CallPage,
        crate::campaign::calls::TranscriptLine,
        crate::live::api::LiveCallsDto, crate::live::LiveCall, crate::live::LiveLine, cd::LeadDto, cd::LeadPage, cd::RegradeReq, cd::LeadStatusReq, cd::DeadLetterDto,
        super::dashboard::DashboardDto, crate::campaign::operator::TenantRatesView, crate::campaign::operator::TrunkView, crate::campaign::operator::NewTrunkReq,
        super::settings::SettingsDto, super::settings::CallerNumberDto, crate::campaign::settings::PushTargetView, crate::campaign::settings::NewPushTargetReq,
        crate::campaign::settings::EnabledReq, super::caller_numbers::NumberReq, super::caller_numbers::AssignReq, super::prompts::PromptDto,
        crate::rights::complaints::ComplaintView, super::complaints::ComplaintPage, super::complaints::AnswerReq, super::complaints::CloseReq,
        crate::rights::retention::RetentionView, crate::rights::retention::RetentionReq, crate::rights::retention::RightsSettingsDto)),
    modifiers(&Security),
    tags((name = "auth"), (name = "platform", description = "operator only"), (name = "users"), (name = "api-tokens"), (name = "contacts"), (name = "dnc", description = "numbers only in request bodies, answered masked"), (name = "audit"), (name = "scripts"), (name = "tasks"), (name = "calls", description = "numbers masked; recordings only of the caller's tenant"), (name = "leads"), (name = "dashboard"), (name = "prompts"), (name = "settings", description = "secrets never answered"), (name = "complaints", description = "callee complaints with their SLA clock; retention periods"))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::cookies::SESSION_COOKIE,
            ))),
        );
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    let mut api = ApiDoc::openapi();
    api.merge(<crate::insight::InsightApi as OpenApi>::openapi());
    Json(api)
}
