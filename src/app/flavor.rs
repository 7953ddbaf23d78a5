//! Panes by cluster shape, links between panes, and the copy key. Once the overview poller has
//! read the cluster, panes that cannot exist there leave the tabs and the palette: by flavor
//! (HyperShift, Machine API, KubeVirt on MicroShift) and by discovery (HyperShift or KubeVirt
//! kinds not served, e.g. on an Azure cluster). Their commands then say why; a later read that
//! finds the kinds served brings the panes back.

use super::{App, Effect};
use crate::action::Action;
use crate::overview::{ClusterFlavor, ClusterShape};
use crate::panes::Pane;

/// A pane this cluster cannot show.
pub(crate) struct HiddenPane {
    pub pane: Box<dyn Pane>,
    /// Its index in the full pane list (where it goes back).
    pub at: usize,
    pub why: String,
}

impl App {
    /// The flavor read from the overview snapshot, if one arrived.
    pub fn flavor(&self) -> Option<&ClusterFlavor> {
        self.shape.as_ref().map(|s| &s.flavor)
    }

    /// Titles of the panes shown, in tab order.
    pub fn pane_titles(&self) -> Vec<&'static str> {
        self.panes.iter().map(|p| p.title()).collect()
    }

    /// Palette commands of the `i`th pane shown (the first is the canonical one).
    pub fn pane_commands(&self, i: usize) -> &'static [&'static str] {
        self.panes.get(i).map_or(&[], |p| p.commands())
    }

    /// Panes hidden on this cluster: (title, why).
    pub fn hidden_panes(&self) -> Vec<(&'static str, &str)> {
        self.hidden
            .iter()
            .map(|h| (h.pane.title(), h.why.as_str()))
            .collect()
    }

    /// The hidden pane a palette command names.
    pub(crate) fn hidden_pane(&self, cmd: &str) -> Option<&HiddenPane> {
        self.hidden
            .iter()
            .find(|h| h.pane.commands().contains(&cmd))
    }

    /// Why an overview pane is not available on this cluster (`None` before the first read).
    pub(crate) fn why_hidden(&self, pane: crate::overview::Pane) -> Option<String> {
        self.shape.as_ref().and_then(|s| s.why_hidden(pane))
    }

    /// Tell every pane which panes are shown (for links), `:preflight` included.
    pub(crate) fn announce_panes(&mut self) {
        let mut commands: Vec<&'static str> = self
            .panes
            .iter()
            .flat_map(|p| p.commands().iter().copied())
            .collect();
        if self.why_hidden(crate::overview::Pane::Preflight).is_none() {
            commands.push("preflight");
        }
        for l in self.panes.iter_mut().filter_map(|p| p.links_mut()) {
            l.set_available(&commands);
        }
    }

    /// Put every hidden pane back in its place (the active pane stays the same).
    fn restore_hidden(&mut self) {
        let mut back = std::mem::take(&mut self.hidden);
        back.sort_by_key(|h| h.at);
        for h in back {
            let at = h.at.min(self.panes.len());
            self.panes.insert(at, h.pane);
        }
    }

    /// Show every pane again and forget the shape (leaving a guest cluster: its parent's shape
    /// is read anew).
    pub(crate) fn show_every_pane(&mut self) {
        if self.hidden.is_empty() {
            return;
        }
        let active = self.pane().map(|p| p.title());
        self.restore_hidden();
        self.shape = None;
        self.active = active
            .and_then(|t| self.panes.iter().position(|p| p.title() == t))
            .unwrap_or(0);
        self.doc = None;
        self.announce_panes();
    }

    /// Read the cluster's shape from the overview snapshot and show exactly the panes it can
    /// have (hidden ones come back when a later read finds their kinds). Returns whether the
    /// pane list changed.
    pub(crate) fn apply_flavor(&mut self) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let shape = {
            let snap = stores.overview.borrow();
            match snap.as_deref() {
                Some(i) => ClusterShape::of(i),
                None => return false,
            }
        };
        if self.shape.as_ref() == Some(&shape) {
            return false;
        }
        self.shape = Some(shape.clone());
        let active = self.pane().map(|p| p.title());
        let before = self.pane_titles();
        // Every pane back in its place, then hide those this cluster cannot have.
        self.restore_hidden();
        for (at, pane) in std::mem::take(&mut self.panes).into_iter().enumerate() {
            match pane.hidden_because(&shape) {
                Some(why) => self.hidden.push(HiddenPane { pane, at, why }),
                None => self.panes.push(pane),
            }
        }
        if self.pane_titles() == before {
            // The preflight link may have come or gone with the shape.
            self.announce_panes();
            return false;
        }
        // Panes that were hidden missed the syncs in between: each catches up when shown.
        self.stale.extend(self.panes.iter().map(|p| p.title()));
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
        self.pane()
            .and_then(|p| p.links())
            .and_then(|l| l.remap(&action))
            .unwrap_or(action)
    }

    /// The copy key: queue the OSC 52 write for the selected URL or command.
    pub(crate) fn copy_selected(&mut self) {
        if self.overlay != super::Overlay::None || self.doc.is_some() {
            return;
        }
        match self
            .pane()
            .and_then(|p| p.links())
            .and_then(|l| l.copy_item())
        {
            Some(item) => {
                self.notify(format!("copied {} to the clipboard", item.label));
                self.effects.push(Effect::Copy(item.text));
            }
            None => self.notify("nothing to copy on this row"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use k8s_openapi::jiff::Timestamp;
    use ratatui::Frame;
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use serde_json::json;

    use crate::action::Action;
    use crate::app::App;
    use crate::keymap::Keymap;
    use crate::overview::{Fetched, OverviewInputs};
    use crate::panes::{Pane, RenderCtx};
    use crate::theme::Theme;
    use crate::watch::{Stores, overview_poll};

    /// A pane that landed later, known only by its commands.
    struct Later(&'static [&'static str]);

    impl Pane for Later {
        fn title(&self) -> &'static str {
            self.0[0]
        }
        fn commands(&self) -> &'static [&'static str] {
            self.0
        }
        fn kind(&self) -> &'static str {
            "later"
        }
        fn reads(&self) -> &'static [&'static str] {
            &[]
        }
        fn columns(&self) -> Vec<(&'static str, char)> {
            Vec::new()
        }
        fn sync(&mut self, _: &Stores, _: Instant) -> bool {
            false
        }
        fn tick(&mut self, _: Instant) -> bool {
            false
        }
        fn animating(&self) -> bool {
            false
        }
        fn handle(&mut self, _: &Action, _: Rect) -> bool {
            false
        }
        fn set_filter(&mut self, _: &str) {}
        fn filter_text(&self) -> &str {
            ""
        }
        fn selected_key(&self) -> Option<String> {
            None
        }
        fn object_json(&self, _: &str) -> Option<serde_json::Value> {
            None
        }
        fn details(&self, _: &str, _: Timestamp) -> Option<Vec<Line<'static>>> {
            None
        }
        fn render(&self, _: &mut Frame, _: Rect, _: &RenderCtx) {}
    }

    fn titles(app: &App) -> Vec<&'static str> {
        app.panes.iter().map(|p| p.title()).collect()
    }

    fn app_on(inputs: OverviewInputs) -> App {
        let (stores, writers) = Stores::with_writers();
        let mut app = App::new(Keymap::default(), Theme::default(), false);
        app.connected(1, "c", "https://x", stores);
        for cmds in [
            &["hostedclusters", "hc"][..],
            &["np"],
            &["machinesets"],
            &["copy"],
            &["csr"],
        ] {
            app.panes.push(Box::new(Later(cmds)));
        }
        app.update(Action::Command("csr".into()));
        overview_poll::publish(&writers.overview, inputs);
        app.store_changed();
        app
    }

    #[test]
    fn microshift_hides_hypershift_machine_api_and_kubevirt_panes() {
        let app = app_on(OverviewInputs {
            microshift_version: Fetched::Present(json!({"data": {"version": "4.18.1"}})),
            ..OverviewInputs::default()
        });
        assert_eq!(
            titles(&app),
            vec![
                "Overview", "Nodes", "CSRs", "Health", "Copies", "copy", "csr"
            ]
        );
        // The selection stays on the same pane although its index moved.
        assert_eq!(app.pane().map(|p| p.title()), Some("CSRs"));
        let cmds: Vec<String> = crate::app::commands::all(&app.panes)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert!(!cmds.iter().any(|c| c == "hostedclusters" || c == "np"));
    }

    fn openshift(served: bool) -> OverviewInputs {
        let state = || {
            if served {
                Fetched::Present(Vec::new())
            } else {
                Fetched::NotServed
            }
        };
        OverviewInputs {
            cluster_version: Fetched::Present(
                json!({"status": {"desired": {"version": "4.18.1"}}}),
            ),
            hosted_clusters: state(),
            node_pools: state(),
            machines: Fetched::Present(Default::default()),
            kubevirt: if served {
                Fetched::Present(())
            } else {
                Fetched::NotServed
            },
            ..OverviewInputs::default()
        }
    }

    #[test]
    fn openshift_serving_everything_keeps_every_pane() {
        let app = app_on(openshift(true));
        // Every real pane plus the five stand-ins stays.
        assert_eq!(titles(&app).len(), crate::app::panes().len() + 5);
        assert!(app.hidden_panes().is_empty());
        assert_eq!(
            app.flavor().map(|f| f.label()),
            Some("OpenShift 4.18.1".into())
        );
    }

    #[test]
    fn unserved_kinds_hide_their_panes_say_why_and_come_back() {
        let (stores, writers) = Stores::with_writers();
        let mut app = App::new(Keymap::default(), Theme::default(), false);
        app.connected(1, "c", "https://x", stores);
        app.update(Action::Command("machinesets".into()));
        overview_poll::publish(&writers.overview, openshift(false));
        app.store_changed();
        assert_eq!(
            titles(&app),
            vec![
                "Overview",
                "Nodes",
                "CSRs",
                "MachineSets",
                "Cluster operators",
                "Health",
                "Copies"
            ]
        );
        assert_eq!(app.pane().map(|p| p.title()), Some("MachineSets"));
        let hidden: Vec<&str> = app.hidden_panes().iter().map(|h| h.0).collect();
        assert_eq!(
            hidden,
            vec!["Hosted clusters", "Node pools", "Readiness", "Maintenance"]
        );
        // The palette neither offers them nor calls them unknown: it says why.
        for (cmd, what) in [
            ("hc", "hypershift.openshift.io HostedClusters"),
            ("nodepools", "hypershift.openshift.io NodePools"),
            ("lm", "hypershift.openshift.io NodePools"),
            ("maint", "kubevirt.io VirtualMachineInstances"),
        ] {
            app.update(Action::Command(cmd.into()));
            let notice = app.notice.as_ref().map(|n| n.0.clone()).unwrap_or_default();
            assert!(
                notice.contains("unavailable here") && notice.contains(what),
                "{cmd}: {notice}"
            );
            assert_eq!(app.pane().map(|p| p.title()), Some("MachineSets"));
        }
        let cmds: Vec<String> = crate::app::commands::all(&app.panes)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert!(
            !cmds
                .iter()
                .any(|c| c == "hc" || c == "np" || c == "readiness")
        );
        app.update(Action::Command("nosuch".into()));
        assert!(app.notice.as_ref().unwrap().0.contains("unknown command"));

        // HyperShift and OpenShift Virtualization installed later: the panes return in order.
        overview_poll::publish(&writers.overview, openshift(true));
        app.store_changed();
        let all: Vec<&str> = crate::app::panes().iter().map(|p| p.title()).collect();
        assert_eq!(titles(&app), all);
        assert!(app.hidden_panes().is_empty());
        assert_eq!(app.pane().map(|p| p.title()), Some("MachineSets"));
    }

    #[test]
    fn leaving_a_guest_cluster_returns_to_the_pane_it_was_opened_from() {
        let (stores, writers) = Stores::with_writers();
        let mut app = App::new(Keymap::default(), Theme::default(), false);
        app.connected(1, "hub", "https://hub", stores);
        overview_poll::publish(&writers.overview, openshift(true));
        app.store_changed();
        app.update(Action::Command("hc".into()));
        // The guest's API: connected anew, entered on its Nodes, serving no HyperShift.
        let (stores, writers) = Stores::with_writers();
        app.connected(2, "hub", "https://guest", stores);
        app.entered_guest("clusters/example");
        overview_poll::publish(&writers.overview, openshift(false));
        app.store_changed();
        assert_eq!(app.pane().map(|p| p.title()), Some("Nodes"));
        assert!(!titles(&app).contains(&"Hosted clusters"));
        app.left_guest();
        assert_eq!(app.pane().map(|p| p.title()), Some("Hosted clusters"));
        assert!(app.hidden_panes().is_empty());
    }
}
