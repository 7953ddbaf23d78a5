//! Where the real HyperShift CRDs are: `$SHIFTDECK_CRD_DIR`, or `../shared/reference/crds` beside
//! the repo. They are reference data the project must not copy in; a test that needs them and
//! cannot find them fails saying where it looked.

use std::path::PathBuf;

pub fn crd_dir() -> PathBuf {
    let dir = std::env::var_os("SHIFTDECK_CRD_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/crds"),
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
