//! One-time codes: six random digits, kept only as an HMAC under a per-process
//! key, valid for ten minutes, dead after five wrong tries. A code belongs to a
//! challenge (a random token in the asker's cookie) and to one number; asking
//! again for the same number replaces the previous code. In memory: the server
//! is one process (docs/public-pages.md); a restart voids pending codes.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;
use waihu_compliance::pii::PhoneHash;

/// How long a code is valid.
pub const CODE_TTL_MINUTES: i64 = 10;
/// Wrong tries after which a code is dead.
pub const MAX_WRONG_TRIES: u32 = 5;
/// Digits in a code.
pub const CODE_DIGITS: usize = 6;
/// Pending codes kept at most (older ones are dropped first).
const MAX_PENDING: usize = 20_000;

/// The number a code was sent to.
#[derive(Debug, Clone)]
pub struct Target {
    /// Keyed hash of the number.
    pub hash: PhoneHash,
    /// Masked form (138****5678).
    pub masked: String,
}

#[derive(Debug, Clone)]
struct Pending {
    target: Target,
    mac: [u8; 32],
    expires: DateTime<Utc>,
    wrong: u32,
}

/// The result of checking a code.
#[derive(Debug, Clone)]
pub enum Check {
    /// Right: the number is proven; the code is used up.
    Verified(Target),
    /// Wrong; `left` tries remain.
    Wrong {
        /// The number the challenge is for.
        target: Target,
        /// Tries left before the code dies.
        left: u32,
    },
    /// Too many wrong tries: the code is dead (a new one must be requested).
    Dead(Target),
    /// Older than ten minutes.
    Expired,
    /// No such challenge (never issued, used, replaced, or the server restarted).
    Unknown,
}

/// Pending codes.
#[derive(Clone)]
pub struct CodeBook {
    key: Arc<[u8; 32]>,
    inner: Arc<Mutex<HashMap<[u8; 32], Pending>>>,
}

impl Default for CodeBook {
    fn default() -> Self {
        Self {
            key: Arc::new(rand::thread_rng().gen()),
            inner: Arc::default(),
        }
    }
}

impl CodeBook {
    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    fn challenge_key(&self, challenge: &str) -> [u8; 32] {
        self.mac(&[b"challenge", challenge.as_bytes()])
    }

    /// Issues a new code for `target` under the challenge token `challenge`;
    /// earlier codes of the same number die. Returns the code (to send, never to show).
    pub fn issue(&self, challenge: &str, target: Target, now: DateTime<Utc>) -> String {
        let code = format!(
            "{:0width$}",
            rand::thread_rng().gen_range(0..10u32.pow(CODE_DIGITS as u32)),
            width = CODE_DIGITS
        );
        let mac = self.mac(&[b"code", &target.hash.0, code.as_bytes()]);
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, p| p.expires > now && p.target.hash != target.hash);
        if map.len() >= MAX_PENDING {
            let oldest = map.iter().min_by_key(|(_, p)| p.expires).map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(
            self.challenge_key(challenge),
            Pending {
                target,
                mac,
                expires: now + Duration::minutes(CODE_TTL_MINUTES),
                wrong: 0,
            },
        );
        code
    }

    /// Forgets the challenge (its code could not be sent).
    pub fn withdraw(&self, challenge: &str) {
        let k = self.challenge_key(challenge);
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&k);
    }

    /// The number a live challenge is for.
    pub fn target(&self, challenge: &str, now: DateTime<Utc>) -> Option<Target> {
        let k = self.challenge_key(challenge);
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&k)
            .filter(|p| p.expires > now && p.wrong < MAX_WRONG_TRIES)
            .map(|p| p.target.clone())
    }

    /// Checks `code` against the challenge at `now`.
    pub fn check(&self, challenge: &str, code: &str, now: DateTime<Utc>) -> Check {
        let k = self.challenge_key(challenge);
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(p) = map.get_mut(&k) else {
            return Check::Unknown;
        };
        if p.expires <= now {
            map.remove(&k);
            return Check::Expired;
        }
        if p.wrong >= MAX_WRONG_TRIES {
            return Check::Dead(p.target.clone());
        }
        let given = self.mac(&[b"code", &p.target.hash.0, code.as_bytes()]);
        if bool::from(given.ct_eq(&p.mac)) {
            let target = p.target.clone();
            map.remove(&k);
            return Check::Verified(target);
        }
        p.wrong += 1;
        if p.wrong >= MAX_WRONG_TRIES {
            Check::Dead(p.target.clone())
        } else {
            Check::Wrong {
                target: p.target.clone(),
                left: MAX_WRONG_TRIES - p.wrong,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn target(n: u8) -> Target {
        Target {
            hash: PhoneHash([n; 32]),
            masked: "138****0000".into(),
        }
    }

    fn wrong_of(code: &str) -> String {
        let d = (code.as_bytes()[0] - b'0' + 1) % 10;
        format!("{d}{}", &code[1..])
    }

    #[test]
    fn right_code_verifies_once_and_wrong_codes_kill_it() {
        let b = CodeBook::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let code = b.issue("c1", target(1), t0);
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(matches!(b.check("c2", &code, t0), Check::Unknown));
        assert!(matches!(b.check("c1", &code, t0), Check::Verified(_)));
        assert!(
            matches!(b.check("c1", &code, t0), Check::Unknown),
            "used up"
        );

        let code = b.issue("c3", target(1), t0);
        for left in (1..MAX_WRONG_TRIES).rev() {
            assert!(
                matches!(b.check("c3", &wrong_of(&code), t0), Check::Wrong { left: l, .. } if l == left)
            );
        }
        assert!(matches!(
            b.check("c3", &wrong_of(&code), t0),
            Check::Dead(_)
        ));
        assert!(
            matches!(b.check("c3", &code, t0), Check::Dead(_)),
            "dead even when right"
        );
    }

    #[test]
    fn codes_expire_and_a_new_code_replaces_the_old() {
        let b = CodeBook::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let code = b.issue("c1", target(1), t0);
        let late = t0 + Duration::minutes(CODE_TTL_MINUTES);
        assert!(matches!(b.check("c1", &code, late), Check::Expired));
        let old = b.issue("c2", target(2), t0);
        let _new = b.issue("c3", target(2), t0);
        assert!(matches!(b.check("c2", &old, t0), Check::Unknown));
        assert!(b.target("c3", t0).is_some());
    }
}
