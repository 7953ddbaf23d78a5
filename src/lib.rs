//! shiftdeck: a terminal dashboard for OpenShift fleet administrators.
#![forbid(unsafe_code)]

pub mod cli;
pub mod copies;
pub mod csr;
pub mod fleet;
pub mod migration;
pub mod sim;
