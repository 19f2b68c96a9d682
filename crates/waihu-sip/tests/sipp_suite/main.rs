//! Integration tests of the waihu-sip user agent against SIPp (Debian
//! package `sip-tester`) and against small hostile peers, all on 127.0.0.1.
//! Every test picks its own free ports so the suite runs concurrently.

mod harness;
mod media;
mod outcomes;
mod robustness;
mod route_set;
