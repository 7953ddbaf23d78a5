//! The non-UI core of the creation wizards: preflight checks, field validators, object builders
//! with `hcp create cluster kubevirt` / `hcp create nodepool kubevirt` parity, client-side schema
//! validation against the HyperShift CRDs, and the create-with-rollback executor.
//!
//! Layering (a UI should only need `facts`, `form`, `preflight` and `exec`):
//! - [`facts`]: [`facts::fetch`] reads what the wizards need from the management cluster once
//!   ([`facts::ClusterFacts`]: preflight inputs and pick-list sources). Missing kinds are
//!   "not installed", 403 is "cannot check", never a hard error.
//! - [`preflight`]: [`preflight::run`] turns facts into pass/warn/fail [`preflight::Check`]s
//!   with what was seen and the fix. Failures block; warnings do not.
//! - [`form`]: [`form::ClusterForm`] (steps [`form::Step`]: preflight, cluster, default node
//!   pool, networking, storage mapping / external infra, security-metadata-OLM-disconnected,
//!   review) and [`form::NodePoolForm`]. `fields(step)` gives each
//!   [`form::Field`] (label, help, [`form::FieldKind`] with pick-list choices, value, error,
//!   warning); `set` edits; `can_advance(step)` gates; `plan()` builds the objects.
//! - [`validate`]: one function per field, text in, typed value or [`validate::Invalid`] out;
//!   [`options`] does the same for availability policies, tolerations, CSI class mappings,
//!   root-volume modes and host devices; [`more_options`] for networking, metadata, OLM,
//!   node management, `pausedUntil` and the disconnected-install files; [`duration`] for Go
//!   durations.
//! - [`secret`]: [`secret::Sensitive`], the redacting newtype for secret material.
//! - [`build`]: typed specs → [`build::Plan`] (objects in creation order; `review()` and
//!   `to_yaml_redacted()` for display, secrets always redacted).
//! - [`exec`]: [`exec::dry_run`] (server-side `dryRun=All`) and [`exec::execute`] (create in
//!   order; on failure delete what this run created and explain in words).
//! - [`schema`]: CRD `openAPIV3Schema` checks plus the client-checkable CEL rules.
//! - `shiftdeck create cluster|nodepool kubevirt` and `shiftdeck get preflight` live in
//!   [`crate::cli::create`] (the CLI layer).
//!
//! A typical UI flow:
//! ```no_run
//! # async fn demo(client: kube::Client) {
//! use shiftdeck::wizard::{exec, facts, form::{ClusterForm, FieldId, Step}};
//! let mut form = ClusterForm::new(facts::fetch(&client).await);
//! if let Err(why) = form.can_advance(Step::Preflight) { println!("{why}"); return; }
//! form.set(FieldId::Name, "example");
//! form.set(FieldId::PullSecret, "/home/me/pull-secret.json");
//! for f in form.fields(Step::Cluster) { println!("{}: {:?} {:?}", f.label, f.error, f.warning); }
//! let plan = form.plan().expect("valid");
//! for (title, yaml) in plan.review() { println!("# {title}\n{yaml}"); }
//! if exec::dry_run(&client, &plan).await.ok() {
//!     match exec::execute(&client, &plan).await {
//!         Ok(done) => println!("created {} objects", done.created.len()),
//!         Err(e) => println!("{}", e.explanation),
//!     }
//! }
//! # }
//! ```

pub mod build;
pub mod duration;
pub mod exec;
pub mod facts;
pub mod form;
pub mod more_options;
pub mod options;
pub mod preflight;
pub mod schema;
pub mod secret;
pub mod validate;
