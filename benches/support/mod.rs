//! What the TUI bench binaries share: percentiles and timing frames of the real App.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::Action;
use shiftdeck::app::App;

/// The `p` percentile (0.0..=1.0) of `samples`, which it sorts.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p95 of drawing `count` frames of the current pane, after a warm-up, alternating
/// between two scroll positions so every frame has new content.
pub fn frames(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    count: usize,
) -> (Duration, Duration) {
    for _ in 0..20 {
        terminal.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    }
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        app.update(if i % 2 == 0 {
            Action::PageDown
        } else {
            Action::PageUp
        });
        let t = Instant::now();
        terminal.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
        samples.push(t.elapsed());
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.95),
    )
}
