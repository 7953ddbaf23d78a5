//! shiftdeck: a terminal dashboard for OpenShift fleet administrators.
#![forbid(unsafe_code)]

/// jemalloc: fewer, cheaper allocations per watch event than glibc malloc, and it returns freed
/// pages instead of fragmenting per-thread arenas (measured in benches/tui.rs).
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod action;
pub mod actions;
pub mod age;
pub mod app;
pub mod cli;
pub mod compact;
pub mod config;
pub mod copies;
pub mod csr;
pub mod event_loop;
pub mod fetch_io;
pub mod fetched;
pub mod fleet;
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
pub mod migration;
pub mod output;
pub mod overview;
pub mod panes;
pub mod redact;
pub mod scale_io;
pub mod signals;
pub mod text;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod watch;
pub mod wizard;
