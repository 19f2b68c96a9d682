//! Typed configuration, layered: defaults, then an optional TOML file
//! (`--config`), then environment variables `WAIHU_<SECTION>__<KEY>` (plus the
//! shorthand `WAIHU_DATABASE_URL`, which wins over `WAIHU_DATABASE__URL`), then
//! command-line flags. Secrets are wrapped so that they never print.

use crate::cli::{GlobalArgs, LogFormat};
use anyhow::{bail, Context as _};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
pub use waihu_app::config::{
    AsrEngineSetting, DiallerSettings, LlmSettings, PiiSettings, SpeechSettings,
    VerificationSettings,
};

/// The whole effective configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Files on disk.
    pub data: DataSettings,
    /// Database connection.
    pub database: DatabaseSettings,
    /// HTTP server.
    pub server: ServerSettings,
    /// Logging.
    pub log: LogSettings,
    /// Keys protecting phone numbers at rest.
    #[serde(default)]
    pub pii: PiiSettings,
    /// The optional LLM intent classifier.
    #[serde(default)]
    pub llm: LlmSettings,
    /// Speech recognition for live calls.
    #[serde(default)]
    pub speech: SpeechSettings,
    /// The task scheduler and its SIP user agent.
    #[serde(default)]
    pub dialler: DiallerSettings,
    /// One-time-code calls of the public pages (docs/public-pages.md).
    #[serde(default)]
    pub verification: VerificationSettings,
    /// Callee rights: the complaint SLA calendar, the retention sweep (docs/rights.md).
    #[serde(default)]
    pub rights: waihu_app::rights::RightsConfig,
    /// Which internal addresses URLs set by tenants may reach (docs/leadpush.md).
    #[serde(default)]
    pub outbound: OutboundSettings,
}

/// The outbound URL policy: tenants' URLs (push targets) reach public addresses
/// only, plus what the operator lists here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSettings {
    /// Addresses (`127.0.0.1`), networks (`10.0.0.0/8`) and host names
    /// (`crm.corp.internal`) that may be called although internal; a list or a
    /// comma-separated string (environment).
    #[serde(default, deserialize_with = "list_or_csv")]
    pub allow: Vec<String>,
}

/// Files on disk.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSettings {
    /// Where recordings, prompts, keys and the default SQLite database live.
    pub dir: PathBuf,
}

/// Database connection settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://…`; empty means `sqlite://<data_dir>/waihu.db`.
    /// Secret because PostgreSQL URLs carry passwords.
    pub url: SecretString,
    /// Maximum open connections in the pool.
    pub max_connections: u32,
}

/// HTTP server settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address the back office, API, health checks and metrics listen on.
    pub listen: SocketAddr,
    /// `Secure` session cookies: `auto` (when served over TLS, or a trusted
    /// proxy says `X-Forwarded-Proto: https`), `always` or `never`.
    pub secure_cookies: SecureCookiesSetting,
    /// How long a back-office login lasts, in hours.
    pub session_ttl_hours: u32,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For`
    /// names the client; a list or a comma-separated string (environment).
    #[serde(default, deserialize_with = "list_or_csv")]
    pub trusted_proxies: Vec<String>,
    /// Complaints one verified number may file on the public pages per 24 hours.
    pub public_complaints_per_day: u32,
}

/// A list of strings, or one comma-separated string (as an environment
/// variable gives it).
fn list_or_csv<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrCsv {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match ListOrCsv::deserialize(d)? {
        ListOrCsv::List(v) => v,
        ListOrCsv::Csv(s) => s
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect(),
    })
}

/// The `Secure` cookie policy as written in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookiesSetting {
    /// When the request came over TLS according to the proxy.
    Auto,
    /// Always.
    Always,
    /// Never (plain-HTTP development).
    Never,
}

/// Logging settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `waihu=debug,sqlx=warn`.
    pub filter: String,
}

/// The built-in defaults, as a serialisable tree so that figment can merge on top.
#[derive(Serialize)]
struct Defaults {
    data: DefaultData,
    database: DefaultDatabase,
    server: DefaultServer,
    log: DefaultLog,
}
#[derive(Serialize)]
struct DefaultData {
    dir: &'static str,
}
#[derive(Serialize)]
struct DefaultDatabase {
    url: &'static str,
    max_connections: u32,
}
#[derive(Serialize)]
struct DefaultServer {
    listen: &'static str,
    secure_cookies: SecureCookiesSetting,
    session_ttl_hours: u32,
    public_complaints_per_day: u32,
}
#[derive(Serialize)]
struct DefaultLog {
    format: LogFormat,
    filter: &'static str,
}

const DEFAULTS: Defaults = Defaults {
    data: DefaultData {
        dir: "./waihu-data",
    },
    database: DefaultDatabase {
        url: "",
        max_connections: 8,
    },
    server: DefaultServer {
        listen: "127.0.0.1:8080",
        secure_cookies: SecureCookiesSetting::Auto,
        session_ttl_hours: 12,
        public_complaints_per_day: 3,
    },
    log: DefaultLog {
        format: LogFormat::Text,
        filter: "info,rsipstack=warn,sqlx=warn",
    },
};

impl Settings {
    /// Loads settings from the layers, reading the process environment.
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(DEFAULTS));
        if let Some(path) = &global.config {
            if !path.is_file() {
                bail!(
                    "config file {} does not exist or is not a file",
                    path.display()
                );
            }
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            // Parse once here so that syntax errors name the file, line and column.
            if let Err(e) = text.parse::<toml::Table>() {
                let (line, col) = e
                    .span()
                    .map(|span| line_col(&text, span.start))
                    .unwrap_or((1, 1));
                bail!(
                    "config file {}:{line}:{col}: {}",
                    path.display(),
                    e.message().trim().replace('\n', ": ")
                );
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(sectioned_env());
        if let Ok(url) = std::env::var("WAIHU_DATABASE_URL") {
            figment = figment.merge(("database.url", url));
        }
        if let Some(dir) = &global.data_dir {
            figment = figment.merge(("data.dir", dir.display().to_string()));
        }
        if let Some(url) = &global.database_url {
            figment = figment.merge(("database.url", url.clone()));
        }
        if let Some(format) = global.log_format {
            figment = figment.merge(("log.format", format));
        }
        let mut settings: Settings = figment.extract().map_err(|e| {
            let first = e.into_iter().next().map(|e| e.to_string());
            anyhow::anyhow!(
                "invalid configuration: {}",
                first.unwrap_or_else(|| "unknown error".into())
            )
        })?;
        // Paths derived from the data directory are stored (recordings, prompts);
        // a relative one would be read against whichever directory a later
        // process starts in, so erasure and retention would miss the files.
        settings.data.dir = std::path::absolute(&settings.data.dir).map_err(|e| {
            anyhow::anyhow!(
                "invalid configuration: data.dir {}: {e}",
                settings.data.dir.display()
            )
        })?;
        if settings.database.url.expose_secret().is_empty() {
            let path = settings.data.dir.join("waihu.db");
            settings.database.url = format!("sqlite://{}", path.display()).into();
        }
        validate_database_url(settings.database.url.expose_secret())?;
        settings.trusted_proxies()?;
        settings.outbound_policy()?;
        Ok(settings)
    }

    /// The outbound URL policy of tenants' URLs.
    pub fn outbound_policy(&self) -> anyhow::Result<waihu_push::OutboundPolicy> {
        waihu_push::OutboundPolicy::allowing(&self.outbound.allow)
            .map_err(|e| anyhow::anyhow!("invalid configuration: outbound.allow: {e}"))
    }

    /// The reverse proxies the back office and public pages believe.
    pub fn trusted_proxies(&self) -> anyhow::Result<waihu_web::client_addr::TrustedProxies> {
        waihu_web::client_addr::TrustedProxies::parse(&self.server.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("invalid configuration: server.trusted_proxies: {e}"))
    }

    /// The configuration as TOML with secrets redacted (`waihu config show`).
    pub fn redacted_toml(&self) -> String {
        let url = redact_url(self.database.url.expose_secret());
        format!(
            "[data]\ndir = {data_dir:?}\n\n[database]\nurl = {url:?}\nmax_connections = {maxc}\n\n[server]\nlisten = \"{listen}\"\nsecure_cookies = \"{secure}\"\nsession_ttl_hours = {ttl}\ntrusted_proxies = {proxies:?}\npublic_complaints_per_day = {complaints}\n\n[log]\nformat = \"{format}\"\nfilter = {filter:?}\n",
            data_dir = self.data.dir.display().to_string(),
            maxc = self.database.max_connections,
            listen = self.server.listen,
            secure = match self.server.secure_cookies {
                SecureCookiesSetting::Auto => "auto",
                SecureCookiesSetting::Always => "always",
                SecureCookiesSetting::Never => "never",
            },
            ttl = self.server.session_ttl_hours,
            proxies = self.server.trusted_proxies,
            complaints = self.server.public_complaints_per_day,
            format = match self.log.format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            },
            filter = self.log.filter,
        ) + &format!(
            "\n[outbound]\nallow = {allow:?}\n",
            allow = self.outbound.allow,
        ) + &format!(
            "\n[pii]\nkey_file = {key_file:?}\nhash_key = {hash:?}\nnumber_key = {number:?}\n",
            key_file = self.pii_key_file().display().to_string(),
            hash = if self.pii.hash_key.is_some() { "***" } else { "(from key file)" },
            number = if self.pii.number_key.is_some() { "***" } else { "(from key file)" },
        ) + &format!(
            "\n[llm]\nbase_url = {base:?}\nmodel = {model:?}\ntimeout_ms = {t}\napi_key = {key:?}\n",
            base = self.llm.base_url,
            model = self.llm.model,
            t = self.llm.timeout_ms,
            key = if self.llm.api_key.is_some() { "***" } else { "" },
        ) + &format!(
            "\n[speech]\nasr = {asr:?}\nmodel = {model:?}\nworkers = {w}\nurl = {url:?}\nurl_model = {um:?}\nphrasebook = {pb:?}\n",
            asr = match self.speech.asr {
                AsrEngineSetting::Whisper => "whisper",
                AsrEngineSetting::Openai => "openai",
                AsrEngineSetting::Phrasebook => "phrasebook",
            },
            model = self.asr_model().display().to_string(),
            w = self.speech.workers,
            url = self.speech.url,
            um = self.speech.url_model,
            pb = self.speech.phrasebook.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        ) + &format!(
            "\n[dialler]\nenabled = {e}\nworker = {wk:?}\nsip_listen = \"{sl}\"\ntick_ms = {t}\nmax_call_secs = {m}\nrecord = {r}\nring_timeout_secs = {rt}\n",
            e = self.dialler.enabled,
            wk = self.dialler.worker,
            sl = self.dialler.sip_listen,
            t = self.dialler.tick_ms,
            m = self.dialler.max_call_secs,
            r = self.dialler.record,
            rt = self.dialler.ring_timeout_secs,
        ) + &format!(
            "\n[verification]\ntenant = {t:?}\ntrunk = {tr:?}\ncaller_number = {c:?}\nring_timeout_secs = {rt}\n",
            t = self.verification.tenant,
            tr = self.verification.trunk,
            c = self.verification.caller_number,
            rt = self.verification.ring_timeout_secs,
        ) + &self.rights.toml()
    }

    /// The Whisper model file.
    pub fn asr_model(&self) -> PathBuf {
        self.speech.model_path(&self.data.dir)
    }

    /// Where the PII key file is.
    pub fn pii_key_file(&self) -> PathBuf {
        self.pii.key_file_path(&self.data.dir)
    }

    /// Where the audit key file is: `audit.key` next to the PII key file.
    pub fn audit_key_file(&self) -> PathBuf {
        waihu_app::audit_key::audit_key_path(&self.pii_key_file())
    }

    /// The data directory, created if missing.
    pub fn ensure_data_dir(&self) -> anyhow::Result<&Path> {
        std::fs::create_dir_all(&self.data.dir)
            .with_context(|| format!("cannot create data directory {}", self.data.dir.display()))?;
        Ok(&self.data.dir)
    }
}

/// `WAIHU_<SECTION>__<KEY>` variables as `section.key`; variables without `__`
/// (such as the `WAIHU_DATABASE_URL` shorthand) are not sections and are left out.
fn sectioned_env() -> Env {
    Env::raw().filter_map(|key| {
        let lower = key.as_str().to_ascii_lowercase();
        let rest = lower.strip_prefix("waihu_")?;
        rest.contains("__").then(|| rest.replace("__", ".").into())
    })
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Rejects URLs whose scheme waihu cannot serve, with a message saying what is wrong.
fn validate_database_url(url: &str) -> anyhow::Result<()> {
    let scheme = url.split_once("://").map(|(s, _)| s);
    match scheme {
        Some("sqlite") | Some("postgres") | Some("postgresql") => Ok(()),
        Some(other) => bail!(
            "invalid database URL: unsupported scheme {other:?} (expected sqlite:// or postgres://)"
        ),
        None => bail!(
            "invalid database URL {:?}: expected sqlite://PATH or postgres://USER@HOST/DB",
            redact_url(url)
        ),
    }
}

/// Replaces the password of a URL's user-info with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_string(),
    }
}
