//! `fakesmb.dll`: a fake SMB network provider for testing mapdrive under Wine.
//!
//! Wine's `mpr.dll` loads it through the `NetworkProvider` registry keys (see `wine/setup-prefix.sh`)
//! and calls its `NPxxx` exports exactly as Windows' MPR calls `ntlanman.dll`. Servers, shares and
//! accounts come from a small JSON fixture (see [`fixture`]) that is re-read on every call, so a
//! test can change the "network" between two commands.
//!
//! Layout:
//! - pure logic, compiled and unit-tested on every platform: [`codes`], [`fixture`], [`names`]
//!   (UNC and DOS-device target syntax), [`auth`] (the connect decision), [`enumbuf`] (the
//!   `NETRESOURCEW` buffer layout of `NPEnumResource`);
//! - Windows-only glue: `win` (safe wrappers over the few Win32 calls used) and `ffi` (the
//!   exported `extern "system"` functions). All `unsafe` code lives in those two modules.

pub mod auth;
pub mod codes;
pub mod enumbuf;
pub mod fixture;
pub mod names;
pub mod provider;

#[cfg(windows)]
mod ffi;
#[cfg(windows)]
mod win;
