//! shiftdeck: a terminal dashboard for OpenShift fleet administrators.
#![forbid(unsafe_code)]

pub mod action;
pub mod cli;
pub mod config;
pub mod keymap;
pub mod kube_conn;
pub mod panes;
pub mod redact;
pub mod sim;
pub mod theme;
pub mod watch;
