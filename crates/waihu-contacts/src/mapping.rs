//! Column mapping: which header holds the number, the name, the consent evidence and
//! the time zone; every other column becomes a custom field (a script variable).
//! Without an explicit mapping, common English and Chinese headers are recognised.

use crate::error::ImportError;
use serde::Deserialize;
use std::sync::Arc;

/// A field waihu understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The phone number (required).
    Number,
    /// The contact's name.
    Name,
    /// Consent: where it was collected.
    ConsentSource,
    /// Consent: when (RFC 3339).
    ConsentTime,
    /// Consent: `PURPOSE[,PURPOSE…][,share_leads]`.
    ConsentScope,
    /// Consent: reference to the evidence.
    ConsentRef,
    /// Consent: the wording agreed to.
    ConsentWording,
    /// Consent: expiry (RFC 3339), optional.
    ConsentExpiry,
    /// IANA time zone overriding the one derived from the number.
    Timezone,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 9] = [
        Field::Number,
        Field::Name,
        Field::ConsentSource,
        Field::ConsentTime,
        Field::ConsentScope,
        Field::ConsentRef,
        Field::ConsentWording,
        Field::ConsentExpiry,
        Field::Timezone,
    ];

    /// The canonical name (also the key in a mapping file).
    pub fn key(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Name => "name",
            Field::ConsentSource => "consent_source",
            Field::ConsentTime => "consent_time",
            Field::ConsentScope => "consent_scope",
            Field::ConsentRef => "consent_ref",
            Field::ConsentWording => "consent_wording",
            Field::ConsentExpiry => "consent_expiry",
            Field::Timezone => "timezone",
        }
    }

    /// Recognised headers, compared after [`normalise_header`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Number => &[
                "phone",
                "mobile",
                "number",
                "phonenumber",
                "mobilenumber",
                "mobilephone",
                "cellphone",
                "tel",
                "telephone",
                "手机",
                "手机号",
                "手机号码",
                "电话",
                "电话号码",
                "号码",
                "联系电话",
            ],
            Field::Name => &[
                "name",
                "fullname",
                "contactname",
                "姓名",
                "名字",
                "客户姓名",
                "联系人",
            ],
            Field::ConsentSource => &["consentsource", "同意来源", "授权来源"],
            Field::ConsentTime => &[
                "consenttime",
                "consentat",
                "consentgivenat",
                "同意时间",
                "授权时间",
            ],
            Field::ConsentScope => &["consentscope", "同意范围", "授权范围"],
            Field::ConsentRef => &["consentref", "consentreference", "同意凭证", "授权凭证"],
            Field::ConsentWording => &[
                "consentwording",
                "consenttext",
                "同意文本",
                "同意内容",
                "授权文本",
            ],
            Field::ConsentExpiry => &[
                "consentexpiry",
                "consentexpires",
                "consentexpiresat",
                "同意有效期",
                "授权有效期",
            ],
            Field::Timezone => &["timezone", "tz", "时区"],
        }
    }
}

/// Header text reduced for matching: trimmed, ASCII-lowercased, without spaces,
/// `_`, `-` and a trailing `*` (a common "required" marker).
pub fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_end_matches('*')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An explicit mapping, e.g. from a `--mapping` TOML or JSON file. Each field names a
/// header text; unset fields are recognised automatically.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnMapping {
    /// Header of the number column.
    pub number: Option<String>,
    /// Header of the name column.
    pub name: Option<String>,
    /// Header of the consent source column.
    pub consent_source: Option<String>,
    /// Header of the consent time column.
    pub consent_time: Option<String>,
    /// Header of the consent scope column.
    pub consent_scope: Option<String>,
    /// Header of the consent reference column.
    pub consent_ref: Option<String>,
    /// Header of the consent wording column.
    pub consent_wording: Option<String>,
    /// Header of the consent expiry column.
    pub consent_expiry: Option<String>,
    /// Header of the time-zone column.
    pub timezone: Option<String>,
    /// Headers kept as custom fields; `None` keeps every other column.
    pub custom: Option<Vec<String>>,
    /// Headers to drop.
    pub ignore: Vec<String>,
}

impl ColumnMapping {
    fn get(&self, f: Field) -> Option<&str> {
        match f {
            Field::Number => self.number.as_deref(),
            Field::Name => self.name.as_deref(),
            Field::ConsentSource => self.consent_source.as_deref(),
            Field::ConsentTime => self.consent_time.as_deref(),
            Field::ConsentScope => self.consent_scope.as_deref(),
            Field::ConsentRef => self.consent_ref.as_deref(),
            Field::ConsentWording => self.consent_wording.as_deref(),
            Field::ConsentExpiry => self.consent_expiry.as_deref(),
            Field::Timezone => self.timezone.as_deref(),
        }
    }
}

/// The mapping resolved against one file's header row.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    idx: [Option<usize>; 9],
    headers: Vec<String>,
    /// (column index, header) of the custom fields, in file order.
    pub custom: Vec<(usize, Arc<str>)>,
}

impl Columns {
    pub fn resolve(headers: Vec<String>, m: &ColumnMapping) -> Result<Columns, ImportError> {
        let find_exact = |h: &str| headers.iter().position(|x| x.trim() == h.trim());
        let mut idx = [None; 9];
        for (i, f) in Field::ALL.into_iter().enumerate() {
            idx[i] = match m.get(f) {
                Some(h) => {
                    Some(
                        find_exact(h).ok_or_else(|| ImportError::MappingColumnNotFound {
                            field: f.key(),
                            header: h.to_string(),
                        })?,
                    )
                }
                None => {
                    // First unclaimed header that matches an alias.
                    headers.iter().enumerate().position(|(j, h)| {
                        !idx.contains(&Some(j))
                            && f.aliases().contains(&normalise_header(h).as_str())
                    })
                }
            };
        }
        if idx[0].is_none() {
            return Err(ImportError::MissingNumberColumn { headers });
        }
        let custom = match &m.custom {
            Some(list) => list
                .iter()
                .map(|h| {
                    find_exact(h)
                        .map(|j| (j, Arc::from(headers[j].trim())))
                        .ok_or_else(|| ImportError::MappingColumnNotFound {
                            field: "custom",
                            header: h.clone(),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => headers
                .iter()
                .enumerate()
                .filter(|(j, h)| {
                    !idx.contains(&Some(*j))
                        && !h.trim().is_empty()
                        && !m.ignore.iter().any(|x| x.trim() == h.trim())
                })
                .map(|(j, h)| (j, Arc::from(h.trim())))
                .collect(),
        };
        Ok(Columns {
            idx,
            headers,
            custom,
        })
    }

    /// The column index of a field.
    pub fn index(&self, f: Field) -> Option<usize> {
        self.idx[f as usize]
    }

    /// The header text of a field's column, or its canonical name if unmapped.
    pub fn header(&self, f: Field) -> String {
        self.index(f)
            .and_then(|i| self.headers.get(i))
            .map_or_else(|| f.key().to_string(), |h| h.trim().to_string())
    }

    /// Whether any consent column exists.
    pub fn has_consent_columns(&self) -> bool {
        Field::ALL[2..8].iter().any(|f| self.index(*f).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_chinese_and_english_headers() {
        let c = Columns::resolve(
            hs(&["姓名", " 手机号 ", "城市", "Consent_Time", "备注"]),
            &ColumnMapping::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.index(Field::Number), Some(1));
        assert_eq!(c.index(Field::Name), Some(0));
        assert_eq!(c.index(Field::ConsentTime), Some(3));
        assert_eq!(c.header(Field::Number), "手机号");
        assert_eq!(c.header(Field::ConsentScope), "consent_scope");
        let custom: Vec<&str> = c.custom.iter().map(|(_, h)| &**h).collect();
        assert_eq!(custom, ["城市", "备注"]);
        assert!(c.has_consent_columns());
    }

    #[test]
    fn explicit_mapping_wins_and_is_checked() {
        let m = ColumnMapping {
            number: Some("Tel 2".into()),
            ignore: vec!["junk".into()],
            ..Default::default()
        };
        let c =
            Columns::resolve(hs(&["phone", "Tel 2", "junk"]), &m).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.index(Field::Number), Some(1));
        assert_eq!(
            c.custom.iter().map(|(_, h)| &**h).collect::<Vec<_>>(),
            ["phone"]
        );
        let m = ColumnMapping {
            name: Some("Who".into()),
            ..Default::default()
        };
        assert_eq!(
            Columns::resolve(hs(&["phone"]), &m).err(),
            Some(ImportError::MappingColumnNotFound {
                field: "name",
                header: "Who".into()
            })
        );
        assert!(matches!(
            Columns::resolve(hs(&["名字", "地址"]), &ColumnMapping::default()),
            Err(ImportError::MissingNumberColumn { .. })
        ));
    }
}
