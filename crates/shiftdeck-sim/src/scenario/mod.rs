//! Seeds a profile's objects into the store (hub, azure, microshift, guest) plus `--scale` extras.
//!
//! Everything is deterministic for a given `--seed` (names, addresses, which CSRs are bad); only
//! key material and timestamps differ between runs.
//!
//! What each profile holds (handy for demos and TUI tests):
//! - `hub`: masters `master-0..2`, infra workers `worker-0..5` (KubeVirt), ARM64 workers
//!   `arm64-worker-0..1`; machine `arm64-worker-2` waiting with a pending client CSR (more arrive
//!   when live; every 5th arrival brings a CSR an approver must refuse); a stale CSR from a wrong
//!   requestor. HostedClusters `clusters/example` (pools `example` x2 RWX, `example-extra-cpu`
//!   x0 → 2 when live), `clusters/user` (pool `user-np` x3 on RWO `lvms-vg1`: not live
//!   migratable), `clusters/guest` (custom base domain, Partial until IPAddressPool `guest-apps`
//!   exists in `metallb-system`). Available clusters are also served as guest APIs
//!   (`controllers::guest::guests`). The `coreos-bootimages` stream (aarch64, x86_64).
//! - `azure`: IPI cluster `azure-5mzx8` with zone worker MachineSets, ARM64 MachineSet
//!   (`Standard_D8ps_v5`, gallery image), Windows MachineSet `winworker`, WMCO and its operator
//!   pod, `coreos-bootimages`, and the platform pods of the core namespaces (OVN-Kubernetes,
//!   DNS, router, service CA).
//! - `microshift`: node `edge-01.example.com`, MicroShift pods, `kube-public/microshift-version`.
//! - `guest`: a hosted cluster's API (operators, ClusterVersion); nodes come from the hub.

pub mod azure;
pub mod bootimages;
pub mod control_plane;
pub mod crds;
pub mod csrs;
pub mod guest;
pub mod hub;
pub mod hub_platform;
pub mod hypershift;
pub mod kubevirt;
pub mod microshift;
pub mod nodepools;
pub mod objects;
pub mod pods;
pub mod scale;

use super::store::Store;
use super::{Profile, SimOptions};

pub fn seed(store: &Store, opts: &SimOptions) -> color_eyre::Result<()> {
    crds::seed(store, opts.profile)?;
    match opts.profile {
        Profile::Hub => hub::seed(store, opts)?,
        Profile::Azure => azure::seed(store, opts)?,
        Profile::Microshift => microshift::seed(store, opts)?,
        Profile::Guest => guest::seed(store, opts)?,
    }
    scale::seed(store, opts)?;
    Ok(())
}
