#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Group Policy Drive Maps (`Drives.xml`) through mapdrive-core's public API, from fixtures
//! written for these tests from MS-GPPREF (the Group Policy Preferences protocol) and the GPMC
//! help.

mod decisions;
mod parsing;
mod support;
mod targeting;
mod variables;
