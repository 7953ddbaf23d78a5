//! One age/duration formatter for every pane, details view and `get`: kubectl's `HumanDuration`
//! (k8s.io/apimachinery/pkg/util/duration), so a 2h30m-old object reads `150m` everywhere, as in
//! `kubectl get`.

use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// kubectl's rules over whole seconds: `45s`, `5m30s`, `55m`, `150m`, `3h5m`, `30h`, `2d4h`,
/// `400d`, `3y20d`, `9y`; up to one second in the future is `0s` (clock skew), further is
/// `<invalid>`.
pub fn human_secs(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = s / 3600;
    if h < 8 {
        return match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        return match h % 24 {
            0 => format!("{}d", h / 24),
            r => format!("{}d{r}h", h / 24),
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let y = h / 24 / 365;
        return match (h / 24) % 365 {
            0 => format!("{y}y"),
            d => format!("{y}y{d}d"),
        };
    }
    format!("{}y", h / 24 / 365)
}

/// [`human_secs`] of a duration.
pub fn human_duration(d: SignedDuration) -> String {
    human_secs(d.as_secs())
}

/// The age of something created at `created`.
pub fn since(created: Timestamp, now: Timestamp) -> String {
    human_duration(now.duration_since(created))
}

/// The age of something created at `created`; `<unknown>` without a timestamp (kubectl's text).
pub fn since_ts(created: Option<Timestamp>, now: Timestamp) -> String {
    created.map_or_else(
        || "<unknown>".to_string(),
        |c| human_duration(now.duration_since(c)),
    )
}

#[cfg(test)]
mod tests {
    use super::human_duration;
    use k8s_openapi::jiff::SignedDuration;

    const MS: i64 = 1;
    const S: i64 = 1000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;
    const D: i64 = 24 * H;
    const Y: i64 = 365 * D;

    fn check(cases: &[(i64, &str)]) {
        for &(ms, want) in cases {
            let got = human_duration(SignedDuration::from_millis(ms));
            assert_eq!(got, want, "{ms} ms");
        }
    }

    /// kubernetes' `TestHumanDuration` (apimachinery pkg/util/duration/duration_test.go).
    #[test]
    fn agrees_with_kubectl_human_duration() {
        check(&[
            (S, "1s"),
            (70 * S, "70s"),
            (190 * S, "3m10s"),
            (70 * M, "70m"),
            (47 * H, "47h"),
            (49 * H, "2d1h"),
            ((8 * 24 + 2) * H, "8d"),
            (367 * D, "367d"),
            ((365 * 2 * 24 + 25) * H, "2y1d"),
            ((365 * 8 * 24 + 2) * H, "8y"),
        ]);
    }

    /// kubernetes' `TestHumanDurationBoundaries` (nanoseconds there, milliseconds here).
    #[test]
    fn agrees_with_kubectl_at_the_boundaries() {
        check(&[
            (-2 * S, "<invalid>"),
            (-2 * S + MS, "0s"),
            (0, "0s"),
            (S - MS, "0s"),
            (2 * M - MS, "119s"),
            (2 * M, "2m"),
            (2 * M + S, "2m1s"),
            (10 * M - MS, "9m59s"),
            (10 * M, "10m"),
            (10 * M + S, "10m"),
            (3 * H - MS, "179m"),
            (3 * H, "3h"),
            (3 * H + M, "3h1m"),
            (8 * H - MS, "7h59m"),
            (8 * H, "8h"),
            (8 * H + 59 * M, "8h"),
            (2 * D - MS, "47h"),
            (2 * D, "2d"),
            (2 * D + H, "2d1h"),
            (8 * D - MS, "7d23h"),
            (8 * D, "8d"),
            (8 * D + 23 * H, "8d"),
            (2 * Y - MS, "729d"),
            (2 * Y, "2y"),
            (2 * Y + 23 * H, "2y"),
            (2 * Y + 23 * H + 59 * M, "2y"),
            (2 * Y + D - MS, "2y"),
            (2 * Y + D, "2y1d"),
            (3 * Y, "3y"),
            (7 * Y, "7y"),
            (8 * Y - MS, "7y364d"),
            (8 * Y, "8y"),
            (8 * Y + 364 * D, "8y"),
            (9 * Y, "9y"),
        ]);
    }

    /// The example: 2h30m reads the same in every pane.
    #[test]
    fn two_and_a_half_hours_is_150m() {
        check(&[(2 * H + 30 * M, "150m"), (5 * H, "5h")]);
    }
}
