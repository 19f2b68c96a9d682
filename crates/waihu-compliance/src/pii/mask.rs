//! Masking for display: `+8613812345678` → `138****5678`. Mainland numbers are shown
//! nationally, as Chinese users read them; others keep their `+country` prefix.

/// Masks a number: keeps the first 3 and last 4 digits of the national part, hides the
/// rest with `*` (at least one). Short or odd inputs are masked entirely but for the
/// last 2 digits, so nothing long leaks.
pub fn mask(e164: &str) -> String {
    let (prefix, national) = match e164.strip_prefix('+') {
        Some(d) if d.starts_with("86") => ("", &d[2..]),
        Some(d) => match crate::zones::country_code_len(d) {
            Some(n) => (&d[..n], &d[n..]),
            None => ("", d),
        },
        None => ("", e164),
    };
    let digits: Vec<char> = national.chars().collect();
    let body = if digits.len() >= 8 {
        let hidden = digits.len() - 7;
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(hidden))
    } else {
        let keep = digits.len().min(2);
        let tail: String = digits[digits.len() - keep..].iter().collect();
        format!("{}{tail}", "*".repeat(digits.len() - keep))
    };
    if prefix.is_empty() {
        body
    } else {
        format!("+{prefix} {body}")
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks() {
        assert_eq!(mask("+8613812345678"), "138****5678");
        assert_eq!(mask("+861012345678"), "101***5678");
        assert_eq!(mask("+14155550123"), "+1 415***0123");
        assert_eq!(mask("+447700900123"), "+44 770***0123");
        assert_eq!(mask("12345"), "***45");
        assert_eq!(mask(""), "");
    }
}
