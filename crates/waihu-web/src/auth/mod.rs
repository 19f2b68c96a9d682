//! Who is asking: session cookies for the browser, bearer API tokens for the JSON
//! API, anti-CSRF tokens for state-changing requests made with a cookie, sign-in
//! throttling (`throttle`, in the database), in-memory failure counting for the
//! public pages' codes (`lockout`), and what a suspended tenant may still do.

pub mod cookies;
pub mod csrf;
pub mod lockout;
pub mod principal;
pub mod session;
pub mod suspension;
pub mod throttle;

pub use principal::{Auth, Principal};
