//! The virtual callee answering real calls placed by the waihu-sip UAC on
//! 127.0.0.1: every call outcome, and personas that speak (espeak-ng), press
//! keys, barge in and hang up mid-prompt.

mod harness;
mod outcomes;
mod personas;
