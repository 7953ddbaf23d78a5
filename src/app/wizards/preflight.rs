//! The `:preflight` view's state: the checks (`None` while loading) and the scroll position.

use crate::wizard::preflight::Check;

/// State of the view: `None` checks while loading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreflightView {
    pub checks: Option<Vec<Check>>,
    pub scroll: usize,
}

impl PreflightView {
    pub fn scroll_by(&mut self, delta: i64) {
        let max = self.lines_len().saturating_sub(1) as i64;
        self.scroll = (self.scroll as i64 + delta).clamp(0, max.max(0)) as usize;
    }

    fn lines_len(&self) -> usize {
        self.checks.as_ref().map_or(1, |c| c.len() * 4 + 2)
    }
}
