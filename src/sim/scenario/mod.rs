//! Seeds a profile's objects into the store (hub, azure, microshift, guest) plus `--scale` extras.
//!
//! Everything is deterministic for a given `--seed` (names, addresses, which CSRs are bad); only
//! key material and timestamps differ between runs.

pub mod azure;
pub mod csrs;
pub mod guest;
pub mod hub;
pub mod hypershift;
pub mod kubevirt;
pub mod microshift;
pub mod objects;
pub mod scale;

use super::store::Store;
use super::{Profile, SimOptions};

pub fn seed(store: &Store, opts: &SimOptions) -> color_eyre::Result<()> {
    match opts.profile {
        Profile::Hub => hub::seed(store, opts)?,
        Profile::Azure => azure::seed(store, opts)?,
        Profile::Microshift => microshift::seed(store, opts)?,
        Profile::Guest => guest::seed(store, opts)?,
    }
    scale::seed(store, opts)?;
    Ok(())
}
