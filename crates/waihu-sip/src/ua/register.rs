//! REGISTER to a trunk that requires it (credentials configured): register
//! once, report the result, and keep refreshing at half the granted expiry
//! until the handle is dropped.

use std::time::Duration;

use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::registration::Registration;
use tokio::task::JoinHandle;
use tracing::{debug, warn};

use super::{Transport, UserAgent};
use crate::SipError;

/// A live registration; dropping it stops the refreshes.
#[derive(Debug)]
pub struct RegistrationHandle {
    /// Status of the first REGISTER's final response.
    pub status: u16,
    /// Expiry granted, seconds.
    pub expires: u32,
    task: JoinHandle<()>,
}

impl Drop for RegistrationHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl UserAgent {
    /// Register `user` at `registrar` (`host:port`) with digest credentials.
    /// Returns an error only for local failures; a refusal is a non-2xx
    /// `status` (and no refreshes are scheduled).
    pub async fn register(
        &self,
        registrar: &str,
        transport: Transport,
        user: &str,
        password: &str,
        expires: u32,
    ) -> Result<RegistrationHandle, SipError> {
        let t = match transport {
            Transport::Udp => "",
            Transport::Tcp => ";transport=tcp",
        };
        let server = rsipstack::sip::Uri::try_from(format!("sip:{registrar}{t}").as_str())
            .map_err(|e| SipError::Invalid(format!("registrar {registrar}: {e}")))?;
        let credential = Credential {
            username: user.to_string(),
            password: password.to_string(),
            realm: None,
            auth_username: None,
        };
        let endpoint = self.shared.dialog_layer.endpoint.clone();
        let mut reg = Registration::new(endpoint, Some(credential));
        let resp = reg.register(server.clone(), Some(expires)).await?;
        let status = resp.status_code.code();
        let granted = reg.expires().max(30);
        let task = tokio::spawn(async move {
            if !(200..300).contains(&status) {
                return;
            }
            loop {
                tokio::time::sleep(Duration::from_secs(u64::from(granted) / 2)).await;
                match reg.register(server.clone(), Some(expires)).await {
                    Ok(r) => debug!(status = r.status_code.code(), "re-REGISTER"),
                    Err(e) => warn!(error = %e, "re-REGISTER failed"),
                }
            }
        });
        Ok(RegistrationHandle {
            status,
            expires: granted,
            task,
        })
    }
}
