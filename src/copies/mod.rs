//! The non-UI core of the Copies pane: three kinds of long copies, one progress model.
//!
//! - [`datavolume`]: CDI DataVolume imports and clones, read from the watched object's JSON.
//! - [`azure`]: Azure blob copies of the ARM64 RHCOS VHD (Copy Blob, Get Blob Properties,
//!   Abort Copy Blob) with SAS handling in [`sas`] that never shows a signature.
//! - [`mirror`]: MicroShift image mirroring with `skopeo copy --all --preserve-digests`
//!   ([`mirror_cmd`] is `shiftdeck mirror`).
//!
//! All three produce [`CopyItem`]s (state, fraction, bytes, rate, ETA, elapsed, message, and an
//! [`Estimator`] whose recent samples feed a sparkline); [`CopyBook`] keeps the live ones and a
//! bounded history of finished ones; [`rows`] turns items into table rows and JSON keyed by
//! header for the pane and `get copies`. [`fake_blob`] serves a slow fake blob account for
//! `shiftdeck demo`.
//!
//! # Wiring sketch for the pane (no I/O while drawing)
//!
//! ```text
//! DataVolume watch task:  on apply(obj)  -> DataVolumeCopy::from_json(&json)?
//!                                        -> dv.to_item(book.get(SourceKind::DataVolume, &dv.key()), now)
//!                                        -> book.upsert(item)          (send as an Action)
//!                         on delete(obj) -> book.remove(SourceKind::DataVolume, &key)
//! Blob poll task (every 5 s per tracked copy):
//!                         watch.poll(&client).await -> book.upsert(watch.item.clone())
//!   start:  BootImageCopy::plan(container_url, sas, Some(&cm), None, None)? then
//!           client.start_copy(&plan.dest, &plan.source) and track BlobCopyWatch::new(plan.dest)
//!   abort:  client.abort_copy(&watch.target, &copy_id)
//!   show:   watch.az_commands() / plan.az_command()   (SAS redacted)
//! Mirror:   MirrorJob::new(list, target, opts)?  (all checks before anything starts)
//!           let (rx, _task) = job.spawn(indices);  status.apply(&event) -> book.upsert(...)
//!           retry: status.reset(&status.failed_indices()); job.spawn(those indices)
//! Draw:     rows::rows(book.all(), now), item.sparkline()
//! ```

pub mod azure;
pub mod azure_copy;
pub mod datavolume;
pub mod dv_resource;
pub mod fake_blob;
pub mod mirror;
pub mod mirror_args;
pub mod mirror_cmd;
pub mod progress;
pub mod rows;
pub mod sas;
pub mod start_copy;

pub use progress::{CopyBook, CopyItem, CopyState, Estimator, SourceKind};
