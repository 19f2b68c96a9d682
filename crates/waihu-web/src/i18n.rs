//! Every UI string, in one table: zh-CN first, English second. A page asks
//! `Msg::X.t(lang)`; a missing translation is a compile error, not a blank.
//! The language comes from `?lang=`, else the `waihu_lang` cookie, else zh-CN.

use axum::extract::Request;
use axum::http::header::{HeaderValue, COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

/// The language cookie.
pub const LANG_COOKIE: &str = "waihu_lang";

impl Lang {
    /// Parses `zh`, `zh-CN`, `en`, `en-US`...
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    /// The other language (the switch in the header).
    pub fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Picks the request's language and stores it in the request extensions; when it
/// came from `?lang=`, also remembers it in a cookie.
pub async fn negotiate(mut req: Request, next: Next) -> Response {
    let from_query = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .and_then(Lang::parse);
    let from_cookie = req
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| crate::auth::cookies::find(c, LANG_COOKIE))
        .and_then(|v| Lang::parse(&v));
    let lang = from_query.or(from_cookie).unwrap_or_default();
    req.extensions_mut().insert(lang);
    let mut resp = next.run(req).await;
    if from_query.is_some() && from_query != from_cookie {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

macro_rules! messages {
    ($($name:ident => $zh:literal, $en:literal;)*) => {
        /// A UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Msg { $($name,)* }

        impl Msg {
            /// Every message (for tests).
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];
            /// The text in `lang`.
            pub fn t(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$name, Lang::Zh) => $zh, (Msg::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "外呼 waihu", "waihu";
    AppTagline => "合规的 AI 外呼平台", "Compliant AI outbound calling";
    LangName => "中文", "English";
    SwitchLang => "English", "中文";
    // navigation
    NavDashboard => "概览", "Dashboard";
    NavTenants => "租户", "Tenants";
    NavUsers => "用户", "Users";
    NavTokens => "API 令牌", "API tokens";
    NavAudit => "审计日志", "Audit log";
    NavPassword => "修改密码", "Change password";
    NavSectionPlatform => "平台", "Platform";
    NavSectionTenant => "租户管理", "Administration";
    NavSectionAccount => "账户", "Account";
    Logout => "退出登录", "Sign out";
    // login
    LoginTitle => "登录", "Sign in";
    Username => "用户名", "Username";
    Password => "密码", "Password";
    LoginButton => "登录", "Sign in";
    LoginFailed => "用户名或密码错误。", "Wrong username or password.";
    LoginLocked => "登录失败次数过多，请 15 分钟后再试。", "Too many failed sign-ins. Try again in 15 minutes.";
    LoggedOut => "您已退出登录。", "You have signed out.";
    SessionExpired => "会话已过期，请重新登录。", "Your session has expired. Please sign in again.";
    // dashboard
    DashboardTitle => "概览", "Dashboard";
    Welcome => "欢迎", "Welcome";
    YourRole => "角色", "Role";
    YourTenant => "租户", "Tenant";
    Platform => "平台", "Platform";
    CardTenants => "租户", "Tenants";
    CardActive => "活跃", "active";
    CardSuspended => "已暂停", "suspended";
    CardUsers => "用户", "Users";
    CardTokens => "有效 API 令牌", "Active API tokens";
    CardAudit => "审计条目", "Audit entries";
    RecentActivity => "最近活动", "Recent activity";
    ComingSoon => "话术、任务、通话记录和线索见左侧“外呼业务”；当日通话统计将在此显示。", "Scripts, tasks, call records and leads are under Campaigns; call statistics for today will appear here.";
    // tenants
    TenantsTitle => "租户", "Tenants";
    TenantName => "名称", "Name";
    TenantNameHint => "小写字母开头，2–32 位小写字母、数字或连字符", "2–32 lowercase letters, digits or hyphens, starting with a letter";
    Status => "状态", "Status";
    StatusActive => "正常", "Active";
    StatusSuspended => "已暂停", "Suspended";
    CreatedAt => "创建时间 (UTC)", "Created (UTC)";
    Actions => "操作", "Actions";
    CreateTenant => "新建租户", "New tenant";
    Create => "创建", "Create";
    Suspend => "暂停", "Suspend";
    Resume => "恢复", "Resume";
    Reason => "原因", "Reason";
    ConfirmSuspend => "确定暂停该租户？其所有外呼将立即停止。", "Suspend this tenant? All its calling stops at once.";
    TenantUsers => "租户用户", "Tenant users";
    LineQuota => "机器人线路配额", "Robot line quota";
    LineQuotaHint => "该租户所有任务同时通话的上限（0 表示不能外呼）。", "Concurrent calls across all of the tenant's tasks (0: no calls).";
    NoRows => "暂无数据", "Nothing here yet";
    // users
    UsersTitle => "用户", "Users";
    OperatorsTitle => "平台运营账户", "Operator accounts";
    Role => "角色", "Role";
    CreateUser => "新建用户", "New user";
    Delete => "删除", "Delete";
    ConfirmDelete => "确定删除？此操作无法撤销。", "Delete? This cannot be undone.";
    RoleOperator => "平台运营", "Operator";
    RoleAdmin => "管理员", "Administrator";
    RoleAgent => "坐席", "Agent";
    RoleAuditor => "审计员", "Auditor";
    PasswordHint => "至少 10 个字符", "At least 10 characters";
    UserDetail => "用户详情", "User";
    ResetPassword => "重置密码", "Reset password";
    ResetPasswordHint => "设置新密码后，该用户的所有会话将立即退出。", "After a reset, all of this user's sessions end at once.";
    Back => "返回", "Back";
    // tokens
    TokensTitle => "API 令牌", "API tokens";
    TokenName => "令牌名称", "Token name";
    CreateToken => "新建令牌", "New token";
    CreatedBy => "创建者", "Created by";
    Revoked => "已吊销", "Revoked";
    Revoke => "吊销", "Revoke";
    ConfirmRevoke => "确定吊销该令牌？使用它的集成将立即失效。", "Revoke this token? Integrations using it stop working at once.";
    TokenShownOnce => "请立即复制此令牌：它只显示这一次，服务器只保存其哈希值。", "Copy this token now: it is shown only once and the server keeps only its hash.";
    Copy => "复制", "Copy";
    Copied => "已复制", "Copied";
    TokenUsage => "在 JSON API 中使用：Authorization: Bearer <令牌>", "Use it with the JSON API: Authorization: Bearer <token>";
    // contacts
    NavContacts => "联系人名单", "Contact lists";
    ContactListsTitle => "联系人名单", "Contact lists";
    ContactListTitle => "名单详情", "Contact list";
    ContactListsIntro => "每位联系人都附有同意凭证；号码只以掩码显示。导入请使用命令行 waihu import contacts。", "Every contact carries its consent evidence; numbers are shown masked only. Import with the CLI: waihu import contacts.";
    ListName => "名单名称", "List name";
    Number => "号码", "Number";
    NumbersMasked => "号码以掩码显示，完整号码只以加密形式保存。", "Numbers are shown masked; the full number is stored only encrypted.";
    ContactFields => "姓名与字段", "Name and fields";
    Consent => "同意凭证", "Consent";
    ConsentScope => "范围", "Scope";
    ConsentRef => "凭证编号", "Reference";
    ConsentWording => "同意文本", "Wording";
    ConsentExpires => "有效期至", "Expires";
    ConsentWithdrawn => "已撤回同意", "Consent withdrawn";
    ConsentHeld => "同意有效", "Consent held";
    Previous => "上一页", "Previous";
    Next => "下一页", "Next";
    // do-not-call
    NavDnc => "免打扰名单", "Do-not-call list";
    DncTitle => "免打扰名单", "Do-not-call list";
    DncIntro => "名单上的号码永远不会被拨打。外呼前会同时检查本租户名单、平台名单和国家登记名单。", "Numbers on the list are never dialled. Every dial checks the tenant's list, the platform's list and the national registry.";
    DncEntries => "本租户名单条目数", "Entries on the tenant's list";
    DncCheck => "查询号码", "Check a number";
    DncAdd => "加入名单", "Add to the list";
    DncRemove => "移出名单", "Remove from the list";
    DncRemoveHint => "移出后该号码可再次被拨打；必须填写原因，并记入审计日志。", "A removed number may be called again; a reason is required and audited.";
    DncConfirmRemove => "确定将该号码移出免打扰名单？", "Remove this number from the do-not-call list?";
    DncReasonHint => "例如：客户投诉、本人要求", "e.g. complaint, asked by the callee";
    DncTenantList => "本租户名单", "Tenant list";
    DncPlatformList => "平台名单", "Platform list";
    DncRegistryList => "国家登记名单", "National registry";
    DncAdded => "已加入免打扰名单。", "was added to the do-not-call list.";
    DncAlready => "已在免打扰名单中。", "was already on the do-not-call list.";
    DncRemoved => "已移出免打扰名单。", "was removed from the do-not-call list.";
    DncNotOnList => "不在本租户的免打扰名单中。", "is not on the tenant's do-not-call list.";
    DncKeysMissing => "本服务器未配置号码密钥（pii），无法查询或修改号码。", "The phone-number keys (pii) are not configured on this server: numbers cannot be checked or changed here.";
    Yes => "是", "Yes";
    No => "否", "No";
    // audit
    AuditTitle => "审计日志", "Audit log";
    AuditIntro => "只追加、哈希链式的日志，记录所有安全与合规相关操作。", "Append-only, hash-chained log of every security- and compliance-relevant action.";
    Time => "时间 (UTC)", "Time (UTC)";
    Actor => "操作者", "Actor";
    Action => "动作", "Action";
    Target => "对象", "Target";
    Details => "详情", "Details";
    Filter => "筛选", "Filter";
    FilterAction => "动作前缀", "Action prefix";
    FilterActor => "操作者包含", "Actor contains";
    VerifyChain => "校验哈希链", "Verify chain";
    ChainIntact => "哈希链完整", "Chain intact";
    ChainBroken => "哈希链已损坏", "Chain broken";
    ChainEntries => "条目数", "Entries";
    ChainHead => "链头", "Head";
    FirstBadEntry => "第一个异常条目", "First bad entry";
    Newer => "较新", "Newer";
    Older => "较旧", "Older";
    // account
    PasswordTitle => "修改密码", "Change password";
    CurrentPassword => "当前密码", "Current password";
    NewPassword => "新密码", "New password";
    RepeatPassword => "再次输入新密码", "Repeat new password";
    Save => "保存", "Save";
    PasswordChanged => "密码已修改，其他会话已退出。", "Password changed; your other sessions were signed out.";
    PasswordMismatch => "两次输入的新密码不一致。", "The new passwords do not match.";
    WrongCurrentPassword => "当前密码不正确。", "The current password is wrong.";
    // campaign navigation
    NavSectionCampaign => "外呼业务", "Campaigns";
    NavScripts => "话术", "Scripts";
    NavTasks => "外呼任务", "Tasks";
    NavCalls => "通话记录", "Call records";
    NavLeads => "线索", "Leads";
    NavDeadLetters => "推送失败", "Failed pushes";
    // scripts
    ScriptsTitle => "话术", "Scripts";
    ScriptsIntro => "话术按版本保存，已保存的版本不可修改；只有检查无问题的版本才能发布。", "Scripts are kept as numbered versions that never change; only a version without linter findings can be published.";
    ScriptTitle => "话术版本", "Script versions";
    ScriptName => "话术名称", "Script name";
    LatestVersion => "最新版本", "Latest version";
    PublishedVersion => "已发布版本", "Published version";
    UpdatedAt => "更新时间 (UTC)", "Updated (UTC)";
    Version => "版本", "Version";
    Findings => "检查结果", "Linter findings";
    NoFindings => "检查通过，没有问题。", "The linter found nothing.";
    FindingsBlockPublish => "该版本有检查问题，不能发布。请修改后上传新版本。", "This version has linter findings and cannot be published. Fix them and upload a new version.";
    Line => "行", "Line";
    Rule => "规则", "Rule";
    Message => "说明", "Message";
    UploadVersion => "上传新版本", "Upload a new version";
    UploadHint => "粘贴 YAML 话术；保存后立即显示检查结果。", "Paste the script's YAML; the linter's findings are shown as soon as it is saved.";
    ScriptYaml => "话术 YAML", "Script YAML";
    Upload => "保存", "Save";
    Publish => "发布", "Publish";
    Published => "已发布", "Published";
    NotPublished => "未发布", "Not published";
    ConfirmPublish => "确定发布该版本？", "Publish this version?";
    ViewVersion => "查看", "View";
    // tasks
    TasksTitle => "外呼任务", "Tasks";
    TasksIntro => "任务由命令行 waihu task create 创建；在这里启动、暂停、恢复或停止。", "Tasks are created with the CLI (waihu task create); start, pause, resume or stop them here.";
    TaskTitle => "任务详情", "Task";
    TaskName => "任务名称", "Task name";
    TaskState => "状态", "State";
    Progress => "进度", "Progress";
    Purpose => "用途", "Purpose";
    Lines => "线路数", "Lines";
    Priority => "优先级", "Priority";
    LeadGrade => "线索等级门槛", "Lead grade threshold";
    Attempts => "拨打次数", "Dial attempts";
    LeadsCount => "线索数", "Leads";
    ByContactState => "按联系人状态", "By contact state";
    ByOutcome => "按通话结果", "By outcome";
    Count => "数量", "Count";
    StateDraft => "草稿", "Draft";
    StateRunning => "运行中", "Running";
    StatePaused => "已暂停", "Paused";
    StateCompleted => "已完成", "Completed";
    StateStopped => "已停止", "Stopped";
    Start => "启动", "Start";
    Pause => "暂停", "Pause";
    Stop => "停止", "Stop";
    ConfirmStop => "确定停止该任务？停止后无法恢复。", "Stop this task? A stopped task cannot be resumed.";
    StateReason => "状态原因", "Reason for the state";
    // calls
    CallsTitle => "通话记录", "Call records";
    CallTitle => "通话详情", "Call";
    Task => "任务", "Task";
    Outcome => "结果", "Outcome";
    Grade => "等级", "Grade";
    GradeReason => "评级原因", "Why this grade";
    Duration => "时长", "Duration";
    AnsweredAt => "接通时间 (UTC)", "Answered (UTC)";
    EndedAt => "结束时间 (UTC)", "Ended (UTC)";
    SipStatus => "SIP 状态码", "SIP status";
    ScriptOutcome => "话术结果", "Script outcome";
    GateDecision => "合规闸门决定", "Gate decision";
    DialogPath => "对话路径", "Dialog path";
    Intents => "识别到的意图", "Recognised intents";
    Transcript => "通话文本", "Transcript";
    Speaker => "说话方", "Speaker";
    SpeakerRobot => "机器人", "Robot";
    SpeakerCallee => "客户", "Callee";
    TimeInCall => "通话内时间", "Time in call";
    Text => "内容", "Text";
    Recording => "录音", "Recording";
    NoRecording => "没有录音。", "No recording.";
    RecordingsOff => "本服务器未配置录音目录。", "Recordings are not set up on this server.";
    OptedOut => "已要求不再来电", "Asked not to be called";
    AllOptions => "全部", "All";
    // leads
    LeadsTitle => "线索", "Leads";
    LeadsIntro => "机器人评级保留不变；坐席可以重新评级并记录跟进状态。", "The robot's grade is kept; agents may regrade a lead and record its follow-up.";
    RobotGrade => "机器人评级", "Robot grade";
    AgentGrade => "坐席评级", "Agent grade";
    Note => "备注", "Note";
    Regrade => "重新评级", "Regrade";
    SetStatus => "更新状态", "Set status";
    LeadNew => "新线索", "New";
    LeadContacted => "已联系", "Contacted";
    LeadClosed => "已结束", "Closed";
    ViewCall => "查看通话", "View call";
    // dead letters
    DeadLettersTitle => "推送失败", "Failed pushes";
    DeadLettersIntro => "多次重试后仍未送达的线索推送；修复目标后可重新推送。", "Lead pushes given up after their retries; fix the target, then queue them again.";
    PushTarget => "推送目标", "Target";
    LastError => "最后错误", "Last error";
    Retry => "重新推送", "Retry";
    Lead => "线索", "Lead";
    // notices
    Done => "操作已完成。", "Done.";
    // errors
    ErrUnauthorized => "请先登录", "Please sign in";
    ErrForbidden => "无权访问", "Not allowed";
    ErrCsrf => "表单已过期，请刷新页面后重试", "The form has expired; reload the page and try again";
    ErrNotFound => "未找到", "Not found";
    ErrConflict => "冲突", "Conflict";
    ErrInvalid => "输入有误", "Invalid input";
    ErrBadRequest => "请求无效", "Bad request";
    ErrLockedOut => "已临时锁定", "Temporarily locked";
    ErrInternal => "服务器内部错误", "Internal error";
    BackToDashboard => "返回概览", "Back to the dashboard";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_translated_and_languages_differ_where_expected() {
        for m in Msg::ALL {
            assert!(!m.t(Lang::Zh).is_empty(), "{m:?} zh");
            assert!(!m.t(Lang::En).is_empty(), "{m:?} en");
        }
        assert_ne!(Msg::LoginTitle.t(Lang::Zh), Msg::LoginTitle.t(Lang::En));
    }

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default(), Lang::Zh);
    }
}
