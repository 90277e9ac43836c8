#![allow(clippy::unwrap_used, clippy::expect_used)]

mod claims;
mod cli;
mod doctor;
mod engine;
mod fidelity;
mod properties;
mod regressions;
mod support;
