//! The I/O side of the outbound URL policy: resolving host names and checking
//! every address. [`PolicyResolver`] is the HTTP client's resolver, so the
//! address connected to is exactly an address that passed the policy — a name
//! that resolves to a public address when the target is saved and to
//! `127.0.0.1` when the lead is sent (DNS rebinding) is refused at send time.
//! [`check_target_url`] is the same check when a tenant saves a URL, so that the
//! form says what is wrong instead of the dead-letter list later.

use crate::outbound::{OutboundError, OutboundPolicy};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Resolves `host` and checks every address it resolves to; refuses the name if
/// any of them is forbidden (an attacker controls which one is tried first).
pub async fn resolve_checked(
    policy: &OutboundPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, OutboundError> {
    let unresolved = |reason: String| OutboundError::Unresolved {
        host: host.to_string(),
        reason,
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| unresolved(e.to_string()))?
        .collect();
    check_all(policy, host, addrs)
}

/// Every address of `host` must pass; none at all is an error.
fn check_all(
    policy: &OutboundPolicy,
    host: &str,
    addrs: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>, OutboundError> {
    if addrs.is_empty() {
        let unresolved = |reason: String| OutboundError::Unresolved {
            host: host.to_string(),
            reason,
        };
        return Err(unresolved("no addresses".to_string()));
    }
    for a in &addrs {
        policy.check_addr(host, a.ip())?;
    }
    Ok(addrs)
}

/// Checks a URL a tenant is saving: [`OutboundPolicy::check_url`], then, for a
/// host name, its addresses. A name that does not resolve within `timeout` is
/// accepted here (it may exist only where the receiver lives); the send-time
/// check still applies to whatever it resolves to then.
pub async fn check_target_url(
    policy: &OutboundPolicy,
    raw: &str,
    timeout: Duration,
) -> Result<url::Url, OutboundError> {
    let url = policy.check_url(raw)?;
    if let Some(url::Host::Domain(host)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let resolved = tokio::time::timeout(timeout, resolve_checked(policy, host, port)).await;
        if let Ok(Err(e @ OutboundError::Forbidden { .. })) = resolved {
            return Err(e);
        }
    }
    Ok(url)
}

/// The HTTP client's resolver: every address must pass the policy.
#[derive(Debug, Clone)]
pub(crate) struct PolicyResolver {
    pub(crate) policy: Arc<OutboundPolicy>,
    /// Names answered from this table instead of DNS — still checked.
    pub(crate) hosts: Arc<HashMap<String, Vec<IpAddr>>>,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = Arc::clone(&self.policy);
        let fixed = self.hosts.get(&name.as_str().to_ascii_lowercase()).cloned();
        Box::pin(async move {
            // The port is replaced by the client with the URL's.
            let addrs = match fixed {
                Some(ips) => check_all(
                    &policy,
                    name.as_str(),
                    ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect(),
                )?,
                None => resolve_checked(&policy, name.as_str(), 0).await?,
            };
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}
