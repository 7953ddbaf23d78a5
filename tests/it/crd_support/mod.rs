//! Where the real HyperShift CRDs are: `$SHIFTDECK_CRD_DIR`, or `../shared/reference/crds` beside
//! the repo. They are reference data the project must not copy in; a test that needs them and
//! cannot find them fails saying where it looked.

use std::path::PathBuf;

pub fn crd_dir() -> PathBuf {
    // Beside the repo first; then this workplace's shared folder, for a clone made elsewhere
    // (as tests/sim_conformance does).
    let dir = std::env::var_os("SHIFTDECK_CRD_DIR").map_or_else(
        || {
            let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/crds");
            let shared = PathBuf::from("/work/shared/reference/crds");
            if beside.is_dir() || !shared.is_dir() {
                beside
            } else {
                shared
            }
        },
        PathBuf::from,
    );
    assert!(
        dir.join("hostedclusters.hypershift.openshift.io.yaml")
            .is_file(),
        "the HyperShift CRDs are expected in {} (set SHIFTDECK_CRD_DIR, or put the shared/ folder \
         beside the repo)",
        dir.display()
    );
    dir
}
