//! The dial-time compliance gate of waihu (see docs/compliance.md).
//!
//! Every dial attempt — first call, retry, test call, verification call — is decided by
//! one pure function, [`check`], from plain data the caller gathers beforehand
//! ([`DialRequest`], [`Facts`]) and the current instant. It returns [`Decision::Allow`]
//! or [`Decision::Deny`] with one [`Reason`] per broken rule, each carrying a stable
//! [`Rule`] id and a human message. The crate does no I/O: storage looks the facts up,
//! the gate decides.
//!
//! Also here: jurisdiction [`Policy`] defaults and the tighten-only merge of tenant
//! policies, the callee's time zone from the number ([`zones`]), and the phone-number
//! PII helpers ([`pii`]: keyed hash, masking, AEAD encryption).
//!
//! After the call (callee rights, docs/rights.md): the complaint SLA over a working-day
//! calendar ([`sla`]), the complaint rate and its threshold ([`complaint_rate`]), and
//! retention periods with what is due at a given instant ([`retention`]).

pub mod complaint_rate;
pub mod consent;
pub mod facts;
pub mod gate;
pub mod pii;
pub mod policy;
pub mod purpose;
pub mod retention;
pub mod rule;
pub mod sla;
pub mod window;
pub mod zones;

mod nanp;

pub use consent::{ConsentEvidence, ConsentRecord, EvidenceRef, InvalidScope};
pub use facts::{
    AttemptCounts, CallerNumberFacts, CheckScope, DialRequest, DncFacts, Facts, TaskFacts,
    TenantStatus,
};
pub use gate::check;
pub use policy::{Jurisdiction, Policy, PolicyError, PolicyOverride};
pub use purpose::{InvalidPurpose, Purpose};
pub use rule::{Decision, Reason, Rule};
pub use window::{InvalidWindow, TimeWindow, WeeklyWindows};
pub use zones::{callee_zones, CalleeZones};
