//! The sim's serving PKI: a CA and a loopback serving certificate, as a real API server has.
//!
//! One CA and one serving certificate per process (`OnceLock`): every sim, nested guest sims
//! included, listens on loopback, so they all share the same certificate and kubeconfigs all
//! carry the same `certificate-authority-data`. Key generation happens once, on first use.
//! With a state directory (`shiftdeck sim --state-dir`) the CA is kept there, so a sim process
//! restarted on the same address is trusted by the kubeconfig written by the one before.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
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

static STATE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Keep the CA in `dir` (read it when there, else create it there). Must come before the first
/// [`shared`]; returns an error when the material was already made without it.
pub fn use_state_dir(dir: &Path) -> Result<(), String> {
    STATE_DIR
        .set(dir.to_path_buf())
        .map_err(|_| "the sim's state directory is already set".to_string())
}

/// The shared CA and serving certificate, generated on first use.
pub fn shared() -> Result<&'static SimTls, String> {
    static TLS: OnceLock<Result<SimTls, String>> = OnceLock::new();
    TLS.get_or_init(|| generate(STATE_DIR.get().map(PathBuf::as_path)))
        .as_ref()
        .map_err(Clone::clone)
}

const CA_CERT_FILE: &str = "ca.crt";
const CA_KEY_FILE: &str = "ca.key";

/// The CA key and certificate PEM kept in `dir`, or `None` when it holds none yet.
fn load_ca(dir: &Path) -> Result<Option<(KeyPair, String)>, String> {
    let (cert, key) = (dir.join(CA_CERT_FILE), dir.join(CA_KEY_FILE));
    if !cert.exists() && !key.exists() {
        return Ok(None);
    }
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let key = KeyPair::from_pem(&read(&key)?).map_err(|e| format!("{}: {e}", key.display()))?;
    Ok(Some((key, read(&cert)?)))
}

/// Writes the CA into `dir` (the key readable by its owner only).
fn save_ca(dir: &Path, key: &KeyPair, cert_pem: &str) -> Result<(), String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let key_path = dir.join(CA_KEY_FILE);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&key_path).map_err(|e| io(&key_path, e))?;
    std::io::Write::write_all(&mut f, key.serialize_pem().as_bytes())
        .map_err(|e| io(&key_path, e))?;
    let cert_path = dir.join(CA_CERT_FILE);
    std::fs::write(&cert_path, cert_pem).map_err(|e| io(&cert_path, e))
}

fn generate(state_dir: Option<&Path>) -> Result<SimTls, String> {
    // kube-rs and anything else building a rustls config without naming a provider need a
    // process default; ring is the one in the tree. Already installed is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let err = |e: rcgen::Error| e.to_string();

    let kept = match state_dir {
        Some(dir) => load_ca(dir)?,
        None => None,
    };
    let (ca_key, kept_pem) = match kept {
        Some((key, pem)) => (key, Some(pem)),
        None => (KeyPair::generate().map_err(err)?, None),
    };
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
    // A kept CA: its certificate as written before; the same subject and key sign the new
    // serving certificate, so clients trusting the old certificate trust this server.
    let ca_pem = match kept_pem {
        Some(pem) => pem,
        None => {
            let pem = ca.self_signed(&ca_key).map_err(err)?.pem();
            if let Some(dir) = state_dir {
                save_ca(dir, &ca_key, &pem)?;
            }
            pem
        }
    };
    let ca_der = ::pem::parse(&ca_pem)
        .map(|p| CertificateDer::from(p.into_contents()))
        .map_err(|e| format!("the sim CA certificate: {e}"))?;
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
    let (y, m, d) = crate::time::ymd_in_days(-1);
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = crate::time::ymd_in_days(days);
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
        let pem = crate::pki::unb64(&a.ca_data()).expect("base64");
        assert_eq!(pem, a.ca_pem);
    }

    #[test]
    fn a_state_dir_keeps_the_ca_across_processes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = generate(Some(dir.path())).expect("first");
        let second = generate(Some(dir.path())).expect("second");
        assert_eq!(first.ca_pem, second.ca_pem);
        assert_ne!(first.ca_pem, generate(None).expect("fresh").ca_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the CA key is private");
        }
        std::fs::write(dir.path().join(CA_KEY_FILE), "not a key").expect("write");
        let e = generate(Some(dir.path()))
            .err()
            .expect("a broken key is an error");
        assert!(e.contains("ca.key"), "{e}");
    }
}
