//! Where a lead goes: the kind of receiver, its URL and its signing secret.
//! Checked when the tenant saves it, so a bad target fails at the form, not at
//! three in the morning in the retry loop.

use crate::error::PushError;
use std::fmt;
use std::str::FromStr;

/// The kinds of receiver a lead can be pushed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// WeCom (企业微信) group robot.
    WeCom,
    /// DingTalk (钉钉) custom robot.
    DingTalk,
    /// Feishu / Lark (飞书) custom bot.
    Feishu,
    /// Any HTTP endpoint taking the signed JSON body.
    Webhook,
}

impl PushKind {
    /// The stable name stored in the database and used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            PushKind::WeCom => "wecom",
            PushKind::DingTalk => "dingtalk",
            PushKind::Feishu => "feishu",
            PushKind::Webhook => "webhook",
        }
    }
}

impl fmt::Display for PushKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A push kind name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown push kind '{0}' (expected wecom, dingtalk, feishu or webhook)")]
pub struct UnknownPushKind(pub String);

impl FromStr for PushKind {
    type Err = UnknownPushKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wecom" => Ok(PushKind::WeCom),
            "dingtalk" => Ok(PushKind::DingTalk),
            "feishu" | "lark" => Ok(PushKind::Feishu),
            "webhook" => Ok(PushKind::Webhook),
            _ => Err(UnknownPushKind(s.to_string())),
        }
    }
}

/// One configured receiver of leads.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// What kind of receiver this is; decides the body and signature.
    pub kind: PushKind,
    /// The webhook URL (for WeCom and DingTalk it carries the robot's key/token).
    pub url: String,
    /// The signing secret: DingTalk 加签 `SEC…`, Feishu 签名校验 key, or the
    /// generic webhook's shared secret. Never printed.
    pub secret: Option<String>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL of WeCom/DingTalk robots is itself a credential (key, token):
        // show only scheme, host and path.
        let shown = url::Url::parse(&self.url)
            .map(|u| {
                format!(
                    "{}://{}{}",
                    u.scheme(),
                    u.host_str().unwrap_or(""),
                    u.path()
                )
            })
            .unwrap_or_else(|_| "<invalid url>".to_string());
        f.debug_struct("Target")
            .field("kind", &self.kind)
            .field("url", &shown)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The URL as it may be shown back (lists, the back office): without the
/// robot's access key — WeCom and DingTalk carry it in the query, Feishu as the
/// last path segment (`…/bot/v2/hook/<token>`).
pub fn shown_url(kind: PushKind, url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let mut shown = url[..end].to_string();
    if kind == PushKind::Feishu {
        if let Some(slash) = shown.trim_end_matches('/').rfind('/') {
            shown.truncate(slash + 1);
            shown.push('…');
        }
    }
    if end < url.len() {
        shown.push_str("?…");
    }
    shown
}

impl Target {
    /// A checked target: the URL is absolute http(s), the generic webhook has a
    /// secret, and WeCom has none (its group robots have no signing; the key is
    /// in the URL). DingTalk and Feishu may go without one when the robot is
    /// protected by keyword or IP allow-list instead.
    pub fn new(kind: PushKind, url: &str, secret: Option<&str>) -> Result<Self, PushError> {
        let secret = secret.map(str::trim).filter(|s| !s.is_empty());
        parse_http_url(url)?;
        match (kind, secret) {
            (PushKind::Webhook, None) => return Err(PushError::MissingSecret { kind }),
            (PushKind::WeCom, Some(_)) => {
                return Err(PushError::InvalidTarget {
                    reason: "WeCom group robots are not signed; leave the secret empty (the key is part of the URL)".to_string(),
                })
            }
            _ => {}
        }
        Ok(Self {
            kind,
            url: url.trim().to_string(),
            secret: secret.map(str::to_string),
        })
    }
}

/// Parses a target URL, accepting only absolute http and https URLs without
/// credentials (a `user:password@` would be stored and shown like the rest of
/// the URL; the secret field is where a credential goes).
pub(crate) fn parse_http_url(raw: &str) -> Result<url::Url, PushError> {
    let parsed = url::Url::parse(raw.trim()).map_err(|e| PushError::InvalidTarget {
        reason: format!("the URL is not valid: {e}"),
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(PushError::Outbound(
            crate::outbound::OutboundError::Credentials,
        ));
    }
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some() => Ok(parsed),
        other => Err(PushError::InvalidTarget {
            reason: format!("the URL must be http or https with a host, not '{other}:'"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_print() {
        for kind in [
            PushKind::WeCom,
            PushKind::DingTalk,
            PushKind::Feishu,
            PushKind::Webhook,
        ] {
            assert_eq!(kind.as_str().parse::<PushKind>(), Ok(kind));
        }
        assert_eq!(" WeCom ".parse::<PushKind>(), Ok(PushKind::WeCom));
        assert_eq!("lark".parse::<PushKind>(), Ok(PushKind::Feishu));
        assert!("slack".parse::<PushKind>().is_err());
    }

    #[test]
    fn debug_hides_secret_and_url_key() {
        let t = Target::new(
            PushKind::DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=tok123",
            Some("SECabc"),
        )
        .unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("SECabc"), "{shown}");
        assert!(!shown.contains("tok123"), "{shown}");
        assert!(shown.contains("oapi.dingtalk.com/robot/send"), "{shown}");
    }

    #[test]
    fn targets_are_checked() {
        assert!(matches!(
            Target::new(PushKind::Webhook, "https://crm.example/hook", None),
            Err(PushError::MissingSecret { .. })
        ));
        assert!(matches!(
            Target::new(PushKind::Webhook, "https://crm.example/hook", Some("  ")),
            Err(PushError::MissingSecret { .. })
        ));
        assert!(matches!(
            Target::new(
                PushKind::WeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                Some("s")
            ),
            Err(PushError::InvalidTarget { .. })
        ));
        assert!(matches!(
            Target::new(PushKind::Feishu, "ftp://x/y", None),
            Err(PushError::InvalidTarget { .. })
        ));
        assert!(matches!(
            Target::new(PushKind::Feishu, "not a url", None),
            Err(PushError::InvalidTarget { .. })
        ));
        let with_password = Target::new(
            PushKind::Webhook,
            "https://crm:hunter2@crm.example/hook",
            Some("s"),
        )
        .unwrap_err();
        assert!(
            matches!(
                with_password,
                PushError::Outbound(crate::outbound::OutboundError::Credentials)
            ),
            "{with_password:?}"
        );
        assert!(!with_password.to_string().contains("hunter2"));
        assert!(with_password.to_string().contains("secret field"));
        assert!(Target::new(
            PushKind::Feishu,
            "https://open.feishu.cn/open-apis/bot/v2/hook/x",
            None
        )
        .is_ok());
    }
}
