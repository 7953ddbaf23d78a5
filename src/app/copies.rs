//! Seeding the Copies pane: blob copies to track from the config file or the demo.

use super::App;

impl App {
    /// Track these `(blob URL, SAS)` copies in the Copies pane (polled in tasks; call inside a
    /// tokio runtime). Tracked copies survive context switches.
    pub fn track_blob_copies(&mut self, list: &[(String, String)]) {
        if let Some(p) = crate::panes::copies::find(&mut self.panes) {
            for (url, sas) in list {
                p.track_blob(url, sas);
            }
        }
    }
}

impl App {
    /// The Copies pane, to feed it by hand in tests.
    pub fn copies_pane(&mut self) -> Option<&mut crate::panes::copies::CopiesPane> {
        crate::panes::copies::find(&mut self.panes).map(|c| c.copies_pane())
    }
}
