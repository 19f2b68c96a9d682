//! RTP port pool: even ports from a configured range, handed out round-robin
//! by binding a UDP socket (the OS tells us when a port is taken, so several
//! processes can share a range). A port returns to the pool when its socket
//! is dropped.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::SipError;

/// A range of RTP ports.
#[derive(Debug)]
pub struct PortPool {
    ip: IpAddr,
    min: u16,
    max: u16,
    cursor: AtomicU32,
}

impl PortPool {
    /// A pool over `min..=max` on `ip`. Port numbers are rounded to even.
    pub fn new(ip: IpAddr, min: u16, max: u16) -> PortPool {
        let min = min.max(1024) & !1;
        let max = max.max(min + 1);
        // Start at a random offset so restarted processes do not collide on
        // ports still in TIME_WAIT-like use by a peer.
        let slots = (max - min) as u32 / 2 + 1;
        let start = rand::random::<u32>() % slots;
        PortPool {
            ip,
            min,
            max,
            cursor: AtomicU32::new(start),
        }
    }

    /// Bind a socket on the next free even port.
    pub fn bind(&self) -> Result<UdpSocket, SipError> {
        let slots = (self.max - self.min) as u32 / 2 + 1;
        for _ in 0..slots {
            let slot = self.cursor.fetch_add(1, Ordering::Relaxed) % slots;
            let port = self.min + (slot * 2) as u16;
            if let Ok(sock) = UdpSocket::bind(SocketAddr::new(self.ip, port)) {
                return Ok(sock);
            }
        }
        Err(SipError::NoRtpPort(self.min, self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_distinct_even_ports_and_runs_out() {
        let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let base = probe.local_addr().unwrap().port() & !1;
        drop(probe);
        let base = base.clamp(20000, 60000);
        let pool = PortPool::new("127.0.0.1".parse().unwrap(), base, base + 5);
        let mut socks = Vec::new();
        while let Ok(s) = pool.bind() {
            let port = s.local_addr().unwrap().port();
            assert_eq!(port % 2, 0);
            assert!(socks
                .iter()
                .all(|o: &UdpSocket| o.local_addr().unwrap().port() != port));
            socks.push(s);
            assert!(socks.len() <= 3);
        }
        assert!(!socks.is_empty());
    }
}
