//! Phone-number validation and E.164 normalisation with the `phonenumber` crate (the
//! Rust port of Google's libphonenumber metadata): mainland China mobile and landline
//! rules, default region CN, international numbers with `+` or `00`.
//!
//! Parsing with the full library costs about 10 µs per number; an import of a million
//! rows would spend most of its time there. So the validity of a mainland mobile
//! (`1` + 10 digits, optionally written with `+86`/`0086` and separators) is cached
//! per 5-digit prefix: the metadata's mobile patterns never look deeper than the 5th
//! digit (checked against the library for all 10,000 prefixes when the cache was
//! introduced, and by a unit test on every prefix). Landlines and international
//! numbers always go through the library.

use phonenumber::country::Id;
use phonenumber::Mode;
use std::collections::HashMap;

/// Why a cell is not a callable number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneProblem {
    /// Nothing that looks like a number.
    NotANumber,
    /// Parsed, but not a valid number of its country (wrong length, unused range …).
    Invalid,
}

/// A normaliser with its cache; one per import.
#[derive(Debug)]
pub struct Normaliser {
    region: Id,
    /// First 5 digits of a mainland mobile → valid.
    cn_mobile: HashMap<u32, bool>,
    /// Reused buffer for the compacted digits.
    buf: String,
}

/// Prefix depth of the mobile cache (see the module doc).
const MOBILE_DEPTH: usize = 5;

impl Normaliser {
    /// A normaliser for numbers written without a country code in `region`.
    pub fn new(region: Id) -> Self {
        Self {
            region,
            cn_mobile: HashMap::new(),
            buf: String::with_capacity(24),
        }
    }

    /// The E.164 form of `text`, e.g. `138 1234 5678` → `+8613812345678`.
    pub fn normalise(&mut self, text: &str) -> Result<String, PhoneProblem> {
        let t = text.trim();
        if let Some(mobile) = cn_mobile_digits(&mut self.buf, self.region, t) {
            let prefix: u32 = mobile[..MOBILE_DEPTH]
                .parse()
                .map_err(|_| PhoneProblem::NotANumber)?;
            let valid = match self.cn_mobile.get(&prefix) {
                Some(v) => *v,
                None => {
                    let v = library(Id::CN, mobile).is_ok();
                    self.cn_mobile.insert(prefix, v);
                    v
                }
            };
            return if valid {
                Ok(format!("+86{mobile}"))
            } else {
                Err(PhoneProblem::Invalid)
            };
        }
        library(self.region, t)
    }
}

/// The 11 digits of a mainland mobile written as such (for region CN, or with
/// `+86`/`0086`), separators removed, compacted into `buf`; `None` for anything else.
fn cn_mobile_digits<'b>(buf: &'b mut String, region: Id, t: &str) -> Option<&'b str> {
    buf.clear();
    buf.extend(
        t.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{3000}')),
    );
    let d = if let Some(rest) = buf.strip_prefix("+86").or_else(|| buf.strip_prefix("0086")) {
        rest
    } else if region == Id::CN {
        buf.as_str()
    } else {
        return None;
    };
    (d.len() == 11 && d.starts_with('1') && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// The full library path.
fn library(region: Id, t: &str) -> Result<String, PhoneProblem> {
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return Err(PhoneProblem::NotANumber);
    }
    let n = phonenumber::parse(Some(region), t).map_err(|_| PhoneProblem::NotANumber)?;
    if n.extension().is_some() || !phonenumber::is_valid(&n) {
        return Err(PhoneProblem::Invalid);
    }
    Ok(n.format().mode(Mode::E164).to_string())
}

/// The E.164 digits as an integer, for de-duplication without keeping strings (E.164
/// has at most 15 digits, which fits a u64).
pub fn e164_key(e164: &str) -> u64 {
    e164.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |acc, b| {
            acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> Result<String, PhoneProblem> {
        Normaliser::new(Id::CN).normalise(s)
    }

    #[test]
    fn mainland_and_international() {
        let ok = [
            ("13812345678", "+8613812345678"),
            ("138 1234 5678", "+8613812345678"),
            ("138-1234-5678", "+8613812345678"),
            ("+86 138 1234 5678", "+8613812345678"),
            ("008613812345678", "+8613812345678"),
            ("010-12345678", "+861012345678"),
            ("(021) 6234 5678", "+862162345678"),
            ("0755-23456789", "+8675523456789"),
            ("+1 415 555 2671", "+14155552671"),
            ("+44 20 7946 0958", "+442079460958"),
        ];
        for (input, want) in ok {
            assert_eq!(norm(input).as_deref(), Ok(want), "{input}");
        }
        for bad in [
            "1381234567",
            "138123456789",
            "12012345678",
            "10086",
            "+86 138 1234 567",
        ] {
            assert_eq!(norm(bad), Err(PhoneProblem::Invalid), "{bad}");
        }
        for junk in ["", "abc", "n/a"] {
            assert_eq!(norm(junk), Err(PhoneProblem::NotANumber), "{junk}");
        }
        assert_eq!(e164_key("+8613812345678"), 8613812345678);
    }

    /// The prefix cache must agree with the library, output included, for every
    /// 5-digit mobile prefix.
    #[test]
    fn mobile_cache_agrees_with_library() {
        let mut valid = 0;
        for prefix in 10_000u32..20_000 {
            for tail in ["000000", "987654"] {
                // A fresh normaliser per number: the first lookup of a prefix fills the
                // cache from this very number, the second must come from the cache.
                let s = format!("{prefix}{tail}");
                let mut n = Normaliser::new(Id::CN);
                let first = n.normalise(&format!("{prefix}123456")).is_ok();
                let cached = n.normalise(&s).ok();
                let direct = library(Id::CN, &s).ok();
                assert_eq!(cached, direct, "{s}");
                assert_eq!(
                    first,
                    direct.is_some(),
                    "{s}: validity differs within one prefix"
                );
                valid += usize::from(direct.is_some());
            }
        }
        assert!(valid > 5_000, "{valid} valid");
    }
}
