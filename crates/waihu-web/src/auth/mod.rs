//! Who is asking: session cookies for the browser, bearer API tokens for the JSON
//! API, anti-CSRF tokens for state-changing requests made with a cookie, and the
//! failed-login lockout.

pub mod cookies;
pub mod csrf;
pub mod lockout;
pub mod principal;
pub mod session;

pub use principal::{Auth, Principal};
