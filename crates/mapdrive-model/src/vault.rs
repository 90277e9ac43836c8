//! Credential Manager: one vault per user; session-persisted entries belong to the logon
//! session that wrote them.

use mapdrive_core::error::{
    ApiError, ERROR_INVALID_PARAMETER, ERROR_NO_SUCH_LOGON_SESSION, ERROR_NOT_FOUND,
};
use zeroize::Zeroizing;

use super::{Machine, key};
use mapdrive_core::domain::{
    CredentialAttribute, CredentialCaps, CredentialInfo, CredentialKind, Luid, Persistence, Secret,
};
use mapdrive_core::port::{CredentialWrite, SecretWrite};

/// A saved credential. The secret is kept (zeroized on drop) only so the model's servers can
/// check it; the port never returns a domain password.
pub(super) struct StoredCredential {
    pub(super) target: String,
    pub(super) kind: CredentialKind,
    pub(super) user_name: String,
    pub(super) persistence: Persistence,
    pub(super) alias: Option<String>,
    pub(super) comment: Option<String>,
    pub(super) secret: Zeroizing<String>,
    /// The logon session a `CRED_PERSIST_SESSION` entry belongs to.
    pub(super) session: Option<Luid>,
    /// Attributes, as written.
    pub(super) attributes: Vec<CredentialAttribute>,
}

impl StoredCredential {
    fn visible_from(&self, luid: Luid) -> bool {
        self.session.is_none_or(|s| s == luid)
    }

    fn is(&self, target: &str, kind: CredentialKind) -> bool {
        self.kind == kind && self.target.eq_ignore_ascii_case(target)
    }

    fn info(&self) -> CredentialInfo {
        CredentialInfo {
            target: self.target.clone(),
            kind: self.kind,
            user_name: (!self.user_name.is_empty()).then(|| self.user_name.clone()),
            persistence: self.persistence,
            alias: self.alias.clone(),
            comment: self.comment.clone(),
            attributes: self.attributes.clone(),
        }
    }
}

impl Machine {
    /// The session must have a credential set (network logons do not: 1312).
    fn vault_session(&self, api: &'static str) -> Result<Luid, ApiError> {
        let luid = self.token(api)?;
        if self.session(luid, api)?.has_vault() {
            Ok(luid)
        } else {
            Err(ApiError::new(api, ERROR_NO_SUCH_LOGON_SESSION))
        }
    }

    /// `CredGetSessionTypes`: 1312 without a credential set, else the machine's policy caps.
    pub(super) fn session_credential_caps(
        &self,
        api: &'static str,
    ) -> Result<CredentialCaps, ApiError> {
        self.vault_session(api)?;
        Ok(self.credential_caps)
    }

    /// The `CRED_TYPE_DOMAIN_PASSWORD` entry the SMB client would use for `host` (as written
    /// in the UNC): exact name, then the longest matching `*.suffix`, then `*`.
    pub(super) fn domain_credential_for(
        &self,
        luid: Luid,
        host: &str,
    ) -> Option<(String, Zeroizing<String>)> {
        let user = self.users.get(&self.sessions.get(&luid)?.user)?;
        let host = key(host);
        let candidates = || {
            user.vault
                .iter()
                .filter(move |c| c.kind == CredentialKind::DomainPassword && c.visible_from(luid))
        };
        // A session entry shadows a persisted one with the same target.
        let pick = |want: &dyn Fn(&str) -> bool| {
            candidates()
                .filter(|c| want(&key(&c.target)))
                .max_by_key(|c| (c.target.len(), c.session.is_some()))
        };
        let found = pick(&|t| t == host)
            .or_else(|| {
                pick(&|t| {
                    t.strip_prefix("*.")
                        .is_some_and(|suffix| host.ends_with(&format!(".{suffix}")))
                })
            })
            .or_else(|| pick(&|t| t == "*"))?;
        Some((found.user_name.clone(), found.secret.clone()))
    }

    pub(super) fn list_credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        const API: &str = "CredEnumerateW";
        let luid = self.vault_session(API)?;
        let user = self.user_of(luid, API)?;
        // One entry per target and type: a session entry shadows a persisted one.
        let mut seen = std::collections::BTreeMap::new();
        for c in user.vault.iter().filter(|c| c.visible_from(luid)) {
            let slot = seen.entry((key(&c.target), c.kind)).or_insert(c);
            if c.session.is_some() {
                *slot = c;
            }
        }
        Ok(seen.values().map(|c| c.info()).collect())
    }

    pub(super) fn read_credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError> {
        const API: &str = "CredReadW";
        let luid = self.vault_session(API)?;
        let user = self.user_of(luid, API)?;
        Ok(user
            .vault
            .iter()
            .filter(|c| c.visible_from(luid) && c.is(target, kind))
            .max_by_key(|c| c.session.is_some())
            .map(|c| c.info()))
    }

    pub(super) fn secret_equals(
        &self,
        target: &str,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<Option<bool>, ApiError> {
        const API: &str = "CredReadW";
        let luid = self.vault_session(API)?;
        let user = self.user_of(luid, API)?;
        let found = user
            .vault
            .iter()
            .filter(|c| c.visible_from(luid) && c.is(target, kind))
            .max_by_key(|c| c.session.is_some())
            .ok_or(ApiError::new(API, ERROR_NOT_FOUND))?;
        Ok(kind
            .secret_is_readable()
            .then(|| found.secret.as_str() == secret.expose()))
    }

    pub(super) fn store_credential(&mut self, cred: &CredentialWrite<'_>) -> Result<(), ApiError> {
        self.store_credential_with(cred, &[])
    }

    /// `CredWriteW` with attributes (they replace the stored ones, as on Windows).
    pub(super) fn store_credential_with(
        &mut self,
        cred: &CredentialWrite<'_>,
        attributes: &[CredentialAttribute],
    ) -> Result<(), ApiError> {
        const API: &str = "CredWriteW";
        let luid = self.vault_session(API)?;
        if cred.target.is_empty() {
            return Err(ApiError::new(API, ERROR_INVALID_PARAMETER));
        }
        // Beyond what CredGetSessionTypes allows (a policy cap) Windows refuses the write
        // [belief: with 1312, the code that otherwise means "no credential set"].
        if !self.credential_caps.allows(cred.kind, cred.persistence) {
            return Err(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION));
        }
        let user = self.user_of_mut(luid, API)?;
        let same = |c: &StoredCredential| c.visible_from(luid) && c.is(cred.target, cred.kind);
        let secret = match cred.secret {
            SecretWrite::Set(s) => Zeroizing::new(s.expose().to_string()),
            SecretWrite::Empty => Zeroizing::new(String::new()),
            SecretWrite::Preserve => user
                .vault
                .iter()
                .filter(|c| same(c))
                .max_by_key(|c| c.session.is_some())
                .map(|c| c.secret.clone())
                .ok_or(ApiError::new(API, ERROR_NOT_FOUND))?,
        };
        user.vault.retain(|c| !same(c));
        user.vault.push(StoredCredential {
            target: cred.target.to_string(),
            kind: cred.kind,
            user_name: cred.user_name.to_string(),
            persistence: cred.persistence,
            alias: cred.alias.filter(|s| !s.is_empty()).map(str::to_string),
            comment: cred.comment.filter(|s| !s.is_empty()).map(str::to_string),
            secret,
            session: (cred.persistence == Persistence::Session).then_some(luid),
            attributes: attributes.to_vec(),
        });
        Ok(())
    }

    pub(super) fn remove_credential(
        &mut self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<(), ApiError> {
        const API: &str = "CredDeleteW";
        let luid = self.vault_session(API)?;
        let user = self.user_of_mut(luid, API)?;
        let before = user.vault.len();
        user.vault
            .retain(|c| !(c.visible_from(luid) && c.is(target, kind)));
        if user.vault.len() == before {
            return Err(ApiError::new(API, ERROR_NOT_FOUND));
        }
        Ok(())
    }
}

/// The model's stand-in for `CredMarshalCredentialW(CertCredential)`: Windows writes `@@B` and a
/// custom base64 of `CERT_CREDENTIAL_INFO`; the model writes `@@B` and the thumbprint, which is
/// enough to tell the two forms apart and round-trip.
const MARSHAL_PREFIX: &str = "@@B";

impl Machine {
    /// `CertOpenStore(CurrentUser\My)` + `CertFindCertificateInStore(SHA-1)` for the token's user.
    pub(super) fn find_certificate(
        &self,
        thumbprint: &mapdrive_core::domain::Thumbprint,
    ) -> Result<bool, ApiError> {
        const API: &str = "CertOpenStore";
        let luid = self.token(API)?;
        let user = &self.session(luid, API)?.user;
        Ok(self
            .certificates
            .get(user)
            .is_some_and(|set| set.contains(thumbprint.as_str())))
    }

    pub(super) fn marshal(thumbprint: &mapdrive_core::domain::Thumbprint) -> String {
        format!("{MARSHAL_PREFIX}{thumbprint}")
    }

    pub(super) fn unmarshal(user_name: &str) -> Option<mapdrive_core::domain::Thumbprint> {
        user_name.strip_prefix(MARSHAL_PREFIX)?.parse().ok()
    }
}
