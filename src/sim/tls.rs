//! The sim's serving PKI: a CA and a loopback serving certificate, as a real API server has.
//!
//! One CA and one serving certificate per process (`OnceLock`): every sim, nested guest sims
//! included, listens on loopback, so they all share the same certificate and kubeconfigs all
//! carry the same `certificate-authority-data`. Key generation happens once, on first use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Datelike, Utc};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The process-wide serving material.
pub struct SimTls {
    /// PEM of the CA that signed the serving certificate (what kubeconfigs trust).
    pub ca_pem: String,
    ca_der: CertificateDer<'static>,
    server: Arc<rustls::ServerConfig>,
}

impl SimTls {
    /// A TLS acceptor for the sim's listener (HTTP/1.1 only).
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.server.clone())
    }

    /// `certificate-authority-data` for a kubeconfig: base64 of the CA's PEM.
    pub fn ca_data(&self) -> String {
        B64.encode(self.ca_pem.as_bytes())
    }

    /// A rustls client configuration trusting only the sim's CA (for raw clients and tests).
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.ca_der.clone())
            .map_err(|e| format!("adding the sim CA: {e}"))?;
        let cfg = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(cfg))
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The shared CA and serving certificate, generated on first use.
pub fn shared() -> Result<&'static SimTls, String> {
    static TLS: OnceLock<Result<SimTls, String>> = OnceLock::new();
    TLS.get_or_init(generate).as_ref().map_err(Clone::clone)
}

fn generate() -> Result<SimTls, String> {
    // kube-rs and anything else building a rustls config without naming a provider need a
    // process default; ring is the one in the tree. Already installed is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let err = |e: rcgen::Error| e.to_string();

    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationalUnitName, "openshift");
    dn.push(DnType::CommonName, "kube-apiserver-localhost-signer");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut ca, 3650);
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let ca_pem = ca_cert.pem();
    let ca_der = CertificateDer::from(ca_cert.der().to_vec());
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(err)?;
    let mut leaf = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "127.0.0.1");
    leaf.distinguished_name = dn;
    leaf.subject_alt_names = vec![
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        SanType::DnsName(rcgen::string::Ia5String::try_from("localhost").map_err(err)?),
    ];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut leaf, 365);
    let leaf_cert = leaf.signed_by(&key, &issuer).map_err(err)?;
    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        ca_der.clone(),
    ];
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| format!("sim serving certificate: {e}"))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SimTls {
        ca_pem,
        ca_der,
        server: Arc::new(server),
    })
}

fn validity(params: &mut CertificateParams, days: i64) {
    let ymd = |t: chrono::DateTime<Utc>| (t.year(), t.month() as u8, t.day() as u8);
    let (y, m, d) = ymd(Utc::now() - chrono::Duration::days(1));
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = ymd(Utc::now() + chrono::Duration::days(days));
    params.not_after = rcgen::date_time_ymd(y, m, d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_material_is_generated_once_and_parses() {
        let a = shared().expect("tls");
        let b = shared().expect("tls");
        assert!(std::ptr::eq(a, b));
        assert!(a.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(a.client_config().is_ok());
        let pem = crate::sim::pki::unb64(&a.ca_data()).expect("base64");
        assert_eq!(pem, a.ca_pem);
    }
}
