//! The sim driven by the real `kubectl` (v1.31: /usr/bin/kubectl picks the release matching the
//! sim's /version), through the kubeconfig the sim writes. These tests fail, never skip, when
//! kubectl is missing.

use crate::sim_support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::sim_support::*;
use serde_json::{Value, json};
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{SimHandle, SimOptions, SimUser};
use tokio::io::{AsyncBufReadExt, BufReader};

struct Kube {
    sim: SimHandle,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Kube {
    async fn start(user: SimUser) -> Kube {
        Self::start_with(user, true).await
    }

    /// `wipe_and_seed`: replace the profile's objects with the small test fixture set.
    async fn start_with(user: SimUser, wipe_and_seed: bool) -> Kube {
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        let opts = SimOptions {
            live: false,
            user,
            kubeconfig_out: Some(kubeconfig.clone()),
            ..Default::default()
        };
        let sim = shiftdeck_sim::start(opts).await.expect("sim starts");
        if wipe_and_seed {
            wipe(&sim);
            seed(&sim);
        }
        Kube {
            sim,
            kubeconfig,
            _dir: dir,
        }
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd =
            tokio::process::Command::new(sim_support::kubectl_bin("the sim's kubectl tests"));
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self._dir.path().join("cache"))
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// Run kubectl; (success, stdout, stderr).
    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = tokio::time::timeout(Duration::from_secs(120), self.command(args).output())
            .await
            .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
            .expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
        out
    }

    fn get(&self, key: &str, ns: Option<&str>, name: &str) -> Value {
        (*self
            .sim
            .store
            .get(by_key(key), ns, name)
            .expect("object exists"))
        .clone()
    }
}

fn header(out: &str) -> String {
    out.lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn kubectl_over_tls_needs_the_ca_and_a_token() {
    let k = Kube::start(SimUser::Admin).await;
    let kc = std::fs::read_to_string(&k.kubeconfig).expect("kubeconfig");
    assert!(kc.contains(&format!("server: {}", k.sim.url)), "{kc}");
    assert!(k.sim.url.starts_with("https://"), "{}", k.sim.url);
    assert!(kc.contains("certificate-authority-data: "), "{kc}");
    let out = k.ok(&["get", "nodes"]).await;
    assert_eq!(rows(&out).len(), 6);
    // Health is public, as on a real API server.
    assert_eq!(k.ok(&["get", "--raw", "/readyz"]).await.trim(), "ok");

    // No credentials at all: kubectl first prompts for a username on stdin (null here, so EOF);
    // the 401 itself is asserted in sim_protocol. Either way it gets nowhere.
    let anon = k._dir.path().join("anon-kubeconfig");
    std::fs::write(&anon, kc.replace(&format!("token: {}", k.sim.token), "{}")).expect("write");
    let (ok, _, err) = k.run(&["--kubeconfig", path(&anon), "get", "nodes"]).await;
    assert!(
        !ok && (err.contains("Unauthorized") || err.contains("EOF")),
        "{err}"
    );

    // Without the CA the certificate is not trusted.
    let untrusted = k._dir.path().join("untrusted-kubeconfig");
    let no_ca: String = kc
        .lines()
        .filter(|l| !l.contains("certificate-authority-data"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&untrusted, no_ca).expect("write");
    let (ok, _, err) = k
        .run(&["--kubeconfig", path(&untrusted), "get", "nodes"])
        .await;
    assert!(!ok && err.contains("certificate"), "{err}");
    k.sim.shutdown();
}

#[tokio::test]
async fn get_prints_server_side_columns() {
    let k = Kube::start(SimUser::Admin).await;
    let out = k.ok(&["get", "nodes"]).await;
    assert_eq!(header(&out), "NAME STATUS ROLES AGE VERSION");
    let r = rows(&out);
    assert_eq!(r.len(), 6);
    assert_eq!(&r[0][..3], ["worker-0", "Ready", "worker"]);
    assert_eq!(r[5][1], "NotReady");
    assert_eq!(r[0][4], "v1.31.6");
    let wide = k.ok(&["get", "nodes", "-o", "wide"]).await;
    assert_eq!(
        header(&wide),
        "NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME"
    );

    let out = k.ok(&["get", "csr"]).await;
    assert_eq!(
        header(&out),
        "NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION"
    );
    assert!(
        rows(&out)
            .iter()
            .all(|r| r.last().map(String::as_str) == Some("Pending")),
        "{out}"
    );

    let out = k.ok(&["get", "hostedclusters", "-A"]).await;
    assert_eq!(
        header(&out),
        "NAMESPACE NAME VERSION KUBECONFIG PROGRESS AVAILABLE PROGRESSING MESSAGE"
    );
    let line = out.lines().nth(1).unwrap_or("");
    for want in [
        "clusters",
        "hc1",
        "4.18.1",
        "hc1-admin-kubeconfig",
        "Completed",
        "True",
        "False",
        "The hosted control plane is available",
    ] {
        assert!(line.contains(want), "{want} missing in {line:?}");
    }

    let np_header = "NAME CLUSTER DESIRED NODES CURRENT NODES AUTOSCALING AUTOREPAIR VERSION UPDATINGVERSION UPDATINGCONFIG MESSAGE";
    let out = k.ok(&["get", "nodepools", "-n", "clusters"]).await;
    assert_eq!(header(&out), np_header);
    assert_eq!(rows(&out).len(), 2);
    let out = k.ok(&["get", "nodepools", "-A"]).await;
    assert_eq!(header(&out), format!("NAMESPACE {np_header}"));
    let out = k.ok(&["get", "np", "-n", "clusters", "np-fixed"]).await;
    assert_eq!(&rows(&out)[0][..4], ["np-fixed", "hc1", "2", "1"]);

    let out = k.ok(&["get", "machinesets", "-A"]).await;
    assert_eq!(
        header(&out),
        "NAMESPACE NAME DESIRED CURRENT READY AVAILABLE AGE"
    );
    // READY/AVAILABLE follow the MachineSet controller, which counts real Machines (none here).
    assert_eq!(
        &rows(&out)[0][..3],
        ["openshift-machine-api", "ms-arm64", "1"]
    );

    let out = k
        .ok(&["get", "nodes", "-l", "kubernetes.io/arch=arm64"])
        .await;
    let names: Vec<String> = rows(&out).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(names, vec!["worker-1", "worker-3", "worker-5"]);

    let out = k.ok(&["get", "nodes", "-o", "json"]).await;
    let list: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(list["kind"], json!("List"));
    assert_eq!(list["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        list["items"][0]["status"]["nodeInfo"]["kubeletVersion"],
        json!("v1.31.6")
    );

    let out = k.ok(&["get", "--raw", "/apis"]).await;
    let groups: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(groups["kind"], json!("APIGroupList"));
    assert!(out.contains("hypershift.openshift.io/v1beta1"));

    let (ok, _, err) = k.run(&["get", "nodes", "nope"]).await;
    assert!(!ok && err.contains("NotFound"), "{err}");
    k.sim.shutdown();
}

#[tokio::test]
async fn get_nodes_watch_shows_changes() {
    let k = Kube::start(SimUser::Admin).await;
    let mut child = k
        .command(&["get", "nodes", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubectl");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next_line = async || {
        tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("kubectl -w printed in time")
            .expect("read")
            .expect("kubectl -w still running")
    };
    let first = next_line().await;
    assert!(first.starts_with("NAME"), "{first}");
    for _ in 0..6 {
        next_line().await;
    }
    put(&k.sim, "nodes", node("arriving-node", "arm64", false));
    let line = next_line().await;
    assert!(
        line.starts_with("arriving-node") && line.contains("NotReady"),
        "{line}"
    );
    k.sim
        .store
        .mutate_retry(by_key("nodes"), None, "arriving-node", false, |o| {
            o["spec"]["unschedulable"] = json!(true);
            o["status"]["conditions"][1]["status"] = json!("True");
            Ok(())
        })
        .expect("modify");
    let line = next_line().await;
    assert!(
        line.starts_with("arriving-node") && line.contains("Ready,SchedulingDisabled"),
        "{line}"
    );
    let _ = child.kill().await;
    k.sim.shutdown();
}

fn condition_types(csr: &Value) -> Vec<String> {
    csr["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["type"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn approve_deny_scale_and_apply() {
    let k = Kube::start(SimUser::Admin).await;
    let csr = "certificatesigningrequests.certificates.k8s.io";
    k.ok(&["certificate", "approve", "csr-0"]).await;
    assert_eq!(
        condition_types(&k.get(csr, None, "csr-0")),
        vec!["Approved"]
    );
    k.ok(&["certificate", "deny", "csr-1"]).await;
    assert_eq!(condition_types(&k.get(csr, None, "csr-1")), vec!["Denied"]);
    // The sim's signer issues the approved (well-formed) request.
    assert!(
        eventually(30, || k.get(csr, None, "csr-0")["status"]["certificate"]
            .is_string())
        .await
    );
    let out = k.ok(&["get", "csr", "csr-0", "csr-1"]).await;
    let conds: Vec<String> = rows(&out)
        .into_iter()
        .filter_map(|r| r.last().cloned())
        .collect();
    assert_eq!(conds, vec!["Approved,Issued", "Denied"]);

    let np = "nodepools.hypershift.openshift.io";
    k.ok(&[
        "scale",
        "nodepool/np-fixed",
        "-n",
        "clusters",
        "--replicas=3",
    ])
    .await;
    assert_eq!(
        k.get(np, Some(NS), "np-fixed")["spec"]["replicas"],
        json!(3)
    );
    let (ok, _, err) = k
        .run(&[
            "scale",
            "nodepool/np-auto",
            "-n",
            "clusters",
            "--replicas=3",
        ])
        .await;
    assert!(!ok && err.contains("autoScaling"), "{err}");
    k.ok(&["scale", "machineset/ms-arm64", "-n", MAPI, "--replicas=2"])
        .await;
    assert_eq!(
        k.get("machinesets.machine.openshift.io", Some(MAPI), "ms-arm64")["spec"]["replicas"],
        json!(2)
    );

    let file = k._dir.path().join("np.yaml");
    let manifest = |replicas: u32| {
        format!(
            "apiVersion: hypershift.openshift.io/v1beta1\nkind: NodePool\nmetadata:\n  name: np-applied\n  namespace: clusters\nspec:\n  clusterName: hc1\n  replicas: {replicas}\n  release:\n    image: quay.io/ocp-release:4.18.1-multi\n  management:\n    upgradeType: Replace\n  platform:\n    type: KubeVirt\n"
        )
    };
    write(&file, &manifest(1));
    let out = k.ok(&["apply", "--server-side", "-f", path(&file)]).await;
    assert!(out.contains("np-applied serverside-applied"), "{out}");
    assert_eq!(
        k.get(np, Some(NS), "np-applied")["spec"]["replicas"],
        json!(1)
    );
    write(&file, &manifest(5));
    k.ok(&["apply", "--server-side", "-f", path(&file)]).await;
    assert_eq!(
        k.get(np, Some(NS), "np-applied")["spec"]["replicas"],
        json!(5)
    );
    k.sim.shutdown();
}

fn write(p: &Path, s: &str) {
    std::fs::write(p, s).expect("write manifest");
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[tokio::test]
async fn auth_can_i_for_viewer_and_admin() {
    let admin = Kube::start(SimUser::Admin).await;
    let out = admin
        .ok(&["auth", "can-i", "create", "nodepools", "-n", "clusters"])
        .await;
    assert_eq!(out.trim(), "yes");
    let out = admin
        .ok(&[
            "auth",
            "can-i",
            "update",
            "certificatesigningrequests/approval",
        ])
        .await;
    assert_eq!(out.trim(), "yes");

    let viewer = Kube::start(SimUser::Viewer).await;
    let (ok, out, _) = viewer
        .run(&["auth", "can-i", "create", "nodepools", "-n", "clusters"])
        .await;
    assert!(!ok);
    assert_eq!(out.trim(), "no");
    let out = viewer.ok(&["auth", "can-i", "list", "nodes"]).await;
    assert_eq!(out.trim(), "yes");
    let (ok, _, err) = viewer.run(&["certificate", "approve", "csr-0"]).await;
    assert!(!ok && err.contains("forbidden"), "{err}");
    let (ok, _, err) = viewer
        .run(&[
            "scale",
            "nodepool/np-fixed",
            "-n",
            "clusters",
            "--replicas=3",
        ])
        .await;
    assert!(!ok && err.contains("forbidden"), "{err}");
    viewer.ok(&["get", "nodepools", "-A"]).await;
    // SelfSubjectReview (protobuf from kubectl): who each token is, as shiftdeck records approvers.
    let me = admin
        .ok(&[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ])
        .await;
    assert_eq!(me.trim(), "system:admin");
    let me = viewer
        .ok(&[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ])
        .await;
    assert_eq!(me.trim(), "viewer");
    admin.sim.shutdown();
    viewer.sim.shutdown();
}

#[tokio::test]
async fn imperative_creates_through_protobuf_clients() {
    let k = Kube::start(SimUser::Admin).await;
    k.ok(&["create", "namespace", "team-a"]).await;
    k.ok(&[
        "create",
        "configmap",
        "c1",
        "-n",
        "team-a",
        "--from-literal=a=b",
    ])
    .await;
    k.ok(&[
        "create",
        "secret",
        "generic",
        "s1",
        "-n",
        "team-a",
        "--from-literal=pw=hunter2",
    ])
    .await;
    assert_eq!(
        k.get("configmaps", Some("team-a"), "c1")["data"],
        json!({"a": "b"})
    );
    assert_eq!(
        k.get("secrets", Some("team-a"), "s1")["data"]["pw"],
        json!("aHVudGVyMg==")
    );
    put(&k.sim, "pods", pod("web-1", "team-a", "worker-0"));
    put(&k.sim, "pods", pod("web-2", "team-a", "worker-1"));
    let out = k.ok(&["get", "pods", "-n", "team-a"]).await;
    assert_eq!(header(&out), "NAME READY STATUS RESTARTS AGE");
    assert_eq!(&rows(&out)[0][..4], ["web-1", "1/1", "Running", "2"]);
    let logs = k.ok(&["logs", "web-1", "-n", "team-a"]).await;
    assert!(logs.contains("web-1"), "{logs}");
    let out = k.ok(&["drain", "worker-0", "--timeout=60s"]).await;
    assert!(out.contains("drained"), "{out}");
    assert!(
        k.sim
            .store
            .get(by_key("pods"), Some("team-a"), "web-1")
            .is_none(),
        "evicted"
    );
    assert!(
        k.sim
            .store
            .get(by_key("pods"), Some("team-a"), "web-2")
            .is_some(),
        "other node untouched"
    );
    assert_eq!(
        k.get("nodes", None, "worker-0")["spec"]["unschedulable"],
        json!(true)
    );
    let out = k.ok(&["get", "namespaces"]).await;
    assert_eq!(header(&out), "NAME STATUS AGE");
    assert!(
        rows(&out)
            .iter()
            .any(|r| r[0] == "team-a" && r[1] == "Active"),
        "{out}"
    );
    k.sim.shutdown();
}

/// HyperShift's node-pool machines are Cluster API Machines in the control-plane namespaces:
/// `kubectl get machines.cluster.x-k8s.io -A` lists every one with the CRD's columns, and the
/// Machine API's `machines` (what a bare `machines` names) holds none of them.
#[tokio::test]
async fn get_cluster_api_machines_lists_the_node_pool_machines() {
    let k = Kube::start_with(SimUser::Admin, false).await;
    let out = k.ok(&["get", "machines.cluster.x-k8s.io", "-A"]).await;
    assert_eq!(
        header(&out),
        "NAMESPACE NAME CLUSTER NODENAME PROVIDERID PHASE AGE VERSION",
        "{out}"
    );
    let (stored, _) = k.sim.store.list(
        shiftdeck_sim::resources::by_key("machines.cluster.x-k8s.io"),
        None,
    );
    assert!(!stored.is_empty());
    let listed = rows(&out);
    assert_eq!(listed.len(), stored.len(), "{out}");
    for m in &stored {
        let (ns, name) = (
            m["metadata"]["namespace"].as_str().unwrap_or(""),
            m["metadata"]["name"].as_str().unwrap_or(""),
        );
        assert!(ns.starts_with("clusters-"), "{ns}/{name}");
        let row = listed
            .iter()
            .find(|r| r[0] == ns && r[1] == name)
            .unwrap_or_else(|| panic!("{ns}/{name} not listed:\n{out}"));
        assert_eq!(row[2], m["spec"]["clusterName"].as_str().unwrap_or(""));
        assert_eq!(row[4], m["spec"]["providerID"].as_str().unwrap_or(""));
        assert_eq!(row[5], "Running", "{row:?}");
    }
    // The Machine API's machines: the hub's own hosts only.
    let mapi = k.ok(&["get", "machines", "-A", "-o", "json"]).await;
    let mapi: Value = serde_json::from_str(&mapi).expect("JSON");
    let items = mapi["items"].as_array().expect("items");
    assert!(!items.is_empty());
    for m in items {
        assert_eq!(m["apiVersion"], "machine.openshift.io/v1beta1");
        assert_eq!(m["metadata"]["namespace"], "openshift-machine-api", "{m}");
    }
    k.sim.shutdown();
}

#[tokio::test]
async fn get_crd_lists_and_shows_the_custom_kinds() {
    let k = Kube::start_with(SimUser::Admin, false).await;
    let out = k.ok(&["get", "crd"]).await;
    assert_eq!(header(&out), "NAME CREATED AT", "{out}");
    let names: Vec<String> = rows(&out).into_iter().map(|r| r[0].clone()).collect();
    for want in [
        "hostedclusters.hypershift.openshift.io",
        "nodepools.hypershift.openshift.io",
        "machinesets.machine.openshift.io",
        "machines.machine.openshift.io",
        "machines.cluster.x-k8s.io",
        "virtualmachines.kubevirt.io",
        "virtualmachineinstances.kubevirt.io",
        "datavolumes.cdi.kubevirt.io",
        "clusterversions.config.openshift.io",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing:\n{out}");
    }
    assert!(!names.iter().any(|n| n.starts_with("nodes")), "{out}");
    // Every row's CREATED AT is a timestamp, as kubectl prints it for CRDs.
    for r in rows(&out) {
        assert!(r[1].ends_with('Z') && r[1].contains('T'), "{r:?}");
    }

    let yaml = k
        .ok(&[
            "get",
            "crd",
            "hostedclusters.hypershift.openshift.io",
            "-o",
            "yaml",
        ])
        .await;
    let crd: Value = serde_yaml::from_str(&yaml).expect("CRD YAML");
    assert_eq!(crd["kind"], "CustomResourceDefinition");
    assert_eq!(
        crd["metadata"]["name"],
        "hostedclusters.hypershift.openshift.io"
    );
    assert_eq!(crd["spec"]["group"], "hypershift.openshift.io");
    assert_eq!(crd["spec"]["scope"], "Namespaced");
    assert_eq!(crd["spec"]["names"]["kind"], "HostedCluster");
    assert_eq!(crd["spec"]["names"]["plural"], "hostedclusters");
    assert_eq!(crd["spec"]["names"]["shortNames"], json!(["hc", "hcs"]));
    let v = &crd["spec"]["versions"][0];
    assert_eq!(v["name"], "v1beta1");
    assert_eq!(v["served"], true);
    assert_eq!(v["storage"], true);
    assert_eq!(
        v["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"],
        true
    );
    assert_eq!(v["subresources"]["status"], json!({}));
    assert_eq!(crd["status"]["storedVersions"], json!(["v1beta1"]));
    // Cluster-scoped kinds say so.
    let cv = k
        .ok(&[
            "get",
            "crd",
            "clusterversions.config.openshift.io",
            "-o",
            "jsonpath={.spec.scope}",
        ])
        .await;
    assert_eq!(cv, "Cluster");
    k.sim.shutdown();
}

#[tokio::test]
async fn create_of_an_existing_object_says_already_exists() {
    let k = Kube::start(SimUser::Admin).await;
    let (ok, out, err) = k.run(&["create", "namespace", NS]).await;
    assert!(!ok, "{out}");
    assert!(
        err.contains("Error from server (AlreadyExists): namespaces \"clusters\" already exists"),
        "{err}"
    );
    k.sim.shutdown();
}

/// kubectl against another kubeconfig (a guest cluster's).
async fn kubectl_at(kubeconfig: &Path, args: &[&str]) -> String {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(sim_support::kubectl_bin("the sim's kubectl tests"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
    .expect("kubectl runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "kubectl {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[tokio::test]
async fn guest_serves_pod_disruption_budgets_and_pods_on_its_nodes() {
    let k = Kube::start_with(SimUser::Admin, false).await;
    // The `user` guest API starts once the hub's controllers see the cluster Available.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while shiftdeck_sim::controllers::guest::guest(&k.sim.store, "clusters", "user").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "user guest not served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The admin kubeconfig Secret is rewritten to the guest's loopback address just after the
    // guest API starts: wait for that too.
    let kc = loop {
        let secret = k.get("secrets", Some("clusters"), "user-admin-kubeconfig");
        let kc = shiftdeck_sim::pki::unb64(secret["data"]["kubeconfig"].as_str().expect("data"))
            .expect("base64 kubeconfig");
        if kc.contains("127.0.0.1") {
            break kc;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the user admin kubeconfig never pointed at the guest API"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let guest_kc = k._dir.path().join("user.kubeconfig");
    write(&guest_kc, &kc);

    let out = kubectl_at(&guest_kc, &["api-resources", "--api-group=policy"]).await;
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == [
                "poddisruptionbudgets",
                "pdb",
                "policy/v1",
                "true",
                "PodDisruptionBudget"
            ]),
        "{out}"
    );
    // Wait for the disruption controller's status, then read the kubectl columns.
    let mut out = String::new();
    for _ in 0..100 {
        out = kubectl_at(&guest_kc, &["get", "pdb", "-A"]).await;
        if out.contains("checkout") && out.contains("router-default") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        header(&out),
        "NAMESPACE NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE",
        "{out}"
    );
    let r = rows(&out);
    let checkout = r.iter().find(|r| r[1] == "checkout").expect("checkout PDB");
    assert_eq!(
        &checkout[..5],
        ["shop", "checkout", "2", "N/A", "0"],
        "{out}"
    );
    let router = r
        .iter()
        .find(|r| r[1] == "router-default")
        .expect("router PDB");
    assert_eq!(
        &router[..5],
        ["openshift-ingress", "router-default", "N/A", "50%", "1"],
        "{out}"
    );

    // Its two pods run on two different guest nodes (the user-np VMs).
    let pods: Value = serde_json::from_str(
        &kubectl_at(
            &guest_kc,
            &[
                "get",
                "pods",
                "-n",
                "shop",
                "-l",
                "app=checkout",
                "-o",
                "json",
            ],
        )
        .await,
    )
    .expect("json");
    let nodes: std::collections::BTreeSet<&str> = pods["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().expect("nodeName"))
        .collect();
    assert_eq!(nodes.len(), 2, "{pods}");
    assert!(nodes.iter().all(|n| n.starts_with("user-np-")), "{nodes:?}");
    let node = nodes.iter().next().copied().unwrap_or_default();
    let on_node = kubectl_at(
        &guest_kc,
        &[
            "get",
            "pods",
            "-A",
            "--field-selector",
            &format!("spec.nodeName={node}"),
            "-o",
            "name",
        ],
    )
    .await;
    assert!(on_node.contains("pod/checkout-"), "{on_node}");

    // CRUD: create, patch (the status follows), delete.
    kubectl_at(
        &guest_kc,
        &[
            "create",
            "poddisruptionbudget",
            "web",
            "-n",
            "shop",
            "--selector=app=web",
            "--min-available=1",
        ],
    )
    .await;
    kubectl_at(
        &guest_kc,
        &[
            "patch",
            "pdb",
            "checkout",
            "-n",
            "shop",
            "--type=merge",
            "-p",
            r#"{"spec":{"minAvailable":1}}"#,
        ],
    )
    .await;
    let mut allowed = String::new();
    for _ in 0..100 {
        allowed = kubectl_at(
            &guest_kc,
            &[
                "get",
                "pdb",
                "checkout",
                "-n",
                "shop",
                "-o",
                "jsonpath={.status.disruptionsAllowed}",
            ],
        )
        .await;
        if allowed == "1" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(allowed, "1");
    let web: Value = serde_json::from_str(
        &kubectl_at(
            &guest_kc,
            &["get", "pdb", "web", "-n", "shop", "-o", "json"],
        )
        .await,
    )
    .expect("json");
    assert_eq!(
        web["spec"]["selector"]["matchLabels"]["app"], "web",
        "{web}"
    );
    kubectl_at(&guest_kc, &["delete", "pdb", "web", "-n", "shop"]).await;
    let out = kubectl_at(&guest_kc, &["get", "pdb", "-n", "shop", "-o", "name"]).await;
    assert_eq!(out.trim(), "poddisruptionbudget.policy/checkout");
}

/// A `shiftdeck sim` process on this address (with this state directory, if any); returns it
/// once it serves (its stdout names the kubeconfig).
fn sim_process(
    addr: &str,
    state: Option<&Path>,
    kubeconfig: &Path,
    scale: Option<&str>,
) -> std::process::Child {
    use std::io::BufRead;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck-sim"));
    cmd.args(["--still", "--listen", addr]);
    if let Some(dir) = state {
        cmd.arg("--state-dir").arg(dir);
    }
    cmd.arg("--kubeconfig-out")
        .arg(kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(s) = scale {
        cmd.args(["--scale", s]);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut child = cmd.spawn().expect("the sim starts");
        let out = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(out).lines();
        // The address may still be held by the previous process for a moment.
        if lines.any(|l| l.is_ok_and(|l| l.starts_with("kubeconfig:"))) {
            return child;
        }
        let _ = child.wait();
        assert!(
            std::time::Instant::now() < deadline,
            "the sim never served on {addr}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stop(mut child: std::process::Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
    let _ = child.wait();
}

/// `--state-dir` keeps the CA across sim processes: a sim restarted on the same address with other
/// objects is trusted by the kubeconfig the first one wrote, and shows its own objects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_sim_process_with_its_state_dir_is_trusted_by_the_old_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let first_kc = dir.path().join("first.kubeconfig");
    let first = sim_process(&addr, Some(&state), &first_kc, Some("nodes=5"));
    let before = kubectl_at(&first_kc, &["get", "nodes", "-o", "name"]).await;
    stop(first);
    let second_kc = dir.path().join("second.kubeconfig");
    let second = sim_process(&addr, Some(&state), &second_kc, None);
    let after = kubectl_at(&first_kc, &["get", "nodes", "-o", "name"]).await;
    stop(second);
    assert!(
        after.lines().count() + 5 == before.lines().count(),
        "the second server's own nodes:\nbefore:\n{before}\nafter:\n{after}"
    );
    // Without the state directory the CA is new, and the old kubeconfig is refused.
    let fresh = sim_process(&addr, None, &dir.path().join("fresh.kubeconfig"), None);
    let refused = tokio::process::Command::new(sim_support::kubectl_bin("the sim's kubectl tests"))
        .arg("--kubeconfig")
        .arg(&first_kc)
        .args(["get", "nodes", "--request-timeout=10s"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    stop(fresh);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("certificate"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
