//! Conformance of the sim with a real API server: what a real server refuses, the sim refuses,
//! asserted with real clients (kubectl, kube-rs, the official Python client and a
//! PyPI kubectl) and raw HTTP where the bytes matter. One module
//! per area; each test names the real server behaviour it checks. Tests fail, never skip, when
//! kubectl or the Python clients are missing.

mod kubectl;
mod python;

mod auth;
mod content_negotiation;
mod deletes;
mod dry_run;
mod events_and_tables;
mod metadata;
mod openapi;
mod paging;
mod patch_types;
mod protobuf;
mod python_client;
mod schema_vs_crd;
mod server_side_apply;
mod validation;
