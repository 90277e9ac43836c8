#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply;
mod claims;
mod cli;
mod contract;
mod doctor;
mod dsc;
mod engine;
mod fidelity;
mod properties;
mod regressions;
mod sessions_picture;
mod support;
