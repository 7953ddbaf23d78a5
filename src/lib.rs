//! shiftdeck: a terminal dashboard for OpenShift fleet administrators.
#![forbid(unsafe_code)]

/// jemalloc: fewer, cheaper allocations per watch event than glibc malloc, and it returns freed
/// pages instead of fragmenting per-thread arenas (measured in benches/tui.rs).
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub use shiftdeck_core::{age, compact, csr, fetched, fleet, keep, output, redact};

pub mod action;
pub mod actions;
pub mod app;
pub mod cli;
pub mod config;
pub mod copies;
pub mod event_loop;
pub mod fetch_io;
pub mod gate;
pub mod get;
pub mod get_copies;
pub mod get_csrs;
pub mod get_fleet;
pub mod get_hosted;
pub mod get_overview;
pub mod get_readiness;
pub mod guest;
pub mod keymap;
pub mod kube_conn;
pub mod logging;
pub mod memory_log;
pub mod migration;
pub mod overview;
pub mod panes;
pub mod scale_io;
pub mod signals;
pub mod text;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod watch;
pub mod wizard;

#[cfg(test)]
mod fleet_sim_tests;
