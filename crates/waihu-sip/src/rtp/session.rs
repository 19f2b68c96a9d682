//! One call's RTP session: a paced sender ticking every 20 ms on absolute
//! deadlines (so it never drifts), a receiver with symmetric latching, a
//! jitter buffer, RFC 4733 DTMF in both directions, statistics, prompt
//! playback with instant stop, and time-aligned two-channel recording.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::dtmf::{DtmfReceiver, DtmfSender};
use super::jitter::{is_quiet, JitterBuffer};
use super::packet::RtpPacket;
use super::scheduler::{Scheduler, TICK};
use super::stats::{ReceiveStats, RtpStats};
use super::MediaConfig;
use crate::audio::FRAME;
use crate::g711::Codec;
use crate::recorder::Recorder;
use crate::sdp::RemoteSdp;
use crate::SipError;

/// Something that happened on the media path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// A DTMF digit arrived (RFC 4733), `at_ms` after the session started.
    Dtmf {
        /// The digit.
        digit: char,
        /// Milliseconds since session start.
        at_ms: u64,
    },
    /// A queued playback finished (or was stopped).
    PlaybackFinished {
        /// The id returned by [`RtpSession::play`].
        id: u64,
        /// Whether it was cut short by [`RtpSession::stop_playback`].
        stopped: bool,
    },
    /// No RTP arrived for the configured inactivity time.
    Inactive,
}

/// One 20 ms frame of decoded audio from the peer.
#[derive(Debug, Clone)]
pub struct AudioFrame {
    /// Milliseconds since session start (tick time).
    pub at_ms: u64,
    /// 160 samples at 8 kHz (silence when nothing arrived).
    pub samples: [i16; FRAME],
    /// Whether the robot side was playing audio during this frame.
    pub local_playing: bool,
}

struct Playback {
    id: u64,
    samples: Arc<[i16]>,
    pos: usize,
}

struct State {
    remote: Option<SocketAddr>,
    latched: bool,
    codec: Codec,
    remote_dtmf_pt: Option<u8>,
    sending: bool,
    playback: VecDeque<Playback>,
    next_play_id: u64,
    dtmf_queue: VecDeque<char>,
    dtmf_active: Option<DtmfSender>,
    dtmf_gap: u8,
    jitter: JitterBuffer,
    /// Decoded samples pulled from the jitter buffer, not yet played out
    /// (packets may be longer than a tick, e.g. 30 ms).
    rx_pcm: VecDeque<i16>,
    dtmf_rx: DtmfReceiver,
    rx_stats: ReceiveStats,
    digits: String,
    recorder: Option<Recorder>,
    recording: bool,
    /// The callee objected to recording: their channel is written as silence.
    callee_muted: bool,
    seq: u16,
    ts: u32,
    sent: u64,
    last_rx: Option<Instant>,
    active_since: Option<Instant>,
    inactive_reported: bool,
    audio_tap: Option<mpsc::Sender<AudioFrame>>,
}

pub(super) struct Shared {
    /// Non-blocking socket: the scheduler drains and sends without waking
    /// a task per packet.
    socket: UdpSocket,
    /// Set when the session is closed; the scheduler then forgets it.
    pub(super) closed: AtomicBool,
    /// When the previous packet left, µs since `started` (0: none yet).
    last_send_us: AtomicU64,
    config: Arc<MediaConfig>,
    state: Mutex<State>,
    events: mpsc::UnboundedSender<MediaEvent>,
    started: Instant,
    ssrc: u32,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state invalid in a
        // way that matters more than losing the call's media: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ms_since_start(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// A running RTP session, driven by the engine's scheduler. Dropping it
/// stops it and closes the port.
pub struct RtpSession {
    shared: Arc<Shared>,
    events: Mutex<Option<mpsc::UnboundedReceiver<MediaEvent>>>,
    local: SocketAddr,
}

impl std::fmt::Debug for RtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpSession")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl RtpSession {
    /// Hand a bound socket to the scheduler. Nothing is sent until a remote
    /// address is known and [`RtpSession::start_sending`] was called.
    pub(super) fn start(
        socket: UdpSocket,
        config: Arc<MediaConfig>,
        scheduler: &Scheduler,
    ) -> Result<RtpSession, SipError> {
        socket.set_nonblocking(true)?;
        let local = socket.local_addr()?;
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let codec = config.codecs.first().copied().unwrap_or(Codec::Pcmu);
        let state = State {
            remote: None,
            latched: false,
            codec,
            remote_dtmf_pt: None,
            sending: false,
            playback: VecDeque::new(),
            next_play_id: 1,
            dtmf_queue: VecDeque::new(),
            dtmf_active: None,
            dtmf_gap: 0,
            jitter: JitterBuffer::new(config.jitter_frames),
            rx_pcm: VecDeque::with_capacity(FRAME * 3),
            dtmf_rx: DtmfReceiver::default(),
            rx_stats: ReceiveStats::default(),
            digits: String::new(),
            recorder: None,
            recording: false,
            callee_muted: false,
            seq: rand::random(),
            ts: rand::random(),
            sent: 0,
            last_rx: None,
            active_since: None,
            inactive_reported: false,
            audio_tap: None,
        };
        let shared = Arc::new(Shared {
            socket,
            closed: AtomicBool::new(false),
            last_send_us: AtomicU64::new(0),
            config,
            state: Mutex::new(state),
            events: ev_tx,
            started: Instant::now(),
            ssrc: rand::random(),
        });
        scheduler.add(shared.clone());
        Ok(RtpSession {
            shared,
            events: Mutex::new(Some(ev_rx)),
            local,
        })
    }

    /// The local RTP socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Apply the peer's SDP: where to send, which codec, DTMF payload type.
    /// Returns the codec chosen, or an error if none is common.
    pub fn set_remote(&self, sdp: &RemoteSdp) -> Result<Codec, SipError> {
        let codec = sdp
            .choose_codec(&self.shared.config.codecs)
            .ok_or_else(|| SipError::Sdp("no common codec".into()))?;
        let mut st = self.shared.lock();
        st.codec = codec;
        st.remote_dtmf_pt = sdp.dtmf_pt;
        if !st.latched && sdp.rtp_addr.port() != 0 {
            st.remote = Some(sdp.rtp_addr);
        }
        Ok(codec)
    }

    /// The codec in use.
    pub fn codec(&self) -> Codec {
        self.shared.lock().codec
    }

    /// Begin sending (on answer) and recording, if a recording was set.
    pub fn start_sending(&self) {
        let mut st = self.shared.lock();
        st.sending = true;
        st.recording = st.recorder.is_some();
        st.active_since = Some(Instant::now());
    }

    /// Record both directions to `path` from [`RtpSession::start_sending`] on.
    pub fn record_to(&self, path: &Path) -> Result<(), SipError> {
        let rec = Recorder::create(path)?;
        let mut st = self.shared.lock();
        st.recording = st.sending;
        st.recorder = Some(rec);
        Ok(())
    }

    /// Stop recording the callee from now on (they objected to recording):
    /// their channel of the recording is silence for the rest of the call.
    pub fn stop_recording_callee(&self) {
        self.shared.lock().callee_muted = true;
    }

    /// Queue audio (8 kHz mono) after whatever is playing; returns its id.
    pub fn play(&self, samples: Arc<[i16]>) -> u64 {
        let mut st = self.shared.lock();
        let id = st.next_play_id;
        st.next_play_id += 1;
        st.playback.push_back(Playback {
            id,
            samples,
            pos: 0,
        });
        id
    }

    /// Stop all playback at once (barge-in); the next tick sends silence.
    pub fn stop_playback(&self) {
        let stopped: Vec<u64> = {
            let mut st = self.shared.lock();
            st.playback.drain(..).map(|p| p.id).collect()
        };
        for id in stopped {
            let _ = self
                .shared
                .events
                .send(MediaEvent::PlaybackFinished { id, stopped: true });
        }
    }

    /// Whether anything is queued for playback.
    pub fn is_playing(&self) -> bool {
        !self.shared.lock().playback.is_empty()
    }

    /// Queue DTMF digits to send as RFC 4733 events (invalid ones skipped).
    pub fn send_dtmf(&self, digits: &str) {
        let mut st = self.shared.lock();
        st.dtmf_queue.extend(
            digits
                .chars()
                .filter(|c| super::dtmf::digit_to_event(*c).is_some()),
        );
    }

    /// Record a digit that arrived out of band (SIP INFO).
    pub fn note_dtmf(&self, digit: char) {
        self.shared.lock().digits.push(digit);
        let at_ms = self.shared.ms_since_start();
        let _ = self.shared.events.send(MediaEvent::Dtmf { digit, at_ms });
    }

    /// Digits received so far.
    pub fn dtmf_received(&self) -> String {
        self.shared.lock().digits.clone()
    }

    /// Counters so far.
    pub fn stats(&self) -> RtpStats {
        let st = self.shared.lock();
        RtpStats {
            sent: st.sent,
            received: st.rx_stats.received(),
            lost: st.rx_stats.lost(),
            jitter_ms: st.rx_stats.jitter_ms(),
            late: st.jitter.late,
            skipped_quiet: st.jitter.skipped_quiet,
        }
    }

    /// Milliseconds since the session started (the clock of all `at_ms`).
    pub fn now_ms(&self) -> u64 {
        self.shared.ms_since_start()
    }

    /// Take the event stream (once).
    pub fn take_events(&self) -> Option<mpsc::UnboundedReceiver<MediaEvent>> {
        self.events.lock().ok()?.take()
    }

    /// Receive every decoded 20 ms frame from the peer (for VAD/ASR). Frames
    /// are dropped if the consumer falls `capacity` frames behind.
    pub fn subscribe_audio(&self, capacity: usize) -> mpsc::Receiver<AudioFrame> {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.shared.lock().audio_tap = Some(tx);
        rx
    }

    /// Stop the tasks, finish the recording, and return final counters.
    pub fn close(&self) -> Result<RtpStats, SipError> {
        self.shared.closed.store(true, Ordering::Relaxed);
        let stats = self.stats();
        let rec = self.shared.lock().recorder.take();
        if let Some(rec) = rec {
            rec.finish()?;
        }
        Ok(stats)
    }
}

impl Drop for RtpSession {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Relaxed);
        if let Some(rec) = self.shared.lock().recorder.take() {
            let _ = rec.finish();
        }
    }
}

/// Per-shard scratch space, reused for every session and tick.
pub(super) struct Scratch {
    out: Outgoing,
    pcm_out: [i16; FRAME],
    decoded: Vec<i16>,
    recv: Vec<u8>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            out: Outgoing {
                to: None,
                packets: (0..3).map(|_| Vec::with_capacity(200)).collect(),
                count: 0,
            },
            pcm_out: [0; FRAME],
            decoded: Vec::with_capacity(FRAME * 2),
            recv: vec![0; 2048],
        }
    }
}

/// Packets built under the lock, sent after it is released.
struct Outgoing {
    to: Option<SocketAddr>,
    packets: Vec<Vec<u8>>,
    count: usize,
}

/// One scheduler tick of one session: take what arrived, play out and send
/// one 20 ms frame. `scheduled` is when this tick was due (for the send
/// jitter figure).
pub(super) fn process(shared: &Shared, scratch: &mut Scratch, scheduled: Instant) {
    let mut events = drain_socket(shared, &mut scratch.recv);
    events.extend(tick(
        shared,
        scheduled,
        &mut scratch.out,
        &mut scratch.pcm_out,
        &mut scratch.decoded,
    ));
    if let Some(to) = scratch.out.to {
        for p in &scratch.out.packets[..scratch.out.count] {
            // A full socket buffer or an ICMP error must not end the call:
            // the packet is dropped and counted as sent.
            let _ = shared.socket.send_to(p, to);
        }
        if scratch.out.count > 0 {
            if let Some(h) = &shared.config.send_lateness {
                h.record_us(scheduled.elapsed().as_micros() as u64);
            }
            let now_us = (shared.started.elapsed().as_micros() as u64).max(1);
            let prev = shared.last_send_us.swap(now_us, Ordering::Relaxed);
            if let (Some(h), true) = (&shared.config.send_jitter, prev > 0) {
                h.record_us((now_us - prev).abs_diff(20_000));
            }
        }
    }
    for e in events {
        let _ = shared.events.send(e);
    }
}

/// One 20 ms tick: choose what to send, play out one received frame, record.
fn tick(
    shared: &Shared,
    scheduled: Instant,
    out: &mut Outgoing,
    pcm_out: &mut [i16; FRAME],
    decoded: &mut Vec<i16>,
) -> Vec<MediaEvent> {
    let mut events = Vec::new();
    // The tick's own time, not the wall clock: ticks caught up in a burst
    // after a stall keep their 20 ms spacing on the media clock.
    let now_ms = scheduled
        .saturating_duration_since(shared.started)
        .as_millis() as u64;
    let mut st = shared.lock();
    let st = &mut *st;
    out.count = 0;
    out.to = None;

    // Robot side: next 160 samples of the playback queue.
    pcm_out.fill(0);
    let mut filled = 0;
    let local_playing = !st.playback.is_empty();
    while filled < FRAME {
        let Some(p) = st.playback.front_mut() else {
            break;
        };
        let n = (FRAME - filled).min(p.samples.len() - p.pos);
        pcm_out[filled..filled + n].copy_from_slice(&p.samples[p.pos..p.pos + n]);
        filled += n;
        p.pos += n;
        if p.pos >= p.samples.len() {
            let id = p.id;
            st.playback.pop_front();
            events.push(MediaEvent::PlaybackFinished { id, stopped: false });
        }
    }

    if st.sending {
        if let Some(remote) = st.remote {
            out.to = Some(remote);
            let ts = st.ts;
            if st.dtmf_active.is_none() && st.dtmf_gap == 0 {
                if let Some(d) = st.dtmf_queue.pop_front() {
                    st.dtmf_active = DtmfSender::new(d, 100, ts);
                }
            }
            if let Some(dtmf) = st.dtmf_active.as_mut() {
                let t = dtmf.tick();
                let pt = st.remote_dtmf_pt.unwrap_or(shared.config.dtmf_pt);
                for _ in 0..t.copies {
                    let p = RtpPacket {
                        marker: t.marker,
                        payload_type: pt,
                        seq: st.seq,
                        timestamp: dtmf.timestamp,
                        ssrc: shared.ssrc,
                        payload: &t.payload,
                    };
                    p.write(&mut out.packets[out.count]);
                    out.count += 1;
                    st.seq = st.seq.wrapping_add(1);
                }
                if t.done {
                    st.dtmf_active = None;
                    st.dtmf_gap = 3; // 60 ms pause between digits
                }
            } else {
                st.dtmf_gap = st.dtmf_gap.saturating_sub(1);
                let buf = &mut out.packets[0];
                buf.clear();
                // Header first, then the encoded payload appended in place.
                RtpPacket {
                    marker: st.sent == 0,
                    payload_type: st.codec.payload_type(),
                    seq: st.seq,
                    timestamp: ts,
                    ssrc: shared.ssrc,
                    payload: &[],
                }
                .write(buf);
                st.codec.encode(pcm_out, buf);
                out.count = 1;
                st.seq = st.seq.wrapping_add(1);
            }
            st.sent += out.count as u64;
            st.ts = st.ts.wrapping_add(FRAME as u32);
        }
    }

    // Callee side: one tick of audio from the jitter buffer. Still behind
    // when the ticks are on time again (the peer sent a burst), pauses are
    // dropped until playout has caught up; speech is not. Ticks caught up
    // after our own stall drain the backlog by themselves.
    let on_time = Instant::now().saturating_duration_since(scheduled) < TICK;
    while st.rx_pcm.len() < FRAME {
        let Some(frame) = st.jitter.pop() else {
            break;
        };
        if let Some((&pt, payload)) = frame.split_first() {
            if let Some(codec) = Codec::from_payload_type(pt) {
                decoded.clear();
                codec.decode(payload, decoded);
                if on_time && st.jitter.is_behind() && inside_pause(&st.jitter, codec, decoded) {
                    st.jitter.skipped_quiet += 1;
                    continue;
                }
                st.rx_pcm.extend(decoded.iter().copied());
            }
        }
    }
    let mut pcm_in = [0i16; FRAME];
    let n = st.rx_pcm.len().min(FRAME);
    for (dst, src) in pcm_in.iter_mut().zip(st.rx_pcm.drain(..n)) {
        *dst = src;
    }
    if st.recording {
        let robot: &[i16] = if st.sending { &pcm_out[..] } else { &[] };
        let callee: &[i16] = if st.callee_muted { &[] } else { &pcm_in[..] };
        if let Some(rec) = st.recorder.as_mut() {
            if rec.write_frame(robot, callee).is_err() {
                // Disk full or similar: stop recording, keep the call.
                st.recording = false;
            }
        }
    }
    if let Some(tap) = &st.audio_tap {
        let _ = tap.try_send(AudioFrame {
            at_ms: now_ms,
            samples: pcm_in,
            local_playing,
        });
    }

    if let (Some(limit), Some(since)) = (shared.config.inactivity, st.active_since) {
        let last = st.last_rx.map_or(since, |l| l.max(since));
        if !st.inactive_reported && last.elapsed() >= limit {
            st.inactive_reported = true;
            events.push(MediaEvent::Inactive);
        }
    }
    events
}

/// Whether a decoded frame lies inside a pause: quiet, and so is the frame
/// after it (the quiet frame before a word's onset is kept).
fn inside_pause(jitter: &JitterBuffer, codec: Codec, frame: &[i16]) -> bool {
    if !is_quiet(frame) {
        return false;
    }
    let Some((&pt, payload)) = jitter.peek_next().and_then(|f| f.split_first()) else {
        return false;
    };
    let next_codec = Codec::from_payload_type(pt).unwrap_or(codec);
    let mut next = Vec::with_capacity(payload.len());
    next_codec.decode(payload, &mut next);
    is_quiet(&next)
}

/// Read every datagram waiting on the socket (non-blocking).
fn drain_socket(shared: &Shared, buf: &mut [u8]) -> Vec<MediaEvent> {
    let mut events = Vec::new();
    let mut errors = 0;
    loop {
        let (n, from) = match shared.socket.recv_from(buf) {
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            // ICMP port unreachable from an earlier send surfaces here.
            Err(_) => {
                errors += 1;
                if errors > 4 {
                    break;
                }
                continue;
            }
        };
        if let Some(e) = on_datagram(shared, &buf[..n], from) {
            events.push(e);
        }
    }
    events
}

fn on_datagram(shared: &Shared, data: &[u8], from: SocketAddr) -> Option<MediaEvent> {
    let pkt = RtpPacket::parse(data)?; // not RTP (RTCP, STUN, garbage)
    if (200..=204).contains(&(pkt.payload_type | 0x80)) {
        return None; // RTCP on the RTP port (rtcp-mux style)
    }
    let at_ms = shared.ms_since_start();
    let arrival_units = shared.started.elapsed().as_micros() as i64 * 8 / 1000;
    let mut st = shared.lock();
    // Symmetric RTP: send back to where the peer really sends from.
    if !st.latched {
        st.latched = true;
        st.remote = Some(from);
    }
    st.last_rx = Some(Instant::now());
    let is_dtmf =
        Some(pkt.payload_type) == st.remote_dtmf_pt || pkt.payload_type == shared.config.dtmf_pt;
    let highest = st.rx_stats_highest();
    let ext = JitterBuffer::extend_seq(highest, pkt.seq);
    st.rx_stats.on_packet(ext, pkt.timestamp, arrival_units);
    if is_dtmf {
        if let Some(d) = st.dtmf_rx.push(pkt.timestamp, pkt.payload) {
            st.digits.push(d);
            return Some(MediaEvent::Dtmf { digit: d, at_ms });
        }
    } else if Codec::from_payload_type(pkt.payload_type).is_some() {
        let mut framed = Vec::with_capacity(pkt.payload.len() + 1);
        framed.push(pkt.payload_type);
        framed.extend_from_slice(pkt.payload);
        st.jitter.push(pkt.seq, &framed);
    }
    None
}

impl State {
    fn rx_stats_highest(&self) -> Option<u64> {
        self.rx_stats.highest()
    }
}
