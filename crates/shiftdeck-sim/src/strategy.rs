//! What the API server's per-kind registry strategies and defaulting do to every object stored,
//! whoever writes it (a client, the scenario seed or a controller): which kinds carry
//! `metadata.generation`, and the Namespace's create-time status and finalizer and its
//! `kubernetes.io/metadata.name` label.

use serde_json::{Value, json};

use super::resources::ResourceDef;

/// Built-in kinds whose strategy sets `metadata.generation` (1 on create, +1 per spec change);
/// every custom resource has one too. Node, Namespace, ConfigMap, Secret, Event, Pod (before
/// Kubernetes 1.33), Service, PersistentVolumeClaim, StorageClass and CSR strategies leave it
/// unset.
const BUILTIN_WITH_GENERATION: &[&str] = &[
    "poddisruptionbudgets.policy",
    "customresourcedefinitions.apiextensions.k8s.io",
    "deployments.apps",
    "replicasets.apps",
    "statefulsets.apps",
    "daemonsets.apps",
    "jobs.batch",
    "cronjobs.batch",
    "ingresses.networking.k8s.io",
    "networkpolicies.networking.k8s.io",
];

pub fn has_generation(res: &ResourceDef) -> bool {
    res.crd || BUILTIN_WITH_GENERATION.contains(&res.gr)
}

/// The label the Namespace defaulter sets on every write (create and update alike).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Defaults applied to every write of `obj`.
pub fn default(res: &ResourceDef, obj: &mut Value) {
    if res.gr == "namespaces" {
        let name = obj
            .pointer("/metadata/name")
            .cloned()
            .unwrap_or(Value::Null);
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            let labels = meta.entry("labels").or_insert_with(|| json!({}));
            if !labels.is_object() {
                *labels = json!({});
            }
            if let Some(l) = labels.as_object_mut() {
                l.insert(NAMESPACE_NAME_LABEL.into(), name);
            }
        }
    }
}

/// The create-time strategy: a new Namespace is Active (whatever status was sent) and carries
/// the `kubernetes` finalizer that the namespace controller removes once its contents are gone.
pub fn prepare_create(res: &ResourceDef, obj: &mut Value) {
    default(res, obj);
    if res.gr != "namespaces" {
        return;
    }
    let Some(o) = obj.as_object_mut() else {
        return;
    };
    o.insert("status".into(), json!({"phase": "Active"}));
    let spec = o.entry("spec").or_insert_with(|| json!({}));
    if !spec.is_object() {
        *spec = json!({});
    }
    if let Some(spec) = spec.as_object_mut() {
        let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
        if !finalizers.is_array() {
            *finalizers = json!([]);
        }
        if let Some(list) = finalizers.as_array_mut()
            && !list.iter().any(|f| f == "kubernetes")
        {
            list.push(json!("kubernetes"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::by_key;

    #[test]
    fn generation_only_where_the_strategy_sets_it() {
        for gr in [
            "nodes",
            "namespaces",
            "configmaps",
            "events",
            "secrets",
            "pods",
        ] {
            assert!(!has_generation(by_key(gr)), "{gr}");
        }
        for gr in [
            "poddisruptionbudgets.policy",
            "nodepools.hypershift.openshift.io",
            "machines.machine.openshift.io",
            "customresourcedefinitions.apiextensions.k8s.io",
        ] {
            assert!(has_generation(by_key(gr)), "{gr}");
        }
    }

    #[test]
    fn a_new_namespace_is_active_with_the_kubernetes_finalizer_and_its_name_label() {
        let ns = by_key("namespaces");
        let mut o = json!({"metadata": {"name": "team-a", "labels": {"x": "y"}},
            "spec": {"finalizers": ["example.com/f"]}, "status": {"phase": "Terminating"}});
        prepare_create(ns, &mut o);
        assert_eq!(o["status"], json!({"phase": "Active"}));
        assert_eq!(
            o["spec"]["finalizers"],
            json!(["example.com/f", "kubernetes"])
        );
        assert_eq!(
            o["metadata"]["labels"],
            json!({"x": "y", "kubernetes.io/metadata.name": "team-a"})
        );
        // An update that drops or changes the label gets it back.
        let mut o = json!({"metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "other"}}});
        default(ns, &mut o);
        assert_eq!(
            o["metadata"]["labels"][NAMESPACE_NAME_LABEL],
            json!("team-a")
        );
        // Other kinds are left alone.
        let mut cm = json!({"metadata": {"name": "c"}});
        prepare_create(by_key("configmaps"), &mut cm);
        assert_eq!(cm, json!({"metadata": {"name": "c"}}));
    }
}
