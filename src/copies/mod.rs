//! The non-UI core of the Copies pane: three kinds of long copies, one progress model.
//!
//! - [`datavolume`]: CDI DataVolume imports and clones, read from the watched object's JSON.
//! - [`azure`]: Azure blob copies of the ARM64 RHCOS VHD (Copy Blob, Get Blob Properties,
//!   Abort Copy Blob) with SAS handling in [`sas`] that never shows a signature.
//! - [`mirror`]: MicroShift image mirroring with `skopeo copy --all --preserve-digests`.
//!
//! All three produce [`progress::CopyItem`]s; [`progress::CopyBook`] keeps the live ones and a
//! history; [`rows`] turns items into table rows and JSON for the pane and `get copies`.
//! [`fake_blob`] serves a slow fake blob account for `shiftdeck demo`.

pub mod azure;
pub mod datavolume;
pub mod fake_blob;
pub mod mirror;
pub mod mirror_cmd;
pub mod progress;
pub mod rows;
pub mod sas;

pub use progress::{CopyBook, CopyItem, CopyState, Estimator, SourceKind};
