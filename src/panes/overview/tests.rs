use super::rows::{Item, build};
use super::*;
use crate::overview::{ClusterFlavor, ClusterShape, OverviewInputs, Pane as OvPane, ServedApis};
use serde_json::json;

fn openshift_inputs() -> OverviewInputs {
    OverviewInputs {
        cluster_version: Fetched::Present(json!({
            "spec": {"channel": "stable-4.18"},
            "status": {"desired": {"version": "4.18.1", "architecture": "Multi"},
                        "history": [{"state": "Completed", "version": "4.18.1"}]}
        })),
        infrastructure: Fetched::Present(json!({
            "status": {"platformStatus": {"type": "Azure"}, "infrastructureName": "hub-x7k2p"}
        })),
        nodes: Fetched::Present(Vec::new()),
        csrs: Fetched::Present(Vec::new()),
        ..OverviewInputs::default()
    }
}

fn pane_with(inputs: OverviewInputs, available: &[&'static str]) -> OverviewPane {
    let mut p = OverviewPane::default();
    p.set_available(available);
    p.rebuild(&inputs);
    p
}

#[test]
fn count_rows_link_only_to_panes_that_exist() {
    let p = pane_with(openshift_inputs(), &["overview", "nodes", "no"]);
    let links: Vec<&Item> = p
        .rows
        .iter()
        .filter_map(|r| r.item.as_ref())
        .filter(|i| matches!(i, Item::Link(_)))
        .collect();
    assert_eq!(links, vec![&Item::Link("nodes")]);
    let csr = p.rows.iter().find(|r| r.text.contains("CSR")).unwrap();
    assert!(csr.item.is_none(), "{csr:?}");
    // Enter on the selected link opens the pane.
    assert_eq!(p.selected_item(), Some(&Item::Link("nodes")));
    assert_eq!(
        p.remap(&Action::Details),
        Some(Action::Command("nodes".into()))
    );
}

#[test]
fn single_arch_next_step_is_copyable() {
    let mut i = openshift_inputs();
    i.cluster_version = Fetched::Present(json!({
        "status": {"desired": {"version": "4.18.1"}, "history": [{"state": "Completed", "version": "4.18.1"}]}
    }));
    let mut p = pane_with(i, &[]);
    // Only copy rows: the first is the next step.
    p.move_by(i64::MIN / 2);
    let c = p.copy_item().unwrap();
    assert_eq!(c.text, "oc adm upgrade --to-multi-arch");
    assert_eq!(p.remap(&Action::Yaml), Some(Action::Copy));
}

#[test]
fn microshift_has_no_boot_images_and_hides_hypershift() {
    let i = OverviewInputs {
        microshift_version: Fetched::Present(json!({"data": {"version": "4.18.1"}})),
        nodes: Fetched::Present(Vec::new()),
        ..OverviewInputs::default()
    };
    let p = pane_with(i, &["nodes"]);
    let model = p.model().unwrap();
    assert_eq!(model.flavor.label(), "MicroShift 4.18.1");
    let rows = build(model, &["nodes"]);
    assert!(rows.iter().all(|r| !r.text.contains("Boot images")));
    let ms = ClusterShape {
        flavor: ClusterFlavor::MicroShift { version: None },
        apis: ServedApis::all(),
    };
    let hidden = |s: &ClusterShape, c: &[&str]| s.why_hidden_commands(c);
    assert_eq!(
        hidden(&ms, &["hostedclusters", "hc"]).as_deref(),
        Some("MicroShift has no HyperShift")
    );
    assert!(hidden(&ms, &["np"]).is_some());
    assert!(hidden(&ms, &["machinesets", "ms"]).is_some());
    // Copies stays on MicroShift: its image mirroring is a MicroShift workflow.
    assert_eq!(hidden(&ms, &["copy"]), None);
    assert!(hidden(&ms, &["readiness", "lm"]).is_some());
    assert!(hidden(&ms, &["co"]).is_some());
    assert_eq!(hidden(&ms, &["nodes", "no"]), None);
    assert_eq!(hidden(&ms, &["somethingnew"]), None);
    let mut os = ClusterShape {
        flavor: ClusterFlavor::OpenShift {
            version: None,
            channel: None,
        },
        apis: ServedApis::all(),
    };
    assert_eq!(os.panes(), OvPane::ALL.to_vec());
    assert_eq!(hidden(&os, &["hc"]), None);
    // OpenShift without HyperShift or KubeVirt (discovery): those panes go, the rest stay.
    os.apis.hosted_clusters = false;
    os.apis.node_pools = false;
    os.apis.kubevirt = false;
    assert!(
        hidden(&os, &["hc"])
            .unwrap()
            .contains("does not serve hypershift.openshift.io HostedClusters")
    );
    assert!(
        hidden(&os, &["maintenance", "maint"])
            .unwrap()
            .contains("kubevirt.io")
    );
    assert!(hidden(&os, &["readiness"]).is_some());
    for shown in [&["machinesets"][..], &["co"], &["copy"], &["health"]] {
        assert_eq!(hidden(&os, shown), None, "{shown:?}");
    }
}

#[test]
fn filter_keeps_matching_rows_and_a_visible_selection() {
    let mut p = pane_with(openshift_inputs(), &["nodes"]);
    p.set_filter("platform");
    assert!(
        p.visible()
            .iter()
            .all(|(_, r)| r.text.to_lowercase().contains("platform"))
    );
    assert_eq!(p.selected, None);
    p.set_filter("");
    assert_eq!(p.selected_item(), Some(&Item::Link("nodes")));
}

#[test]
fn sync_rebuilds_on_new_reads_and_node_changes_but_not_heartbeats() {
    use crate::panes::nodes::fixtures::{NodeSpec, node};
    use crate::watch::overview_poll;
    use kube::runtime::watcher::Event;

    let (stores, mut writers) = Stores::with_writers();
    let mut p = OverviewPane::default();
    let t = Instant::now();
    assert!(!p.sync(&stores, t), "nothing read yet");
    overview_poll::publish(&writers.overview, openshift_inputs());
    assert!(p.sync(&stores, t));
    assert!(!p.sync(&stores, t));
    let apply = |w: &mut crate::watch::Writers, spec: &NodeSpec| {
        w.nodes.apply_watcher_event(&Event::Apply(node(spec)));
    };
    let mut spec = NodeSpec {
        name: "w-0",
        ready: Some("True"),
        rv: 1,
        ..NodeSpec::default()
    };
    apply(&mut writers, &spec);
    assert!(p.sync(&stores, t));
    assert!(p.rows.iter().any(|r| r.text.contains("1 (1 ready)")));
    spec.rv = 2;
    apply(&mut writers, &spec);
    assert!(!p.sync(&stores, t), "a heartbeat changes nothing shown");
    spec.ready = Some("False");
    apply(&mut writers, &spec);
    assert!(p.sync(&stores, t));
    assert!(
        p.rows.iter().any(|r| r.text.contains("1 (0 ready)")),
        "{:?}",
        p.rows
    );
}
