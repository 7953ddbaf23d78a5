//! VirtualMachineInstanceMigration controller: moves a live-migratable VMI to another infra node
//! through KubeVirt's phases, and fails the migration of a VMI whose `LiveMigratable` condition
//! is False, as KubeVirt does.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, next, sim_sleep};
use crate::resources::by_key;
use crate::scenario::hub::infra_nodes;
use crate::scenario::objects::{self, name_of, ns_of, str_at};
use crate::store::{EventType, Store, StoredEvent};

pub const VMIM: &str = "virtualmachineinstancemigrations.kubevirt.io";
const VMIS: &str = "virtualmachineinstances.kubevirt.io";

pub async fn run(
    store: Arc<Store>,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut seen: HashSet<String> = HashSet::new();
    let scan = |seen: &mut HashSet<String>| {
        let (items, _) = store.list(by_key(VMIM), None);
        for m in items {
            consider(&store, &m, seen, &shutdown);
        }
    };
    scan(&mut seen);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => scan(&mut seen),
            Next::Event(ev) => {
                if ev.resource == VMIM && ev.kind != EventType::Deleted {
                    consider(&store, &ev.object, &mut seen, &shutdown);
                }
            }
        }
    }
}

fn consider(
    store: &Arc<Store>,
    m: &Value,
    seen: &mut HashSet<String>,
    shutdown: &CancellationToken,
) {
    let phase = str_at(m, "/status/phase").unwrap_or_default();
    if !phase.is_empty() {
        return;
    }
    let uid = str_at(m, "/metadata/uid").unwrap_or_default().to_string();
    if !seen.insert(uid) {
        return;
    }
    tokio::spawn(migrate(
        store.clone(),
        ns_of(m).to_string(),
        name_of(m).to_string(),
        shutdown.clone(),
    ));
}

fn set_phase(store: &Store, ns: &str, name: &str, phase: &str, state: Value) -> bool {
    let now = store.clock().now_rfc3339();
    store
        .mutate_retry(by_key(VMIM), Some(ns), name, false, |o| {
            let st = crate::store::ensure_object(o, "status");
            st.insert("phase".into(), json!(phase));
            let trans = st
                .entry("phaseTransitionTimestamps")
                .or_insert_with(|| json!([]));
            if let Some(a) = trans.as_array_mut() {
                a.push(json!({"phase": phase, "phaseTransitionTimestamp": now}));
            }
            if !state.is_null() {
                st.insert("migrationState".into(), state.clone());
            }
            Ok(())
        })
        .is_ok()
}

async fn migrate(store: Arc<Store>, ns: String, name: String, shutdown: CancellationToken) {
    let Some(mig) = store.get(by_key(VMIM), Some(&ns), &name) else {
        return;
    };
    let vmi_name = str_at(&mig, "/spec/vmiName")
        .unwrap_or_default()
        .to_string();
    let mig_uid = str_at(&mig, "/metadata/uid")
        .unwrap_or_default()
        .to_string();
    // Label the migration with its VMI as virt-controller does.
    let _ = store.mutate_retry(by_key(VMIM), Some(&ns), &name, false, |o| {
        objects::set_in(
            o,
            &["metadata", "labels", "kubevirt.io/vmi-name"],
            json!(vmi_name),
        );
        Ok(())
    });
    if !set_phase(&store, &ns, &name, "Pending", Value::Null) {
        return;
    }
    if !sim_sleep(&store, 2.0, &shutdown).await {
        return;
    }
    let now = store.clock().now_rfc3339();
    let Some(vmi) = store.get(by_key(VMIS), Some(&ns), &vmi_name) else {
        fail(
            &store,
            &ns,
            &name,
            &format!("VMI {ns}/{vmi_name} does not exist"),
            "",
            &now,
        );
        return;
    };
    let lm = vmi
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("LiveMigratable"))
        })
        .cloned();
    let source = str_at(&vmi, "/status/nodeName")
        .unwrap_or_default()
        .to_string();
    if str_at(&vmi, "/status/phase") != Some("Running") {
        fail(
            &store,
            &ns,
            &name,
            &format!("VMI {vmi_name} is not running"),
            &source,
            &now,
        );
        return;
    }
    if lm
        .as_ref()
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        != Some("True")
    {
        let reason = lm
            .as_ref()
            .and_then(|c| str_at(c, "/reason"))
            .unwrap_or("NotMigratable");
        let msg = lm
            .as_ref()
            .and_then(|c| str_at(c, "/message"))
            .unwrap_or("VMI is not live migratable");
        fail(
            &store,
            &ns,
            &name,
            &format!("cannot migrate VMI, Reason: {reason}, Message: {msg}"),
            &source,
            &now,
        );
        return;
    }
    let nodes = infra_nodes();
    let idx = nodes.iter().position(|n| *n == source).map_or(0, |i| i + 1);
    let target = nodes[idx % nodes.len()].clone();
    let target_pod = format!(
        "virt-launcher-{vmi_name}-{}",
        objects::suffix(1, &format!("{mig_uid}/pod"), 5)
    );
    let state = |completed: bool, end: Option<&str>| {
        let mut s = json!({
            "migrationUid": mig_uid, "sourceNode": source, "targetNode": target, "targetPod": target_pod,
            "startTimestamp": now, "mode": "PreCopy", "completed": completed, "failed": false,
            "targetNodeAddress": format!("10.128.{}.{}", objects::hash64(2, &target) % 200, 10 + objects::hash64(3, &target) % 200)
        });
        if let Some(e) = end {
            s["endTimestamp"] = json!(e);
        }
        s
    };
    let _ = store.mutate_retry(by_key(VMIS), Some(&ns), &vmi_name, false, |o| {
        objects::set_in(o, &["status", "migrationState"], state(false, None));
        Ok(())
    });
    let old_pods = crate::controllers::nodepool::launcher_pods(&store, &ns, &vmi_name);
    let pool_name = objects::label(&vmi, "hypershift.openshift.io/nodepool-name")
        .unwrap_or_default()
        .to_string();
    for (phase, secs) in [
        ("Scheduling", 3.0),
        ("Scheduled", 4.0),
        ("PreparingTarget", 3.0),
        ("TargetReady", 2.0),
        ("Running", 15.0),
    ] {
        if !set_phase(&store, &ns, &name, phase, state(false, None)) {
            return;
        }
        if phase == "Scheduled" {
            // The target virt-launcher pod.
            let np = json!({"metadata": {"name": pool_name}, "spec": {}});
            let mut pool = crate::scenario::kubevirt::PoolInfo::from_objects(&np, None);
            pool.cp_namespace = ns.clone();
            if let Some(infra) = objects::label(&vmi, "hypershift.openshift.io/infra-id") {
                pool.infra_id = infra.to_string();
            }
            let mut pod =
                crate::scenario::kubevirt::launcher_pod(&pool, &vmi_name, &target, &mig_uid, &now);
            objects::set_in(&mut pod, &["metadata", "name"], json!(target_pod));
            let _ = store.create(by_key("pods"), pod, false);
        }
        if !sim_sleep(&store, secs, &shutdown).await {
            return;
        }
    }
    for p in old_pods {
        let _ = store.delete(by_key("pods"), Some(&ns), &p, false);
    }
    let end = store.clock().now_rfc3339();
    let _ = store.mutate_retry(by_key(VMIS), Some(&ns), &vmi_name, false, |o| {
        objects::set_in(o, &["status", "nodeName"], json!(target));
        objects::set_in(
            o,
            &["metadata", "labels", "kubevirt.io/nodeName"],
            json!(target),
        );
        objects::set_in(o, &["status", "migrationState"], state(true, Some(&end)));
        Ok(())
    });
    set_phase(&store, &ns, &name, "Succeeded", state(true, Some(&end)));
    objects::event_for(
        &store,
        VMIS,
        Some(&ns),
        &vmi_name,
        "Normal",
        "Migrated",
        &format!("The VirtualMachineInstance migrated to node {target}."),
        "virt-handler",
    );
    objects::event_for(
        &store,
        VMIM,
        Some(&ns),
        &name,
        "Normal",
        "SuccessfulMigration",
        "Source node reported migration succeeded",
        "virtualmachine-controller",
    );
}

fn fail(store: &Store, ns: &str, name: &str, reason: &str, source: &str, now: &str) {
    objects::event_for(
        store,
        VMIM,
        Some(ns),
        name,
        "Warning",
        "FailedMigration",
        reason,
        "virtualmachine-controller",
    );
    let state = json!({"failed": true, "completed": false, "failureReason": reason, "sourceNode": source, "startTimestamp": now, "endTimestamp": now});
    set_phase(store, ns, name, "Failed", state);
    let _ = store.mutate_retry(by_key(VMIM), Some(ns), name, false, |o| {
        objects::set_condition(o, "Failed", "True", "NotMigratable", reason, now);
        Ok(())
    });
}
