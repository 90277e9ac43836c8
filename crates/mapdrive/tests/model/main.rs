#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply;
mod claims;
mod concurrency;
mod contract;
mod credentials;
mod doctor;
mod drives;
mod dsc;
mod global;
mod gpp;
mod hints;
mod properties;
mod restore;
mod sessions;
mod sessions_picture;
mod support;
