//! RFC 4733 telephone-events: the 4-byte event payload, a receiver that turns
//! a stream of event packets into one digit per key press, and the sender
//! schedule (start with marker, duration updates, three end packets).

/// Map an event code (0–15) to its digit.
pub fn event_to_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some((b'0' + event) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + event - 12) as char),
        _ => None,
    }
}

/// Map a digit to its event code.
pub fn digit_to_event(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// One telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    /// Event code.
    pub event: u8,
    /// End bit.
    pub end: bool,
    /// Volume (0–63, dBm0 below zero).
    pub volume: u8,
    /// Duration in timestamp units so far.
    pub duration: u16,
}

impl EventPayload {
    /// Parse the 4-byte payload.
    pub fn parse(p: &[u8]) -> Option<EventPayload> {
        if p.len() < 4 {
            return None;
        }
        Some(EventPayload {
            event: p[0],
            end: p[1] & 0x80 != 0,
            volume: p[1] & 0x3F,
            duration: u16::from_be_bytes([p[2], p[3]]),
        })
    }

    /// Serialise.
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            ((self.end as u8) << 7) | (self.volume & 0x3F),
            d[0],
            d[1],
        ]
    }
}

/// Collapses the packets of each event (same RTP timestamp, retransmitted
/// end packets) into a single digit.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    last_timestamp: Option<u32>,
}

impl DtmfReceiver {
    /// Feed one telephone-event packet; returns the digit on its first packet.
    pub fn push(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let ev = EventPayload::parse(payload)?;
        if self.last_timestamp == Some(timestamp) {
            return None;
        }
        self.last_timestamp = Some(timestamp);
        event_to_digit(ev.event)
    }
}

/// A digit being sent, advanced once per 20 ms tick.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    event: u8,
    /// Ticks of tone to send.
    tone_ticks: u16,
    /// Ticks sent so far.
    sent: u16,
    /// Timestamp of the event (fixed for all its packets).
    pub timestamp: u32,
}

/// Packets of one tick of DTMF sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfTick {
    /// Set on the first packet of the event.
    pub marker: bool,
    /// The payload.
    pub payload: [u8; 4],
    /// How many copies to send (3 for the end packet, per RFC 4733 §2.5.1.4).
    pub copies: u8,
    /// True once the event is complete.
    pub done: bool,
}

impl DtmfSender {
    /// Start sending `digit` for `duration_ms` (at least 40 ms).
    pub fn new(digit: char, duration_ms: u32, timestamp: u32) -> Option<DtmfSender> {
        Some(DtmfSender {
            event: digit_to_event(digit)?,
            tone_ticks: (duration_ms / 20).max(2) as u16,
            sent: 0,
            timestamp,
        })
    }

    /// The packet for the next tick.
    pub fn tick(&mut self) -> DtmfTick {
        self.sent += 1;
        let end = self.sent >= self.tone_ticks;
        let payload = EventPayload {
            event: self.event,
            end,
            volume: 10,
            duration: self.sent.saturating_mul(160),
        };
        DtmfTick {
            marker: self.sent == 1,
            payload: payload.to_bytes(),
            copies: if end { 3 } else { 1 },
            done: end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_mapping() {
        for d in "0123456789*#ABCD".chars() {
            assert_eq!(event_to_digit(digit_to_event(d).unwrap()), Some(d));
        }
        assert_eq!(digit_to_event('x'), None);
        assert_eq!(event_to_digit(16), None);
    }

    #[test]
    fn receiver_reports_once_per_event() {
        let mut rx = DtmfReceiver::default();
        let mut tx = DtmfSender::new('5', 100, 1600).unwrap();
        let mut digits = String::new();
        loop {
            let t = tx.tick();
            for _ in 0..t.copies {
                if let Some(d) = rx.push(tx.timestamp, &t.payload) {
                    digits.push(d);
                }
            }
            if t.done {
                break;
            }
        }
        let mut tx = DtmfSender::new('#', 60, 4000).unwrap();
        while !tx.tick().done {}
        let t = tx.tick();
        if let Some(d) = rx.push(tx.timestamp, &t.payload) {
            digits.push(d);
        }
        assert_eq!(digits, "5#");
    }
}
