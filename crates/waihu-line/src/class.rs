//! The classes a line can be in, the reasons of an announcement, and the
//! decision the classifier hands out. Names are stable: they are what
//! `waihu line classify --json` prints and what records will carry.

use std::fmt;

/// What is on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineClass {
    /// A person.
    Human,
    /// An answering machine, voicemail or call-screening assistant.
    Voicemail,
    /// A carrier announcement (or a failure the network signalled).
    Announcement,
    /// Still ringing: a ring tone or ringback music (彩铃); not an answer.
    Ringback,
    /// Answered, dead air.
    Silence,
    /// A fax machine.
    Fax,
}

impl LineClass {
    /// Every class, in a stable order.
    pub const ALL: [LineClass; 6] = [
        LineClass::Human,
        LineClass::Voicemail,
        LineClass::Announcement,
        LineClass::Ringback,
        LineClass::Silence,
        LineClass::Fax,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LineClass::Human => "human",
            LineClass::Voicemail => "voicemail",
            LineClass::Announcement => "announcement",
            LineClass::Ringback => "ringback",
            LineClass::Silence => "silence",
            LineClass::Fax => "fax",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for LineClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an announcement says the call cannot go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// 空号: the number does not exist.
    VacantNumber,
    /// 关机: the phone is switched off.
    PoweredOff,
    /// 停机: the service is suspended (e.g. unpaid).
    Suspended,
    /// 暂时无法接通 / 不在服务区: cannot be reached now.
    Unreachable,
    /// 正在通话中: busy.
    Busy,
    /// 呼叫受限 / 呼入限制: the callee bars the call.
    Restricted,
    /// Any other announcement.
    Other,
}

impl Reason {
    /// Every reason, in a stable order.
    pub const ALL: [Reason; 7] = [
        Reason::VacantNumber,
        Reason::PoweredOff,
        Reason::Suspended,
        Reason::Unreachable,
        Reason::Busy,
        Reason::Restricted,
        Reason::Other,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::VacantNumber => "vacant_number",
            Reason::PoweredOff => "powered_off",
            Reason::Suspended => "suspended",
            Reason::Unreachable => "unreachable",
            Reason::Busy => "busy",
            Reason::Restricted => "restricted",
            Reason::Other => "other",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the audio is heard: before or after the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Ringing: early media after 183/180. Nothing here is a person; the
    /// default is ringback, and only a SIT tone or an announcement match ends it.
    Early,
    /// After 200 OK. The default is a person.
    Answered,
}

impl Phase {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Early => "early",
            Phase::Answered => "answered",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "early" => Some(Phase::Early),
            "answered" => Some(Phase::Answered),
            _ => None,
        }
    }
}

/// Which signal decided (for logs, records and the benchmark's error list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The SIP final status or the Q.850 cause.
    Sip,
    /// A special information tone.
    Sit,
    /// The transcript matched the phrase catalogue.
    Phrase,
    /// A beep after speech.
    Beep,
    /// A ring cadence.
    RingTone,
    /// Music.
    Music,
    /// Fax CNG or CED.
    FaxTone,
    /// A short greeting and a pause: a person waiting.
    Pause,
    /// Nothing heard for long enough.
    DeadAir,
    /// Nothing decided before the end: the phase's default.
    Default,
}

impl Signal {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Sip => "sip",
            Signal::Sit => "sit",
            Signal::Phrase => "phrase",
            Signal::Beep => "beep",
            Signal::RingTone => "ring_tone",
            Signal::Music => "music",
            Signal::FaxTone => "fax_tone",
            Signal::Pause => "pause",
            Signal::DeadAir => "dead_air",
            Signal::Default => "default",
        }
    }
}

/// The classifier's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What is on the line.
    pub class: LineClass,
    /// Why, for announcements.
    pub reason: Option<Reason>,
    /// When it became sure, ms from the first frame.
    pub decided_ms: u64,
    /// What decided.
    pub signal: Signal,
}

impl Decision {
    /// Whether the attempt should end (an announcement or a SIP failure):
    /// ringback, silence and every answered class are not a cancel.
    pub fn is_announcement(&self) -> bool {
        self.class == LineClass::Announcement
    }
}
