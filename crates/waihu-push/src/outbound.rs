//! The outbound URL policy, pure: which URLs a tenant may make the platform call,
//! and which addresses a call may reach. A tenant sets a URL; the platform posts
//! to it from inside the operator's network — so a URL naming loopback, a
//! private network, link-local cloud metadata (`169.254.169.254`) or similar
//! would let a tenant reach services they must not (server-side request forgery).
//!
//! [`OutboundPolicy::check_url`] parses and classifies a URL without I/O: the
//! scheme (http, https, ws, wss), no credentials, and a host that is neither a
//! forbidden address — in any numeric spelling the URL standard accepts
//! (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`) — nor a name reserved for
//! internal use (`localhost`, `*.internal`, `*.local`). Names are resolved at the
//! edge (`crate::resolve`), and every resolved address goes through
//! [`OutboundPolicy::check_addr`] again when connecting. The operator may
//! allow-list networks and host names (`[outbound] allow`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address may not be called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrClass {
    /// `0.0.0.0/8`, `::`: "this host", reaches the local machine.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 `10/8`, `172.16/12`, `192.168/16`, and the shared CGNAT `100.64/10`.
    Private,
    /// `169.254/16` (cloud metadata lives here), `fe80::/10`.
    LinkLocal,
    /// `fc00::/7` (and the deprecated site-local `fec0::/10`).
    UniqueLocal,
    /// `224/4`, `ff00::/8`, and the broadcast address.
    Multicast,
    /// Reserved, documentation and benchmarking ranges: never a real receiver.
    Reserved,
}

impl AddrClass {
    /// Words for an error message.
    pub fn as_str(self) -> &'static str {
        match self {
            AddrClass::Unspecified => "an unspecified address",
            AddrClass::Loopback => "a loopback address",
            AddrClass::Private => "a private-network address",
            AddrClass::LinkLocal => "a link-local address",
            AddrClass::UniqueLocal => "a unique-local address",
            AddrClass::Multicast => "a multicast or broadcast address",
            AddrClass::Reserved => "a reserved address",
        }
    }
}

/// The class of a non-public address; `None` for an address on the internet.
pub fn classify(ip: IpAddr) -> Option<AddrClass> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddrClass> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => AddrClass::Unspecified,
        (127, _, _) => AddrClass::Loopback,
        (10, _, _) => AddrClass::Private,
        (172, 16..=31, _) | (192, 168, _) => AddrClass::Private,
        (100, 64..=127, _) => AddrClass::Private,
        (169, 254, _) => AddrClass::LinkLocal,
        (224..=239, _, _) => AddrClass::Multicast,
        (255, 255, 255) if ip == Ipv4Addr::BROADCAST => AddrClass::Multicast,
        // 192.0.0/24 IETF protocol assignments, 192.0.2/24, 198.51.100/24 and
        // 203.0.113/24 documentation, 198.18/15 benchmarking, 240/4 reserved.
        (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddrClass::Reserved,
        (198, 18..=19, _) => AddrClass::Reserved,
        (240..=255, _, _) => AddrClass::Reserved,
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddrClass> {
    if ip.is_unspecified() {
        return Some(AddrClass::Unspecified);
    }
    if ip.is_loopback() {
        return Some(AddrClass::Loopback);
    }
    // An IPv4 address carried in IPv6 reaches that IPv4 host: IPv4-mapped
    // `::ffff:a.b.c.d`, the deprecated IPv4-compatible `::a.b.c.d`, NAT64
    // `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::`.
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    Some(match s[0] {
        0xfe80..=0xfebf => AddrClass::LinkLocal,
        0xfec0..=0xfeff => AddrClass::UniqueLocal,
        0xfc00..=0xfdff => AddrClass::UniqueLocal,
        0xff00..=0xffff => AddrClass::Multicast,
        // 2001:db8::/32 documentation, 100::/64 discard, ::/8 reserved.
        0x2001 if s[1] == 0x0db8 => AddrClass::Reserved,
        0x0100 if s[1..4] == [0, 0, 0] => AddrClass::Reserved,
        0x0000..=0x00ff => AddrClass::Reserved,
        _ => return None,
    })
}

fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] => Some(low()),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low()),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// Host names that name the local machine or an internal network wherever they
/// are resolved: refused without asking DNS.
fn internal_name(host: &str) -> bool {
    const NAMES: [&str; 3] = ["localhost", "metadata", "metadata.google.internal"];
    const SUFFIXES: [&str; 5] = [".localhost", ".internal", ".local", ".home.arpa", ".lan"];
    NAMES.contains(&host) || SUFFIXES.iter().any(|s| host.ends_with(s))
}

/// A URL or address the policy refuses; the message is meant for the tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// Not a URL at all.
    #[error("the URL is not valid: {0}")]
    Invalid(String),
    /// A scheme other than http, https, ws and wss.
    #[error(
        "the URL must start with http://, https://, ws:// or wss:// and name a host, not '{0}:'"
    )]
    Scheme(String),
    /// `user:password@` in the URL.
    #[error(
        "the URL must not carry a user name or password; put the credential in the secret field"
    )]
    Credentials,
    /// A name reserved for the local machine or an internal network.
    #[error("the host {host} is an internal name; the platform does not call internal services unless the operator allows them")]
    InternalName {
        /// The host as written (lower case).
        host: String,
    },
    /// An address (given or resolved) that is not on the internet.
    #[error("the host {host} is {} ({addr}); the platform does not call internal addresses unless the operator allows them", .class.as_str())]
    Forbidden {
        /// The host as written.
        host: String,
        /// The address it is or resolves to.
        addr: IpAddr,
        /// Why it is refused.
        class: AddrClass,
    },
    /// The name did not resolve to any address.
    #[error("the host {host} could not be resolved: {reason}")]
    Unresolved {
        /// The host.
        host: String,
        /// What the resolver said.
        reason: String,
    },
}

/// One allow-list entry of the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allow {
    /// A network (`10.0.0.0/8`) or one address (`127.0.0.1`).
    Net(ipnet::IpNet),
    /// A host name, lower case; its resolved addresses are not checked.
    Host(String),
}

/// The policy: everything public, plus what the operator allow-lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow: Vec<Allow>,
}

/// An allow-list entry that is neither a network, an address nor a host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outbound allow-list entry {0:?} is not an address, a network (10.0.0.0/8) or a host name")]
pub struct BadAllowEntry(pub String);

impl fmt::Display for OutboundPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.allow.is_empty() {
            return f.write_str("public addresses only");
        }
        f.write_str("public addresses and ")?;
        for (i, a) in self.allow.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match a {
                Allow::Net(n) => write!(f, "{n}")?,
                Allow::Host(h) => f.write_str(h)?,
            }
        }
        Ok(())
    }
}

impl OutboundPolicy {
    /// The default: public addresses only.
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Public addresses plus the operator's `entries`: addresses (`127.0.0.1`,
    /// `::1`), networks (`10.0.0.0/8`) and host names (`crm.corp.internal`).
    pub fn allowing<S: AsRef<str>>(entries: &[S]) -> Result<Self, BadAllowEntry> {
        let mut allow = Vec::new();
        for raw in entries {
            let e = raw.as_ref().trim();
            if e.is_empty() {
                continue;
            }
            let entry = if let Ok(net) = e.parse::<ipnet::IpNet>() {
                Allow::Net(net)
            } else if let Ok(ip) = e.trim_matches(['[', ']']).parse::<IpAddr>() {
                Allow::Net(ipnet::IpNet::from(ip))
            } else if is_host_name(e) {
                Allow::Host(e.trim_end_matches('.').to_ascii_lowercase())
            } else {
                return Err(BadAllowEntry(e.to_string()));
            };
            allow.push(entry);
        }
        Ok(Self { allow })
    }

    /// Whether the operator allow-listed this host name.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allow
            .iter()
            .any(|a| matches!(a, Allow::Host(h) if *h == host))
    }

    fn allows_addr(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.allow
            .iter()
            .any(|a| matches!(a, Allow::Net(n) if n.contains(&ip)))
    }

    /// Whether `host` (as written in the URL) may be reached at `addr`.
    pub fn check_addr(&self, host: &str, addr: IpAddr) -> Result<(), OutboundError> {
        if self.allows_host(host) || self.allows_addr(addr) {
            return Ok(());
        }
        match classify(addr) {
            None => Ok(()),
            Some(class) => Err(OutboundError::Forbidden {
                host: host.to_string(),
                addr,
                class,
            }),
        }
    }

    /// Parses `raw` and checks everything that needs no DNS: scheme, credentials,
    /// a literal address in any spelling, internal names. A host name that
    /// passes still has to pass [`Self::check_addr`] for each address it
    /// resolves to.
    pub fn check_url(&self, raw: &str) -> Result<url::Url, OutboundError> {
        let url = url::Url::parse(raw.trim()).map_err(|e| OutboundError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
            return Err(OutboundError::Scheme(url.scheme().to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::Credentials);
        }
        match url.host() {
            None => Err(OutboundError::Scheme(url.scheme().to_string())),
            Some(url::Host::Ipv4(v4)) => {
                self.check_addr(&v4.to_string(), IpAddr::V4(v4))?;
                Ok(url)
            }
            Some(url::Host::Ipv6(v6)) => {
                self.check_addr(&format!("[{v6}]"), IpAddr::V6(v6))?;
                Ok(url)
            }
            Some(url::Host::Domain(d)) => {
                let host = d.trim_end_matches('.').to_ascii_lowercase();
                if internal_name(&host) && !self.allows_host(&host) {
                    return Err(OutboundError::InternalName { host });
                }
                Ok(url)
            }
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is, so that an allow-list
/// entry `127.0.0.1` also covers `::ffff:127.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn is_host_name(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> OutboundError {
        OutboundPolicy::public_only().check_url(url).expect_err(url)
    }

    #[test]
    fn every_internal_spelling_is_refused_by_default() {
        let cases = [
            ("http://127.0.0.1/h", AddrClass::Loopback),
            ("http://2130706433/h", AddrClass::Loopback),
            ("http://0x7f.1/h", AddrClass::Loopback),
            ("http://0177.0.0.1/h", AddrClass::Loopback),
            ("http://127.1/h", AddrClass::Loopback),
            ("http://0.0.0.0/h", AddrClass::Unspecified),
            ("http://0/h", AddrClass::Unspecified),
            ("http://[::1]/h", AddrClass::Loopback),
            ("http://[::]/h", AddrClass::Unspecified),
            ("http://[::ffff:127.0.0.1]/h", AddrClass::Loopback),
            ("http://[::ffff:7f00:1]/h", AddrClass::Loopback),
            ("http://[::ffff:10.0.0.1]/h", AddrClass::Private),
            ("http://[64:ff9b::a9fe:a9fe]/h", AddrClass::LinkLocal),
            ("http://[2002:c0a8:0101::1]/h", AddrClass::Private),
            ("http://10.1.2.3/h", AddrClass::Private),
            ("http://172.16.0.1/h", AddrClass::Private),
            ("http://172.31.255.255/h", AddrClass::Private),
            ("http://192.168.1.1:8080/h", AddrClass::Private),
            ("http://100.64.0.1/h", AddrClass::Private),
            (
                "http://169.254.169.254/latest/meta-data/",
                AddrClass::LinkLocal,
            ),
            ("http://[fe80::1]/h", AddrClass::LinkLocal),
            ("http://[fd00::1]/h", AddrClass::UniqueLocal),
            ("http://[fc00::1]/h", AddrClass::UniqueLocal),
            ("http://224.0.0.1/h", AddrClass::Multicast),
            ("http://255.255.255.255/h", AddrClass::Multicast),
            ("http://[ff02::1]/h", AddrClass::Multicast),
            ("http://240.0.0.1/h", AddrClass::Reserved),
            ("wss://192.0.2.1/h", AddrClass::Reserved),
        ];
        for (url, want) in cases {
            match refused(url) {
                OutboundError::Forbidden { class, .. } => assert_eq!(class, want, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn internal_names_are_refused_without_dns() {
        for url in [
            "http://localhost/h",
            "http://LOCALHOST./h",
            "http://api.localhost/h",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://metadata/h",
            "https://printer.local/h",
            "https://crm.corp.internal/h",
        ] {
            assert!(
                matches!(refused(url), OutboundError::InternalName { .. }),
                "{url}"
            );
        }
    }

    #[test]
    fn schemes_and_credentials() {
        for url in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "gopher://x/",
            "data:text/plain,x",
        ] {
            assert!(matches!(refused(url), OutboundError::Scheme(_)), "{url}");
        }
        for url in [
            "https://user:pw@crm.example/hook",
            "https://user@crm.example/hook",
            "https://:pw@crm.example/hook",
        ] {
            let e = refused(url);
            assert_eq!(e, OutboundError::Credentials, "{url}");
            assert!(e.to_string().contains("secret field"), "{e}");
            assert!(!e.to_string().contains("pw"), "{e}");
        }
        assert!(matches!(refused("not a url"), OutboundError::Invalid(_)));
    }

    #[test]
    fn public_urls_pass() {
        let p = OutboundPolicy::public_only();
        for url in [
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "http://8.8.8.8/h",
            "ws://1.1.1.1:8080/h",
            "wss://crm.example/h",
            "https://[2606:4700::1111]/h",
            "http://172.32.0.1/h",
            "http://100.128.0.1/h",
            "http://169.255.0.1/h",
        ] {
            assert!(p.check_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn the_operator_allow_list_opens_exactly_what_it_names() {
        let p = OutboundPolicy::allowing(&["127.0.0.1", "10.0.0.0/8", "crm.corp.internal", " "])
            .unwrap();
        assert!(p.check_url("http://127.0.0.1:9000/h").is_ok());
        assert!(p.check_url("http://[::ffff:127.0.0.1]/h").is_ok());
        assert!(p.check_url("http://10.9.8.7/h").is_ok());
        assert!(p.check_url("https://crm.corp.internal/h").is_ok());
        assert!(p
            .check_addr("crm.corp.internal", "192.168.0.5".parse().unwrap())
            .is_ok());
        assert!(p.check_url("http://127.0.0.2/h").is_err());
        assert!(p.check_url("http://192.168.0.1/h").is_err());
        assert!(p.check_url("http://localhost/h").is_err());
        assert!(p
            .check_addr("evil.example", "192.168.0.5".parse().unwrap())
            .is_err());
        assert!(p.check_url("https://u:p@crm.corp.internal/h").is_err());
        assert!(OutboundPolicy::allowing(&["not a host/"]).is_err());
        assert!(OutboundPolicy::allowing(&["[::1]"]).is_ok());
    }

    #[test]
    fn resolved_addresses_are_checked_like_literals() {
        let p = OutboundPolicy::public_only();
        let e = p
            .check_addr("rebind.example", "127.0.0.1".parse().unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("rebind.example"), "{e}");
        assert!(e.to_string().contains("loopback"), "{e}");
        assert!(p
            .check_addr("ok.example", "93.184.216.34".parse().unwrap())
            .is_ok());
    }
}
