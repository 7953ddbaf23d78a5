//! shiftdeck's integration tests, one binary (one link instead of one per file): the TUI driven
//! end to end against the simulated cluster, whole-screen snapshots, the CLI (`get`, `create`,
//! `mirror`) as a process, Azure blob copies against Azurite, image mirroring with skopeo and a
//! local registry. The simulated cluster's own tests live in `crates/shiftdeck-sim/tests`.
#![allow(clippy::unwrap_used)]

mod crd_support;
mod tui_support;

mod copies_azurite;
mod copies_fake_blob;
mod copies_mirror;
mod copies_pane;
mod csr_e2e;
mod csr_get_and_actions;
mod fault_matrix;
mod fleet_e2e;
mod fleet_live;
mod fleet_snapshots;
mod get_nodes;
mod hosted_e2e;
mod hosted_snapshots;
mod migration_e2e;
mod migration_get;
mod migration_snapshots;
mod overview_bootimages;
mod overview_cli;
mod overview_model;
mod overview_sim;
mod overview_tui;
mod redaction_corpus;
mod scale_panes_e2e;
mod signals_pty;
mod tui_e2e;
mod ui_snapshots;
mod wizard_build;
mod wizard_forms;
mod wizard_hcp_flags;
mod wizard_hcp_more_flags;
mod wizard_sim;
mod wizard_tui_e2e;
mod wizard_ui;
mod wizard_validate;
mod write_pipeline;
