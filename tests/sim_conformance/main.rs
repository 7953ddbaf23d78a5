//! Conformance of the sim with a real API server: what a real server refuses, the sim refuses,
//! asserted with real clients (kubectl, kube-rs) and raw HTTP where the bytes matter. One module
//! per area; each test names the real server behaviour it checks. Tests fail, never skip, when
//! kubectl is missing.

#[path = "../sim_support/mod.rs"]
mod sim_support;

mod kubectl;

mod content_negotiation;
mod deletes;
mod dry_run;
mod events_and_tables;
mod openapi;
mod paging;
mod patch_types;
mod schema_vs_crd;
mod server_side_apply;
mod validation;
