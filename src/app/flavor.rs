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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use chrono::{DateTime, Utc};
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
        fn details(&self, _: &str, _: DateTime<Utc>) -> Option<Vec<Line<'static>>> {
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
            vec!["Overview", "Nodes", "CSRs", "Health", "csr"]
        );
        // The selection stays on the same pane although its index moved.
        assert_eq!(app.pane().map(|p| p.title()), Some("CSRs"));
        let cmds: Vec<String> = crate::app::commands::all(&app.panes)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert!(!cmds.iter().any(|c| c == "hostedclusters" || c == "np"));
    }

    #[test]
    fn openshift_keeps_every_pane() {
        let app = app_on(OverviewInputs {
            cluster_version: Fetched::Present(
                json!({"status": {"desired": {"version": "4.18.1"}}}),
            ),
            ..OverviewInputs::default()
        });
        // Every real pane plus the five stand-ins stays.
        assert_eq!(titles(&app).len(), crate::app::panes().len() + 5);
        assert_eq!(
            app.flavor().map(|f| f.label()),
            Some("OpenShift 4.18.1".into())
        );
    }
}
