//! SIP facts: the `Reason` header (RFC 3326) and the mapping from a final
//! status and Q.850 cause to a line class. A cause, when present, is more
//! precise than the status (a 480 may carry cause 20, subscriber absent:
//! the phone is off), so it wins.

use crate::class::{LineClass, Reason};

/// One value of a `Reason` header, e.g. `Q.850;cause=1;text="Unallocated"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonHeader {
    /// The protocol: `Q.850`, `SIP`, … (as written).
    pub protocol: String,
    /// The cause code.
    pub cause: u16,
    /// The text, unquoted, if any.
    pub text: Option<String>,
}

/// Why a `Reason` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonParseError {
    /// The header has no value.
    #[error("empty Reason header")]
    Empty,
    /// A value has no `cause=` parameter.
    #[error("Reason value {0:?} has no cause parameter")]
    NoCause(String),
    /// The cause is not a number.
    #[error("Reason cause {0:?} is not a number")]
    BadCause(String),
    /// A quoted text never ends.
    #[error("Reason text is not closed: {0:?}")]
    Unclosed(String),
}

/// Parses a `Reason` header value (with or without the `Reason:` name),
/// which may hold several comma-separated values. Commas inside quoted text
/// do not split.
pub fn parse_reason_header(header: &str) -> Result<Vec<ReasonHeader>, ReasonParseError> {
    let mut value = header.trim();
    if let Some((name, rest)) = value.split_once(':') {
        if name.trim().eq_ignore_ascii_case("reason") {
            value = rest.trim();
        }
    }
    if value.is_empty() {
        return Err(ReasonParseError::Empty);
    }
    split_outside_quotes(value, ',')?
        .into_iter()
        .filter(|v| !v.trim().is_empty())
        .map(parse_one)
        .collect()
}

/// The Q.850 cause of a header, if one of its values is Q.850.
pub fn q850_cause(values: &[ReasonHeader]) -> Option<u16> {
    values
        .iter()
        .find(|v| v.protocol.eq_ignore_ascii_case("Q.850"))
        .map(|v| v.cause)
}

fn parse_one(value: &str) -> Result<ReasonHeader, ReasonParseError> {
    let parts = split_outside_quotes(value, ';')?;
    let protocol = parts.first().map(|p| p.trim()).unwrap_or_default();
    let mut cause = None;
    let mut text = None;
    for param in parts.iter().skip(1) {
        let (key, val) = param.split_once('=').unwrap_or((param, ""));
        let (key, val) = (key.trim(), val.trim());
        if key.eq_ignore_ascii_case("cause") {
            cause = Some(
                val.parse::<u16>()
                    .map_err(|_| ReasonParseError::BadCause(val.to_string()))?,
            );
        } else if key.eq_ignore_ascii_case("text") {
            let unquoted = val
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(val);
            text = Some(unquoted.replace("\\\"", "\""));
        }
    }
    Ok(ReasonHeader {
        protocol: protocol.to_string(),
        cause: cause.ok_or_else(|| ReasonParseError::NoCause(value.trim().to_string()))?,
        text,
    })
}

fn split_outside_quotes(s: &str, sep: char) -> Result<Vec<&str>, ReasonParseError> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return Err(ReasonParseError::Unclosed(s.to_string()));
    }
    out.push(&s[start..]);
    Ok(out)
}

/// The class a Q.850 cause stands for, if it names why the callee cannot be
/// reached (network trouble on our side, e.g. 34 or 38, is not the line's).
pub fn q850_reason(cause: u16) -> Option<Reason> {
    Some(match cause {
        // Unallocated number; number changed; invalid number format.
        1 | 22 | 28 => Reason::VacantNumber,
        // No route to destination; no user responding; destination out of order.
        3 | 18 | 27 => Reason::Unreachable,
        // Subscriber absent: Chinese mobile networks send it for 关机.
        20 => Reason::PoweredOff,
        17 => Reason::Busy,
        // Call rejected; outgoing/incoming calls barred (within CUG); not authorised.
        21 | 53 | 55 | 57 | 87 => Reason::Restricted,
        // Requested facility not subscribed.
        50 => Reason::Suspended,
        _ => return None,
    })
}

/// What a SIP final status (with the Q.850 cause of its `Reason` header, if
/// any) says about the line. `None` for success, provisional statuses and
/// failures that say nothing about the callee (timeouts, server errors).
pub fn classify_sip(status: u16, q850: Option<u16>) -> Option<(LineClass, Option<Reason>)> {
    if status < 300 {
        return None;
    }
    if let Some(reason) = q850.and_then(q850_reason) {
        return Some((LineClass::Announcement, Some(reason)));
    }
    let reason = match status {
        404 | 410 | 484 | 604 => Reason::VacantNumber,
        480 => Reason::Unreachable,
        486 | 600 => Reason::Busy,
        403 => Reason::Restricted,
        _ => return None,
    };
    Some((LineClass::Announcement, Some(reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_q850_with_text_and_name() {
        let v = parse_reason_header(r#"Reason: Q.850;cause=1;text="Unallocated, number""#).unwrap();
        assert_eq!(
            v,
            vec![ReasonHeader {
                protocol: "Q.850".into(),
                cause: 1,
                text: Some("Unallocated, number".into())
            }]
        );
    }

    #[test]
    fn parses_several_values() {
        let v = parse_reason_header(r#"SIP;cause=480;text="x", Q.850 ; cause = 20"#).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(q850_cause(&v), Some(20));
    }

    #[test]
    fn bad_headers_are_errors() {
        assert_eq!(
            parse_reason_header("Reason:  "),
            Err(ReasonParseError::Empty)
        );
        assert!(matches!(
            parse_reason_header("Q.850;text=\"a\""),
            Err(ReasonParseError::NoCause(_))
        ));
        assert!(matches!(
            parse_reason_header("Q.850;cause=x1"),
            Err(ReasonParseError::BadCause(_))
        ));
        assert!(matches!(
            parse_reason_header("Q.850;cause=1;text=\"a"),
            Err(ReasonParseError::Unclosed(_))
        ));
    }

    #[test]
    fn status_and_cause_mapping() {
        use LineClass::Announcement as A;
        type Row = (u16, Option<u16>, Option<(LineClass, Option<Reason>)>);
        let table: &[Row] = &[
            (200, Some(1), None),
            (183, None, None),
            (404, None, Some((A, Some(Reason::VacantNumber)))),
            (484, None, Some((A, Some(Reason::VacantNumber)))),
            (604, None, Some((A, Some(Reason::VacantNumber)))),
            (480, None, Some((A, Some(Reason::Unreachable)))),
            (480, Some(20), Some((A, Some(Reason::PoweredOff)))),
            (480, Some(1), Some((A, Some(Reason::VacantNumber)))),
            (486, None, Some((A, Some(Reason::Busy)))),
            (486, Some(17), Some((A, Some(Reason::Busy)))),
            (403, Some(55), Some((A, Some(Reason::Restricted)))),
            (503, Some(50), Some((A, Some(Reason::Suspended)))),
            (503, None, None),
            (408, None, None),
            (503, Some(34), None),
        ];
        for &(status, cause, want) in table {
            assert_eq!(
                classify_sip(status, cause),
                want,
                "{status} cause {cause:?}"
            );
        }
    }
}
