//! Real PKCS#10 requests and issued certificates for the sim's CSRs.
//!
//! Nodes "generate" an ECDSA P-256 key and a PKCS#10 request exactly as a kubelet does; the sim's
//! CA signs approved requests into `status.certificate`. Everything is base64 of PEM, as the
//! Kubernetes API carries it. Key material is random (ring has no seeded key generation), so only
//! names and fields are deterministic for a given `--seed`, not the PEM bytes.

use std::net::IpAddr;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SanType, SignatureAlgorithm,
};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509CertificationRequest};

pub const CLIENT_SIGNER: &str = "kubernetes.io/kube-apiserver-client-kubelet";
pub const SERVING_SIGNER: &str = "kubernetes.io/kubelet-serving";

/// What a node asks for: its client certificate (to talk to the API) or its serving one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CsrKind {
    Client,
    Serving,
}

/// A PKCS#10 request in PEM for `CN=system:node:<node>, O=system:nodes`. Client requests carry
/// no SANs; serving requests carry the node's DNS names and IPs.
pub fn node_csr_pem(
    node: &str,
    kind: CsrKind,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<String, String> {
    let (dns, ips): (&[String], &[IpAddr]) = match kind {
        CsrKind::Client => (&[], &[]),
        CsrKind::Serving => (dns, ips),
    };
    csr_pem(
        &format!("system:node:{node}"),
        Some("system:nodes"),
        dns,
        ips,
    )
}

/// A PKCS#10 request in PEM with any subject and SANs (used for deliberately bad requests too).
pub fn csr_pem(
    cn: &str,
    org: Option<&str>,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<String, String> {
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    csr_pem_with_key(&key, cn, org, dns, ips)
}

/// One process-wide ECDSA P-256 node key for bulk-generated requests (`--scale csrs=N`):
/// every request is still built and signed on its own (distinct subject, SANs and signature),
/// only the key pair is shared, because generating 20,000 keys would dominate the startup.
fn bulk_key() -> Result<&'static KeyPair, String> {
    static KEY: OnceLock<Result<KeyPair, String>> = OnceLock::new();
    KEY.get_or_init(|| KeyPair::generate().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Like `node_csr_pem`, with the shared bulk key: cheap enough for tens of thousands of CSRs.
pub fn bulk_node_csr_pem(
    node: &str,
    kind: CsrKind,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<String, String> {
    let (dns, ips): (&[String], &[IpAddr]) = match kind {
        CsrKind::Client => (&[], &[]),
        CsrKind::Serving => (dns, ips),
    };
    csr_pem_with_key(
        bulk_key()?,
        &format!("system:node:{node}"),
        Some("system:nodes"),
        dns,
        ips,
    )
}

fn csr_pem_with_key(
    key: &KeyPair,
    cn: &str,
    org: Option<&str>,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<String, String> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    if let Some(o) = org {
        dn.push(DnType::OrganizationName, o);
    }
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.subject_alt_names = sans(dns, ips)?;
    let csr = params.serialize_request(key).map_err(|e| e.to_string())?;
    csr.pem().map_err(|e| e.to_string())
}

fn sans(dns: &[String], ips: &[IpAddr]) -> Result<Vec<SanType>, String> {
    let mut out = Vec::new();
    for d in dns {
        let s = rcgen::string::Ia5String::try_from(d.clone()).map_err(|e| e.to_string())?;
        out.push(SanType::DnsName(s));
    }
    out.extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
    Ok(out)
}

pub fn b64(s: &str) -> String {
    B64.encode(s.as_bytes())
}

/// Decode `spec.request`/`status.certificate` style base64 into the PEM text.
pub fn unb64(s: &str) -> Option<String> {
    let bytes = B64.decode(s.trim().as_bytes()).ok()?;
    String::from_utf8(bytes).ok()
}

/// What a CSR asks for, read back from its DER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedCsr {
    pub common_name: Option<String>,
    pub organizations: Vec<String>,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    /// Email (RFC 822) and URI SANs, which no kubelet signer accepts.
    pub other_sans: Vec<String>,
}

fn first_pem_der(pem_text: &str) -> Option<Vec<u8>> {
    pem::parse(pem_text).ok().map(|p| p.into_contents())
}

/// Parse a CSR given as PEM text. `None` for anything that is not a PKCS#10 request.
pub fn parse_csr_pem(pem_text: &str) -> Option<ParsedCsr> {
    let der = first_pem_der(pem_text)?;
    let (_, csr) = X509CertificationRequest::from_der(&der).ok()?;
    let info = &csr.certification_request_info;
    let mut out = ParsedCsr {
        common_name: info
            .subject
            .iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok())
            .map(str::to_string),
        organizations: info
            .subject
            .iter_organization()
            .filter_map(|a| a.as_str().ok())
            .map(str::to_string)
            .collect(),
        ..Default::default()
    };
    if let Some(exts) = csr.requested_extensions() {
        for ext in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                for name in &san.general_names {
                    match name {
                        GeneralName::DNSName(d) => out.dns_names.push(d.to_string()),
                        GeneralName::IPAddress(b) => {
                            if let Some(ip) = ip_from_bytes(b) {
                                out.ip_addresses.push(ip);
                            }
                        }
                        GeneralName::RFC822Name(e) => out.other_sans.push(e.to_string()),
                        GeneralName::URI(u) => out.other_sans.push(u.to_string()),
                        _ => {}
                    }
                }
            }
        }
    }
    Some(out)
}

/// Parse `spec.request` (base64 of PEM).
pub fn parse_request(request_b64: &str) -> Option<ParsedCsr> {
    parse_csr_pem(&unb64(request_b64)?)
}

fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => {
            let a: [u8; 4] = b.try_into().ok()?;
            Some(IpAddr::from(a))
        }
        16 => {
            let a: [u8; 16] = b.try_into().ok()?;
            Some(IpAddr::from(a))
        }
        _ => None,
    }
}

/// The sim's signing CA (one per process: the kube-controller-manager's csr-signer stand-in).
pub struct SimCa {
    issuer: Issuer<'static, KeyPair>,
    pub cert_pem: String,
}

pub fn ca() -> Result<&'static SimCa, String> {
    static CA: OnceLock<Result<SimCa, String>> = OnceLock::new();
    CA.get_or_init(|| {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationalUnitName, "openshift");
        dn.push(DnType::CommonName, "kube-csr-signer_@1732000000");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let (y, m, d) = crate::time::ymd_in_days(-1);
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = crate::time::ymd_in_days(365);
        params.not_after = rcgen::date_time_ymd(y, m, d);
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(SimCa {
            cert_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The public key of a parsed request, in the shape rcgen signs.
struct RequestKey {
    alg: &'static SignatureAlgorithm,
    bits: Vec<u8>,
}

impl PublicKeyData for RequestKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_ED25519: &str = "1.3.101.112";

/// Sign a request (`spec.request`, base64 PEM) with the sim CA for `usages`; returns the
/// base64 PEM certificate for `status.certificate`.
pub fn sign_request(
    request_b64: &str,
    usages: &[String],
    expiration_seconds: Option<u64>,
) -> Result<String, String> {
    let pem_text = unb64(request_b64).ok_or("spec.request is not base64 PEM")?;
    let der = first_pem_der(&pem_text).ok_or("spec.request holds no PEM block")?;
    let (_, csr) = X509CertificationRequest::from_der(&der).map_err(|e| e.to_string())?;
    let parsed = parse_csr_pem(&pem_text).ok_or("not a certificate request")?;
    let spki = &csr.certification_request_info.subject_pki;
    let alg_oid = spki.algorithm.algorithm.to_id_string();
    let alg: &'static SignatureAlgorithm = match alg_oid.as_str() {
        OID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            match curve.as_str() {
                OID_P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
                OID_P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
                other => return Err(format!("unsupported EC curve {other}")),
            }
        }
        OID_RSA => &rcgen::PKCS_RSA_SHA256,
        OID_ED25519 => &rcgen::PKCS_ED25519,
        other => return Err(format!("unsupported key algorithm {other}")),
    };
    let key = RequestKey {
        alg,
        bits: spki.subject_public_key.data.to_vec(),
    };
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    for o in &parsed.organizations {
        dn.push(DnType::OrganizationName, o.as_str());
    }
    if let Some(cn) = &parsed.common_name {
        dn.push(DnType::CommonName, cn.as_str());
    }
    params.distinguished_name = dn;
    params.subject_alt_names = sans(&parsed.dns_names, &parsed.ip_addresses)?;
    for u in usages {
        match u.as_str() {
            "digital signature" => params.key_usages.push(KeyUsagePurpose::DigitalSignature),
            "key encipherment" => params.key_usages.push(KeyUsagePurpose::KeyEncipherment),
            "client auth" => params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ClientAuth),
            "server auth" => params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ServerAuth),
            _ => {}
        }
    }
    let days = expiration_seconds.map_or(30, |s| (s / 86_400).max(1) as i64);
    let (y, m, d) = crate::time::ymd_in_days(-1);
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = crate::time::ymd_in_days(days);
    params.not_after = rcgen::date_time_ymd(y, m, d);
    let ca = ca()?;
    let cert = params
        .signed_by(&key, &ca.issuer)
        .map_err(|e| e.to_string())?;
    Ok(b64(&cert.pem()))
}

/// Subject and SANs of an issued certificate (`status.certificate`, base64 PEM).
pub fn parse_certificate(cert_b64: &str) -> Option<ParsedCsr> {
    let pem_text = unb64(cert_b64)?;
    let der = first_pem_der(&pem_text)?;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der).ok()?;
    let subject = cert.subject();
    let mut out = ParsedCsr {
        common_name: subject
            .iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok())
            .map(str::to_string),
        organizations: subject
            .iter_organization()
            .filter_map(|a| a.as_str().ok())
            .map(str::to_string)
            .collect(),
        ..Default::default()
    };
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => out.dns_names.push(d.to_string()),
                GeneralName::IPAddress(b) => {
                    if let Some(ip) = ip_from_bytes(b) {
                        out.ip_addresses.push(ip);
                    }
                }
                _ => {}
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_csr_has_node_subject_and_no_sans() {
        let pem = node_csr_pem(
            "arm64-worker-1",
            CsrKind::Client,
            &["ignored".into()],
            &["10.0.0.9".parse().unwrap()],
        )
        .unwrap();
        assert!(pem.contains("BEGIN CERTIFICATE REQUEST"));
        let p = parse_request(&b64(&pem)).unwrap();
        assert_eq!(p.common_name.as_deref(), Some("system:node:arm64-worker-1"));
        assert_eq!(p.organizations, vec!["system:nodes".to_string()]);
        assert!(p.dns_names.is_empty() && p.ip_addresses.is_empty());
    }

    #[test]
    fn serving_csr_carries_sans_and_signs() {
        let ip: IpAddr = "192.168.111.31".parse().unwrap();
        let pem = node_csr_pem(
            "arm64-worker-2",
            CsrKind::Serving,
            &["arm64-worker-2".into()],
            &[ip],
        )
        .unwrap();
        let req = b64(&pem);
        let p = parse_request(&req).unwrap();
        assert_eq!(p.dns_names, vec!["arm64-worker-2".to_string()]);
        assert_eq!(p.ip_addresses, vec![ip]);
        let cert = sign_request(
            &req,
            &["digital signature".into(), "server auth".into()],
            None,
        )
        .unwrap();
        let c = parse_certificate(&cert).unwrap();
        assert_eq!(c.common_name.as_deref(), Some("system:node:arm64-worker-2"));
        assert_eq!(c.organizations, vec!["system:nodes".to_string()]);
        assert_eq!(c.dns_names, vec!["arm64-worker-2".to_string()]);
        assert_eq!(c.ip_addresses, vec![ip]);
        assert!(unb64(&cert).unwrap().contains("BEGIN CERTIFICATE"));
    }

    #[test]
    fn garbage_requests_fail_cleanly() {
        assert!(parse_request("not base64 !!").is_none());
        assert!(sign_request(&b64("hello"), &[], None).is_err());
    }
}
