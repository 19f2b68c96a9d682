//! The shared state of the public pages: the code sender, pending codes,
//! verified sessions, the rate limits and the key that signs recording links.

use super::codes::CodeBook;
use super::limit::RateLimit;
use super::session::Sessions;
use crate::auth::lockout::LoginGuard;
use chrono::Duration;
use rand::Rng;
use std::sync::Arc;
use waihu_app::verify::CodeSender;

/// Code requests per client address per hour.
pub const CODE_REQUESTS_PER_ADDRESS_HOUR: u32 = 5;
/// Code requests per number per hour: a flood guard; the binding limit is the
/// gate's (3 verification calls per number per 24 h), applied by the sender.
pub const CODE_REQUESTS_PER_NUMBER_HOUR: u32 = 5;
/// Wrong codes from one address (any number) before the address is locked 15 min.
pub const WRONG_CODES_PER_ADDRESS: u32 = 10;
/// Wrong codes for one number (any address) before the number is locked 15 min.
pub const WRONG_CODES_PER_NUMBER: u32 = 10;
/// Form posts per client address per 10 minutes (every public form).
pub const POSTS_PER_ADDRESS_10MIN: u32 = 60;

/// Rate limits and lockouts.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Code requests per address.
    pub requests_by_address: RateLimit,
    /// Code requests per number.
    pub requests_by_number: RateLimit,
    /// Every form post per address.
    pub posts_by_address: RateLimit,
    /// Wrong codes per address and per number, with a 15-minute lock.
    pub wrong_codes: LoginGuard,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            requests_by_address: RateLimit::new(CODE_REQUESTS_PER_ADDRESS_HOUR, Duration::hours(1)),
            requests_by_number: RateLimit::new(CODE_REQUESTS_PER_NUMBER_HOUR, Duration::hours(1)),
            posts_by_address: RateLimit::new(POSTS_PER_ADDRESS_10MIN, Duration::minutes(10)),
            wrong_codes: LoginGuard::default(),
        }
    }
}

/// Everything the public pages share.
#[derive(Clone)]
pub struct Public {
    /// Delivers codes; `None`: the pages say verification is not available.
    pub sender: Option<Arc<dyn CodeSender>>,
    /// Pending codes.
    pub codes: CodeBook,
    /// Verified browsers.
    pub sessions: Sessions,
    /// Rate limits and lockouts.
    pub limits: Limits,
    /// Signs recording links (random per process: links die with a restart).
    pub link_key: Arc<[u8; 32]>,
}

impl Default for Public {
    fn default() -> Self {
        Self {
            sender: None,
            codes: CodeBook::default(),
            sessions: Sessions::default(),
            limits: Limits::default(),
            link_key: Arc::new(rand::thread_rng().gen()),
        }
    }
}

impl Public {
    /// The same state with a code sender.
    pub fn with_sender(mut self, sender: Arc<dyn CodeSender>) -> Self {
        self.sender = Some(sender);
        self
    }
}
