//! Panes by cluster flavor, links between panes, and the copy key. Once the overview poller has
//! read the cluster, panes that cannot exist on its flavor (HyperShift, Machine API, KubeVirt on
//! MicroShift) leave the tabs and the palette.

use super::{App, Effect};
use crate::action::Action;
use crate::overview::ClusterFlavor;

impl App {
    /// The flavor read from the overview snapshot, if one arrived.
    pub fn flavor(&self) -> Option<&ClusterFlavor> {
        self.flavor.as_ref()
    }

    /// Tell every pane which panes are shown (for links).
    pub(crate) fn announce_panes(&mut self) {
        let commands: Vec<&'static str> = self
            .panes
            .iter()
            .flat_map(|p| p.commands().iter().copied())
            .collect();
        for p in &mut self.panes {
            p.set_available(&commands);
        }
    }

    /// Detect the flavor from the overview snapshot and hide the panes it has no use for.
    /// Returns whether the pane list changed.
    pub(crate) fn apply_flavor(&mut self) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let flavor = {
            let snap = stores.overview.borrow();
            match snap.as_deref() {
                Some(i) => ClusterFlavor::detect(&i.cluster_version, &i.microshift_version),
                None => return false,
            }
        };
        if self.flavor.as_ref() == Some(&flavor) {
            return false;
        }
        self.flavor = Some(flavor.clone());
        let active = self.pane().map(|p| p.title());
        let before = self.panes.len();
        self.panes.retain(|p| p.relevant(&flavor));
        if self.panes.len() == before {
            return false;
        }
        self.active = active
            .and_then(|t| self.panes.iter().position(|p| p.title() == t))
            .unwrap_or(0);
        // Pane indexes moved: a document view would point at the wrong pane.
        self.doc = None;
        self.announce_panes();
        true
    }

    /// The pane's own meaning of `action` for its selection, when there is one.
    pub(crate) fn remap(&self, action: Action) -> Action {
        if self.overlay != super::Overlay::None || self.doc.is_some() {
            return action;
        }
        self.pane().and_then(|p| p.remap(&action)).unwrap_or(action)
    }

    /// The copy key: queue the OSC 52 write for the selected URL or command.
    pub(crate) fn copy_selected(&mut self) {
        if self.overlay != super::Overlay::None || self.doc.is_some() {
            return;
        }
        match self.pane().and_then(|p| p.copy_item()) {
            Some(item) => {
                self.notify(format!("copied {} to the clipboard", item.label));
                self.effects.push(Effect::Copy(item.text));
            }
            None => self.notify("nothing to copy on this row"),
        }
    }
}
