//! The callee's time zone(s), from the number: mainland China (+86) → Asia/Shanghai,
//! North American numbers by area code (see `nanp`), other countries by country code;
//! an explicit per-contact override wins. Where a number maps to several zones, a
//! calling window must hold in all of them. Lookups are table searches, no allocation.

use chrono_tz::Tz;

/// Where a callee's local time is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalleeZones {
    /// The contact's explicit time zone.
    Override(Tz),
    /// Derived from the number; one or more zones.
    FromNumber(&'static [Tz]),
    /// The number's country is not in the table (or the number is not E.164).
    Unknown,
}

impl CalleeZones {
    /// The zones a window must hold in; empty when unknown.
    pub fn zones(&self) -> &[Tz] {
        match self {
            CalleeZones::Override(tz) => std::slice::from_ref(tz),
            CalleeZones::FromNumber(z) => z,
            CalleeZones::Unknown => &[],
        }
    }

    /// The zone names joined by `, ` (for messages).
    pub fn names(&self) -> String {
        self.zones()
            .iter()
            .map(|z| z.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// (country calling code, zones), sorted by code.
static COUNTRY_CODES: [(&str, &[Tz]); 93] = [
    ("20", &[Tz::Africa__Cairo]),
    ("212", &[Tz::Africa__Casablanca]),
    ("213", &[Tz::Africa__Algiers]),
    ("216", &[Tz::Africa__Tunis]),
    ("233", &[Tz::Africa__Accra]),
    ("234", &[Tz::Africa__Lagos]),
    ("251", &[Tz::Africa__Addis_Ababa]),
    ("254", &[Tz::Africa__Nairobi]),
    ("255", &[Tz::Africa__Dar_es_Salaam]),
    ("256", &[Tz::Africa__Kampala]),
    ("27", &[Tz::Africa__Johannesburg]),
    ("30", &[Tz::Europe__Athens]),
    ("31", &[Tz::Europe__Amsterdam]),
    ("32", &[Tz::Europe__Brussels]),
    ("33", &[Tz::Europe__Paris]),
    ("34", &[Tz::Europe__Madrid, Tz::Atlantic__Canary]),
    ("351", &[Tz::Europe__Lisbon, Tz::Atlantic__Azores]),
    ("352", &[Tz::Europe__Luxembourg]),
    ("353", &[Tz::Europe__Dublin]),
    ("354", &[Tz::Atlantic__Reykjavik]),
    ("358", &[Tz::Europe__Helsinki]),
    ("359", &[Tz::Europe__Sofia]),
    ("36", &[Tz::Europe__Budapest]),
    ("370", &[Tz::Europe__Vilnius]),
    ("371", &[Tz::Europe__Riga]),
    ("372", &[Tz::Europe__Tallinn]),
    ("380", &[Tz::Europe__Kyiv]),
    ("385", &[Tz::Europe__Zagreb]),
    ("386", &[Tz::Europe__Ljubljana]),
    ("39", &[Tz::Europe__Rome]),
    ("40", &[Tz::Europe__Bucharest]),
    ("41", &[Tz::Europe__Zurich]),
    ("420", &[Tz::Europe__Prague]),
    ("421", &[Tz::Europe__Bratislava]),
    ("43", &[Tz::Europe__Vienna]),
    ("44", &[Tz::Europe__London]),
    ("45", &[Tz::Europe__Copenhagen]),
    ("46", &[Tz::Europe__Stockholm]),
    ("47", &[Tz::Europe__Oslo]),
    ("48", &[Tz::Europe__Warsaw]),
    ("49", &[Tz::Europe__Berlin]),
    ("51", &[Tz::America__Lima]),
    (
        "52",
        &[
            Tz::America__Mexico_City,
            Tz::America__Cancun,
            Tz::America__Mazatlan,
            Tz::America__Hermosillo,
            Tz::America__Tijuana,
        ],
    ),
    ("53", &[Tz::America__Havana]),
    ("54", &[Tz::America__Argentina__Buenos_Aires]),
    (
        "55",
        &[
            Tz::America__Noronha,
            Tz::America__Sao_Paulo,
            Tz::America__Manaus,
            Tz::America__Rio_Branco,
        ],
    ),
    ("56", &[Tz::America__Santiago, Tz::Pacific__Easter]),
    ("57", &[Tz::America__Bogota]),
    ("58", &[Tz::America__Caracas]),
    ("60", &[Tz::Asia__Kuala_Lumpur]),
    (
        "61",
        &[
            Tz::Australia__Perth,
            Tz::Australia__Darwin,
            Tz::Australia__Adelaide,
            Tz::Australia__Brisbane,
            Tz::Australia__Sydney,
        ],
    ),
    (
        "62",
        &[Tz::Asia__Jakarta, Tz::Asia__Makassar, Tz::Asia__Jayapura],
    ),
    ("63", &[Tz::Asia__Manila]),
    ("64", &[Tz::Pacific__Auckland]),
    ("65", &[Tz::Asia__Singapore]),
    ("66", &[Tz::Asia__Bangkok]),
    (
        "7",
        &[
            Tz::Europe__Kaliningrad,
            Tz::Europe__Moscow,
            Tz::Europe__Samara,
            Tz::Asia__Yekaterinburg,
            Tz::Asia__Omsk,
            Tz::Asia__Novosibirsk,
            Tz::Asia__Krasnoyarsk,
            Tz::Asia__Irkutsk,
            Tz::Asia__Yakutsk,
            Tz::Asia__Vladivostok,
            Tz::Asia__Magadan,
            Tz::Asia__Kamchatka,
            Tz::Asia__Almaty,
        ],
    ),
    ("81", &[Tz::Asia__Tokyo]),
    ("82", &[Tz::Asia__Seoul]),
    ("84", &[Tz::Asia__Ho_Chi_Minh]),
    ("852", &[Tz::Asia__Hong_Kong]),
    ("853", &[Tz::Asia__Macau]),
    ("855", &[Tz::Asia__Phnom_Penh]),
    ("856", &[Tz::Asia__Vientiane]),
    ("86", &[Tz::Asia__Shanghai]),
    ("880", &[Tz::Asia__Dhaka]),
    ("886", &[Tz::Asia__Taipei]),
    ("90", &[Tz::Europe__Istanbul]),
    ("91", &[Tz::Asia__Kolkata]),
    ("92", &[Tz::Asia__Karachi]),
    ("93", &[Tz::Asia__Kabul]),
    ("94", &[Tz::Asia__Colombo]),
    ("95", &[Tz::Asia__Yangon]),
    ("960", &[Tz::Indian__Maldives]),
    ("961", &[Tz::Asia__Beirut]),
    ("962", &[Tz::Asia__Amman]),
    ("965", &[Tz::Asia__Kuwait]),
    ("966", &[Tz::Asia__Riyadh]),
    ("968", &[Tz::Asia__Muscat]),
    ("971", &[Tz::Asia__Dubai]),
    ("972", &[Tz::Asia__Jerusalem]),
    ("973", &[Tz::Asia__Bahrain]),
    ("974", &[Tz::Asia__Qatar]),
    ("975", &[Tz::Asia__Thimphu]),
    ("976", &[Tz::Asia__Ulaanbaatar, Tz::Asia__Hovd]),
    ("977", &[Tz::Asia__Kathmandu]),
    ("98", &[Tz::Asia__Tehran]),
    ("992", &[Tz::Asia__Dushanbe]),
    ("993", &[Tz::Asia__Ashgabat]),
    ("994", &[Tz::Asia__Baku]),
    ("995", &[Tz::Asia__Tbilisi]),
    ("996", &[Tz::Asia__Bishkek]),
    ("998", &[Tz::Asia__Tashkent]),
];

/// The zones of a callee: `override_zone` if given, else from the E.164 number.
pub fn callee_zones(e164: &str, override_zone: Option<Tz>) -> CalleeZones {
    if let Some(tz) = override_zone {
        return CalleeZones::Override(tz);
    }
    let Some(digits) = e164.strip_prefix('+') else {
        return CalleeZones::Unknown;
    };
    if let Some(rest) = digits.strip_prefix('1') {
        return match rest.get(..3).and_then(|a| a.parse::<u16>().ok()) {
            Some(area) => CalleeZones::FromNumber(crate::nanp::zones(area)),
            None => CalleeZones::Unknown,
        };
    }
    // Country calling codes are prefix-free: at most one of the 1-3 digit prefixes is a code.
    for len in 1..=3 {
        let Some(prefix) = digits.get(..len) else {
            break;
        };
        if let Ok(i) = COUNTRY_CODES.binary_search_by(|e| e.0.cmp(prefix)) {
            if let Some(e) = COUNTRY_CODES.get(i) {
                return CalleeZones::FromNumber(e.1);
            }
        }
    }
    CalleeZones::Unknown
}

/// The length of the country calling code at the start of `digits` (E.164 without
/// `+`), if the code is known: 1 for NANP, else from the table.
pub(crate) fn country_code_len(digits: &str) -> Option<usize> {
    if digits.starts_with('1') {
        return Some(1);
    }
    (1..=3).find(|&len| {
        digits
            .get(..len)
            .is_some_and(|p| COUNTRY_CODES.binary_search_by(|e| e.0.cmp(p)).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sorted() {
        assert!(COUNTRY_CODES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn zones_from_numbers() {
        assert_eq!(
            callee_zones("+8613812345678", None).zones(),
            &[Tz::Asia__Shanghai]
        );
        assert_eq!(
            callee_zones("+861012345678", None).zones(),
            &[Tz::Asia__Shanghai]
        );
        assert_eq!(
            callee_zones("+85221234567", None).zones(),
            &[Tz::Asia__Hong_Kong]
        );
        assert_eq!(
            callee_zones("+447700900123", None).zones(),
            &[Tz::Europe__London]
        );
        assert_eq!(
            callee_zones("+12125550123", None).zones(),
            &[Tz::America__New_York]
        );
        assert_eq!(
            callee_zones("+19315550123", None).names(),
            "America/New_York, America/Chicago"
        );
        assert_eq!(callee_zones("+2995550123", None), CalleeZones::Unknown);
        assert_eq!(callee_zones("13812345678", None), CalleeZones::Unknown);
        assert_eq!(
            callee_zones("+8613812345678", Some(Tz::Europe__Berlin)).zones(),
            &[Tz::Europe__Berlin]
        );
    }
}
