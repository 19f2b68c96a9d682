//! The client's address behind a reverse proxy. The connection's peer is the
//! client unless it is one of the configured trusted proxies; then the
//! `X-Forwarded-For` chain is read from the right, skipping trusted proxies,
//! and the first address not trusted is the client — an address a client
//! wrote into the header itself is never believed. Login and public-page rate
//! limits, lockouts and the audit log use this address.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// A trusted-proxy entry that is neither an IP address nor a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or network (CIDR)")]
pub struct BadProxyEntry(pub String);

/// The reverse proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.5`, `::1`) and networks (`10.0.0.0/8`); the
    /// error names the entry that is neither.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, BadProxyEntry> {
        entries
            .iter()
            .map(|e| {
                let e = e.as_ref().trim();
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxyEntry(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the connection's peer is a trusted proxy (whose forwarding
    /// headers may be believed); an unknown peer is not.
    pub fn trusts_peer(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|p| self.trusts(p))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a connection from `peer` with `headers`.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let chain: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop.parse::<IpAddr>() {
                // A garbled entry: nothing left of it can be believed; the
                // last trusted hop stands for the client.
                Err(_) => return Some(client),
                Ok(ip) if self.trusts(ip) => client = ip,
                Ok(ip) => return Some(ip),
            }
        }
        Some(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        let h = headers(&["1.2.3.4"]);
        assert_eq!(none.client_ip(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        let proxies = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        assert_eq!(proxies.client_ip(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        assert_eq!(proxies.client_ip(None, &h), None);
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        // The client forged a first entry; the proxies appended the real ones.
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &h), ip("198.51.100.7"));
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&["198.51.100.7, not-an-ip", "10.1.2.3"]);
        assert_eq!(proxies.client_ip(ip("127.0.0.1"), &h), ip("10.1.2.3"));
        // IPv4-mapped IPv6 peers are matched as IPv4.
        assert_eq!(
            proxies.client_ip(ip("::ffff:127.0.0.1"), &headers(&["2001:db8::5"])),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let err = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/33"]).unwrap_err();
        assert_eq!(err, BadProxyEntry("10.0.0.0/33".into()));
        assert_eq!(
            err.to_string(),
            "\"10.0.0.0/33\" is not an IP address or network (CIDR)"
        );
        assert!(TrustedProxies::parse(&["fd00::/8", "::1"]).is_ok());
    }
}
