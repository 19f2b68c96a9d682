//! Sign-in throttling that protects accounts without handing attackers a way to
//! lock people out. Three counters, kept in the database so that every process
//! shares them (`waihu_store::LoginThrottleRepo`):
//!
//! - **an account from one client**: [`MAX_FAILURES_PER_CLIENT`] failures from the
//!   same client address lock that account *for that client only* for
//!   [`LOCK_MINUTES`] (even the right password is refused there); the same person
//!   from another address is not affected;
//! - **an account from any client**: after [`DELAY_AFTER`] failures in a row, each
//!   further attempt must wait `DELAY_BASE × 2^(failures − DELAY_AFTER)` after the
//!   latest failure, at most [`DELAY_CAP`] — guessing spread over many addresses
//!   slows down exponentially, while the owner waits seconds or minutes, never a
//!   lockout;
//! - **a client on any account**: [`MAX_FAILURES_PER_ADDRESS`] failures lock that
//!   client address for [`LOCK_MINUTES`] (password spraying).
//!
//! A success forgets the account's counter over all clients and from the
//! succeeding client. The operator lifts everything on an account with
//! `waihu user unlock`. [`decide`] is pure: counters and time in, verdict out.

use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;
use waihu_store::{FailureKey, LoginCounter};

/// Failures of one account from one client before that client is locked out of it.
pub const MAX_FAILURES_PER_CLIENT: i64 = 5;
/// Failures from one client address, on any accounts, before the address is locked.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// How long a lock lasts, and the counting window of the two locks.
pub const LOCK_MINUTES: i64 = 15;
/// Failures of an account (from any clients) before attempts are spaced out.
pub const DELAY_AFTER: i64 = 5;
/// The first delay; each further failure doubles it.
pub const DELAY_BASE: Duration = Duration::seconds(1);
/// The longest delay between two attempts on one account.
pub const DELAY_CAP: Duration = Duration::minutes(5);
/// How long an account's failures over all clients are remembered.
pub const ACCOUNT_WINDOW: Duration = Duration::hours(24);

/// Why an attempt is refused before the password is even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This client failed too often on this account: locked here until then.
    ClientLocked(DateTime<Utc>),
    /// This client failed too often on any accounts: locked until then.
    AddressLocked(DateTime<Utc>),
    /// The account failed too often from anywhere: the next attempt waits until then.
    Delayed(DateTime<Utc>),
}

/// The counters of one attempt: account `account` from client `client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The normalised login name.
    pub account: String,
    /// The client address (`unknown` when the server does not know it).
    pub client: String,
    /// Whether the client's address is known (an unknown one has no address lock).
    pub has_address: bool,
}

impl Keys {
    /// The keys of an attempt on `username` from `ip`.
    pub fn new(username: &str, ip: Option<IpAddr>) -> Self {
        Self {
            account: account(username),
            client: ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            has_address: ip.is_some(),
        }
    }

    /// The `(account, client)` keys to read.
    pub fn lookup(&self) -> Vec<(String, String)> {
        let mut k = vec![
            (self.account.clone(), self.client.clone()),
            (self.account.clone(), String::new()),
        ];
        if self.has_address {
            k.push((String::new(), self.client.clone()));
        }
        k
    }

    /// The counters a failure bumps, with their windows.
    pub fn failure(&self) -> Vec<FailureKey> {
        let lock = Duration::minutes(LOCK_MINUTES);
        let mut k = vec![
            FailureKey {
                account: self.account.clone(),
                client: self.client.clone(),
                window: lock,
            },
            FailureKey {
                account: self.account.clone(),
                client: String::new(),
                window: ACCOUNT_WINDOW,
            },
        ];
        if self.has_address {
            k.push(FailureKey {
                account: String::new(),
                client: self.client.clone(),
                window: lock,
            });
        }
        k
    }
}

/// The counting key of a login name: trimmed and case-insensitive.
pub fn account(username: &str) -> String {
    waihu_store::login_throttle::account_key(username)
}

/// The wait after `failures` failures of an account in a row (zero below
/// [`DELAY_AFTER`]).
pub fn delay(failures: i64) -> Duration {
    if failures < DELAY_AFTER {
        return Duration::zero();
    }
    let doublings = u32::try_from(failures - DELAY_AFTER).unwrap_or(u32::MAX);
    2i64.checked_pow(doublings)
        .and_then(|f| DELAY_BASE.checked_mul(i32::try_from(f).ok()?))
        .map_or(DELAY_CAP, |d| d.min(DELAY_CAP))
}

/// Whether an attempt with these `counters` (any of the three, in any order) is
/// refused at `now`; the longest-lasting reason wins.
pub fn decide(keys: &Keys, counters: &[LoginCounter], now: DateTime<Utc>) -> Option<Refusal> {
    let lock = Duration::minutes(LOCK_MINUTES);
    let mut refusal: Option<Refusal> = None;
    let mut keep = |r: Refusal| {
        let until = |r: &Refusal| match *r {
            Refusal::ClientLocked(t) | Refusal::AddressLocked(t) | Refusal::Delayed(t) => t,
        };
        if refusal.as_ref().is_none_or(|old| until(&r) > until(old)) {
            refusal = Some(r);
        }
    };
    for c in counters {
        let here = c.account == keys.account && c.client == keys.client;
        let anywhere = c.account == keys.account && c.client.is_empty();
        let address = c.account.is_empty() && keys.has_address && c.client == keys.client;
        if here && c.failures >= MAX_FAILURES_PER_CLIENT && c.last_failure + lock > now {
            keep(Refusal::ClientLocked(c.last_failure + lock));
        }
        if address && c.failures >= MAX_FAILURES_PER_ADDRESS && c.last_failure + lock > now {
            keep(Refusal::AddressLocked(c.last_failure + lock));
        }
        if anywhere && c.last_failure + delay(c.failures) > now {
            keep(Refusal::Delayed(c.last_failure + delay(c.failures)));
        }
    }
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
    }

    fn counter(account: &str, client: &str, failures: i64, last: DateTime<Utc>) -> LoginCounter {
        LoginCounter {
            account: account.into(),
            client: client.into(),
            failures,
            first_failure: last,
            last_failure: last,
        }
    }

    #[test]
    fn the_delay_doubles_from_the_threshold_and_is_capped() {
        assert_eq!(delay(DELAY_AFTER - 1), Duration::zero());
        assert_eq!(delay(DELAY_AFTER), Duration::seconds(1));
        assert_eq!(delay(DELAY_AFTER + 1), Duration::seconds(2));
        assert_eq!(delay(DELAY_AFTER + 4), Duration::seconds(16));
        assert_eq!(delay(DELAY_AFTER + 20), DELAY_CAP);
        assert_eq!(delay(i64::MAX), DELAY_CAP);
    }

    #[test]
    fn a_client_lock_holds_only_for_that_client_and_account() {
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        let c = [counter("alice", "192.0.2.7", MAX_FAILURES_PER_CLIENT, t0())];
        let here = Keys::new("Alice", Some(ip));
        let until = t0() + Duration::minutes(LOCK_MINUTES);
        assert_eq!(decide(&here, &c, t0()), Some(Refusal::ClientLocked(until)));
        assert_eq!(decide(&here, &c, until), None, "the lock ends");
        assert_eq!(decide(&Keys::new("alice", Some(other)), &c, t0()), None);
        assert_eq!(decide(&Keys::new("bob", Some(ip)), &c, t0()), None);
    }

    #[test]
    fn failures_from_anywhere_space_attempts_out() {
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        let k = Keys::new("alice", Some(ip));
        let c = [counter("alice", "", DELAY_AFTER + 2, t0())];
        let until = t0() + Duration::seconds(4);
        assert_eq!(decide(&k, &c, t0()), Some(Refusal::Delayed(until)));
        assert_eq!(
            decide(&k, &c, until - Duration::milliseconds(1)),
            Some(Refusal::Delayed(until))
        );
        assert_eq!(decide(&k, &c, until), None);
        let few = [counter("alice", "", DELAY_AFTER - 1, t0())];
        assert_eq!(decide(&k, &few, t0()), None, "a few typos cost nothing");
    }

    #[test]
    fn an_address_lock_covers_every_account_from_it() {
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let c = [counter("", "192.0.2.7", MAX_FAILURES_PER_ADDRESS, t0())];
        assert!(matches!(
            decide(&Keys::new("anyone", Some(ip)), &c, t0()),
            Some(Refusal::AddressLocked(_))
        ));
        assert_eq!(decide(&Keys::new("anyone", None), &c, t0()), None);
        assert_eq!(Keys::new("x", None).lookup().len(), 2);
    }
}
