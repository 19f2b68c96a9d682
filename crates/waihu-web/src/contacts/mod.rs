//! Contact lists as the back office and the API handle them: importing a file
//! (`import`).

pub mod import;
