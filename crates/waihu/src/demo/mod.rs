//! `waihu demo`'s pieces: its clock, its virtual callees and its contacts.

pub mod clock;

/// The virtual callees' behaviour (personas chosen by the number's last two digits).
pub const CALLEE_TOML: &str = include_str!("callee.toml");

/// The sample script (Chinese): inviting parents to a free trial class.
pub const SCRIPT_YAML: &str = include_str!("../../../../examples/scripts/course-trial.zh.yaml");

/// What a demo run calls with.
#[derive(Debug, Clone, Copy)]
pub struct Flavor {
    /// The script's name.
    pub script_name: &'static str,
    /// The script.
    pub script_yaml: &'static str,
    /// The virtual callees.
    pub callee_toml: &'static str,
    /// Whether some contacts are set up for the gate to refuse.
    pub twists: bool,
}

/// `waihu demo`.
pub const DEMO: Flavor = Flavor {
    script_name: "少儿编程试听邀约",
    script_yaml: SCRIPT_YAML,
    callee_toml: CALLEE_TOML,
    twists: true,
};

/// `waihu bench campaign`: a short conversation, everyone answers.
pub const BENCH: Flavor = Flavor {
    script_name: "基准测试",
    script_yaml: include_str!("bench.zh.yaml"),
    callee_toml: include_str!("bench_callee.toml"),
    twists: false,
};

/// How the gate should see demo contact `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// Nothing special: consent for marketing.
    None,
    /// On the tenant's do-not-call list.
    Dnc,
    /// Consent withdrawn after import.
    Withdrawn,
    /// Consent only for surveys, not marketing.
    OtherPurpose,
    /// Consent expired.
    Expired,
}

/// The caller number of the public pages' verification calls in the demo (owned by
/// the tenant `platform`; the virtual callee hears the code on these calls).
pub const VERIFY_CALLER: &str = "+861099990000";

/// The gate-relevant twist of demo contact `i`.
pub fn special(i: usize) -> Special {
    if i % 12 == 11 {
        Special::Dnc
    } else if i % 12 == 9 {
        Special::Withdrawn
    } else if i % 16 == 13 {
        Special::OtherPurpose
    } else if i % 20 == 19 {
        Special::Expired
    } else {
        Special::None
    }
}

/// The number of demo contact `i` (mainland mobile; the last two digits pick the persona).
pub fn number(i: usize) -> String {
    format!("+86138{:08}", 100_000 + i)
}
