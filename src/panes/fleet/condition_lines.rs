//! Styled lines of one node pool condition in the details: type, status, age, reason and message
//! always separated by a space (a reason longer than its column ran into the message), and each
//! further line of a multi-line message on its own indented line (they were run together).

use k8s_openapi::jiff::Timestamp;
use ratatui::text::{Line, Span};

use crate::fleet::conditions::{ConditionView, Health};
use crate::theme::Theme;

/// The lines of `c`, `now` for its age.
pub fn condition_lines(c: &ConditionView, now: Timestamp, theme: &Theme) -> Vec<Line<'static>> {
    let color = match c.health {
        Health::Unhealthy => theme.error,
        Health::Unknown => theme.warn,
        Health::Info => theme.muted,
        Health::Healthy => theme.ok,
    };
    let age = c
        .last_transition
        .map(|t| crate::age::since(t, now))
        .unwrap_or_default();
    let mut message = c.message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = message.next().unwrap_or_default();
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!("  {:<33} {:<7} ", c.type_, c.status),
            theme.fg(color),
        ),
        Span::raw(format!("{age:<6} {:<23} {first}", c.reason)),
    ])];
    out.extend(message.map(|l| Line::raw(format!("      {l}"))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn long_reason_and_multi_line_message_stay_apart() {
        let c = ConditionView {
            type_: "AllMachinesReady".into(),
            status: "False".into(),
            reason: "WaitingForAvailableMachinesMinimum".into(),
            message: "Machine example-a is not ready\nMachine example-b is not ready\n".into(),
            last_transition: None,
            health: Health::Unhealthy,
        };
        let lines = text(&condition_lines(&c, Timestamp::now(), &Theme::default()));
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(
            lines[0].contains("WaitingForAvailableMachinesMinimum Machine example-a is not ready"),
            "{lines:#?}"
        );
        assert_eq!(lines[1], "      Machine example-b is not ready");
    }
}
