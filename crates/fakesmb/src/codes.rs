//! Win32 / `WN_*` result codes returned by the provider (values from winerror.h; the `WN_*`
//! names of npapi.h are aliases of these).

/// `WN_SUCCESS` / `NO_ERROR`.
pub const SUCCESS: u32 = 0;
/// `ERROR_ACCESS_DENIED`: the share does not admit this identity.
pub const ACCESS_DENIED: u32 = 5;
/// `ERROR_INVALID_HANDLE` (`WN_BAD_HANDLE`).
pub const BAD_HANDLE: u32 = 6;
/// `ERROR_NOT_SUPPORTED` (`WN_NOT_SUPPORTED`).
pub const NOT_SUPPORTED: u32 = 50;
/// `ERROR_BAD_NETPATH`: unknown server.
pub const BAD_NETPATH: u32 = 53;
/// `ERROR_BAD_DEV_TYPE` (`WN_BAD_DEV_TYPE`).
pub const BAD_DEV_TYPE: u32 = 66;
/// `ERROR_BAD_NET_NAME` (`WN_BAD_NETNAME`): unknown share or malformed remote name.
pub const BAD_NET_NAME: u32 = 67;
/// `ERROR_ALREADY_ASSIGNED` (`WN_ALREADY_CONNECTED`): the local device is taken.
pub const ALREADY_ASSIGNED: u32 = 85;
/// `ERROR_INVALID_PASSWORD` (`WN_BAD_PASSWORD`).
pub const INVALID_PASSWORD: u32 = 86;
/// `ERROR_MORE_DATA` (`WN_MORE_DATA`).
pub const MORE_DATA: u32 = 234;
/// `ERROR_NO_MORE_ITEMS` (`WN_NO_MORE_ENTRIES`).
pub const NO_MORE_ITEMS: u32 = 259;
/// `ERROR_INVALID_ADDRESS` (`WN_BAD_POINTER`).
pub const INVALID_ADDRESS: u32 = 487;
/// `ERROR_BAD_DEVICE` (`WN_BAD_LOCALNAME`).
pub const BAD_DEVICE: u32 = 1200;
/// `ERROR_SESSION_CREDENTIAL_CONFLICT`.
pub const SESSION_CREDENTIAL_CONFLICT: u32 = 1219;
/// `ERROR_LOGON_FAILURE`: unknown user name.
pub const LOGON_FAILURE: u32 = 1326;
/// `ERROR_NOT_CONNECTED` (`WN_NOT_CONNECTED`).
pub const NOT_CONNECTED: u32 = 2250;
/// `ERROR_OPEN_FILES` (`WN_OPEN_FILES`).
pub const OPEN_FILES: u32 = 2401;
/// `ERROR_DEVICE_IN_USE` (`WN_DEVICE_IN_USE`).
pub const DEVICE_IN_USE: u32 = 2404;
