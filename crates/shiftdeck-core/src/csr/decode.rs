//! Decoding `spec.request`: PEM (optionally base64 as in raw JSON) -> PKCS#10 fields.

// Keyed by 20,000 CSR names: foldhash rather than SipHash.
use foldhash::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521,
    OID_PKCS1_RSAENCRYPTION, OID_SIG_ED448, OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// Why a request could not be decoded. The message is plain words for the details view.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The base64 text (raw JSON `spec.request`) is malformed.
    #[error("request is not valid base64: {0}")]
    Base64(String),
    /// The bytes are not a PEM block.
    #[error("request is not PEM: {0}")]
    NotPem(String),
    /// A PEM block of another type (e.g. a certificate or a key).
    #[error("PEM block is a {0}, not a CERTIFICATE REQUEST")]
    WrongPemType(String),
    /// The PEM body is not a DER PKCS#10 request.
    #[error("request is not a PKCS#10 certificate request: {0}")]
    NotCsr(String),
}

/// Public key type and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyInfo {
    /// RSA with the modulus size in bits.
    Rsa { bits: usize },
    /// Elliptic curve by curve name (`P-256`, `P-384`, `P-521`, or the OID).
    Ec { curve: String },
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Any other algorithm, by OID.
    Other(String),
}

impl fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits} bits"),
            Self::Ec { curve } => write!(f, "ECDSA {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::Other(oid) => write!(f, "unknown key algorithm {oid}"),
        }
    }
}

/// The fields of a PKCS#10 request that the checks and the details view use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedRequest {
    /// Subject common names (normally exactly one).
    pub common_names: Vec<String>,
    /// Subject organizations.
    pub organizations: Vec<String>,
    /// DNS SANs.
    pub dns_sans: Vec<String>,
    /// IP SANs.
    pub ip_sans: Vec<IpAddr>,
    /// Email SANs.
    pub email_sans: Vec<String>,
    /// URI SANs.
    pub uri_sans: Vec<String>,
    /// Public key type and size.
    pub key: KeyInfo,
    /// Whether the request's self-signature verifies with its own public key.
    pub signature_valid: bool,
    /// Why the signature did not verify (empty when valid).
    pub signature_error: String,
}

impl DecodedRequest {
    /// The first CN, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.common_names.first().map(String::as_str)
    }

    /// Whether the request carries any SAN at all.
    pub fn has_sans(&self) -> bool {
        !(self.dns_sans.is_empty()
            && self.ip_sans.is_empty()
            && self.email_sans.is_empty()
            && self.uri_sans.is_empty())
    }
}

/// Decodes a CSR's `spec.request` (already base64-decoded by k8s-openapi into PEM bytes).
pub fn decode_csr(csr: &CertificateSigningRequest) -> Result<DecodedRequest, DecodeError> {
    decode_pem(&csr.spec.request.0)
}

/// Decodes the base64 text of `spec.request` as found in raw JSON.
pub fn decode_base64(text: &str) -> Result<DecodedRequest, DecodeError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    decode_pem(&bytes)
}

/// Decodes PEM bytes holding one `CERTIFICATE REQUEST` block.
pub fn decode_pem(bytes: &[u8]) -> Result<DecodedRequest, DecodeError> {
    let block = pem::parse(bytes).map_err(|e| DecodeError::NotPem(e.to_string()))?;
    match block.tag() {
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => decode_der(block.contents()),
        other => Err(DecodeError::WrongPemType(other.to_string())),
    }
}

/// Decodes a DER PKCS#10 request.
pub fn decode_der(der: &[u8]) -> Result<DecodedRequest, DecodeError> {
    let (_, req) =
        X509CertificationRequest::from_der(der).map_err(|e| DecodeError::NotCsr(e.to_string()))?;
    let info = &req.certification_request_info;
    let strings = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        it.map(|a| a.as_str().map(str::to_string).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let common_names = strings(&mut info.subject.iter_common_name());
    let organizations = strings(&mut info.subject.iter_organization());
    let mut out = DecodedRequest {
        common_names,
        organizations,
        dns_sans: Vec::new(),
        ip_sans: Vec::new(),
        email_sans: Vec::new(),
        uri_sans: Vec::new(),
        key: key_info(&info.subject_pki),
        signature_valid: false,
        signature_error: String::new(),
    };
    if let Some(exts) = req.requested_extensions() {
        for ext in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                for name in &san.general_names {
                    collect_san(&mut out, name);
                }
            }
        }
    }
    match req.verify_signature() {
        Ok(()) => out.signature_valid = true,
        Err(e) => out.signature_error = e.to_string(),
    }
    Ok(out)
}

fn collect_san(out: &mut DecodedRequest, name: &GeneralName<'_>) {
    match name {
        GeneralName::DNSName(d) => out.dns_sans.push((*d).to_string()),
        GeneralName::RFC822Name(e) => out.email_sans.push((*e).to_string()),
        GeneralName::URI(u) => out.uri_sans.push((*u).to_string()),
        GeneralName::IPAddress(raw) => {
            let ip = match raw.len() {
                4 => <[u8; 4]>::try_from(*raw).ok().map(IpAddr::from),
                16 => <[u8; 16]>::try_from(*raw).ok().map(IpAddr::from),
                _ => None,
            };
            // An IP SAN of the wrong length cannot match any address: keep it visible as a URI-like
            // entry so the SAN checks still see "a SAN is present".
            match ip {
                Some(ip) => out.ip_sans.push(ip),
                None => out
                    .uri_sans
                    .push(format!("invalid IP SAN ({} bytes)", raw.len())),
            }
        }
        other => out.uri_sans.push(format!("{other}")),
    }
}

fn key_info(spki: &SubjectPublicKeyInfo<'_>) -> KeyInfo {
    let alg = &spki.algorithm.algorithm;
    if *alg == OID_PKCS1_RSAENCRYPTION {
        let bits = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => rsa.key_size(),
            _ => 0,
        };
        KeyInfo::Rsa { bits }
    } else if *alg == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|oid| {
                if oid == OID_EC_P256 {
                    "P-256".to_string()
                } else if oid == OID_NIST_EC_P384 {
                    "P-384".to_string()
                } else if oid == OID_NIST_EC_P521 {
                    "P-521".to_string()
                } else {
                    oid.to_id_string()
                }
            })
            .unwrap_or_else(|| "unknown curve".to_string());
        KeyInfo::Ec { curve }
    } else if *alg == OID_SIG_ED25519 {
        KeyInfo::Ed25519
    } else if *alg == OID_SIG_ED448 {
        KeyInfo::Ed448
    } else {
        KeyInfo::Other(alg.to_id_string())
    }
}

type Decoded = Result<DecodedRequest, DecodeError>;

fn cache_key(csr: &CertificateSigningRequest) -> (String, String) {
    (
        csr.metadata.name.clone().unwrap_or_default(),
        csr.metadata.uid.clone().unwrap_or_default(),
    )
}

/// Requests decoded ahead of the CSR pane, on a blocking thread, once the first list of CSRs is
/// complete: parsing and verifying 20,000 signatures takes over a second, which would otherwise
/// be spent on the first switch to the pane. The pane's [`DecodeCache`] takes entries out (so
/// they are never held twice).
#[derive(Debug, Default)]
pub struct Predecoded {
    entries: std::sync::Mutex<HashMap<(String, String), Decoded>>,
}

impl Predecoded {
    /// Decodes every CSR of `csrs` not decoded yet (call off the async executor).
    pub fn fill<C: std::borrow::Borrow<CertificateSigningRequest>>(&self, csrs: &[C]) {
        for c in csrs {
            let c = c.borrow();
            let key = cache_key(c);
            let known = self
                .entries
                .lock()
                .map(|m| m.contains_key(&key))
                .unwrap_or(true);
            if known {
                continue;
            }
            // Decoded without the lock held: the pane may take entries meanwhile.
            let d = decode_csr(c);
            if let Ok(mut m) = self.entries.lock() {
                m.insert(key, d);
            }
        }
    }

    fn take(&self, key: &(String, String)) -> Option<Decoded> {
        self.entries.lock().ok()?.remove(key)
    }

    /// `f` of `csr`'s decoded request, if decoded here (it stays here for the pane to take).
    pub fn with<R>(
        &self,
        csr: &CertificateSigningRequest,
        f: impl FnOnce(&Decoded) -> R,
    ) -> Option<R> {
        let m = self.entries.lock().ok()?;
        m.get(&cache_key(csr)).map(f)
    }

    /// Drops the requests of the CSRs of `csrs` that `drop` says are no longer needed (the
    /// decided ones, once validated ahead: their rows keep a summary, see
    /// `Validation::into_row_summary`).
    pub fn forget<C: std::borrow::Borrow<CertificateSigningRequest>>(
        &self,
        csrs: &[C],
        drop: impl Fn(&CertificateSigningRequest) -> bool,
    ) {
        if let Ok(mut m) = self.entries.lock() {
            for c in csrs {
                let c = c.borrow();
                if drop(c) {
                    m.remove(&cache_key(c));
                }
            }
            m.shrink_to_fit();
        }
    }

    /// Number of requests waiting to be taken.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether none are waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Decoded requests keyed by CSR `(name, uid)`, so the pane does not re-parse and re-verify every
/// request on each refresh (`spec.request` is immutable; the uid tells a re-created CSR apart).
#[derive(Debug, Default)]
pub struct DecodeCache {
    entries: HashMap<(String, String), Decoded>,
    /// Requests decoded ahead of time, taken before decoding here.
    predecoded: Option<std::sync::Arc<Predecoded>>,
}

impl DecodeCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Take requests decoded ahead of time from `p` from now on.
    pub fn use_predecoded(&mut self, p: std::sync::Arc<Predecoded>) {
        self.predecoded = Some(p);
    }

    /// The decoded request of `csr`, decoding it on first use.
    pub fn get(&mut self, csr: &CertificateSigningRequest) -> &Result<DecodedRequest, DecodeError> {
        let key = cache_key(csr);
        let pre = &self.predecoded;
        match self.entries.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let d = pre
                    .as_ref()
                    .and_then(|p| p.take(e.key()))
                    .unwrap_or_else(|| decode_csr(csr));
                e.insert(d)
            }
        }
    }

    /// Drops the decoded request of `csr` (a decided CSR whose row keeps a summary), here and
    /// among those decoded ahead.
    pub fn forget(&mut self, csr: &CertificateSigningRequest) {
        let key = cache_key(csr);
        if self.entries.remove(&key).is_none()
            && let Some(p) = &self.predecoded
        {
            p.take(&key);
        }
    }

    /// Drops entries for CSRs not in `live` (call after a store refresh).
    pub fn retain_live<C: std::borrow::Borrow<CertificateSigningRequest>>(&mut self, live: &[C]) {
        let keep: HashSet<(&str, &str)> = live
            .iter()
            .map(|c| {
                let m = &c.borrow().metadata;
                (
                    m.name.as_deref().unwrap_or_default(),
                    m.uid.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        self.entries
            .retain(|(n, u), _| keep.contains(&(n.as_str(), u.as_str())));
    }

    /// Number of cached requests.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::testutil::{RSA_CSR_PEM, request_pem};

    #[test]
    fn the_cache_takes_predecoded_requests_and_decodes_the_rest() {
        let pem = request_pem(
            "system:node:w1",
            &["system:nodes"],
            &[],
            &rcgen::PKCS_ECDSA_P256_SHA256,
        );
        let csr = |name: &str| -> CertificateSigningRequest {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "uid": format!("uid-{name}")},
                "spec": {"request": base64::engine::general_purpose::STANDARD.encode(&pem),
                    "signerName": "kubernetes.io/kube-apiserver-client-kubelet"}
            }))
            .unwrap()
        };
        let (a, b) = (csr("a"), csr("b"));
        let pre = std::sync::Arc::new(Predecoded::default());
        pre.fill(std::slice::from_ref(&a));
        assert_eq!(pre.len(), 1);
        let mut cache = DecodeCache::new();
        cache.use_predecoded(pre.clone());
        assert!(cache.get(&a).is_ok());
        assert!(pre.is_empty(), "taken, not copied");
        assert!(cache.get(&b).is_ok(), "decoded here when not predecoded");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn decodes_ecdsa_client_request() {
        let pem = request_pem(
            "system:node:worker-1",
            &["system:nodes"],
            &[],
            &rcgen::PKCS_ECDSA_P256_SHA256,
        );
        let d = decode_pem(pem.as_bytes()).unwrap();
        assert_eq!(d.common_name(), Some("system:node:worker-1"));
        assert_eq!(d.organizations, vec!["system:nodes"]);
        assert!(!d.has_sans());
        assert_eq!(
            d.key,
            KeyInfo::Ec {
                curve: "P-256".into()
            }
        );
        assert!(d.signature_valid, "{}", d.signature_error);
    }

    #[test]
    fn decodes_sans_and_p384() {
        let pem = request_pem(
            "system:node:worker-1",
            &["system:nodes"],
            &["worker-1", "10.0.0.5", "fd00::5"],
            &rcgen::PKCS_ECDSA_P384_SHA384,
        );
        let d = decode_pem(pem.as_bytes()).unwrap();
        assert_eq!(d.dns_sans, vec!["worker-1"]);
        assert_eq!(
            d.ip_sans,
            vec![
                "10.0.0.5".parse::<IpAddr>().unwrap(),
                "fd00::5".parse().unwrap()
            ]
        );
        assert_eq!(d.key.to_string(), "ECDSA P-384");
        assert!(d.signature_valid);
    }

    #[test]
    fn decodes_ed25519_and_rsa() {
        let pem = request_pem("system:node:a", &[], &[], &rcgen::PKCS_ED25519);
        let d = decode_pem(pem.as_bytes()).unwrap();
        assert_eq!(d.key, KeyInfo::Ed25519);
        assert!(d.signature_valid);
        assert!(d.organizations.is_empty());

        let d = decode_pem(RSA_CSR_PEM.as_bytes()).unwrap();
        assert_eq!(d.key, KeyInfo::Rsa { bits: 2048 });
        assert_eq!(d.key.to_string(), "RSA 2048 bits");
        assert_eq!(d.common_name(), Some("system:node:rsa-node"));
        assert!(d.signature_valid, "{}", d.signature_error);
    }

    #[test]
    fn base64_roundtrip_and_malformed_base64() {
        let pem = request_pem(
            "system:node:a",
            &["system:nodes"],
            &[],
            &rcgen::PKCS_ECDSA_P256_SHA256,
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(pem);
        assert!(decode_base64(&b64).is_ok());
        let err = decode_base64("%%% not base64 %%%").unwrap_err();
        assert!(matches!(err, DecodeError::Base64(_)), "{err}");
    }

    #[test]
    fn garbage_and_wrong_pem_type() {
        assert!(matches!(decode_pem(b"hello"), Err(DecodeError::NotPem(_))));
        let cert_pem = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        assert_eq!(
            decode_pem(cert_pem.as_bytes()),
            Err(DecodeError::WrongPemType("CERTIFICATE".into()))
        );
        let junk =
            "-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n";
        assert!(matches!(
            decode_pem(junk.as_bytes()),
            Err(DecodeError::NotCsr(_))
        ));
    }

    #[test]
    fn decode_cache_reuses_and_prunes() {
        let mut a = crate::csr::testutil::client_csr("a", "w1", crate::csr::testutil::t0());
        a.metadata.uid = Some("uid-a".into());
        let mut b = crate::csr::testutil::client_csr("b", "w2", crate::csr::testutil::t0());
        b.metadata.uid = Some("uid-b".into());
        let mut cache = DecodeCache::new();
        assert!(cache.get(&a).is_ok());
        assert!(cache.get(&b).is_ok());
        assert!(cache.get(&a).is_ok());
        assert_eq!(cache.len(), 2);
        // Same name, new uid: decoded again.
        let mut a2 = a.clone();
        a2.metadata.uid = Some("uid-a2".into());
        a2.spec.request.0 = b"junk".to_vec();
        assert!(cache.get(&a2).is_err());
        cache.retain_live(&[a2]);
        assert_eq!(cache.len(), 1);
        assert!(!cache.is_empty());
    }

    #[test]
    fn tampered_signature_is_detected() {
        let pem = request_pem(
            "system:node:a",
            &["system:nodes"],
            &[],
            &rcgen::PKCS_ECDSA_P256_SHA256,
        );
        let block = pem::parse(pem).unwrap();
        let mut der = block.contents().to_vec();
        // Flip one byte of the CN ("a" -> "b"): still parses, signature no longer matches.
        let pos = der.windows(13).position(|w| w == b"system:node:a").unwrap() + 12;
        der[pos] = b'b';
        let d = decode_der(&der).unwrap();
        assert_eq!(d.common_name(), Some("system:node:b"));
        assert!(!d.signature_valid);
        assert!(!d.signature_error.is_empty());
    }
}
