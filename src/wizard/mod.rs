//! The non-UI core of the creation wizards: preflight checks, field validators, object builders
//! with `hcp create cluster kubevirt` / `hcp create nodepool kubevirt` parity, client-side schema
//! validation against the HyperShift CRDs, and the create-with-rollback executor.
//!
//! Layering (UI code should only need `form`, `preflight` and `exec`):
//! - [`validate`]: one function per field, text in, typed value or message out.
//! - [`secret`]: [`secret::Sensitive`], the redacting newtype for secret material.
//! - [`build`]: typed specs → [`build::Plan`] (the objects, in creation order).
//! - [`schema`]: CRD `openAPIV3Schema` checks plus the client-checkable CEL rules.

pub mod build;
pub mod cmd;
pub mod exec;
pub mod facts;
pub mod form;
pub mod preflight;
pub mod schema;
pub mod secret;
pub mod validate;
