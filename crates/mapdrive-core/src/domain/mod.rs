//! Domain types: validated at the edge, used everywhere inside.

pub mod credential;
pub mod dos;
pub mod identity;
pub mod letter;
pub mod remote;
pub mod secret;
pub mod token_search;

pub use credential::{
    CredentialAttribute, CredentialInfo, CredentialKind, CredentialTarget, Persistence, Thumbprint,
};
pub use dos::{DosTarget, Luid, Redirector, lanman_target};
pub use identity::{
    Account, CredentialCaps, Elevation, Identity, LinkedConnections, LogonType, OwnerMismatch,
    SessionUsers, owner_mismatch,
};
pub use letter::DriveLetter;
pub use remote::RemotePath;
pub use secret::Secret;
