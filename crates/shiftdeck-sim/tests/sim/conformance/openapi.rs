//! OpenAPI: `/openapi/v3` indexes one document per group version, addressed by hash, each with
//! the schemas of its kinds (`x-kubernetes-group-version-kind`), so `kubectl explain` works for
//! built-in and custom kinds; `/openapi/v2` is one Swagger 2.0 document, in JSON or the gnostic
//! protobuf kubectl asks for; an `Accept` the sim cannot produce is 406.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support;

async fn get(k: &Kube, path: &str, accept: &str) -> (u16, Value) {
    let auth = format!("Bearer {}", k.sim.token);
    sim_support::raw(
        k.sim.addr,
        "GET",
        path,
        &[("Authorization", &auth), ("Accept", accept)],
        b"",
    )
    .await
}

#[tokio::test]
async fn kubectl_explain_reads_built_in_schemas() {
    let k = Kube::start().await;
    let out = k.ok(&["explain", "nodes.spec"]).await;
    assert!(out.contains("KIND:       Node"), "{out}");
    assert!(out.contains("FIELD: spec <NodeSpec>"), "{out}");
    assert!(
        out.contains("NodeSpec describes the attributes that a node is created with."),
        "{out}"
    );
    assert!(out.contains("podCIDR\t<string>"), "{out}");
    assert!(out.contains("taints\t<[]Taint>"), "{out}");
    let out = k.ok(&["explain", "pods.spec.containers.ports"]).await;
    assert!(out.contains("FIELD: ports <[]ContainerPort>"), "{out}");
    assert!(out.contains("containerPort\t<integer> -required-"), "{out}");
    // A field the type does not have.
    let err = k.fails(&["explain", "nodes.spec.nope"]).await;
    assert!(err.contains("field \"nope\" does not exist"), "{err}");
}

#[tokio::test]
async fn kubectl_explain_reads_custom_schemas() {
    let k = Kube::start().await;
    let out = k.ok(&["explain", "nodepools.spec.replicas"]).await;
    assert!(out.contains("GROUP:      hypershift.openshift.io"), "{out}");
    assert!(out.contains("KIND:       NodePool"), "{out}");
    assert!(out.contains("VERSION:    v1beta1"), "{out}");
    assert!(out.contains("FIELD: replicas <integer>"), "{out}");
    let out = k.ok(&["explain", "nodepools.spec.arch"]).await;
    assert!(out.contains("ENUM:"), "{out}");
    assert!(out.contains("arm64"), "{out}");
    let out = k
        .ok(&["explain", "hostedclusters.spec", "--recursive"])
        .await;
    for line in [
        "  release\t<Object> -required-",
        "    image\t<string> -required-",
        "  pullSecret\t<Object> -required-",
        "    baseDomain\t<string> -required-",
    ] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }
    // A kind the sim does not model: its spec keeps whatever it is sent.
    let out = k
        .ok(&["explain", "virtualmachineinstancemigrations.spec"])
        .await;
    assert!(out.contains("FIELD: spec <Object>"), "{out}");
}

#[tokio::test]
async fn documents_are_indexed_by_hash_with_group_version_kinds() {
    let k = Kube::start().await;
    let (code, root) = get(&k, "/openapi/v3", "application/json").await;
    assert_eq!(code, 200, "{root}");
    let url = root["paths"]["apis/hypershift.openshift.io/v1beta1"]["serverRelativeURL"]
        .as_str()
        .expect("hypershift document listed")
        .to_string();
    assert!(url.contains("?hash="), "{url}");
    let (code, doc) = get(&k, &url, "application/json").await;
    assert_eq!(code, 200);
    assert_eq!(doc["openapi"], json!("3.0.0"));
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let np = schemas
        .values()
        .find(|s| {
            s["x-kubernetes-group-version-kind"]
                == json!([{"group": "hypershift.openshift.io", "version": "v1beta1", "kind": "NodePool"}])
        })
        .expect("a NodePool schema");
    assert_eq!(
        np["properties"]["spec"]["properties"]["replicas"]["type"],
        json!("integer")
    );
    // A stale hash redirects to the current document.
    let stale = url.split("?hash=").next().unwrap_or_default().to_string() + "?hash=0";
    let (code, _) = get(&k, &stale, "application/json").await;
    assert_eq!(code, 301);
    // The core group's document, with Node and its GVK.
    let (_, core) = get(&k, "/openapi/v3/api/v1", "application/json").await;
    assert_eq!(
        core["components"]["schemas"]["io.k8s.api.core.v1.Node"]["x-kubernetes-group-version-kind"],
        json!([{"group": "", "version": "v1", "kind": "Node"}])
    );
    let (code, _) = get(&k, "/openapi/v3/apis/nope.example/v1", "application/json").await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn openapi_v2_is_one_swagger_document() {
    let k = Kube::start().await;
    let (code, doc) = get(&k, "/openapi/v2", "application/json").await;
    assert_eq!(code, 200);
    assert_eq!(doc["swagger"], json!("2.0"));
    let defs = &doc["definitions"];
    assert_eq!(
        defs["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"],
        json!([{"group": "", "version": "v1", "kind": "Pod"}])
    );
    assert!(
        defs["io.openshift.hypershift.v1beta1.HostedCluster"]["properties"]["spec"].is_object()
    );
    let path = &doc["paths"]["/apis/hypershift.openshift.io/v1beta1/namespaces/{namespace}/nodepools/{name}"];
    assert_eq!(
        path["patch"]["x-kubernetes-group-version-kind"]["kind"],
        json!("NodePool")
    );
    // kubectl asks for the gnostic protobuf form only, and reads it for `explain
    // --output plaintext-openapiv2`.
    let out = k
        .ok(&["explain", "nodes.spec", "--output", "plaintext-openapiv2"])
        .await;
    assert!(out.contains("KIND:     Node"), "{out}");
    assert!(out.contains("NodeSpec describes the attributes"), "{out}");
    let out = k
        .ok(&[
            "explain",
            "nodepools.spec.replicas",
            "--output",
            "plaintext-openapiv2",
        ])
        .await;
    assert!(out.contains("FIELD:    replicas <integer>"), "{out}");
    // Neither JSON nor protobuf acceptable: 406.
    let (code, st) = get(&k, "/openapi/v2", "text/html").await;
    assert_eq!(code, 406, "{st}");
    assert_eq!(st["reason"], json!("NotAcceptable"));
    let (code, _) = get(
        &k,
        "/openapi/v3/api/v1",
        "application/com.github.proto-openapi.spec.v3@v1.0+protobuf",
    )
    .await;
    assert_eq!(code, 406);
}

/// The schema node at a dotted `spec...` path of a modelled kind (lists stepped through, as
/// `kubectl explain` does).
fn schema_node(
    ks: &'static shiftdeck_sim::schema::node::KindSchema,
    path: &str,
) -> &'static shiftdeck_sim::schema::node::Node {
    use shiftdeck_sim::schema::node::Ty;
    let mut n = &ks.spec;
    for step in path.split('.').skip(1) {
        while let Ty::Array(items) = &n.ty {
            n = items;
        }
        n = match &n.ty {
            Ty::Object(props) => {
                &props
                    .iter()
                    .find(|p| p.name == step)
                    .unwrap_or_else(|| panic!("{path}: no {step}"))
                    .node
            }
            _ => panic!("{path}: {step} is not under an object"),
        };
    }
    n
}

/// How `kubectl explain` prints a schema node's type.
fn explain_type(n: &shiftdeck_sim::schema::node::Node) -> String {
    use shiftdeck_sim::schema::node::Ty;
    match &n.ty {
        Ty::String => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Object(_) | Ty::Opaque => "Object".into(),
        Ty::Map(v) => format!("map[string]{}", explain_type(v)),
        Ty::Array(i) => format!("[]{}", explain_type(i)),
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `kubectl explain` of the modelled custom kinds prints, for each field asked, the description
/// the sim's schema carries, the field's type, and exactly the schema's fields below it (with
/// `-required-` where the schema requires them); the kind itself is described too.
#[tokio::test]
async fn kubectl_explain_prints_custom_field_descriptions() {
    use shiftdeck_sim::schema::{self, node::Ty};
    let k = Kube::start().await;
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "hostedclusters",
            "hostedclusters.hypershift.openshift.io",
            &[
                "spec",
                "spec.platform",
                "spec.dns.baseDomain",
                "spec.services",
            ],
        ),
        (
            "nodepools",
            "nodepools.hypershift.openshift.io",
            &[
                "spec.replicas",
                "spec.management",
                "spec.platform.type",
                "spec.release.image",
            ],
        ),
        (
            "machinesets",
            "machinesets.machine.openshift.io",
            &[
                "spec",
                "spec.deletePolicy",
                "spec.template.spec.providerSpec",
            ],
        ),
        (
            "machines",
            "machines.machine.openshift.io",
            &[
                "spec",
                "spec.lifecycleHooks.preDrain",
                "spec.taints.timeAdded",
            ],
        ),
        (
            "datavolumes",
            "datavolumes.cdi.kubevirt.io",
            &[
                "spec.source",
                "spec.source.registry.pullMethod",
                "spec.storage",
            ],
        ),
        (
            "virtualmachines",
            "virtualmachines.kubevirt.io",
            &["spec", "spec.runStrategy", "spec.dataVolumeTemplates"],
        ),
        (
            "virtualmachineinstances",
            "virtualmachineinstances.kubevirt.io",
            &["spec", "spec.domain", "spec.evictionStrategy"],
        ),
        // Cluster API's Machine: the same plural as the Machine API's, told apart by group.
        (
            "machines",
            "machines.cluster.x-k8s.io",
            &[
                "spec",
                "spec.bootstrap",
                "spec.infrastructureRef",
                "spec.readinessGates",
            ],
        ),
    ];
    for (plural, gr, paths) in cases {
        let ks = schema::custom(gr).expect("modelled");
        let api = format!(
            "--api-version={}",
            shiftdeck_sim::resources::by_key(gr).api_version()
        );
        let out = k.ok(&["explain", plural, &api]).await;
        assert!(
            squash(&out).contains(&squash(ks.doc)),
            "{plural}: kind description {:?} not in\n{out}",
            ks.doc
        );
        for path in *paths {
            let n = schema_node(ks, path);
            let out = k.ok(&["explain", &format!("{plural}.{path}"), &api]).await;
            let leaf = path.rsplit('.').next().unwrap_or(path);
            let field = format!("FIELD: {leaf} <{}>", explain_type(n));
            assert!(
                out.contains(&field),
                "{plural}.{path}: {field:?} not in\n{out}"
            );
            let doc = n
                .description
                .unwrap_or_else(|| panic!("{plural}.{path} has no description"));
            assert!(
                squash(&out).contains(&squash(doc)),
                "{plural}.{path}: {doc:?} not in\n{out}"
            );
            // The fields listed are the schema's, with their types and required marks.
            let mut inner = n;
            while let Ty::Array(items) = &inner.ty {
                inner = items;
            }
            let mut want: Vec<String> = match &inner.ty {
                Ty::Object(props) => props
                    .iter()
                    .map(|p| {
                        let req = if inner.required.contains(&p.name) {
                            " -required-"
                        } else {
                            ""
                        };
                        format!("{}\t<{}>{req}", p.name, explain_type(&p.node))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            want.sort();
            let mut listed: Vec<String> = out
                .split_once("FIELDS:")
                .map(|(_, f)| f)
                .unwrap_or("")
                .lines()
                .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.contains('\t'))
                .map(|l| l.trim().to_string())
                .collect();
            listed.sort();
            assert_eq!(listed, want, "{plural}.{path}:\n{out}");
        }
    }
    let out = k.ok(&["explain", "nodepools.spec.replicas"]).await;
    assert!(
        out.contains("How many nodes the pool should have."),
        "{out}"
    );
}
