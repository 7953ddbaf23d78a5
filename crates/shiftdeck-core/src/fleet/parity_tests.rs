//! The table headers follow the printer columns the sim's registry declares for each kind
//! (priority 0, upper-cased, `NAME` first), so `shiftdeck get` matches `oc get`.

use crate::fleet::hosted::HostedClusterRow;
use crate::fleet::machineset::MachineSetRow;
use crate::fleet::nodepool::NodePoolRow;
use crate::fleet::util::TableRow;
use shiftdeck_sim::resources::find;

fn registry_headers(group: &str, plural: &str) -> Vec<String> {
    let res = find(group, plural).expect("kind in the sim registry");
    std::iter::once("NAME".to_string())
        .chain(
            res.columns
                .iter()
                .filter(|c| c.priority == 0)
                .map(|c| c.name.to_uppercase()),
        )
        .collect()
}

fn prefix(headers: &[&str], skip: usize, n: usize) -> Vec<String> {
    headers[skip..skip + n]
        .iter()
        .map(|h| h.to_string())
        .collect()
}

#[test]
fn hosted_cluster_headers_match_the_registry() {
    let want = registry_headers("hypershift.openshift.io", "hostedclusters");
    assert_eq!(HostedClusterRow::HEADERS[0], "NAMESPACE");
    assert_eq!(prefix(HostedClusterRow::HEADERS, 1, want.len()), want);
}

#[test]
fn node_pool_headers_match_the_registry() {
    let want = registry_headers("hypershift.openshift.io", "nodepools");
    assert_eq!(NodePoolRow::HEADERS[0], "NAMESPACE");
    assert_eq!(prefix(NodePoolRow::HEADERS, 1, want.len()), want);
}

#[test]
fn machine_set_headers_match_the_registry() {
    let want = registry_headers("machine.openshift.io", "machinesets");
    assert_eq!(prefix(MachineSetRow::HEADERS, 0, want.len()), want);
}
