//! The state every handler shares: a cheap clonable handle.

use std::path::PathBuf;
use std::sync::Arc;
use waihu_compliance::pii::PhoneKey;
use waihu_core::{Clock, SystemClock};
use waihu_store::Store;

/// When session cookies carry the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecureCookies {
    /// When the request came over TLS: to this server itself, or to a trusted
    /// proxy that says `X-Forwarded-Proto: https` (see `tls`).
    Auto,
    /// Always (the server is only reached over HTTPS).
    Always,
    /// Never (plain-HTTP development setups).
    Never,
}

/// Back-office settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The `Secure` cookie policy.
    pub secure_cookies: SecureCookies,
    /// How long a login session lasts (absolute, not sliding).
    pub session_ttl: chrono::Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits,
    /// lockouts and the audit log use that address).
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// Complaints one verified number may file on the public pages per 24 hours.
    pub complaints_per_number_day: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: SecureCookies::Auto,
            session_ttl: chrono::Duration::hours(12),
            trusted_proxies: Default::default(),
            complaints_per_number_day: 3,
        }
    }
}

/// Shared handles for handlers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Renders the Prometheus text exposition.
    pub metrics: crate::metrics::Metrics,
    /// The time source for sessions and sign-in throttling.
    pub clock: Arc<dyn Clock>,
    /// Back-office settings.
    pub config: Arc<WebConfig>,
    /// The platform's phone-number hash key, to look up and change do-not-call
    /// entries typed in the back office. `None`: those pages say it is not set up.
    pub phone_key: Option<PhoneKey>,
    /// The data dir's `recordings` folder, whose files the call pages play.
    /// `None`: recordings are not served (the call page says so).
    pub recordings_dir: Option<PathBuf>,
    /// The audio side of the tenants' prompt libraries (decode, convert, store),
    /// (`waihu-app`'s `WebPrompts` in the server). `None`: the prompts page lists but cannot upload.
    pub prompt_audio: Option<Arc<dyn crate::campaign::prompts::PromptAudio>>,
    /// Imports contact files (`None`: the contacts page says importing is off).
    pub contact_importer: Option<Arc<dyn crate::contacts::import::ContactImporter>>,
    /// The live calls of this process's dialler (`None`: this server does not
    /// dial; the live page says so).
    pub live: Option<crate::live::LiveHub>,
    /// The public callee pages: one-time codes, verified numbers, rate limits and
    /// the code sender (docs/public-pages.md).
    pub public: crate::public::Public,
    /// The working-day calendar of the complaint SLA clock (the `[rights]`
    /// calendar of the configuration; weekdays in Asia/Shanghai by default).
    pub sla_calendar: Arc<waihu_compliance::sla::WorkCalendar>,
    /// Which addresses tenants' URLs (push targets) may reach: public ones plus
    /// the operator's `[outbound] allow` list.
    pub outbound: Arc<waihu_push::OutboundPolicy>,
}

impl AppState {
    /// State around an opened store, with the system clock and default settings.
    pub fn new(store: Store) -> Self {
        Self::with(store, Arc::new(SystemClock), WebConfig::default())
    }

    /// State with an explicit clock and settings (tests use a `ManualClock`).
    pub fn with(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self {
            store,
            metrics: crate::metrics::Metrics::global(),
            clock,
            config: Arc::new(config),
            phone_key: None,
            recordings_dir: None,
            prompt_audio: None,
            contact_importer: None,
            live: None,
            public: crate::public::Public::default(),
            sla_calendar: Arc::new(waihu_compliance::sla::WorkCalendar::weekdays_shanghai()),
            outbound: Arc::new(waihu_push::OutboundPolicy::public_only()),
        }
    }

    /// The same state with the operator's outbound URL policy (checked when a
    /// tenant saves a push target).
    pub fn with_outbound(mut self, policy: waihu_push::OutboundPolicy) -> Self {
        self.outbound = Arc::new(policy);
        self
    }

    /// The same state with the complaint SLA's working-day calendar (holidays,
    /// make-up working days) of the configuration.
    pub fn with_sla_calendar(mut self, calendar: waihu_compliance::sla::WorkCalendar) -> Self {
        self.sla_calendar = Arc::new(calendar);
        self
    }

    /// The same state with the phone-number hash key (from the PII key file or
    /// configuration), enabling the do-not-call pages and API.
    pub fn with_pii(mut self, key: PhoneKey) -> Self {
        self.phone_key = Some(key);
        self
    }

    /// The same state with a one-time-code sender for the public pages (a
    /// verification call, or an SMS adapter).
    pub fn with_code_sender(mut self, sender: Arc<dyn crate::public::CodeSender>) -> Self {
        self.public = self.public.with_sender(sender);
        self
    }

    /// The same state with the prompt libraries' audio side (upload, listen).
    pub fn with_prompt_audio(
        mut self,
        audio: Arc<dyn crate::campaign::prompts::PromptAudio>,
    ) -> Self {
        self.prompt_audio = Some(audio);
        self
    }

    /// The same state importing contact files with `importer` (`waihu-app`'s `WebImport` in the server,
    /// which holds the number cipher): the contacts page's form and the API.
    pub fn with_contact_importer(
        mut self,
        importer: Arc<dyn crate::contacts::import::ContactImporter>,
    ) -> Self {
        self.contact_importer = Some(importer);
        self
    }

    /// The same state serving call recordings from `dir` (the data dir's
    /// `recordings` folder). Only files under it are ever served.
    pub fn with_recordings(mut self, dir: impl Into<PathBuf>) -> Self {
        self.recordings_dir = Some(dir.into());
        self
    }

    /// The same state showing the live calls published to `hub` (by the
    /// dialler of this process) on `/live`, `/live/events` and `/api/v1/live`.
    pub fn with_live(mut self, hub: crate::live::LiveHub) -> Self {
        self.live = Some(hub);
        self
    }
}
