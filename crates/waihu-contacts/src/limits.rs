//! How much one import may hold. A contact file comes from a tenant; the platform
//! must read it in bounded memory whatever it claims or contains. Whole-file
//! limits (file size, XLSX parts, rows, columns, header length) refuse the file
//! before anything is written; field limits and control characters reject the
//! row, which is reported like any other bad row (docs/contacts.md, "Limits").

use crate::mapping::Field;

/// The largest contact file accepted, in bytes (the web form's limit too).
pub const MAX_FILE_BYTES: usize = 32 << 20;

/// The limits of one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Largest file (bytes).
    pub file_bytes: usize,
    /// Largest sum of the uncompressed sizes of an XLSX's parts (bytes), as
    /// declared and as actually decompressed.
    pub xlsx_uncompressed: u64,
    /// Largest shared-strings part of an XLSX (bytes, uncompressed): the reader
    /// holds all shared strings at once.
    pub xlsx_shared_strings: u64,
    /// Longest stretch of XML between two `<` in a sheet or the shared strings
    /// (bytes): bounds any one cell before the spreadsheet reader allocates it.
    pub xlsx_text_run: usize,
    /// Most parts (files) in an XLSX.
    pub xlsx_parts: usize,
    /// Most data rows.
    pub rows: u64,
    /// Most columns (a cell further right refuses the file).
    pub columns: usize,
    /// Longest header text (characters): headers become custom-field names.
    pub header_chars: usize,
    /// Longest number cell (characters).
    pub number_chars: usize,
    /// Longest name (characters).
    pub name_chars: usize,
    /// Longest consent source, time, scope, reference or expiry (characters).
    pub consent_chars: usize,
    /// Longest consent wording (characters).
    pub wording_chars: usize,
    /// Longest time-zone cell (characters).
    pub timezone_chars: usize,
    /// Longest custom-field value (characters).
    pub custom_chars: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            file_bytes: MAX_FILE_BYTES,
            xlsx_uncompressed: 160 << 20,
            xlsx_shared_strings: 48 << 20,
            xlsx_text_run: 64 << 10,
            xlsx_parts: 1000,
            rows: 1_000_000,
            columns: 200,
            header_chars: 100,
            number_chars: 64,
            name_chars: 100,
            consent_chars: 500,
            wording_chars: 2000,
            timezone_chars: 64,
            custom_chars: 1000,
        }
    }
}

impl ImportLimits {
    /// Longest value of a field's column (characters); `None` = a custom field.
    pub(crate) fn max_chars(&self, field: Option<Field>) -> usize {
        match field {
            Some(Field::Number) => self.number_chars,
            Some(Field::Name) => self.name_chars,
            Some(Field::ConsentWording) => self.wording_chars,
            Some(Field::Timezone) => self.timezone_chars,
            Some(
                Field::ConsentSource
                | Field::ConsentTime
                | Field::ConsentScope
                | Field::ConsentRef
                | Field::ConsentExpiry,
            ) => self.consent_chars,
            None => self.custom_chars,
        }
    }
}

/// Whether a field may hold line breaks and tabs (free text: custom fields and
/// the consent wording); every other control character is refused everywhere.
pub(crate) fn multiline(field: Option<Field>) -> bool {
    matches!(field, None | Some(Field::ConsentWording))
}

/// The first refused control character of `s` and its 1-based position: C0 and
/// C1 controls and DEL (NUL, escape sequences…), plus tab and line breaks
/// unless `multiline`.
pub(crate) fn control_char(s: &str, multiline: bool) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
        .map(|(i, c)| (i + 1, c))
}

/// The number of characters of `s` when over `max`, counting no further than
/// needed for short cells.
pub(crate) fn over_long(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_where_they_are() {
        assert_eq!(control_char("张三", false), None);
        assert_eq!(control_char("张\0三", false), Some((2, '\0')));
        assert_eq!(control_char("a\u{1b}[31m", true), Some((2, '\u{1b}')));
        assert_eq!(control_char("a\u{85}", true), Some((2, '\u{85}')));
        assert_eq!(control_char("a\u{7f}", true), Some((2, '\u{7f}')));
        assert_eq!(control_char("line\nbreak\ttab", true), None);
        assert_eq!(control_char("line\nbreak", false), Some((5, '\n')));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(over_long(&"张".repeat(100), 100), None);
        assert_eq!(over_long(&"张".repeat(101), 100), Some(101));
        assert_eq!(over_long("abc", 2), Some(3));
    }
}
