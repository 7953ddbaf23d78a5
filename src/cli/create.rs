//! `shiftdeck create cluster kubevirt`, `shiftdeck create nodepool kubevirt` and
//! `shiftdeck get preflight`: the wizards' forms filled from flags, so the CLI and the TUI share
//! every validator and builder.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};

use super::ConnArgs;
use crate::output::OutputFormat;
use crate::wizard::exec::{self, DryRunOutcome};
use crate::wizard::facts::{self, ClusterFacts};
use crate::wizard::form::{self, ClusterForm, FieldId, NodePoolForm};
use crate::wizard::options;
use crate::wizard::preflight::{self, Check};

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(subcommand)]
    pub what: CreateWhat,
}

impl CreateArgs {
    /// The cluster options given to the leaf command.
    pub fn conn_mut(&mut self) -> &mut ConnArgs {
        match &mut self.what {
            CreateWhat::Cluster {
                platform: ClusterPlatform::Kubevirt(a),
            } => &mut a.conn,
            CreateWhat::Nodepool {
                platform: NodePoolPlatform::Kubevirt(a),
            } => &mut a.conn,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CreateWhat {
    /// Create a hosted cluster (like `hcp create cluster`).
    Cluster {
        #[command(subcommand)]
        platform: ClusterPlatform,
    },
    /// Add a node pool to a hosted cluster (like `hcp create nodepool`).
    Nodepool {
        #[command(subcommand)]
        platform: NodePoolPlatform,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClusterPlatform {
    /// A hosted cluster whose workers are OpenShift Virtualization VMs.
    Kubevirt(Box<CreateClusterKubevirt>),
}

#[derive(Debug, Subcommand)]
pub enum NodePoolPlatform {
    /// A node pool of OpenShift Virtualization VMs.
    Kubevirt(Box<CreateNodePoolKubevirt>),
}

/// Print format of the objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Yaml,
    Json,
}

/// The node-pool flags shared by both commands (`hcp` names and defaults).
#[derive(Debug, Args, Clone)]
pub struct NodeFlags {
    /// Memory of each VM (Kubernetes quantity).
    #[arg(long, default_value = "4Gi")]
    pub memory: String,
    /// CPU cores of each VM.
    #[arg(long, default_value = "2")]
    pub cores: String,
    /// Root volume size in GiB (at least 16).
    #[arg(long, default_value = "32")]
    pub root_volume_size: String,
    /// Storage class of the root volumes (default: the cluster default).
    #[arg(long)]
    pub root_volume_storage_class: Option<String>,
    /// Burstable or Guaranteed.
    #[arg(long, default_value = "Burstable")]
    pub qos_class: String,
    /// name:<namespace>/<network-attachment-definition> (repeatable).
    #[arg(long = "additional-network")]
    pub additional_network: Vec<String>,
    /// Attach the default pod network (false requires --additional-network).
    #[arg(long, default_value = "true", value_name = "BOOL")]
    pub attach_default_network: String,
    /// key=value[,key2=value2]: schedule the VMs on infra nodes with these labels.
    #[arg(long)]
    pub vm_node_selector: Option<String>,
    /// Enable or Disable network interface multiqueue.
    #[arg(long, default_value = "Enable")]
    pub network_multiqueue: String,
    /// Access modes of the root volumes, comma-separated (e.g. ReadWriteMany for
    /// live-migratable workers; default: the storage profile's).
    #[arg(long, value_name = "MODES")]
    pub root_volume_access_modes: Option<String>,
    /// Filesystem or Block (default: the storage profile's).
    #[arg(long, value_name = "MODE")]
    pub root_volume_volume_mode: Option<String>,
    /// Boot image caching: None or PVC (QCOW images only).
    #[arg(long, value_name = "STRATEGY")]
    pub root_volume_cache_strategy: Option<String>,
    /// <device-name>,count:<n>: a host device passed through to each VM (repeatable; unlike
    /// hcp, an entry without count is refused rather than dropped).
    #[arg(long = "host-device-name", value_name = "NAME,count:N")]
    pub host_device_name: Vec<String>,
    /// Processor architecture of the node pool: amd64, ppc64le or s390x.
    #[arg(long, default_value = "amd64")]
    pub arch: String,
    /// Machine health checks replace VMs whose node stays unready.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub auto_repair: String,
    /// Replace or InPlace.
    #[arg(long, default_value = "Replace", value_name = "TYPE")]
    pub node_upgrade_type: String,
    /// How long a node's drain is retried (Go duration, e.g. 30m; 0s: no limit).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub node_drain_timeout: String,
    /// How long volume detaching may take (Go duration; 0s: no limit).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub node_volume_detach_timeout: String,
}

#[derive(Debug, Args)]
pub struct CreateClusterKubevirt {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Hosted cluster name.
    #[arg(long)]
    pub name: String,
    /// Namespace of the HostedCluster.
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    /// Replicas of the default node pool.
    #[arg(long, default_value = "0")]
    pub node_pool_replicas: String,
    /// Path to the pull secret file.
    #[arg(long)]
    pub pull_secret: String,
    /// Release image (default: the newest ClusterImageSet).
    #[arg(long)]
    pub release_image: Option<String>,
    /// Storage class for etcd.
    #[arg(long)]
    pub etcd_storage_class: Option<String>,
    /// Custom base domain (needs a load balancer and wildcard DNS).
    #[arg(long)]
    pub base_domain: Option<String>,
    /// Path to an SSH public key file.
    #[arg(long)]
    pub ssh_key: Option<String>,
    /// Kubeconfig of an external infrastructure cluster for the VMs.
    #[arg(long)]
    pub infra_kubeconfig_file: Option<String>,
    /// Namespace on the external infrastructure cluster.
    #[arg(long)]
    pub infra_namespace: Option<String>,
    /// HighlyAvailable or SingleReplica control-plane components.
    #[arg(long, default_value = "HighlyAvailable", value_name = "POLICY")]
    pub control_plane_availability_policy: String,
    /// HighlyAvailable or SingleReplica guest infrastructure services (default: the API's,
    /// SingleReplica).
    #[arg(long, value_name = "POLICY")]
    pub infra_availability_policy: Option<String>,
    /// key=..,value=..,operator=..,effect=..,tolerationSeconds=..: a toleration for the
    /// control-plane pods (repeatable).
    #[arg(long = "toleration", value_name = "OPTIONS")]
    pub toleration: Vec<String>,
    /// <infra storage class>/<guest storage class>[,group=<group>]: KubeVirt CSI mapping
    /// (repeatable; sets storageDriver Manual).
    #[arg(long = "infra-storage-class-mapping", value_name = "INFRA/GUEST")]
    pub infra_storage_class_mapping: Vec<String>,
    /// <infra snapshot class>/<guest snapshot class>[,group=<group>]: KubeVirt CSI mapping
    /// (repeatable; sets storageDriver Manual).
    #[arg(
        long = "infra-volumesnapshot-class-mapping",
        value_name = "INFRA/GUEST"
    )]
    pub infra_volumesnapshot_class_mapping: Vec<String>,
    /// Size of each etcd member's volume.
    #[arg(long, default_value = "8Gi", value_name = "QUANTITY")]
    pub etcd_storage_size: String,
    /// OVNKubernetes, OpenShiftSDN, Calico or Other.
    #[arg(long, default_value = "OVNKubernetes")]
    pub network_type: String,
    /// Cluster (pod) network CIDR (repeatable: one per IP family; default 10.132.0.0/14).
    #[arg(long = "cluster-cidr", value_name = "CIDR")]
    pub cluster_cidr: Vec<String>,
    /// Service network CIDR (repeatable: one per IP family; default 172.31.0.0/16).
    #[arg(long = "service-cidr", value_name = "CIDR")]
    pub service_cidr: Vec<String>,
    /// Dual-stack default networks (not with --cluster-cidr or --service-cidr).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub default_dual: String,
    /// Publish the API server through a Route for external-dns in this domain.
    #[arg(long, value_name = "DOMAIN")]
    pub external_dns_domain: Option<String>,
    /// Nodes run in FIPS mode.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub fips: String,
    /// Infrastructure ID (default: <name>-<5 random characters>).
    #[arg(long, value_name = "ID")]
    pub infra_id: Option<String>,
    /// key=value[,key=value]: node selector of the control-plane pods (repeatable).
    #[arg(long = "node-selector", value_name = "KEY=VALUE,...")]
    pub node_selector: Vec<String>,
    /// key=value label of the HostedCluster (repeatable).
    #[arg(long = "labels", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// key=value annotation of the HostedCluster (repeatable).
    #[arg(long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// management or guest.
    #[arg(long, default_value = "management", value_name = "PLACEMENT")]
    pub olm_catalog_placement: String,
    /// Start without OLM's default catalog sources.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub olm_disable_default_sources: String,
    /// true, or an RFC 3339 date: pause reconciliation of the cluster and its node pool.
    #[arg(long = "pausedUntil", value_name = "true|DATE")]
    pub paused_until: Option<String>,
    /// PEM file of CA certificates (ConfigMap user-ca-bundle).
    #[arg(long, value_name = "FILE")]
    pub additional_trust_bundle: Option<String>,
    /// YAML file of image mirrors (source/mirrors list).
    #[arg(long, value_name = "FILE")]
    pub image_content_sources: Option<String>,
    #[command(flatten)]
    pub node: NodeFlags,
    /// Print the objects instead of creating them. Needs no cluster when --release-image is
    /// given; with a cluster, also asks the server to dry-run each object.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the objects (secrets redacted) in this format.
    #[arg(short = 'o', long = "output", value_enum)]
    pub output: Option<PlanFormat>,
}

#[derive(Debug, Args)]
pub struct CreateNodePoolKubevirt {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Node pool name.
    #[arg(long)]
    pub name: String,
    /// The hosted cluster.
    #[arg(long, default_value = "example")]
    pub cluster_name: String,
    /// Namespace of the hosted cluster.
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    /// Number of VMs.
    #[arg(long = "replicas", visible_alias = "node-count", default_value = "2")]
    pub replicas: String,
    /// Release image (default: the hosted cluster's).
    #[arg(long)]
    pub release_image: Option<String>,
    #[command(flatten)]
    pub node: NodeFlags,
    /// Print the object instead of creating it (no cluster needed with --release-image).
    #[arg(long)]
    pub dry_run: bool,
    /// Print the object in this format.
    #[arg(short = 'o', long = "output", value_enum)]
    pub output: Option<PlanFormat>,
}

/// A client from `--kubeconfig`/`--context`, `$KUBECONFIG`, `~/.kube/config` or in-cluster: the
/// same discovery and errors as the TUI and `get` (`kube_conn`).
pub async fn client(conn: &ConnArgs) -> Result<kube::Client, crate::kube_conn::ConnError> {
    let source = crate::kube_conn::Source::discover(conn.kubeconfig.as_deref())?;
    Ok(source.connect(conn.context.as_deref()).await?.client)
}

/// Preflight checks as rows keyed by the table headers.
pub fn preflight_rows(checks: &[Check]) -> serde_json::Value {
    serde_json::Value::Array(
        checks
            .iter()
            .map(|c| {
                let row = c.row();
                let mut m = serde_json::Map::new();
                for (h, v) in preflight::HEADERS.iter().zip(row) {
                    m.insert((*h).to_string(), serde_json::Value::String(v));
                }
                serde_json::Value::Object(m)
            })
            .collect(),
    )
}

/// Render the checks in a `get` format.
pub fn render_preflight(
    checks: &[Check],
    format: OutputFormat,
) -> Result<String, crate::output::OutputError> {
    match format {
        OutputFormat::Table => {
            let rows: Vec<Vec<String>> = checks.iter().map(|c| c.row().to_vec()).collect();
            Ok(crate::output::table(&preflight::HEADERS, &rows))
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            crate::output::serialize(&preflight_rows(checks), format)
        }
    }
}

/// `shiftdeck get preflight`. Returns the process exit code (1 when a check fails).
pub async fn run_get_preflight(conn: &ConnArgs, format: OutputFormat) -> i32 {
    let client = match client(conn).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("shiftdeck: {e}");
            return 2;
        }
    };
    let checks = preflight::run(&facts::fetch(&client).await);
    match render_preflight(&checks, format) {
        Ok(s) => {
            print!("{s}");
            if preflight::blocking(&checks).is_empty() {
                0
            } else {
                1
            }
        }
        Err(e) => {
            eprintln!("shiftdeck: {e}");
            2
        }
    }
}

fn set_node(set: &mut dyn FnMut(FieldId, String), n: &NodeFlags) {
    set(FieldId::Memory, n.memory.clone());
    set(FieldId::Cores, n.cores.clone());
    set(FieldId::RootVolumeSize, n.root_volume_size.clone());
    set(
        FieldId::RootVolumeStorageClass,
        n.root_volume_storage_class.clone().unwrap_or_default(),
    );
    set(FieldId::QosClass, n.qos_class.clone());
    set(FieldId::AdditionalNetworks, n.additional_network.join(","));
    set(
        FieldId::AttachDefaultNetwork,
        n.attach_default_network.clone(),
    );
    set(
        FieldId::VmNodeSelector,
        n.vm_node_selector.clone().unwrap_or_default(),
    );
    set(FieldId::NetworkMultiqueue, n.network_multiqueue.clone());
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    set(
        FieldId::RootVolumeAccessModes,
        opt(&n.root_volume_access_modes),
    );
    set(
        FieldId::RootVolumeVolumeMode,
        opt(&n.root_volume_volume_mode),
    );
    set(
        FieldId::RootVolumeCacheStrategy,
        opt(&n.root_volume_cache_strategy),
    );
    set(FieldId::HostDevices, join_entries(&n.host_device_name));
    set(FieldId::Arch, n.arch.clone());
    set(FieldId::AutoRepair, n.auto_repair.clone());
    set(FieldId::NodeUpgradeType, n.node_upgrade_type.clone());
    set(FieldId::NodeDrainTimeout, n.node_drain_timeout.clone());
    set(
        FieldId::NodeVolumeDetachTimeout,
        n.node_volume_detach_timeout.clone(),
    );
}

/// Repeated flag values as one form field (`;`-separated entries).
fn join_entries(values: &[String]) -> String {
    values.join(&options::ENTRY_SEPARATOR.to_string())
}

/// Fill a cluster form from the flags.
pub fn cluster_form(a: &CreateClusterKubevirt, facts: Option<ClusterFacts>) -> ClusterForm {
    let mut f = match facts {
        Some(facts) => ClusterForm::new(facts),
        None => ClusterForm::offline(),
    };
    {
        let mut set = |id, v: String| f.set(id, v);
        set(FieldId::Name, a.name.clone());
        set(FieldId::Namespace, a.namespace.clone());
        set(FieldId::Replicas, a.node_pool_replicas.clone());
        set(FieldId::PullSecret, a.pull_secret.clone());
        if let Some(r) = &a.release_image {
            set(FieldId::ReleaseImage, r.clone());
        }
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        set(FieldId::EtcdStorageClass, opt(&a.etcd_storage_class));
        set(FieldId::BaseDomain, opt(&a.base_domain));
        set(FieldId::SshKey, opt(&a.ssh_key));
        set(FieldId::InfraKubeconfig, opt(&a.infra_kubeconfig_file));
        set(FieldId::InfraNamespace, opt(&a.infra_namespace));
        set(
            FieldId::ControlPlaneAvailability,
            a.control_plane_availability_policy.clone(),
        );
        set(
            FieldId::InfraAvailability,
            opt(&a.infra_availability_policy),
        );
        set(FieldId::Tolerations, join_entries(&a.toleration));
        set(
            FieldId::StorageClassMappings,
            join_entries(&a.infra_storage_class_mapping),
        );
        set(
            FieldId::SnapshotClassMappings,
            join_entries(&a.infra_volumesnapshot_class_mapping),
        );
        set(FieldId::EtcdStorageSize, a.etcd_storage_size.clone());
        set(FieldId::NetworkType, a.network_type.clone());
        set(FieldId::ClusterCidr, a.cluster_cidr.join(","));
        set(FieldId::ServiceCidr, a.service_cidr.join(","));
        set(FieldId::DefaultDual, a.default_dual.clone());
        set(FieldId::ExternalDnsDomain, opt(&a.external_dns_domain));
        set(FieldId::Fips, a.fips.clone());
        set(FieldId::InfraId, opt(&a.infra_id));
        set(FieldId::ControlPlaneNodeSelector, a.node_selector.join(","));
        set(FieldId::Labels, join_entries(&a.labels));
        set(FieldId::Annotations, join_entries(&a.annotations));
        set(
            FieldId::OlmCatalogPlacement,
            a.olm_catalog_placement.clone(),
        );
        set(
            FieldId::OlmDisableDefaultSources,
            a.olm_disable_default_sources.clone(),
        );
        set(FieldId::PausedUntil, opt(&a.paused_until));
        set(
            FieldId::AdditionalTrustBundle,
            opt(&a.additional_trust_bundle),
        );
        set(FieldId::ImageContentSources, opt(&a.image_content_sources));
        set_node(&mut set, &a.node);
    }
    f
}

/// Fill a node-pool form from the flags.
pub fn nodepool_form(a: &CreateNodePoolKubevirt, facts: ClusterFacts) -> NodePoolForm {
    let mut f = NodePoolForm::new(facts);
    {
        let mut set = |id, v: String| f.set(id, v);
        set(FieldId::Name, a.name.clone());
        set(FieldId::Cluster, a.cluster_name.clone());
        set(FieldId::Namespace, a.namespace.clone());
        set(FieldId::Replicas, a.replicas.clone());
        set(
            FieldId::ReleaseImage,
            a.release_image.clone().unwrap_or_default(),
        );
        set_node(&mut set, &a.node);
    }
    f
}

fn emit(plan: &crate::wizard::build::Plan, format: Option<PlanFormat>) -> Result<(), String> {
    let text = match format {
        Some(PlanFormat::Json) => {
            serde_json::to_string_pretty(&plan.to_json_redacted()).map_err(|e| e.to_string())?
                + "\n"
        }
        Some(PlanFormat::Yaml) | None => plan.to_yaml_redacted().map_err(|e| e.to_string())?,
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

async fn finish(
    client: Option<&kube::Client>,
    plan: crate::wizard::build::Plan,
    dry_run: bool,
    output: Option<PlanFormat>,
) -> i32 {
    if dry_run {
        if let Err(e) = emit(&plan, output.or(Some(PlanFormat::Yaml))) {
            eprintln!("shiftdeck: {e}");
            return 2;
        }
        let Some(client) = client else { return 0 };
        let report = exec::dry_run(client, &plan).await;
        for s in &report.steps {
            match &s.outcome {
                DryRunOutcome::Accepted => eprintln!("dry run: {} accepted", s.object),
                DryRunOutcome::Exists => eprintln!("dry run: {} exists, kept", s.object),
                DryRunOutcome::Skipped(w) => eprintln!("dry run: {} not checked: {w}", s.object),
                DryRunOutcome::Rejected(w) => eprintln!("dry run: {} REJECTED: {w}", s.object),
            }
        }
        return if report.ok() { 0 } else { 1 };
    }
    let Some(client) = client else {
        eprintln!("shiftdeck: creating needs a cluster");
        return 2;
    };
    match exec::execute(client, &plan).await {
        Ok(report) => {
            if output.is_some() {
                if let Err(e) = emit(&plan, output) {
                    eprintln!("shiftdeck: {e}");
                    return 2;
                }
            } else {
                for o in &report.existed {
                    println!("{o} exists, kept");
                }
                for o in &report.created {
                    println!("{o} created");
                }
            }
            0
        }
        Err(e) => {
            eprintln!("shiftdeck: {}", e.explanation);
            1
        }
    }
}

/// `shiftdeck create ...`. Returns the process exit code.
pub async fn run_create(conn: &ConnArgs, args: CreateArgs) -> i32 {
    let (release_given, dry_run, output) = match &args.what {
        CreateWhat::Cluster {
            platform: ClusterPlatform::Kubevirt(a),
        } => (a.release_image.is_some(), a.dry_run, a.output),
        CreateWhat::Nodepool {
            platform: NodePoolPlatform::Kubevirt(a),
        } => (a.release_image.is_some(), a.dry_run, a.output),
    };
    // A dry run with an explicit release image needs nothing from the cluster.
    let client = if dry_run && release_given {
        None
    } else {
        match client(conn).await {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!(
                    "shiftdeck: {e}{}",
                    if dry_run {
                        " (a dry run without a cluster needs --release-image)"
                    } else {
                        ""
                    }
                );
                return 2;
            }
        }
    };
    let facts = match &client {
        Some(c) => Some(facts::fetch(c).await),
        None => None,
    };
    let plan = match args.what {
        CreateWhat::Cluster {
            platform: ClusterPlatform::Kubevirt(a),
        } => {
            let f = cluster_form(&a, facts);
            if !a.dry_run && f.preflight_blocks() {
                eprintln!("shiftdeck: {}", preflight::summary(&f.preflight));
                return 1;
            }
            f.plan()
        }
        CreateWhat::Nodepool {
            platform: NodePoolPlatform::Kubevirt(a),
        } => nodepool_form(&a, facts.unwrap_or_default()).plan(),
    };
    match plan {
        Ok(plan) => finish(client.as_ref(), plan, dry_run, output).await,
        Err(errs) => {
            eprintln!(
                "shiftdeck: invalid input:\n{}",
                form::describe_errors(&errs)
            );
            2
        }
    }
}
