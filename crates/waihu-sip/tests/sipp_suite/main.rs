//! Integration tests of the waihu-sip user agent against SIPp (Debian
//! package `sip-tester`) and against small hostile peers, all on 127.0.0.1.
//! Every test picks its own free ports so the suite runs concurrently. The
//! parsers (SDP, RTP, RFC 4733, Reason) also get bounded property tests.

mod harness;
mod media;
mod outcomes;
mod parsers;
mod robustness;
mod route_set;
