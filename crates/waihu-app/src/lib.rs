//! waihu's application services: the one home of the logic both the CLI and the
//! back office run. Pure decisions live in the domain crates (`waihu-compliance`,
//! `waihu-campaign`, `waihu-dialog`…); this crate gathers their facts from the
//! store, wires them to SIP, speech and HTTP clients, and returns typed
//! [`AppError`]s. The binary parses arguments and configuration and calls in here;
//! `waihu-web` calls the same services (through the seams [`ContactImporter`],
//! [`PromptAudio`] and [`CodeSender`], which its handler tests replace).
//!
//! [`ContactImporter`]: contact_import::ContactImporter
//! [`PromptAudio`]: prompts::PromptAudio
//! [`CodeSender`]: verify::CodeSender

pub mod audit_key;
pub mod config;
pub mod contact_import;
pub mod dialler;
pub mod error;
pub mod gate;
pub mod insight;
pub mod keyfile;
pub mod keys;
pub mod live;
pub mod llm;
pub mod pii;
pub mod prompts;
pub mod push;
pub mod rights;
pub mod speech;
pub mod tasks;
pub mod verify;

pub use error::{AppError, AppResult};
