//! Test fixtures: real PKCS#10 requests generated with rcgen, typed CSRs, Nodes and Machines.

use k8s_openapi::ByteString;
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestCondition, CertificateSigningRequestSpec,
    CertificateSigningRequestStatus,
};
use k8s_openapi::api::core::v1::{Node, NodeAddress, NodeCondition, NodeStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SignatureAlgorithm};
use serde_json::{Value, json};

use super::{NODE_BOOTSTRAPPER, NODE_BOOTSTRAPPER_GROUPS, SIGNER_CLIENT, SIGNER_SERVING};

/// An RSA-2048 request made with `openssl req -new -newkey rsa:2048 -subj
/// "/O=system:nodes/CN=system:node:rsa-node"` (ring cannot generate RSA keys).
pub const RSA_CSR_PEM: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIICezCCAWMCAQAwNjEVMBMGA1UECgwMc3lzdGVtOm5vZGVzMR0wGwYDVQQDDBRz
eXN0ZW06bm9kZTpyc2Etbm9kZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoC
ggEBAJDhVzmu5OWZYrpsmovBI3kvpNM3JrN9H2DJo8nTfRvocHSmR78bV7zcrZs1
kIFALstZVypSss41CuUcnnfzBIESfx8onLVpo/gry4HHFpVsEeSzzuASD+GfJIjF
ruE443Cxw9aybXXt+rEsJ8mfarsjDo+8FdwuqSxAOgxb5dk/nCaJvVzsHZKXYYj8
iygjLCNprw3TQbVKoWrhoTyd5e9QI4B7FNd1WevIa74L6XMBMwI0iLFAFXP8rtEd
XNl0sRHjh9JtMIltQ5xzgaY/VdRdZPkW//1gRsMf2EHH6elQO0cjOogfUQZmG7z1
/xHfPdnAGal6HIV8963vnzjcCr8CAwEAAaAAMA0GCSqGSIb3DQEBCwUAA4IBAQAn
cnLyDQkjYV3gOyNgueK4yejsM2notTHoVNa8BoV3m2C1NdcG3e+2J77Oy3PsyOaF
BFoEXl2raRPBBBSqD812n2LMz27SUYPqMTRSxMMKE0X/QkUvfGapzRnjnrnrap4Y
CE4TUQ5ZO0zFJN44Y2K74waE6f9IdM4Z7XxYYkFy/infByyzDWpz3s7KZ+hLgnzp
+ETp1EGbPphxpXHQDAXADkSHPjjmM5uBSx+vViH8Zcx56ZIsHkSL1zjoNLTXLaA8
uU7J59oNVXdOAk/8YBA/iIY/rfmPBHkKwiBO8s4HMeUiL7ujMAcqfmdp09+6KJDF
m52gfeUawfKLfEhtGEK5
-----END CERTIFICATE REQUEST-----
";

/// A real PKCS#10 request in PEM with the given CN, O values and SANs (IPs become IP SANs).
pub fn request_pem(
    cn: &str,
    orgs: &[&str],
    sans: &[&str],
    alg: &'static SignatureAlgorithm,
) -> String {
    let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("test fixture");
    let mut dn = DistinguishedName::new();
    for o in orgs {
        dn.push(DnType::OrganizationName, *o);
    }
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    let key = KeyPair::generate_for(alg).expect("test fixture");
    params
        .serialize_request(&key)
        .expect("test fixture")
        .pem()
        .expect("test fixture")
}

/// Fixed reference time: 2026-11-24T12:00:00Z.
pub fn t0() -> Timestamp {
    "2026-11-24T12:00:00Z".parse().expect("test fixture")
}

/// `t0() + secs`.
pub fn at(secs: i64) -> Timestamp {
    t0() + SignedDuration::from_secs(secs)
}

/// A typed CSR.
pub fn csr(
    name: &str,
    signer: &str,
    username: &str,
    groups: &[&str],
    usages: &[&str],
    pem: &[u8],
    created: Timestamp,
) -> CertificateSigningRequest {
    CertificateSigningRequest {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            creation_timestamp: Some(Time(created)),
            ..Default::default()
        },
        spec: CertificateSigningRequestSpec {
            signer_name: signer.to_string(),
            username: Some(username.to_string()),
            groups: Some(groups.iter().map(|s| s.to_string()).collect()),
            usages: Some(usages.iter().map(|s| s.to_string()).collect()),
            request: ByteString(pem.to_vec()),
            ..Default::default()
        },
        status: None,
    }
}

/// A valid bootstrap client CSR for `node` (ECDSA P-256).
pub fn client_csr(name: &str, node: &str, created: Timestamp) -> CertificateSigningRequest {
    let pem = request_pem(
        &format!("system:node:{node}"),
        &["system:nodes"],
        &[],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    csr(
        name,
        SIGNER_CLIENT,
        NODE_BOOTSTRAPPER,
        &NODE_BOOTSTRAPPER_GROUPS,
        &["digital signature", "client auth"],
        pem.as_bytes(),
        created,
    )
}

/// A valid serving CSR for `node` with the given SANs (ECDSA P-256).
pub fn serving_csr(
    name: &str,
    node: &str,
    sans: &[&str],
    created: Timestamp,
) -> CertificateSigningRequest {
    let user = format!("system:node:{node}");
    let pem = request_pem(
        &user,
        &["system:nodes"],
        sans,
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    csr(
        name,
        SIGNER_SERVING,
        &user,
        &["system:nodes", "system:authenticated"],
        &["digital signature", "server auth"],
        pem.as_bytes(),
        created,
    )
}

/// Adds a condition (`Approved`, `Denied`, `Failed`) with status True at `when`.
pub fn with_condition(
    mut c: CertificateSigningRequest,
    type_: &str,
    when: Timestamp,
) -> CertificateSigningRequest {
    let status = c
        .status
        .get_or_insert_with(CertificateSigningRequestStatus::default);
    status
        .conditions
        .get_or_insert_with(Vec::new)
        .push(CertificateSigningRequestCondition {
            type_: type_.to_string(),
            status: "True".to_string(),
            reason: Some("Test".to_string()),
            message: Some(format!("{type_} by test")),
            last_update_time: Some(Time(when)),
            last_transition_time: Some(Time(when)),
        });
    c
}

/// Marks the CSR as issued (a certificate is present).
pub fn issued(mut c: CertificateSigningRequest) -> CertificateSigningRequest {
    c.status
        .get_or_insert_with(CertificateSigningRequestStatus::default)
        .certificate = Some(ByteString(b"cert".to_vec()));
    c
}

/// A Node with addresses `(type, address)` and an optional Ready condition `(ready, since)`.
pub fn node(
    name: &str,
    addresses: &[(&str, &str)],
    ready: Option<(bool, Timestamp)>,
    created: Timestamp,
) -> Node {
    Node {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            creation_timestamp: Some(Time(created)),
            ..Default::default()
        },
        spec: None,
        status: Some(NodeStatus {
            addresses: Some(
                addresses
                    .iter()
                    .map(|(t, a)| NodeAddress {
                        type_: t.to_string(),
                        address: a.to_string(),
                    })
                    .collect(),
            ),
            conditions: ready.map(|(r, since)| {
                vec![NodeCondition {
                    type_: "Ready".to_string(),
                    status: if r { "True" } else { "False" }.to_string(),
                    last_transition_time: Some(Time(since)),
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }),
    }
}

/// A machine.openshift.io/v1beta1 Machine as JSON.
pub fn machine(
    name: &str,
    addresses: &[(&str, &str)],
    node_ref: Option<&str>,
    created: Timestamp,
) -> Value {
    let mut m = json!({
        "apiVersion": "machine.openshift.io/v1beta1",
        "kind": "Machine",
        "metadata": {"name": name, "namespace": "openshift-machine-api", "creationTimestamp": created.to_string()},
        "status": {
            "addresses": addresses.iter().map(|(t, a)| json!({"type": t, "address": a})).collect::<Vec<_>>(),
        }
    });
    if let Some(n) = node_ref {
        m["status"]["nodeRef"] = json!({"kind": "Node", "name": n});
    }
    m
}
