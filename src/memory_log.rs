//! Once a minute, at debug level (`SHIFTDECK_LOG=shiftdeck::memory=debug`): the allocator's
//! figures and how many objects each store holds. A long run's log then tells data growth
//! (counts and `allocated` rise together) from fragmentation (`resident` rises alone).

use std::time::Duration;

use crate::watch::Stores;

/// How often the figures are logged: once a minute, or every `SHIFTDECK_MEMORY_EVERY` seconds
/// (benches/soak.sh's per-pane attribution logs every few seconds).
pub fn every() -> Duration {
    std::env::var("SHIFTDECK_MEMORY_EVERY")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// Log the figures now (a no-op unless the target is enabled at debug).
pub fn log(stores: Option<&Stores>) {
    if !tracing::enabled!(target: "shiftdeck::memory", tracing::Level::DEBUG) {
        return;
    }
    // Statistics are cached by jemalloc until the epoch advances.
    let _ = tikv_jemalloc_ctl::epoch::advance();
    let kib = |r: Result<usize, _>| r.map(|b| b / 1024).unwrap_or(0);
    let allocated_kib = kib(tikv_jemalloc_ctl::stats::allocated::read());
    let active_kib = kib(tikv_jemalloc_ctl::stats::active::read());
    let resident_kib = kib(tikv_jemalloc_ctl::stats::resident::read());
    let metadata_kib = kib(tikv_jemalloc_ctl::stats::metadata::read());
    let counts = stores.map(counts).unwrap_or_default();
    tracing::debug!(
        target: "shiftdeck::memory",
        allocated_kib,
        active_kib,
        resident_kib,
        metadata_kib,
        %counts,
        "memory"
    );
}

/// Objects per store, as `kind=count` pairs.
fn counts(s: &Stores) -> String {
    let f = &s.fleet;
    let mut out = vec![
        ("nodes", s.nodes.state().len()),
        ("csrs", s.csrs.state().len()),
        ("machines", s.machines.state().len()),
        ("hostedclusters", s.hostedclusters.state().len()),
        ("nodepools", s.nodepools.state().len()),
        ("clusteroperators", s.clusteroperators.state().len()),
        ("datavolumes", s.datavolumes.state().len()),
        ("machinesets", f.machinesets.state().len()),
        ("capi_machines", f.pool_machines.state().len()),
        ("vms", f.vms.state().len()),
        ("vmis", f.vmis.state().len()),
    ];
    let migration: usize = s.migration.stores.iter().map(|m| m.state().len()).sum();
    out.push(("migration_kinds", migration));
    out.iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}
