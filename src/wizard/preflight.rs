//! Preflight: pure checks of the management cluster's prerequisites for Hosted Control Planes on
//! OpenShift Virtualization (seed 002 §4.3.1.1), over [`ClusterFacts`].
//!
//! Each [`Check`] is pass/warn/fail with what was seen and, when not passing, the fix (the seed's
//! command where it gives one). Failures block creation; warnings do not. A kind that cannot be
//! read (403) gives a warning "cannot check".

use serde::Serialize;

use super::facts::{ClusterFacts, Fetched};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `wildcard-routes`.
    pub id: &'static str,
    /// What is checked, in words.
    pub title: &'static str,
    pub status: Status,
    /// What was seen on the cluster.
    pub seen: String,
    /// How to fix it (empty when passing).
    pub fix: String,
}

/// Column headers of `shiftdeck get preflight`; json/yaml rows are keyed by them.
pub const HEADERS: [&str; 4] = ["CHECK", "STATUS", "SEEN", "FIX"];

impl Check {
    pub fn row(&self) -> [String; 4] {
        [
            self.id.to_string(),
            self.status.as_str().to_string(),
            self.seen.clone(),
            self.fix.clone(),
        ]
    }
}

/// Minimum OpenShift and OpenShift Virtualization version (seed 002 §4.3.1.1).
pub const MIN_VERSION: (u32, u32) = (4, 14);
/// MTU below which network multiqueue should stay off.
pub const MIN_MULTIQUEUE_MTU: u32 = 9000;

pub const WILDCARD_FIX: &str = r#"oc patch ingresscontroller -n openshift-ingress-operator default --type=json -p '[{ "op": "add", "path": "/spec/routeAdmission", "value": {wildcardPolicy: "WildcardsAllowed"}}]'"#;

/// `major.minor` of a version string such as `4.18.1` or `v4.18.3-rhel9`.
pub fn major_minor(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn check(id: &'static str, title: &'static str, status: Status, seen: String, fix: &str) -> Check {
    Check {
        id,
        title,
        status,
        seen,
        fix: if status == Status::Pass {
            String::new()
        } else {
            fix.to_string()
        },
    }
}

/// A check whose input could not be read: fail when the kind is missing only if `missing` says
/// so; a 403 or another error is a warning ("cannot check").
fn unreadable<T>(
    id: &'static str,
    title: &'static str,
    f: &Fetched<T>,
    missing: (Status, &str),
    fix: &str,
) -> Option<Check> {
    match f {
        Fetched::Present(_) => None,
        // The wizards read lists, so a 404 means the kind is missing, as `NotServed` does.
        Fetched::NotServed | Fetched::NotFound => {
            Some(check(id, title, missing.0, missing.1.into(), fix))
        }
        Fetched::Forbidden(m) => Some(check(
            id,
            title,
            Status::Warn,
            m.clone(),
            "run as a user who may read it, or check by hand",
        )),
        Fetched::Failed(m) => Some(check(
            id,
            title,
            Status::Warn,
            format!("cannot check: {m}"),
            "retry; check the connection to the cluster",
        )),
    }
}

fn version_ok(v: &str) -> Option<bool> {
    major_minor(v).map(|mm| mm >= MIN_VERSION)
}

fn openshift_version(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "openshift-version",
        "OpenShift 4.14 or later on the management cluster",
    );
    let fix = "upgrade the management cluster to OpenShift 4.14 or later";
    if let Some(c) = unreadable(
        id,
        title,
        &f.openshift_version,
        (
            Status::Fail,
            "no ClusterVersion: this is not an OpenShift cluster",
        ),
        "use an OpenShift 4.14+ cluster as the management cluster",
    ) {
        return c;
    }
    match f.openshift_version.get().cloned().flatten() {
        Some(v) => match version_ok(&v) {
            Some(true) => check(id, title, Status::Pass, format!("OpenShift {v}"), fix),
            Some(false) => check(id, title, Status::Fail, format!("OpenShift {v}"), fix),
            None => check(
                id,
                title,
                Status::Warn,
                format!("unparsable version {v:?}"),
                fix,
            ),
        },
        None => check(
            id,
            title,
            Status::Warn,
            "ClusterVersion reports no version yet".into(),
            fix,
        ),
    }
}

fn virtualization(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "openshift-virtualization",
        "OpenShift Virtualization 4.14 or later installed",
    );
    let fix = "install OpenShift Virtualization 4.14 or later (OperatorHub: kubevirt-hyperconverged, namespace openshift-cnv) and create its HyperConverged resource";
    if let Some(c) = unreadable(
        id,
        title,
        &f.csvs,
        (
            Status::Fail,
            "OLM is not installed (no ClusterServiceVersions)",
        ),
        fix,
    ) {
        return c;
    }
    let csvs = f.csvs.get().map(Vec::as_slice).unwrap_or_default();
    let Some(csv) = csvs
        .iter()
        .find(|c| c.name.starts_with("kubevirt-hyperconverged-operator"))
    else {
        return check(
            id,
            title,
            Status::Fail,
            "no kubevirt-hyperconverged ClusterServiceVersion".into(),
            fix,
        );
    };
    let seen = format!(
        "{} in {} (phase {})",
        csv.name,
        csv.namespace,
        if csv.phase.is_empty() {
            "unknown"
        } else {
            &csv.phase
        }
    );
    match (version_ok(&csv.version), csv.phase.as_str()) {
        (Some(true), "Succeeded") => check(id, title, Status::Pass, seen, fix),
        (Some(true), _) => check(
            id,
            title,
            Status::Fail,
            seen,
            "wait for the OpenShift Virtualization operator install to succeed (oc get csv -n openshift-cnv)",
        ),
        (Some(false), _) => check(
            id,
            title,
            Status::Fail,
            format!("{seen}, version {}", csv.version),
            "upgrade OpenShift Virtualization to 4.14 or later",
        ),
        (None, _) => check(
            id,
            title,
            Status::Warn,
            format!("{seen}, unparsable version {:?}", csv.version),
            fix,
        ),
    }
}

fn wildcard(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "wildcard-routes",
        "Wildcard routes allowed on the default ingress controller",
    );
    if let Some(c) = unreadable(
        id,
        title,
        &f.ingress,
        (Status::Fail, "no IngressController kind"),
        WILDCARD_FIX,
    ) {
        return c;
    }
    match f.ingress.get().cloned().flatten() {
        None => check(
            id,
            title,
            Status::Fail,
            "no IngressController default in openshift-ingress-operator".into(),
            WILDCARD_FIX,
        ),
        Some(i) => {
            let policy = i.wildcard_policy.unwrap_or_else(|| "unset".into());
            let status = if policy == "WildcardsAllowed" {
                Status::Pass
            } else {
                Status::Fail
            };
            check(
                id,
                title,
                status,
                format!("routeAdmission.wildcardPolicy: {policy}"),
                WILDCARD_FIX,
            )
        }
    }
}

fn default_storage(f: &ClusterFacts) -> Check {
    let (id, title) = ("default-storage-class", "A default storage class");
    let fix = r#"oc patch storageclass <storage-class> -p '{"metadata": {"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}'"#;
    if let Some(c) = unreadable(
        id,
        title,
        &f.storage_classes,
        (Status::Fail, "no StorageClass kind"),
        fix,
    ) {
        return c;
    }
    let scs = f
        .storage_classes
        .get()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let defaults: Vec<&str> = scs
        .iter()
        .filter(|s| s.is_default)
        .map(|s| s.name.as_str())
        .collect();
    match defaults.len() {
        0 => {
            let example = scs
                .first()
                .map(|s| s.name.as_str())
                .unwrap_or("<storage-class>");
            check(
                id,
                title,
                Status::Fail,
                format!("no default among {} storage class(es)", scs.len()),
                &fix.replace("<storage-class>", example),
            )
        }
        1 => check(
            id,
            title,
            Status::Pass,
            format!("default: {}", defaults[0]),
            fix,
        ),
        _ => check(
            id,
            title,
            Status::Warn,
            format!("several defaults: {}", defaults.join(", ")),
            "keep exactly one storage class annotated storageclass.kubernetes.io/is-default-class=true",
        ),
    }
}

fn rwx_storage(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "rwx-storage",
        "A ReadWriteMany storage class (VM live migration)",
    );
    let fix = "provide a storage class with ReadWriteMany (e.g. OpenShift Data Foundation ceph-rbd) and use it for the node pool root volumes; without it the VMs cannot live-migrate and restart during management cluster maintenance";
    if let Some(c) = unreadable(
        id,
        title,
        &f.storage_profiles,
        (
            Status::Warn,
            "no StorageProfile kind (CDI not installed): cannot tell which classes support RWX",
        ),
        fix,
    ) {
        return c;
    }
    let rwx: Vec<&str> = f
        .storage_profiles
        .get()
        .into_iter()
        .flatten()
        .filter(|p| p.rwx())
        .map(|p| p.name.as_str())
        .collect();
    if rwx.is_empty() {
        check(
            id,
            title,
            Status::Warn,
            "no StorageProfile lists ReadWriteMany".into(),
            fix,
        )
    } else {
        check(
            id,
            title,
            Status::Pass,
            format!("RWX: {}", rwx.join(", ")),
            fix,
        )
    }
}

fn ovn(f: &ClusterFacts) -> Check {
    let (id, title) = ("ovn-kubernetes", "OVNKubernetes as the cluster network");
    let fix = "use a management cluster installed with networkType OVNKubernetes";
    if let Some(c) = unreadable(
        id,
        title,
        &f.network,
        (Status::Fail, "no Network config kind"),
        fix,
    ) {
        return c;
    }
    let t = f
        .network
        .get()
        .cloned()
        .flatten()
        .and_then(|n| n.network_type)
        .unwrap_or_else(|| "unknown".into());
    let status = if t == "OVNKubernetes" {
        Status::Pass
    } else {
        Status::Fail
    };
    check(id, title, status, format!("networkType: {t}"), fix)
}

fn metallb(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "metallb",
        "MetalLB installed with an IPAddressPool (load balancer)",
    );
    let fix = "install the MetalLB Operator, then create MetalLB `metallb` in metallb-system, an IPAddressPool with free addresses of the node network and an L2Advertisement (seed §4.3.6: oc apply -f configure-metallb.yaml -f create-ip-address-pool.yaml -f l2advertisement.yaml); the APIServer is published as a LoadBalancer service and needs an address";
    if let Some(c) = unreadable(
        id,
        title,
        &f.metallbs,
        (
            Status::Warn,
            "MetalLB is not installed (no MetalLB kind); another load balancer must serve LoadBalancer services",
        ),
        fix,
    ) {
        return c;
    }
    if f.metallbs.get().is_none_or(Vec::is_empty) {
        return check(
            id,
            title,
            Status::Warn,
            "MetalLB operator present but no MetalLB resource".into(),
            fix,
        );
    }
    match &f.ip_address_pools {
        Fetched::Present(p) if !p.is_empty() => check(
            id,
            title,
            Status::Pass,
            format!("IPAddressPool: {}", p.join(", ")),
            fix,
        ),
        Fetched::Forbidden(m) => check(id, title, Status::Warn, m.clone(), fix),
        _ => check(
            id,
            title,
            Status::Warn,
            "MetalLB installed but no IPAddressPool".into(),
            fix,
        ),
    }
}

fn local_cluster(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "local-cluster",
        "multicluster engine: ManagedCluster local-cluster",
    );
    let fix = "install the multicluster engine Operator and create its MultiClusterEngine; local-cluster is imported automatically (check: oc get managedclusters local-cluster)";
    if let Some(c) = unreadable(
        id,
        title,
        &f.managed_clusters,
        (
            Status::Fail,
            "no ManagedCluster kind: the multicluster engine is not installed",
        ),
        fix,
    ) {
        return c;
    }
    if f.managed_clusters
        .get()
        .is_some_and(|m| m.iter().any(|n| n == "local-cluster"))
    {
        check(id, title, Status::Pass, "local-cluster present".into(), fix)
    } else {
        check(
            id,
            title,
            Status::Fail,
            "no ManagedCluster local-cluster".into(),
            fix,
        )
    }
}

fn hypershift_crds(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "hypershift-crds",
        "HyperShift API (HostedCluster, NodePool) served",
    );
    let fix = "enable the hypershift component of the multicluster engine (it installs the HyperShift operator and CRDs)";
    if let Some(c) = unreadable(
        id,
        title,
        &f.hypershift_resources,
        (
            Status::Fail,
            "hypershift.openshift.io/v1beta1 is not served",
        ),
        fix,
    ) {
        return c;
    }
    let res = f
        .hypershift_resources
        .get()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let missing: Vec<&str> = ["hostedclusters", "nodepools"]
        .into_iter()
        .filter(|r| !res.iter().any(|x| x == r))
        .collect();
    if missing.is_empty() {
        check(
            id,
            title,
            Status::Pass,
            "hostedclusters, nodepools in hypershift.openshift.io/v1beta1".into(),
            fix,
        )
    } else {
        check(
            id,
            title,
            Status::Fail,
            format!("missing: {}", missing.join(", ")),
            fix,
        )
    }
}

fn mtu(f: &ClusterFacts) -> Check {
    let (id, title) = (
        "mtu",
        "Advisory: cluster network MTU 9000 or more before enabling multiqueue",
    );
    let fix = "leave network multiqueue disabled on node pools, or raise the cluster MTU to 9000 or more (jumbo frames) first";
    if let Some(c) = unreadable(
        id,
        title,
        &f.network,
        (Status::Warn, "no Network config: MTU unknown"),
        fix,
    ) {
        return c;
    }
    match f.mtu() {
        Some(m) if m >= MIN_MULTIQUEUE_MTU => check(
            id,
            title,
            Status::Pass,
            format!("clusterNetworkMTU: {m}"),
            fix,
        ),
        Some(m) => check(
            id,
            title,
            Status::Warn,
            format!("clusterNetworkMTU: {m}"),
            fix,
        ),
        None => check(
            id,
            title,
            Status::Warn,
            "Network status reports no clusterNetworkMTU".into(),
            fix,
        ),
    }
}

/// All checks, in a fixed order.
pub fn run(f: &ClusterFacts) -> Vec<Check> {
    vec![
        openshift_version(f),
        virtualization(f),
        wildcard(f),
        default_storage(f),
        rwx_storage(f),
        ovn(f),
        metallb(f),
        local_cluster(f),
        hypershift_crds(f),
        mtu(f),
    ]
}

/// The failures, which block creation.
pub fn blocking(checks: &[Check]) -> Vec<&Check> {
    checks.iter().filter(|c| c.status == Status::Fail).collect()
}

/// One paragraph for the wizard's first step: why creation is blocked, or that it may proceed.
pub fn summary(checks: &[Check]) -> String {
    let fails = blocking(checks);
    let warns = checks.iter().filter(|c| c.status == Status::Warn).count();
    if fails.is_empty() {
        format!("All required prerequisites are met ({warns} warning(s)); you can continue.")
    } else {
        let list: Vec<String> = fails
            .iter()
            .map(|c| format!("{} ({}): fix: {}", c.title, c.seen, c.fix))
            .collect();
        format!(
            "Creation is blocked until these are fixed: {}",
            list.join("; ")
        )
    }
}
