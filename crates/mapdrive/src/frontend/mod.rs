//! Front-ends: thin layers that parse what arrives (CLI arguments, an Ansible argument file, DSC
//! JSON, a desired-state document), call [`mapdrive_core::engine`], and render the result. None of them
//! decides anything the others would have to repeat.

pub mod ansible;
pub mod cli;
pub mod document;
pub mod dsc;
pub mod input;
pub mod json;
pub mod report;
