//! Field validation: unknown fields are refused under `fieldValidation=Strict` (kubectl's
//! default, 400 "strict decoding error"), reported in a `Warning` header and dropped under Warn
//! (the server default); custom resources are validated against their schema (422), immutable
//! fields stay as they were (NodePool spec.clusterName: 422; Node spec.podCIDR: 422; a CSR's
//! spec is put back by the server on every update); MachineSets and Machines are validated
//! against the Machine API CRDs' schemas, Cluster API Machines against Cluster API's, DataVolumes against CDI's, VirtualMachines and
//! VirtualMachineInstances against KubeVirt's.

use serde_json::json;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{Profile, SimOptions};

use crate::conformance::kubectl::Kube;
use crate::sim_support::NS;

const NP: &str = "nodepools.hypershift.openshift.io";
const NP_PATH: &str = "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools";

#[tokio::test]
async fn unknown_fields_strict_warn_and_ignore() {
    let k = Kube::start().await;
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\n  namespace: default\nbogus: 1\ndata:\n  a: b\n";
    let err = k.run_in(&["create", "-f", "-"], Some(cm)).await;
    assert!(!err.0, "kubectl stored an unknown field: {}", err.1);
    assert!(err.2.contains("unknown field \"bogus\""), "{}", err.2);
    assert!(k.get("configmaps", Some("default"), "strict").is_none());

    // The server's default (Warn): stored without the field, and the client is told.
    let body = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned","namespace":"default"},"bogus":1,"data":{"a":"b","c":"d"}}"#;
    let head = k
        .raw_head(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            body,
        )
        .await;
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("warning: 299 - \"unknown field \\\"bogus\\\"\""),
        "{head}"
    );
    let stored = k
        .get("configmaps", Some("default"), "warned")
        .expect("stored");
    assert!(stored.get("bogus").is_none(), "{stored}");
    assert_eq!(stored["data"], json!({"a": "b", "c": "d"}));

    // Ignore: stored, dropped, no warning.
    let body = body.replace("warned", "ignored");
    let head = k
        .raw_head(
            "POST",
            "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
            "application/json",
            &body,
        )
        .await;
    assert!(
        head.starts_with("HTTP/1.1 201") && !head.to_ascii_lowercase().contains("warning:"),
        "{head}"
    );
    // A bad fieldValidation value is refused.
    let (code, st) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/configmaps?fieldValidation=Loose",
            "application/json",
            &body.replace("ignored", "loose"),
        )
        .await;
    assert_eq!(code, 422, "{st}");

    // An unknown metadata field is named once, as the API server's strict decoder does.
    let (code, st) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
            "application/json",
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"meta","namespace":"default","bogus":1}}"#,
        )
        .await;
    assert_eq!(code, 400, "{st}");
    let msg = st["message"].as_str().unwrap_or("");
    assert_eq!(msg.matches("unknown field").count(), 1, "{msg}");
    assert!(msg.contains("unknown field \"metadata.bogus\""), "{msg}");

    // Unknown fields of a custom resource, nested too: refused under Strict, warned about
    // (and dropped) under the default.
    let (code, st) = k
        .raw(
            "PATCH",
            &format!("{NP_PATH}/np-fixed?fieldValidation=Strict"),
            "application/merge-patch+json",
            r#"{"spec":{"nodeDrainTimout":"5m"}}"#,
        )
        .await;
    assert_eq!(code, 400, "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap_or("")
            .contains("strict decoding error: unknown field \"spec.nodeDrainTimout\""),
        "{st}"
    );
    let (_, _, err) = k
        .run(&[
            "patch",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "--type=merge",
            "-p",
            r#"{"spec":{"nodeDrainTimout":"5m"}}"#,
        ])
        .await;
    assert!(
        err.contains("unknown field \"spec.nodeDrainTimout\""),
        "{err}"
    );
    let np = k.get(NP, Some(NS), "np-fixed").expect("np");
    assert!(np["spec"].get("nodeDrainTimout").is_none(), "{np}");
}

#[tokio::test]
async fn custom_resources_are_validated_against_their_schema() {
    let k = Kube::start().await;
    let np = "apiVersion: hypershift.openshift.io/v1beta1\nkind: NodePool\nmetadata:\n  name: bad\n  namespace: clusters\nspec:\n  clusterName: hc1\n  replicas: two\n  release:\n    image: quay.io/ocp-release:4.18.1-multi\n  management:\n    upgradeType: Replace\n  platform:\n    type: KubeVirt\n";
    let (ok, _, err) = k.run_in(&["create", "-f", "-"], Some(np)).await;
    assert!(!ok, "stored a NodePool with replicas: two");
    assert!(
        err.contains("spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""),
        "{err}"
    );
    let (code, st) = k
        .raw("POST", NP_PATH, "application/json", r#"{"apiVersion":"hypershift.openshift.io/v1beta1","kind":"NodePool","metadata":{"name":"bad"},"spec":{"clusterName":"hc1","replicas":"two","management":{"upgradeType":"Sideways"},"platform":{"type":"KubeVirt"},"release":{"image":"quay.io/r:1"}}}"#)
        .await;
    assert_eq!(code, 422, "{st}");
    assert_eq!(st["reason"], json!("Invalid"));
    let mut fields: Vec<&str> = st["details"]["causes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["field"].as_str())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["spec.management.upgradeType", "spec.replicas"],
        "{st}"
    );

    // Required fields, then the cross-field rule.
    let (code, st) = k
        .raw("POST", NP_PATH, "application/json", r#"{"apiVersion":"hypershift.openshift.io/v1beta1","kind":"NodePool","metadata":{"name":"bad"},"spec":{"platform":{"type":"KubeVirt"}}}"#)
        .await;
    assert_eq!(code, 422, "{st}");
    let msg = st["message"].as_str().unwrap_or("");
    for f in [
        "spec.clusterName: Required value",
        "spec.management: Required value",
        "spec.release: Required value",
    ] {
        assert!(msg.contains(f), "{msg}");
    }
    let (ok, _, err) = k
        .run(&[
            "patch",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "--type=merge",
            "-p",
            r#"{"spec":{"autoScaling":{"min":1,"max":3}}}"#,
        ])
        .await;
    assert!(
        !ok && err.contains("Both replicas or autoScaling should not be set"),
        "{err}"
    );
    assert_eq!(
        k.get(NP, Some(NS), "np-fixed").expect("np")["spec"]["replicas"],
        json!(2)
    );
}

#[tokio::test]
async fn immutable_fields_stay() {
    let k = Kube::start().await;
    let err = k
        .fails(&[
            "patch",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "--type=merge",
            "-p",
            r#"{"spec":{"clusterName":"other"}}"#,
        ])
        .await;
    assert!(
        err.contains("spec.clusterName: Invalid value: \"string\": ClusterName is immutable"),
        "{err}"
    );
    assert_eq!(
        k.get(NP, Some(NS), "np-fixed").expect("np")["spec"]["clusterName"],
        json!("hc1")
    );
    // Mutable fields still change.
    k.ok(&[
        "patch",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":3}}"#,
    ])
    .await;

    // Node spec.podCIDR: may be set once, never changed.
    k.ok(&[
        "patch",
        "node",
        "worker-0",
        "-p",
        r#"{"spec":{"podCIDR":"10.128.0.0/23","podCIDRs":["10.128.0.0/23"]}}"#,
    ])
    .await;
    let err = k
        .fails(&[
            "patch",
            "node",
            "worker-0",
            "-p",
            r#"{"spec":{"podCIDR":"10.130.0.0/23","podCIDRs":["10.130.0.0/23"]}}"#,
        ])
        .await;
    assert!(err.contains("spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"), "{err}");
    assert_eq!(
        k.get("nodes", None, "worker-0").expect("node")["spec"]["podCIDR"],
        json!("10.128.0.0/23")
    );

    // CSR spec: the server keeps the stored spec whatever an update sends.
    let before = k
        .get(
            "certificatesigningrequests.certificates.k8s.io",
            None,
            "csr-0",
        )
        .expect("csr");
    k.ok(&["patch", "csr", "csr-0", "--type=merge", "-p", r#"{"spec":{"signerName":"kubernetes.io/kube-apiserver-client","usages":["server auth"]},"metadata":{"labels":{"x":"y"}}}"#])
        .await;
    let after = k
        .get(
            "certificatesigningrequests.certificates.k8s.io",
            None,
            "csr-0",
        )
        .expect("csr");
    assert_eq!(after["spec"], before["spec"]);
    assert_eq!(after["metadata"]["labels"]["x"], json!("y"));
}

/// MachineSets are validated against the Machine API CRD's `spec` schema (types, enums,
/// required fields, lengths, the `replicas` default), and every MachineSet the sim's own
/// scenarios seed passes it untouched (nothing of theirs would be pruned on a client's write).
#[tokio::test]
async fn machinesets_are_validated_against_their_schema() {
    use shiftdeck_sim::schema::{self, check};
    let k = Kube::start().await;
    let ms = |name: &str, extra: &str| {
        format!(
            r#"{{"apiVersion":"machine.openshift.io/v1beta1","kind":"MachineSet","metadata":{{"name":"{name}","namespace":"openshift-machine-api"}},"spec":{{"selector":{{"matchLabels":{{"machine.openshift.io/cluster-api-machineset":"{name}"}}}},"template":{{"metadata":{{"labels":{{"machine.openshift.io/cluster-api-machineset":"{name}"}}}},"spec":{{"providerSpec":{{"value":{{"kind":"X"}}}}}}}}{extra}}}}}"#
        )
    };
    let (ok, _, err) = k
        .run_in(
            &["create", "-f", "-"],
            Some(&ms("bad-policy", r#","deletePolicy":"Bogus""#)),
        )
        .await;
    assert!(!ok);
    assert!(
        err.contains("spec.deletePolicy: Unsupported value: \"Bogus\""),
        "{err}"
    );
    let (ok, _, err) = k
        .run_in(
            &["create", "-f", "-"],
            Some(&ms("bad-replicas", r#","replicas":"two""#)),
        )
        .await;
    assert!(!ok);
    assert!(err.contains("spec.replicas"), "{err}");
    let (ok, _, err) = k
        .run_in(&["create", "-f", "-"], Some(&ms("strict", r#","bogus":1"#)))
        .await;
    assert!(!ok);
    assert!(err.contains("unknown field \"spec.bogus\""), "{err}");
    // `replicas` defaults to 1, as the CRD's schema default does.
    let (ok, _, err) = k
        .run_in(&["create", "-f", "-"], Some(&ms("defaulted", "")))
        .await;
    assert!(ok, "{err}");
    let stored = k
        .get(
            "machinesets.machine.openshift.io",
            Some(crate::sim_support::MAPI),
            "defaulted",
        )
        .expect("stored");
    assert_eq!(stored["spec"]["replicas"], json!(1));
    assert_eq!(
        stored["spec"]["template"]["spec"]["providerSpec"]["value"],
        json!({"kind": "X"})
    );

    let ks = schema::custom("machinesets.machine.openshift.io").expect("a MachineSet schema");
    for profile in [Profile::Hub, Profile::Azure] {
        let sim = shiftdeck_sim::start(SimOptions {
            live: false,
            profile,
            ..Default::default()
        })
        .await
        .expect("sim starts");
        let (sets, _) = sim
            .store
            .list(by_key("machinesets.machine.openshift.io"), None);
        assert!(!sets.is_empty(), "{profile:?}");
        for set in sets {
            let mut spec = set["spec"].clone();
            let mut f = check::Findings::default();
            check::check(&ks.spec, &mut spec, None, "spec", &mut f);
            assert!(
                f.unknown.is_empty() && f.invalid.is_empty(),
                "{profile:?} {}: {f:?}",
                set["metadata"]["name"]
            );
        }
        sim.shutdown();
    }
}

/// DataVolumes are validated against CDI's schema (`spec` required, the `contentType` enum, each
/// source's required fields), and every DataVolume the hub scenario seeds passes it untouched.
#[tokio::test]
async fn datavolumes_are_validated_against_their_schema() {
    use shiftdeck_sim::schema::{self, check};
    let k = Kube::start().await;
    let dv = |name: &str, spec: &str| {
        format!(
            r#"{{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{{"name":"{name}","namespace":"default"}}{spec}}}"#
        )
    };
    for (name, spec, want) in [
        ("no-spec", "", "spec: Required value"),
        (
            "bad-type",
            r#","spec":{"contentType":"iso","source":{"blank":{}},"storage":{}}"#,
            "spec.contentType: Unsupported value: \"iso\"",
        ),
        (
            "no-url",
            r#","spec":{"source":{"http":{}},"storage":{}}"#,
            "spec.source.http.url: Required value",
        ),
    ] {
        let (ok, _, err) = k
            .run_in(&["create", "-f", "-"], Some(&dv(name, spec)))
            .await;
        assert!(!ok, "{name} was stored");
        assert!(err.contains(want), "{name}: {err}");
    }
    let (ok, _, err) = k
        .run_in(
            &["create", "-f", "-"],
            Some(&dv(
                "good",
                r#","spec":{"source":{"http":{"url":"https://example.com/disk.qcow2"}},"storage":{"resources":{"requests":{"storage":"1Gi"}}}}"#,
            )),
        )
        .await;
    assert!(ok, "{err}");

    let ks = schema::custom("datavolumes.cdi.kubevirt.io").expect("a DataVolume schema");
    let sim = shiftdeck_sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let (dvs, _) = sim.store.list(by_key("datavolumes.cdi.kubevirt.io"), None);
    assert!(!dvs.is_empty());
    for d in dvs {
        let mut spec = d["spec"].clone();
        let mut f = check::Findings::default();
        check::check(&ks.spec, &mut spec, None, "spec", &mut f);
        assert!(
            f.unknown.is_empty() && f.invalid.is_empty(),
            "{}: {f:?}",
            d["metadata"]["name"]
        );
    }
    sim.shutdown();
}

/// VirtualMachines are validated against KubeVirt's `spec` schema (`template` required,
/// `dataVolumeTemplates[].spec` as a DataVolumeSpec), and every VirtualMachine the hub scenario
/// seeds passes it untouched.
#[tokio::test]
async fn virtual_machines_are_validated_against_their_schema() {
    use shiftdeck_sim::schema::{self, check};
    let k = Kube::start().await;
    let vm = |name: &str, spec: &str| {
        format!(
            r#"{{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{{"name":"{name}","namespace":"default"}},"spec":{spec}}}"#
        )
    };
    for (name, spec, want) in [
        (
            "no-template",
            r#"{"runStrategy":"Always"}"#,
            "spec.template: Required value",
        ),
        (
            "bad-running",
            r#"{"running":"yes","template":{"spec":{"domain":{"devices":{}}}}}"#,
            "spec.running",
        ),
        (
            "bad-dvt",
            r#"{"template":{"spec":{"domain":{"devices":{}}}},"dataVolumeTemplates":[{"metadata":{"name":"d"},"spec":{"source":{"http":{}}}}]}"#,
            "spec.dataVolumeTemplates[0].spec.source.http.url: Required value",
        ),
    ] {
        let (ok, _, err) = k
            .run_in(&["create", "-f", "-"], Some(&vm(name, spec)))
            .await;
        assert!(!ok, "{name} was stored");
        assert!(err.contains(want), "{name}: {err}");
    }
    let (ok, _, err) = k
        .run_in(
            &["create", "-f", "-"],
            Some(&vm(
                "good",
                r#"{"runStrategy":"Halted","template":{"metadata":{"labels":{"a":"b"}},"spec":{"domain":{"devices":{}},"anything":{"kept":true}}}}"#,
            )),
        )
        .await;
    assert!(ok, "{err}");
    let stored = k
        .get("virtualmachines.kubevirt.io", Some("default"), "good")
        .expect("stored");
    assert_eq!(
        stored["spec"]["template"]["spec"]["anything"],
        json!({"kept": true})
    );

    let ks = schema::custom("virtualmachines.kubevirt.io").expect("a VirtualMachine schema");
    let sim = shiftdeck_sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let (vms, _) = sim.store.list(by_key("virtualmachines.kubevirt.io"), None);
    assert!(!vms.is_empty());
    for v in vms {
        let mut spec = v["spec"].clone();
        let mut f = check::Findings::default();
        check::check(&ks.spec, &mut spec, None, "spec", &mut f);
        assert!(
            f.unknown.is_empty() && f.invalid.is_empty(),
            "{}: {f:?}",
            v["metadata"]["name"]
        );
    }
    sim.shutdown();
}

/// Every object of `gr` the sim's own scenarios seed (hub and Azure profiles) passes its schema
/// untouched: nothing of theirs would be pruned on a client's write.
async fn seeded_objects_pass(gr: &str, profiles: &[Profile]) {
    use shiftdeck_sim::schema::{self, check};
    let ks = schema::custom(gr).expect("a schema");
    for profile in profiles {
        let sim = shiftdeck_sim::start(SimOptions {
            live: false,
            profile: *profile,
            ..Default::default()
        })
        .await
        .expect("sim starts");
        let (objs, _) = sim.store.list(by_key(gr), None);
        assert!(!objs.is_empty(), "{profile:?} seeds no {gr}");
        for o in objs {
            let mut spec = o["spec"].clone();
            let mut f = check::Findings::default();
            check::check(&ks.spec, &mut spec, None, "spec", &mut f);
            assert!(
                f.unknown.is_empty() && f.invalid.is_empty(),
                "{profile:?} {}: {f:?}",
                o["metadata"]["name"]
            );
            assert_eq!(spec, o["spec"], "{profile:?}: pruned");
        }
        sim.shutdown();
    }
}

/// kubectl `create` and `apply` with `--validate=strict` of `body`: both refused, each error
/// containing `want`.
async fn refused_by_kubectl(k: &Kube, body: &str, want: &str) {
    for verb in ["create", "apply"] {
        let (ok, _, err) = k
            .run_in(&[verb, "--validate=strict", "-f", "-"], Some(body))
            .await;
        assert!(!ok, "kubectl {verb} stored {body}");
        assert!(err.contains(want), "kubectl {verb}: {want:?} not in {err}");
    }
}

/// Machines are validated against the Machine API CRD's `spec` schema (OpenShift 4.18, Default
/// feature set): wrong types and missing required fields are 422 in the API server's wording,
/// the lifecycle hook name pattern and the taint `timeAdded` date-time format are checked,
/// unknown fields are refused under Strict (400), `providerSpec.value` is kept as sent; every
/// Machine API Machine the sim seeds passes untouched.
#[tokio::test]
async fn machines_are_validated_against_their_schema() {
    let k = Kube::start().await;
    let m = |name: &str, spec: &str| {
        format!(
            r#"{{"apiVersion":"machine.openshift.io/v1beta1","kind":"Machine","metadata":{{"name":"{name}","namespace":"openshift-machine-api"}},"spec":{spec}}}"#
        )
    };
    refused_by_kubectl(
        &k,
        &m("bad-type", r#"{"providerID":7}"#),
        "spec.providerID: Invalid value: \"integer\": spec.providerID in body must be of type string: \"integer\"",
    )
    .await;
    refused_by_kubectl(
        &k,
        &m(
            "no-owner",
            r#"{"lifecycleHooks":{"preDrain":[{"name":"KeepMe"}]}}"#,
        ),
        "spec.lifecycleHooks.preDrain[0].owner: Required value",
    )
    .await;
    refused_by_kubectl(
        &k,
        &m(
            "bad-hook",
            r#"{"lifecycleHooks":{"preTerminate":[{"name":"not a name","owner":"admin"}]}}"#,
        ),
        "spec.lifecycleHooks.preTerminate[0].name: Invalid value: \"not a name\": spec.lifecycleHooks.preTerminate[0].name in body should match '^(",
    )
    .await;
    refused_by_kubectl(
        &k,
        &m(
            "bad-time",
            r#"{"taints":[{"key":"k","effect":"NoExecute","timeAdded":"yesterday"}]}"#,
        ),
        "spec.taints[0].timeAdded: Invalid value: \"yesterday\": spec.taints[0].timeAdded in body must be of type date-time: \"yesterday\"",
    )
    .await;
    refused_by_kubectl(
        &k,
        &m("strict", r#"{"replicas":1}"#),
        "unknown field \"spec.replicas\"",
    )
    .await;
    // The raw answer: 422 Invalid, the message as the API server words it (several causes in
    // brackets), one cause per field.
    let path = "/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machines";
    let (code, st) = k
        .raw(
            "POST",
            path,
            "application/json",
            &m(
                "raw",
                r#"{"providerID":7,"taints":[{"effect":"NoSchedule"}]}"#,
            ),
        )
        .await;
    assert_eq!(code, 422, "{st}");
    assert_eq!(st["reason"], json!("Invalid"));
    assert_eq!(
        st["message"],
        json!(
            "Machine.machine.openshift.io \"raw\" is invalid: [spec.providerID: Invalid value: \"integer\": spec.providerID in body must be of type string: \"integer\", spec.taints[0].key: Required value]"
        ),
    );
    let (code, st) = k
        .raw(
            "POST",
            &format!("{path}?fieldValidation=Strict"),
            "application/json",
            &m("raw", r#"{"bogus":{"a":1}}"#),
        )
        .await;
    assert_eq!(code, 400, "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap_or("")
            .contains("strict decoding error: unknown field \"spec.bogus\""),
        "{st}"
    );

    let good = m(
        "good",
        r#"{"providerSpec":{"value":{"kind":"AzureMachineProviderSpec","anything":{"kept":true}}},"lifecycleHooks":{"preDrain":[{"name":"example.com/KeepMe","owner":"admin"}]},"taints":[{"key":"k","effect":"NoExecute","timeAdded":"2025-01-02T03:04:05Z"}]}"#,
    );
    let (ok, _, err) = k
        .run_in(&["apply", "--validate=strict", "-f", "-"], Some(&good))
        .await;
    assert!(ok, "{err}");
    let stored = k
        .get(
            "machines.machine.openshift.io",
            Some(crate::sim_support::MAPI),
            "good",
        )
        .expect("stored");
    assert_eq!(
        stored["spec"]["providerSpec"]["value"]["anything"],
        json!({"kept": true})
    );

    seeded_objects_pass(
        "machines.machine.openshift.io",
        &[Profile::Hub, Profile::Azure],
    )
    .await;
}

/// HyperShift's node-pool machines are Cluster API Machines, served as their own kind: the
/// Machine API refuses a Cluster API field as the real Machine API CRD does (400 under Strict,
/// pruned under Warn), and `machines.cluster.x-k8s.io` validates against the Cluster API CRD's
/// v1beta1 schema (`clusterName`, `bootstrap`, `infrastructureRef` required: 422; lengths;
/// closed object references); every node-pool machine the hub seeds passes untouched.
#[tokio::test]
async fn cluster_api_machines_are_their_own_kind() {
    let k = Kube::start().await;
    let mapi = r#"{"apiVersion":"machine.openshift.io/v1beta1","kind":"Machine","metadata":{"name":"capi-field","namespace":"openshift-machine-api"},"spec":{"infrastructureRef":{"kind":"KubevirtMachine","name":"vm-1"}}}"#;
    let mapi_path = "/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machines";
    let (code, st) = k
        .raw(
            "POST",
            &format!("{mapi_path}?fieldValidation=Strict"),
            "application/json",
            mapi,
        )
        .await;
    assert_eq!(code, 400, "{st}");
    assert_eq!(st["reason"], json!("BadRequest"), "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap_or("")
            .contains("strict decoding error: unknown field \"spec.infrastructureRef\""),
        "{st}"
    );
    refused_by_kubectl(&k, mapi, "unknown field \"spec.infrastructureRef\"").await;
    assert!(
        k.get(
            "machines.machine.openshift.io",
            Some(crate::sim_support::MAPI),
            "capi-field"
        )
        .is_none()
    );
    // The server's default (Warn): stored without the field.
    let (code, st) = k.raw("POST", mapi_path, "application/json", mapi).await;
    assert_eq!(code, 201, "{st}");
    assert!(st["spec"].get("infrastructureRef").is_none(), "{st}");

    // The hosted cluster's control-plane namespace, where HyperShift keeps its machines.
    k.run(&["create", "namespace", "clusters-hc1"]).await;
    let capi = |name: &str, spec: &str| {
        format!(
            r#"{{"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Machine","metadata":{{"name":"{name}","namespace":"clusters-hc1"}},"spec":{spec}}}"#
        )
    };
    let capi_path = "/apis/cluster.x-k8s.io/v1beta1/namespaces/clusters-hc1/machines";
    let (code, st) = k
        .raw(
            "POST",
            capi_path,
            "application/json",
            &capi(
                "no-cluster",
                r#"{"bootstrap":{"dataSecretName":"user-data"},"infrastructureRef":{"kind":"KubevirtMachine","name":"vm-1"}}"#,
            ),
        )
        .await;
    assert_eq!(code, 422, "{st}");
    assert_eq!(st["reason"], json!("Invalid"));
    assert_eq!(
        st["message"],
        json!(
            "Machine.cluster.x-k8s.io \"no-cluster\" is invalid: spec.clusterName: Required value"
        )
    );
    assert_eq!(st["details"]["group"], json!("cluster.x-k8s.io"), "{st}");
    refused_by_kubectl(&k, &capi("empty", "{}"), "spec.bootstrap: Required value").await;
    refused_by_kubectl(
        &k,
        &capi(
            "too-long",
            &format!(
                r#"{{"clusterName":"{}","bootstrap":{{}},"infrastructureRef":{{"name":"vm-1"}}}}"#,
                "c".repeat(64)
            ),
        ),
        "spec.clusterName in body should be at most 63 chars long",
    )
    .await;
    refused_by_kubectl(
        &k,
        &capi(
            "mapi-field",
            r#"{"clusterName":"hc1-x","bootstrap":{},"infrastructureRef":{"name":"vm-1"},"providerSpec":{"value":{}}}"#,
        ),
        "unknown field \"spec.providerSpec\"",
    )
    .await;
    let good = capi(
        "good",
        r#"{"clusterName":"hc1-x","version":"4.18.1","providerID":"kubevirt://vm-1","bootstrap":{"dataSecretName":"user-data"},"infrastructureRef":{"apiVersion":"infrastructure.cluster.x-k8s.io/v1alpha1","kind":"KubevirtMachine","name":"vm-1","namespace":"clusters-hc1"}}"#,
    );
    let (ok, _, err) = k
        .run_in(&["apply", "--validate=strict", "-f", "-"], Some(&good))
        .await;
    assert!(ok, "{err}");
    let stored = k
        .get("machines.cluster.x-k8s.io", Some("clusters-hc1"), "good")
        .expect("stored");
    assert_eq!(
        stored["spec"]["infrastructureRef"]["kind"],
        json!("KubevirtMachine")
    );
    k.sim.shutdown();

    seeded_objects_pass("machines.cluster.x-k8s.io", &[Profile::Hub]).await;
}

/// VirtualMachineInstances are validated against KubeVirt's `spec` schema: `spec`, `domain` and
/// `domain.devices` required, each network and volume named, types checked (422), unknown
/// fields refused under Strict (400); every VMI the hub scenario seeds passes untouched.
#[tokio::test]
async fn virtual_machine_instances_are_validated_against_their_schema() {
    let k = Kube::start().await;
    let vmi = |name: &str, spec: &str| {
        format!(
            r#"{{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{{"name":"{name}","namespace":"default"}}{spec}}}"#
        )
    };
    for (name, spec, want) in [
        ("no-spec", "", "spec: Required value"),
        (
            "no-domain",
            r#","spec":{"evictionStrategy":"External"}"#,
            "spec.domain: Required value",
        ),
        (
            "no-devices",
            r#","spec":{"domain":{"cpu":{"cores":2}}}"#,
            "spec.domain.devices: Required value",
        ),
        (
            "unnamed",
            r#","spec":{"domain":{"devices":{}},"volumes":[{"containerDisk":{"image":"quay.io/x"}}]}"#,
            "spec.volumes[0].name: Required value",
        ),
        (
            "bad-grace",
            r#","spec":{"domain":{"devices":{}},"terminationGracePeriodSeconds":"30"}"#,
            "spec.terminationGracePeriodSeconds: Invalid value: \"string\": spec.terminationGracePeriodSeconds in body must be of type integer: \"string\"",
        ),
        (
            "strict",
            r#","spec":{"domain":{"devices":{}},"runStrategy":"Always"}"#,
            "unknown field \"spec.runStrategy\"",
        ),
    ] {
        refused_by_kubectl(&k, &vmi(name, spec), want).await;
        assert!(
            k.get("virtualmachineinstances.kubevirt.io", Some("default"), name)
                .is_none(),
            "{name} was stored"
        );
    }
    let (code, st) = k
        .raw(
            "POST",
            "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances",
            "application/json",
            &vmi(
                "raw",
                r#","spec":{"domain":{"devices":{}},"hostname":false}"#,
            ),
        )
        .await;
    assert_eq!(code, 422, "{st}");
    assert_eq!(
        st["message"],
        json!(
            "VirtualMachineInstance.kubevirt.io \"raw\" is invalid: spec.hostname: Invalid value: \"boolean\": spec.hostname in body must be of type string: \"boolean\""
        ),
    );
    let (ok, _, err) = k
        .run_in(
            &["apply", "--validate=strict", "-f", "-"],
            Some(&vmi(
                "good",
                r#","spec":{"domain":{"devices":{"disks":[{"name":"root","disk":{"bus":"virtio"}}]},"memory":{"guest":"1Gi"}},"volumes":[{"name":"root","containerDisk":{"image":"quay.io/containerdisks/fedora"}}],"evictionStrategy":"LiveMigrate"}"#,
            )),
        )
        .await;
    assert!(ok, "{err}");

    seeded_objects_pass("virtualmachineinstances.kubevirt.io", &[Profile::Hub]).await;
}
