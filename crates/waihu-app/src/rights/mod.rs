//! Callee rights services: the `[rights]` configuration (working-day
//! calendar, sweep interval), deleting recording files the store reports, and the
//! retention job (`waihu retention run` and the periodic loop inside `waihu serve`).

pub mod config;
pub mod files;
pub mod sweep;

pub use config::RightsConfig;
