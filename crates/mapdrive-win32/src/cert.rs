//! Certificates for win_credential's certificate credential types: the user's `CurrentUser\My`
//! store searched by SHA-1 thumbprint (`CertOpenStore` + `CertFindCertificateInStore`), and the
//! marshaled certificate reference (`@@B...`) a certificate credential stores as its user name
//! (`CredMarshalCredentialW` / `CredUnmarshalCredentialW`). All of these work under Wine 8; it is
//! `CredWriteW` of the certificate types that Wine refuses (87).

use core::ffi::c_void;
use core::ptr;

use windows_sys::Win32::Security::Credentials::{
    CERT_CREDENTIAL_INFO, CRED_MARSHAL_TYPE, CertCredential, CredIsMarshaledCredentialW,
    CredMarshalCredentialW, CredUnmarshalCredentialW,
};
use windows_sys::Win32::Security::Cryptography::{
    CERT_FIND_SHA1_HASH, CERT_STORE_OPEN_EXISTING_FLAG, CERT_STORE_PROV_SYSTEM_W,
    CERT_STORE_READONLY_FLAG, CERT_SYSTEM_STORE_CURRENT_USER, CRYPT_INTEGER_BLOB, HCERTSTORE,
    PKCS_7_ASN_ENCODING, X509_ASN_ENCODING,
};

use super::handle::{Buffer, Free, last_error};
use super::lazy;
use super::wide::{self, WStr};
use mapdrive_core::domain::Thumbprint;
use mapdrive_core::error::{ApiError, ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER};

/// `CRYPT_E_NOT_FOUND`: no certificate matched.
const CRYPT_E_NOT_FOUND: u32 = 0x8009_2004;

/// An open certificate store, closed on drop.
struct Store(HCERTSTORE);

impl Drop for Store {
    fn drop(&mut self) {
        // crypt32 is loaded (the store came from it), so this only fails if it lacks the function.
        if let Ok(close) = lazy::CertCloseStore() {
            // SAFETY: `self.0` is a store handle CertOpenStore returned (never NULL here); closed once.
            unsafe { close(self.0, 0) };
        }
    }
}

/// Whether `CurrentUser\My` of the token in effect holds a certificate with this SHA-1 hash.
pub(crate) fn in_my_store(thumbprint: &Thumbprint) -> Result<bool, ApiError> {
    let name = WStr::new("My", "CertOpenStore")?;
    let open = lazy::CertOpenStore()?;
    let find = lazy::CertFindCertificateInStore()?;
    let free = lazy::CertFreeCertificateContext()?;
    // SAFETY: CERT_STORE_PROV_SYSTEM_W takes the store name as a NUL-terminated UTF-16 string in
    // `pvPara`; `name` lives until the call returns. No crypt provider (0).
    let store = unsafe {
        open(
            CERT_STORE_PROV_SYSTEM_W,
            0,
            0,
            CERT_SYSTEM_STORE_CURRENT_USER
                | CERT_STORE_OPEN_EXISTING_FLAG
                | CERT_STORE_READONLY_FLAG,
            name.as_ptr().cast::<c_void>(),
        )
    };
    if store.is_null() {
        return match last_error() {
            ERROR_FILE_NOT_FOUND => Ok(false),
            code => Err(ApiError::new("CertOpenStore", code)),
        };
    }
    let store = Store(store);
    let mut hash = thumbprint.bytes();
    let blob = CRYPT_INTEGER_BLOB {
        cbData: 20,
        pbData: hash.as_mut_ptr(),
    };
    // SAFETY: `store.0` is open; `blob` and the 20 bytes it points to live until the call
    // returns; no previous context (NULL) starts the search.
    let found = unsafe {
        find(
            store.0,
            X509_ASN_ENCODING | PKCS_7_ASN_ENCODING,
            0,
            CERT_FIND_SHA1_HASH,
            (&raw const blob).cast::<c_void>(),
            ptr::null(),
        )
    };
    if found.is_null() {
        return match last_error() {
            CRYPT_E_NOT_FOUND => Ok(false),
            code => Err(ApiError::new("CertFindCertificateInStore", code)),
        };
    }
    // SAFETY: `found` is a context CertFindCertificateInStore returned for us; freed once.
    unsafe { free(found) };
    Ok(true)
}

/// `CredMarshalCredentialW(CertCredential)`: the user name a certificate credential stores.
pub(crate) fn marshal(thumbprint: &Thumbprint) -> Result<String, ApiError> {
    const API: &str = "CredMarshalCredentialW";
    let info = CERT_CREDENTIAL_INFO {
        cbSize: size_of::<CERT_CREDENTIAL_INFO>() as u32,
        rgbHashOfCert: thumbprint.bytes(),
    };
    let mut out: *mut u16 = ptr::null_mut();
    // SAFETY: `info` is a valid CERT_CREDENTIAL_INFO for CertCredential; `out` is a valid out
    // pointer that receives a CredFree-able string.
    let ok = unsafe {
        CredMarshalCredentialW(CertCredential, (&raw const info).cast::<c_void>(), &mut out)
    };
    let out = Buffer::new(out, Free::Cred);
    if ok == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    // SAFETY: on success `out` is a NUL-terminated string, alive until `out` drops.
    unsafe { wide::from_ptr(out.ptr()) }.ok_or(ApiError::new(API, ERROR_INVALID_PARAMETER))
}

/// `CredUnmarshalCredentialW`: the certificate a stored user name refers to; `None` when the name
/// is not a marshaled certificate reference.
pub(crate) fn unmarshal(user_name: &str) -> Result<Option<Thumbprint>, ApiError> {
    const API: &str = "CredUnmarshalCredentialW";
    let name = WStr::new(user_name, API)?;
    // SAFETY: `name` is NUL-terminated and alive.
    if unsafe { CredIsMarshaledCredentialW(name.as_ptr()) } == 0 {
        return Ok(None);
    }
    let mut kind: CRED_MARSHAL_TYPE = 0;
    let mut out: *mut c_void = ptr::null_mut();
    // SAFETY: `name` is NUL-terminated; `kind` and `out` are valid out pointers; `out` receives a
    // CredFree-able structure.
    let ok = unsafe { CredUnmarshalCredentialW(name.as_ptr(), &mut kind, &mut out) };
    let out = Buffer::new(out.cast::<CERT_CREDENTIAL_INFO>(), Free::Cred);
    if ok == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    if kind != CertCredential || out.ptr().is_null() {
        return Ok(None);
    }
    // SAFETY: for CertCredential the structure is a CERT_CREDENTIAL_INFO, alive until `out` drops.
    let info = unsafe { out.ptr().read_unaligned() };
    Ok(Some(Thumbprint::from_bytes(&info.rgbHashOfCert)))
}

#[cfg(test)]
mod unit {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn marshal_round_trips_and_plain_names_are_not_certificates() -> TestResult {
        let tp: Thumbprint = "00112233445566778899AABBCCDDEEFF00112233".parse()?;
        let name = marshal(&tp)?;
        assert!(name.starts_with("@@B"), "{name}");
        assert_eq!(unmarshal(&name)?, Some(tp));
        assert_eq!(unmarshal(r"CORP\alice")?, None);
        Ok(())
    }

    #[test]
    fn an_unknown_thumbprint_is_not_in_the_store() -> TestResult {
        let tp: Thumbprint = "00112233445566778899AABBCCDDEEFF00112233".parse()?;
        assert!(!in_my_store(&tp)?);
        Ok(())
    }
}
