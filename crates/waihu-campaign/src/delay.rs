//! Short human durations as written in task settings: `45s`, `30m`, `2h`, `1d`,
//! or combinations such as `1h30m`.

use std::fmt;
use std::str::FromStr;

/// A non-negative duration with second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Delay {
    secs: u64,
}

/// Text that is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a duration: {why} (write e.g. 45s, 30m, 2h, 1d or 1h30m)")]
pub struct InvalidDelay {
    /// The text.
    pub text: String,
    /// What is wrong.
    pub why: &'static str,
}

impl Delay {
    /// A delay of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Delay {
        Delay { secs }
    }

    /// A delay of `mins` minutes.
    pub const fn from_mins(mins: u64) -> Delay {
        Delay { secs: mins * 60 }
    }

    /// Whole seconds.
    pub fn as_secs(self) -> u64 {
        self.secs
    }

    /// As a chrono duration.
    pub fn to_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(self.secs.min(i64::MAX as u64) as i64)
    }
}

impl FromStr for Delay {
    type Err = InvalidDelay;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why| InvalidDelay {
            text: s.to_string(),
            why,
        };
        let t = s.trim();
        if t.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut secs: u64 = 0;
        let mut number = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => return Err(bad("units are s, m, h and d")),
            };
            let n: u64 = number.parse().map_err(|_| bad("a unit needs a number"))?;
            number.clear();
            secs = n
                .checked_mul(unit)
                .and_then(|v| secs.checked_add(v))
                .ok_or_else(|| bad("it is too long"))?;
        }
        if !number.is_empty() {
            return Err(bad("the number has no unit"));
        }
        if secs > 366 * 86_400 {
            return Err(bad("it is longer than a year"));
        }
        Ok(Delay { secs })
    }
}

impl fmt::Display for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.secs;
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Delay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Delay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for (text, secs, shown) in [
            ("45s", 45, "45s"),
            ("30m", 1800, "30m"),
            ("2h", 7200, "2h"),
            ("1d", 86_400, "1d"),
            ("1h30m", 5400, "1h30m"),
            ("90m", 5400, "1h30m"),
            ("0s", 0, "0s"),
        ] {
            let d: Delay = text.parse().unwrap();
            assert_eq!(d.as_secs(), secs, "{text}");
            assert_eq!(d.to_string(), shown);
        }
    }

    #[test]
    fn rejects_nonsense() {
        for (text, why) in [
            ("", "it is empty"),
            ("30", "the number has no unit"),
            ("m", "a unit needs a number"),
            ("3x", "units are s, m, h and d"),
            ("400d", "it is longer than a year"),
            ("-1m", "units are s, m, h and d"),
        ] {
            assert_eq!(text.parse::<Delay>().unwrap_err().why, why, "{text}");
        }
    }
}
