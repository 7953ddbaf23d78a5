//! TODO
use crate::sim::SimOptions;
use crate::sim::error::ApiError;
use crate::sim::store::Store;

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let _ = (store, opts);
    Ok(())
}
