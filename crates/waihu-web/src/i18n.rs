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
    PasswordHint => "12–128 个字符，不能是常见密码，不能包含用户名或租户名", "12–128 characters, not a common password, not containing the username or tenant name";
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
    ContactListsIntro => "每位联系人都附有同意凭证；号码只以掩码显示。管理员可在下方导入名单（也可用命令行 waihu import contacts）。", "Every contact carries its consent evidence; numbers are shown masked only. Admins import lists below (or with the CLI: waihu import contacts).";
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
    ImportContacts => "导入联系人", "Import contacts";
    ImportContactsHint => "CSV（UTF-8 或 GB18030）或 XLSX。名单不存在时自动创建；号码与姓名列不填时按表头自动识别（手机号、电话、姓名……）。有错误的行会被跳过并逐行列出。", "CSV (UTF-8 or GB18030) or XLSX. The list is created if missing; leave the number and name columns empty to recognise them from the headers (phone, mobile, name …). Rows with errors are skipped and listed one by one.";
    ImportOff => "此服务器未配置联系人导入。", "Importing contacts is not set up on this server.";
    ContactFile => "名单文件", "Contact file";
    FileEncoding => "文件编码", "File encoding";
    EncodingAuto => "自动识别", "Detect";
    NumberColumn => "号码列表头", "Number column header";
    NameColumn => "姓名列表头", "Name column header";
    AutoDetect => "留空自动识别", "empty: recognised";
    ImportConsent => "统一同意凭证", "Consent evidence for every row";
    ImportConsentHint => "文件中没有同意凭证列时必须填写：来源、时间、范围与凭证编号一起填写；行内的凭证优先。时间为北京时间，或带时区的 RFC 3339。", "Required when the file has no consent columns: give source, time, scope and reference together; a row's own evidence wins. Times are China time, or RFC 3339 with an offset.";
    ConsentSource => "来源", "Source";
    ConsentTime => "同意时间", "Consent time";
    ImportButton => "导入", "Import";
    ImportResultTitle => "导入结果", "Import result";
    ImportedCount => "已导入", "Imported";
    DuplicatesCount => "重复", "Duplicates";
    RejectedCount => "被拒绝的行", "Rejected rows";
    OnDncCount => "在免打扰名单中（已导入，不会拨打）", "On a do-not-call list (imported, never dialled)";
    RowErrors => "行错误", "Row errors";
    RowErrorsShown => "仅列出前面的行错误，共计", "Only the first row errors are listed; in all";
    RowNo => "行", "Row";
    ColumnName => "列", "Column";
    ErrorDetail => "说明", "Detail";
    RowMissingNumber => "缺少号码", "No number";
    RowInvalidNumber => "号码无效", "Not a valid number";
    RowDuplicate => "重复号码", "Duplicate number";
    RowNoConsent => "缺少同意记录", "No consent evidence";
    RowInvalidConsent => "同意记录不完整或格式错误", "Consent evidence incomplete or malformed";
    RowConsentExpired => "同意已过期", "Consent expired";
    RowInvalidTimezone => "时区无效", "Not a valid time zone";
    ViewList => "查看名单", "View the list";
    ImportAnother => "继续导入", "Import another file";
    ImportFailed => "文件未导入，未写入任何数据", "The file was not imported; nothing was written";
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
    TasksIntro => "在这里（或用命令行 waihu task create）新建任务，并启动、暂停、恢复或停止。", "Create tasks here (or with the CLI, waihu task create); start, pause, resume or stop them.";
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
    // live calls
    NavLive => "实时通话", "Live calls";
    LiveTitle => "实时通话", "Live calls";
    LiveIntro => "本服务器正在进行的通话及实时转写（号码已脱敏），页面自动更新。", "Calls this server is making, with their transcript as it happens (numbers masked). The page updates itself.";
    LiveOff => "本服务器未启用外呼，没有实时通话可看。", "This server does not dial (the dialler is off): there are no live calls to show.";
    LiveNone => "当前没有进行中的通话。", "No calls in progress.";
    LiveDialling => "呼叫中", "Dialling";
    LiveTalking => "通话中", "In call";
    LiveEnded => "已结束", "Ended";
    // script flow graph and chat simulator
    GraphTitle => "流程图", "Flow graph";
    GraphHint => "从开场节点自上而下；红色节点有检查问题（悬停查看），虚线为回到前面节点的分支，↻ 表示重复提问，* 为全局处理和知识库跳转。", "Top to bottom from the start node; red nodes have linter findings (hover to read them), dashed edges lead back up, ↻ marks re-asking, * is the global handlers and knowledge base.";
    GraphUnavailable => "脚本无法解析，无法绘制流程图；请先修正检查问题。", "The script does not load, so there is no flow graph; fix the findings first.";
    ChatTitle => "对话模拟", "Chat simulator";
    ChatHint => "输入客户说的话，查看机器人的回答、所在节点、识别的意图和置信度。留空发送表示沉默，#5 表示按键 5。不会拨打电话，也不保存任何内容。", "Type what the callee says and see the robot's answer, the node, the intent and its confidence. Send an empty line for silence, #5 for key 5. Nothing is dialled or stored.";
    ChatInput => "客户说", "The callee says";
    ChatSend => "发送", "Send";
    ChatRestart => "重新开始", "Start over";
    ChatEnded => "通话结束", "The call has ended";
    ChatSilence => "（沉默）", "(silence)";
    ChatNode => "节点", "node";
    ChatIntent => "意图", "intent";
    ChatConfidence => "置信度", "confidence";
    ChatUnavailable => "此版本无法加载，不能模拟对话；请先修正检查问题。", "This version does not load, so it cannot be simulated; fix the findings first.";
    // --- back office: task creation, settings, operator console, dashboard figures
    NewTask => "新建任务", "New task";
    NewTaskTitle => "新建外呼任务", "New calling task";
    TaskNeedsParts => "新建任务需要：已发布的话术版本、联系人名单和已验证的外显号码。", "A task needs a published script version, a contact list and a verified caller number.";
    ScriptVersion => "话术版本", "Script version";
    CallerNumber => "外显号码", "Caller number";
    Trunk => "中继线路", "Trunk";
    CpsLimit => "每秒呼叫上限", "Calls per second limit";
    CallingWindows => "拨打时段", "Calling windows";
    CallingWindowsHint => "被叫当地时间，如 09:00-12:00, 14:00-18:00（每天），或按星期的 JSON", "Callee local time, e.g. 09:00-12:00, 14:00-18:00 (every day), or JSON per weekday";
    RetryPolicy => "重拨策略（JSON）", "Retry policy (JSON)";
    StartsAt => "开始时间（UTC）", "Starts (UTC)";
    EndsAt => "结束时间（UTC）", "Ends (UTC)";
    NavSettings => "设置", "Settings";
    SettingsTitle => "租户设置", "Tenant settings";
    CallerNumbersTitle => "外显号码", "Caller numbers";
    CallerNumbersIntro => "号码由平台运营方登记、验证并分配给本租户；只有已验证的号码可用于任务。", "Numbers are registered, verified and assigned by the platform operator; only verified numbers can be used by tasks.";
    Verified => "已验证", "Verified";
    Unverified => "待验证", "Not verified";
    WebhooksTitle => "线索推送目标", "Lead push targets";
    WebhooksIntro => "达到最低等级的线索会推送到这里。签名密钥保存后不再显示。", "Leads at or above the minimum grade are pushed here. A signing secret is never shown again once saved.";
    PushKindLabel => "类型", "Kind";
    PushUrl => "地址（https）", "URL (https)";
    PushSecret => "签名密钥（可选）", "Signing secret (optional)";
    SecretSet => "已设置", "set";
    SecretNone => "无", "none";
    MinGrade => "最低等级", "Minimum grade";
    Enabled => "已启用", "Enabled";
    Disabled => "已停用", "Disabled";
    Enable => "启用", "Enable";
    Disable => "停用", "Disable";
    AddPushTarget => "添加推送目标", "Add a push target";
    LineQuotaReadOnly => "机器人线路配额由平台运营方设置。", "The robot-line quota is set by the platform operator.";
    NavTrunks => "中继线路", "Trunks";
    TrunksTitle => "SIP 中继线路", "SIP trunks";
    TrunksIntro => "平台级的运营商连接。密码保存后不再显示。", "Platform-level carrier connections. A password is never shown again once saved.";
    TrunkAddress => "地址（SIP URI 或 host:port）", "Address (SIP URI or host:port)";
    Transport => "传输", "Transport";
    TrunkUser => "认证用户名（可选）", "Auth user (optional)";
    TrunkPassword => "认证密码（可选）", "Auth password (optional)";
    AddTrunk => "添加中继", "Add a trunk";
    NavCallerNumbers => "外显号码", "Caller numbers";
    CallerRegistryIntro => "登记号码，核实其归属后标记为已验证，再分配给一个租户。", "Register a number, mark it verified once its ownership is checked, then assign it to one tenant.";
    RegisterNumber => "登记号码", "Register a number";
    Verify => "标记已验证", "Mark verified";
    AssignTo => "分配给租户", "Assign to tenant";
    Assign => "分配", "Assign";
    Unassigned => "未分配", "Unassigned";
    NavRates => "拒绝率", "Refusal rates";
    RatesTitle => "各租户拒绝与接通情况（近 30 天）", "Refusals and answers per tenant (last 30 days)";
    RatesIntro => "拒绝：合规闸门拒绝拨打的次数。比例以全部尝试为分母。", "Refusals: attempts the compliance gate refused. Rates are out of all attempts.";
    AttemptsTotal => "尝试", "Attempts";
    Refusals => "拒绝", "Refusals";
    RefusalRate => "拒绝率", "Refusal rate";
    OptOuts => "退订", "Opt-outs";
    Complaints => "投诉", "Complaints";
    NavPrompts => "提示音库", "Prompt audio";
    PromptsTitle => "提示音库", "Prompt audio library";
    PromptsIntro => "话术用 prompt: <名称> 引用这里的录音；上传的 WAV 或 MP3 会转换为 8 kHz 电话音频。", "Scripts refer to these recordings with prompt: <name>; an uploaded WAV or MP3 is converted to 8 kHz telephone audio.";
    PromptsOff => "此服务器未配置提示音库，无法上传或试听。", "The prompt library is not set up on this server: no upload or listening.";
    UploadPrompt => "上传提示音", "Upload a prompt";
    UploadPromptHint => "WAV 或 MP3，最长 5 分钟", "WAV or MP3, at most 5 minutes";
    AudioFile => "音频文件", "Audio file";
    Listen => "试听", "Listen";
    ChartNoData => "暂无数据", "No data yet";
    TodayCalls => "今日通话", "Calls today";
    AnswerRate => "接通率", "Answer rate";
    LiveCalls => "进行中通话", "Live calls";
    GradeDistribution => "今日意向等级分布", "Grades today";
    RefusalsByReason => "今日拦截原因", "Refusals today by reason";
    TodayUtc => "“今日”按 UTC 计算。", "\"Today\" is the UTC day.";
    // public pages (callees; docs/public-pages.md)
    PubSiteName => "来电权益", "Your calls, your rights";
    PubTitle => "不想再接到来电？", "Calls you do not want?";
    PubIntro => "如果您接到了本平台商家的自动外呼电话，可以在这里要求不再来电、投诉，或查看、删除与您号码有关的数据。无需注册。", "If a business on this platform called you with an automated call, you can stop further calls, complain, or see and delete the data held about your number here. No account needed.";
    PubPrivacyNote => "本页面不使用任何跟踪或统计工具，只保存完成您请求所需的信息。", "These pages use no tracking or analytics; only what your request needs is kept.";
    PubStep1 => "第一步：验证您的号码", "Step 1: prove the number is yours";
    PubStep1Hint => "我们会拨打这个号码，并读出一个 6 位验证码。", "We will call this number and read out a 6-digit code.";
    PubYourNumber => "您的手机号码", "Your phone number";
    PubCallMe => "给我打电话读验证码", "Call me with a code";
    PubWhatOptOut => "不再接到某个商家或所有商家的来电", "Stop calls from one business or from all of them";
    PubWhatComplain => "投诉一次来电", "Complain about a call";
    PubWhatData => "查看或删除与您号码有关的数据", "See or delete the data held about your number";
    PubSessionExpired => "验证已过期，请重新验证号码。", "Your verification has expired; please verify your number again.";
    PubVerifiedAs => "已验证号码", "Verified number";
    PubContinue => "继续", "Continue";
    PubUnavailable => "验证服务暂不可用，请稍后再试。", "Verification is unavailable right now; please try again later.";
    PubTooMany => "请求过于频繁", "Too many attempts";
    PubErrNumberRequired => "请填写电话号码。", "A phone number is required.";
    PubErrNumberInvalid => "这不是有效的电话号码。", "That is not a valid phone number.";
    PubErrWrongCodesLocked => "输错验证码的次数过多，已锁定 15 分钟。", "Too many wrong codes: locked for 15 minutes.";
    PubErrCodesPerNumber => "这个号码获取验证码过于频繁，请一小时后再试。", "Too many codes were requested for this number; try again in an hour.";
    PubErrCodesPerAddress => "您所在的网络获取验证码过于频繁，请一小时后再试。", "Too many codes were requested from your address; try again in an hour.";
    PubErrPostsPerAddress => "您所在的网络提交过于频繁，请 10 分钟后再试。", "Too many requests from your address; try again in 10 minutes.";
    PubErrCapReached => "这个号码 24 小时内已接到 3 次验证电话（上限），请明天再试。", "This number has had 3 verification calls in 24 hours, the most we place; please try again tomorrow.";
    PubErrOutsideHours => "现在不是允许拨打电话的时段，请在白天再试。", "We do not place calls at this hour; please try again during the day.";
    PubErrCannotCall => "目前无法拨打这个号码。", "We cannot call this number now.";
    PubErrNotSetUp => "本平台尚未开通验证电话。", "Code calls are not set up on this platform.";
    PubErrCodeDigits => "验证码是 6 位数字。", "The code is 6 digits.";
    PubErrNoPending => "这个浏览器没有待验证的验证码，请重新获取。", "No code is pending for this browser; please request a new one.";
    PubErrCodeDead => "输错次数过多，这个验证码已失效，请重新获取。", "Too many wrong tries: this code no longer works; please request a new one.";
    PubErrCodeExpired => "验证码已过期或已被新的验证码取代，请重新获取。", "This code has expired or was replaced; please request a new one.";
    PubErrSayWhat => "请说明发生了什么。", "Please say what happened.";
    PubErrTooLong => "内容过长（最多 2000 字）。", "Too long (at most 2,000 characters).";
    PubErrCallTime => "请填写来电的日期和时间。", "Please give the date and time of the call.";
    PubErrFutureTime => "来电时间不能晚于现在。", "The time of the call lies in the future.";
    PubErrUnknownCaller => "这个号码不是本平台任何商家的外呼号码。", "This number is not a caller number of any business on this platform.";
    PubErrUnknownBusiness => "本平台没有这个名称的商家。", "No business of that name on this platform.";
    PubErrCallerOrBusiness => "请填写给您打电话的号码或商家名称。", "Give the number that called you or the name of the business.";
    PubErrScope => "请选择一个商家或所有商家。", "Choose one business or all of them.";
    PubErrConfirmErase => "请勾选确认删除。", "Tick the box to confirm the erasure.";
    PubErrFormTooLarge => "提交的内容过大。", "The form is too large.";
    PubErrBadForm => "无法读取提交的表单，请刷新页面后重试。", "The form could not be read; reload the page and try again.";
    PubBackHome => "返回首页", "Back to the start";
    PubEnterCode => "输入验证码", "Enter the code";
    PubCalling => "我们正在拨打", "We are calling";
    PubCodeHint => "接听电话，记下读出的 6 位数字并在下面输入。验证码 10 分钟内有效，最多可输错 5 次。", "Answer, note the 6 digits read out and type them below. The code is valid for 10 minutes; 5 wrong tries end it.";
    PubCode => "验证码", "Code";
    PubVerify => "验证", "Verify";
    PubNewCode => "重新获取验证码", "Get a new code";
    PubMeTitle => "您的选择", "Your choices";
    PubOptedOut => "已登记：不会再接到相应来电。正在进行的外呼任务从下一次拨号起即遵守。", "Recorded: you will not be called again. Running tasks respect it from their next dial.";
    PubComplaintFiled => "投诉已提交，该商家不会再给您打电话。我们会在 3 个工作日内确认、15 个工作日内处理完毕。", "Complaint filed; that business will not call you again. We acknowledge within 3 working days and close within 15.";
    PubOptOutTitle => "不再来电", "Stop calls";
    PubOptOutOne => "只针对一个商家（填写来电号码或商家名称）", "From one business (give the number that called or the business name)";
    PubOptOutAll => "本平台所有商家", "From every business on this platform";
    PubCallerNumber => "给您打电话的号码", "The number that called you";
    PubBusinessName => "商家名称", "Business name";
    PubOptOutButton => "不要再打给我", "Stop calling me";
    PubComplaintTitle => "投诉一次来电", "Complain about a call";
    PubCalledAt => "来电时间", "When the call came";
    PubWhatHappened => "发生了什么", "What happened";
    PubComplaintButton => "提交投诉", "File the complaint";
    PubDataTitle => "我的数据", "My data";
    PubSeeData => "查看与我号码有关的数据", "See the data about my number";
    PubEraseConfirm => "我确认删除与我号码有关的全部通话、录音、转写和联系人数据（只保留“不再来电”记录）", "I confirm: erase every call, recording, transcript and contact record about my number (only the do-not-call entry stays)";
    PubEraseButton => "删除我的数据", "Erase my data";
    PubErased => "已删除与您号码有关的数据。", "The data about your number has been erased.";
    PubLogout => "退出", "Sign out";
    PubCalls => "通话记录", "Calls";
    PubConsents => "同意记录", "Consent records";
    PubContactRows => "联系人记录", "Contact records";
    PubLeadRows => "销售线索", "Leads";
    PubDialAttempts => "拨打记录", "Dial attempts";
    PubComplaintsAnon => "投诉（去除号码后保留，仍计入商家投诉率）", "Complaints (kept without the number; they still count against the business)";
    PubFilesLeft => "以下数量的录音文件未能删除，已记录在平台日志中，运营方会处理", "Recording files that could not be deleted (logged for the platform's operator)";
    PubTime => "时间", "Time";
    PubBusiness => "商家", "Business";
    PubOutcome => "结果", "Outcome";
    PubTranscript => "通话文字", "Transcript";
    PubListen => "收听（10 分钟内有效）", "Listen (link valid 10 minutes)";
    PubNothing => "没有与该号码有关的记录。", "Nothing is held about this number.";
    PubSource => "来源", "Source";
    PubScope => "用途", "Purposes";
    PubDeleted => "已删除", "Deleted";
    PubRecordings => "录音", "Recordings";
    // insight (learning from calls)
    NavInsight => "通话洞察", "Insights";
    InsTitle => "通话洞察", "Insights";
    InsHint => "从通话中学习：报表、节点漏斗、未识别话语、关键词与 A/B 对比。", "Learn from calls: reports, node funnels, unrecognised utterances, keywords and A/B comparison.";
    InsReport => "报表", "Report";
    InsFunnel => "节点漏斗", "Node funnel";
    InsUnknown => "未识别话语", "Unrecognised utterances";
    InsKeywords => "关键词", "Keywords";
    InsAb => "A/B 对比", "A/B comparison";
    InsDay => "日期", "Day";
    InsAttempts => "拨打", "Attempts";
    InsAnswered => "接通", "Answered";
    InsAnswerRate => "接通率", "Answer rate";
    InsAvgTalk => "平均通话（秒）", "Avg talk (s)";
    InsLeads => "意向客户", "Leads";
    InsRefused => "合规拦截", "Refused by the gate";
    InsOptOuts => "退订", "Opt-outs";
    InsComplaints => "通话中投诉", "Complaints in calls";
    InsComplaintTickets => "投诉工单", "Complaint tickets";
    InsTotal => "合计", "Total";
    InsGrades => "评级分布", "Grades";
    InsDaily => "每日拨打与接通", "Attempts and answers per day";
    InsRefusalsByRule => "按规则的合规拦截", "Gate refusals by rule";
    InsDownloadCsv => "下载 CSV", "Download CSV";
    InsDownloadXlsx => "下载 Excel", "Download Excel";
    InsExportNote => "导出中的号码均已脱敏；每次导出都会记入审计日志。", "Numbers in exports are masked; every export is written to the audit log.";
    InsNode => "节点", "Node";
    InsReached => "到达", "Reached";
    InsTurns => "轮次", "Turns";
    InsHangups => "挂断", "Hang-ups";
    InsRefusals => "拒绝", "Refusals";
    InsSilences => "沉默", "Silences";
    InsNext => "去向（意图 → 下一步）", "Next (intent → where)";
    InsDropOff => "流失率", "Drop-off";
    InsUtterance => "话语", "Utterance";
    InsCount => "次数", "Count";
    InsCalls => "通话数", "Calls";
    InsVariants => "相近说法", "Variants";
    InsExamples => "示例通话", "Example calls";
    InsTfidf => "TF-IDF 关键词", "TF-IDF keywords";
    InsTextrank => "TextRank 关键词", "TextRank keywords";
    InsByGrade => "按评级", "By grade";
    InsByNode => "按节点", "By node";
    InsContrastGrades => "A 级与 D 级客户用词对比", "What A-grade callees say that D-grade callees don't";
    InsContrastTasks => "本任务与其他任务用词对比", "This task against the tenant's other tasks";
    InsWord => "词", "Word";
    InsScore => "分值", "Score";
    InsMetric => "指标", "Metric";
    InsDiff => "差值 (B−A)", "Difference (B−A)";
    InsCi => "95% 置信区间", "95% interval";
    InsPValue => "p 值", "p-value";
    InsSignificant => "差异显著", "Significant difference";
    InsNotSignificant => "无显著差异", "No significant difference";
    InsLeadRate => "接通→意向率", "Answer-to-lead rate";
    InsOptOutRate => "退订率", "Opt-out rate";
    InsAvgTurns => "平均轮次", "Average turns";
    InsNoVariants => "该任务没有 A/B 版本。", "This task runs no A/B variants.";
    InsNoData => "暂无通话数据。", "No call data yet.";
    InsSample => "基于最近的通话（最多 20000 通）。", "Based on the newest calls (at most 20,000).";
    InsScriptVersions => "话术版本", "Script versions";
    InsTasks => "任务", "Tasks";
    AbVariantB => "A/B 测试：变体 B（可选）", "A/B test: variant B (optional)";
    AbNone => "不做 A/B 测试", "No A/B test";
    AbSplit => "变体 B 的联系人比例（%）", "Share of contacts on variant B (%)";
    InsTeach => "教给话术", "Teach the script";
    InsTeachPhrases => "说法（每行一个）", "Phrases (one per line)";
    InsTeachTarget => "加到", "Add to";
    InsTeachIntent => "意图", "intent";
    InsTeachKb => "知识库", "knowledge entry";
    InsTeachNewIntent => "新意图（填写名称，还需在节点分支中使用）", "a new intent (give its name; a branch still has to use it)";
    InsTeachNewKb => "新知识库条目（填写名称和回答）", "a new knowledge entry (give its id and answer)";
    InsTeachName => "新名称（字母、数字、下划线）", "New name (letters, digits, _)";
    InsTeachAnswer => "新条目的回答", "The new entry's answer";
    InsTeachPreview => "预览并检查", "Preview and lint";
    InsTeachResult => "下面是加入这些说法后的话术和检查结果。确认无误后上传为新版本，再在版本页发布。", "Below is the script with the phrases added and the linter's verdict. Upload it as a new version, then publish it on the version page.";
    InsSnippet => "加入话术：意图片段（粘贴到 intents 下并上传新版本，可看到检查结果）", "Add to the script: an intent fragment (paste under intents, upload a new version, see the linter's verdict)";
    // --- complaints and retention (back office) ---
    NavComplaints => "投诉工单", "Complaints";
    CpTitle => "投诉工单", "Complaint tickets";
    CpIntro => "被叫人对来电的投诉：须在 3 个工作日内确认、15 个工作日内处理完毕。超时的工单排在最前。", "Callees' complaints about calls: acknowledge within 3 working days, close within 15. Overdue tickets come first.";
    CpNumber => "被叫号码", "Number called";
    CpOccurred => "来电时间", "Time of the call";
    CpFiled => "提交时间", "Filed";
    CpDescription => "投诉内容", "What happened";
    CpCalls => "涉及通话", "Calls named";
    CpNoCalls => "未匹配到通话", "No call matched";
    CpStateOpen => "待确认", "Open";
    CpStateAcked => "已确认", "Acknowledged";
    CpStateClosed => "已关闭", "Closed";
    CpAllStates => "全部状态", "All states";
    CpAckBy => "确认期限", "Acknowledge by";
    CpCloseBy => "关闭期限", "Close by";
    CpOverdue => "已超时", "Overdue";
    CpAck => "确认工单", "Acknowledge";
    CpAnswer => "商家答复", "Answer";
    CpAnswerButton => "提交答复", "Send the answer";
    CpClose => "关闭工单", "Close the ticket";
    CpResolution => "处理结果", "Resolution";
    CpVerified => "号码已验证", "Number verified";
    CpUnverified => "号码未验证", "Number not verified";
    CpCounts => "计入投诉率", "Counts towards the rate";
    CpNoTenant => "（未识别商家）", "(no tenant identified)";
    CpTenant => "商家", "Tenant";
    CpFilter => "筛选", "Filter";
    CpReadOnly => "您的角色只能查看工单。", "Your role can only read tickets.";
    CpDetailTitle => "投诉工单详情", "Complaint ticket";
    CpRate => "投诉率（每千次接通）", "Complaints per 1,000 answered calls";
    CpThreshold => "投诉率阈值（每千次接通）", "Complaint threshold (per 1,000 answered calls)";
    CpOverThreshold => "超过阈值", "Over the threshold";
    CpAutoPaused => "任务已自动暂停", "Tasks auto-paused";
    CpRatesHint => "投诉率只计已验证号码且关联到通话的投诉；超过阈值时该租户的任务自动暂停，由运营方决定暂停或恢复租户。", "The complaint rate counts only complaints from verified numbers naming a call; over the threshold the tenant's tasks pause automatically and the operator suspends or resumes the tenant.";
    RetTitle => "数据保留期限", "Data retention";
    RetIntro => "超过期限的录音、转写和通话结果由定时任务删除。每项不得超过平台上限。", "Recordings, transcripts and call results older than these periods are deleted by a scheduled job. No period may exceed the platform maximum.";
    RetRecordings => "录音（天）", "Recordings (days)";
    RetTranscripts => "转写（天）", "Transcripts (days)";
    RetResults => "通话结果（天）", "Results (days)";
    RetMax => "平台上限（天）", "Platform maximum (days)";
    RsTitle => "来电权益平台设置", "Callee rights: platform settings";
    RsWindow => "投诉率统计窗口（天）", "Complaint rate window (days)";
    RsRetentionMax => "保留期限上限（天）", "Retention maximum (days)";
    // suspension, lockouts and passwords
    ErrTenantSuspended => "租户已暂停", "Tenant suspended";
    ErrTenantSuspendedHint => "您的租户已被平台暂停：仍可登录、查看和导出本租户的数据，但不能做任何修改。如有疑问请联系平台运营方。", "Your tenant has been suspended by the platform: you can still sign in, read and export your tenant's data, but not change anything. Contact the platform operator with any questions.";
    LoginDelayed => "该账户近期登录失败次数较多，请稍等片刻再试。", "This account has had many failed sign-ins lately. Wait a moment and try again.";
    UsernameGetsTenant => "登录名为「用户名@租户名」", "The login name is “username@tenant”";
    PubErrComplaintCap => "该号码在 24 小时内提交的投诉已达上限，请明天再试。如情况紧急，请直接联系运营方。", "This number has reached its limit of complaints for 24 hours; please try again tomorrow, or contact the operator directly if it is urgent.";
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
