//! The simulated cluster's own tests, one binary: its HTTP protocol against kube-rs, kubectl
//! against it, conformance with a real API server (kubectl, the Python client, raw HTTP), scale
//! and churn, and scenario behaviour through the store.
#![allow(clippy::unwrap_used)]

pub use shiftdeck_sim::testkit as sim_support;

mod conformance;
mod kubectl_cli;
mod protocol;
mod scale;
mod scenarios;
