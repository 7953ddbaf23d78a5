//! shiftdeck: a terminal dashboard for OpenShift fleet administrators.
#![forbid(unsafe_code)]

pub mod cli;
pub mod csr;
pub mod sim;
pub mod wizard;
