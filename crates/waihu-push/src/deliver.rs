//! The I/O edge: sends one [`PushRequest`] over HTTP(S) with a timeout and reads
//! the reply through [`interpret_response`]. Every request first passes the
//! outbound URL policy, and the client connects only to addresses its resolver
//! checked ([`crate::resolve`]). The retry loop, the schedule and the
//! dead-letter list live with the caller (see [`crate::Backoff`]).

use crate::error::PushError;
use crate::lead::Lead;
use crate::outbound::{OutboundError, OutboundPolicy};
use crate::policy::may_push;
use crate::request::{build_request, PushRequest};
use crate::resolve::PolicyResolver;
use crate::response::interpret_response;
use crate::target::Target;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Replies longer than this are not read further (robots answer a few dozen bytes).
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// A successful delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// The HTTP status the receiver answered with.
    pub status: u16,
}

/// Sends push requests. Cheap to clone; share one per process.
#[derive(Debug, Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    timeout: Duration,
    policy: Arc<OutboundPolicy>,
}

impl Deliverer {
    /// A deliverer whose every request (connect, send, reply) ends after `timeout`.
    ///
    /// Redirects are not followed: a signed lead goes to the configured URL or
    /// nowhere (a redirect would also lead past the policy). No proxy is used:
    /// through a proxy the policy would check the proxy's address, not the
    /// receiver's. `policy` decides which addresses may be reached.
    pub fn new(timeout: Duration, policy: OutboundPolicy) -> Result<Self, PushError> {
        Self::with_hosts(timeout, policy, HashMap::new())
    }

    /// [`Deliverer::new`] answering the names in `hosts` from the table instead
    /// of DNS (like `/etc/hosts`; tests use it to stand in for a name server).
    /// Those addresses pass the policy like resolved ones.
    pub fn with_hosts(
        timeout: Duration,
        policy: OutboundPolicy,
        hosts: HashMap<String, Vec<IpAddr>>,
    ) -> Result<Self, PushError> {
        let policy = Arc::new(policy);
        let hosts = hosts
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver {
                policy: Arc::clone(&policy),
                hosts: Arc::new(hosts),
            }))
            .build()
            .map_err(|e| PushError::Transport(format!("HTTP client could not start: {e}")))?;
        Ok(Self {
            client,
            timeout,
            policy,
        })
    }

    /// Sends `request` once and says whether the receiver took it.
    pub async fn send(&self, request: &PushRequest) -> Result<Delivered, PushError> {
        // A literal address is never given to the resolver: check it here. A
        // host name is checked again by the resolver, address by address.
        self.policy.check_url(&request.url)?;
        let mut builder = self.client.post(&request.url).body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send().await.map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            let room = MAX_REPLY_BYTES.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= MAX_REPLY_BYTES {
                break;
            }
        }
        interpret_response(request.kind, status, &body)?;
        Ok(Delivered { status })
    }

    /// One attempt of a delivery: checks consent (nothing is sent without
    /// `share_leads`), builds the request for `now` and sends it.
    pub async fn attempt(
        &self,
        target: &Target,
        lead: &Lead,
        consent_share_leads: bool,
        delivery_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Delivered, PushError> {
        if !may_push(consent_share_leads) {
            return Err(PushError::NoConsent);
        }
        let request = build_request(target, lead, delivery_id, now)?;
        self.send(&request).await
    }

    fn transport(&self, e: reqwest::Error) -> PushError {
        if e.is_timeout() {
            PushError::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else {
            // The resolver's refusal arrives as a cause of the connect error.
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                if let Some(refused) = cause.downcast_ref::<OutboundError>() {
                    return PushError::Outbound(refused.clone());
                }
                source = cause.source();
            }
            // reqwest's message names the URL, which carries robot keys: drop it,
            // and keep the causes ("connection refused") that say what went wrong.
            let e = e.without_url();
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            PushError::Transport(text)
        }
    }
}
