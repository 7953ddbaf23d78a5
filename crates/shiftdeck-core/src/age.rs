//! One age/duration formatter for every pane, details view and `get`: kubectl's `HumanDuration`
//! (k8s.io/apimachinery/pkg/util/duration), so a 2h30m-old object reads `150m` everywhere, as in
//! `kubectl get`.

use std::cell::Cell;
use std::time::Duration;

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

/// [`human_duration`] of a duration that grows with the clock (an age, a running step): while
/// [`changes_of`] records, it notes when the text will read differently.
pub fn growing(d: SignedDuration) -> String {
    let secs = d.as_secs();
    // Milliseconds into the current second (negative before zero: `as_secs` truncates).
    let into = i64::from(d.subsec_millis());
    note_change_in_ms(if d.is_negative() {
        // Clock skew: look again at the next whole second (early is harmless).
        -into
    } else {
        secs_until_change(secs) * 1000 - into
    });
    human_secs(secs)
}

/// The age of something created at `created`.
pub fn since(created: Timestamp, now: Timestamp) -> String {
    growing(now.duration_since(created))
}

/// The age of something created at `created`; `<unknown>` without a timestamp (kubectl's text).
pub fn since_ts(created: Option<Timestamp>, now: Timestamp) -> String {
    created.map_or_else(|| "<unknown>".to_string(), |c| since(c, now))
}

/// Seconds from `secs` until [`human_secs`] of a growing duration reads differently: the unit
/// of its last figure, less what has passed of it (`9m59s` changes in 1 s, `12m` within 60 s,
/// `3d4h` within an hour).
fn secs_until_change(secs: i64) -> i64 {
    if secs < 0 {
        // `<invalid>` until -1 s, then `0s` until 1 s.
        return if secs < -1 { -1 - secs } else { 1 - secs };
    }
    let s = secs;
    let unit = match s {
        // `119s`, `9m59s`
        _ if s < 10 * 60 => 1,
        // `179m`, `7h59m`
        _ if s < 8 * 3600 => 60,
        // `47h`, `7d23h`
        _ if s < 8 * 86_400 => 3600,
        // `729d`, `7y364d`
        _ if s < 8 * 365 * 86_400 => 86_400,
        _ => 365 * 86_400,
    };
    unit - s % unit
}

thread_local! {
    /// While [`changes_of`] runs: the fewest milliseconds until something it formatted changes.
    static SOONEST: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Runs `f` (a frame's drawing) and returns with its result how long until the first growing
/// duration or countdown it formatted reads differently; `None` when it formatted none, so the
/// frame does not change with the clock alone and need not be drawn again for it.
pub fn changes_of<R>(f: impl FnOnce() -> R) -> (R, Option<Duration>) {
    let outer = SOONEST.with(|c| c.replace(Some(i64::MAX)));
    let out = f();
    let soonest = SOONEST.with(|c| c.replace(outer));
    if let (Some(outer), Some(inner)) = (outer, soonest) {
        // A nested recording still counts for the one around it.
        SOONEST.with(|c| c.set(Some(outer.min(inner))));
    }
    let wait = soonest
        .filter(|ms| *ms != i64::MAX)
        .map(|ms| Duration::from_millis(ms.max(1).unsigned_abs()));
    (out, wait)
}

/// Notes that something being drawn reads differently in `secs` seconds (a row that leaves a
/// time window). Does nothing outside [`changes_of`].
pub fn note_change_in(secs: i64) {
    note_change_in_ms(secs.saturating_mul(1000));
}

/// [`note_change_in`] in milliseconds (a countdown's next second).
pub fn note_change_in_ms(ms: i64) {
    SOONEST.with(|c| {
        if let Some(cur) = c.get() {
            c.set(Some(cur.min(ms.max(1))));
        }
    });
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

    /// `secs_until_change` is exact against the formatter itself: the text holds until the
    /// second before and changes at the second it names, in every regime and at every boundary.
    #[test]
    fn a_growing_duration_changes_exactly_when_announced() {
        use super::{human_secs, secs_until_change};
        let mut samples: Vec<i64> = (-5..20_000).collect();
        let mut s = 20_000_i64;
        while s < 10 * 365 * 86_400 {
            samples.push(s);
            s = s * 21 / 20 + 7;
        }
        for b in [
            600,
            8 * 3600,
            8 * 86_400,
            2 * 365 * 86_400,
            8 * 365 * 86_400,
        ] {
            samples.extend(b - 3..b + 3);
        }
        for s in samples {
            let wait = secs_until_change(s);
            assert!(wait >= 1, "{s}");
            let text = human_secs(s);
            assert_eq!(human_secs(s + wait - 1), text, "{s} + {wait} - 1");
            assert_ne!(human_secs(s + wait), text, "{s} + {wait}");
        }
    }

    /// With the milliseconds into the current second, the deadline is the very millisecond the
    /// text changes.
    #[test]
    fn a_growing_duration_announces_the_millisecond_it_changes() {
        use super::{changes_of, growing};
        let ms = |m: i64| SignedDuration::from_millis(m);
        for start in [
            0,
            5_300,
            119_999,
            600_250,
            28_799_001,
            3 * 86_400_000 + 1_234_567,
            -1_500,
        ] {
            let (text, wait) = changes_of(|| growing(ms(start)));
            let wait = i64::try_from(wait.expect("noted").as_millis()).expect("fits");
            if start >= 0 {
                assert_eq!(
                    human_duration(ms(start + wait - 1)),
                    text,
                    "{start} + {wait} - 1"
                );
                assert_ne!(human_duration(ms(start + wait)), text, "{start} + {wait}");
            } else {
                assert!(
                    wait <= 1_000,
                    "skew: looked at again within a second, {wait}"
                );
            }
        }
    }

    #[test]
    fn a_recording_gets_the_soonest_change_and_nothing_outside_it() {
        use super::{changes_of, note_change_in, since};
        use k8s_openapi::jiff::Timestamp;
        use std::time::Duration;
        let now = Timestamp::from_second(1_000_000).expect("valid");
        let ago = |s: i64| Timestamp::from_second(1_000_000 - s).expect("valid");
        note_change_in(1);
        let ((), none) = changes_of(|| ());
        assert_eq!(none, None, "a frame without ages has no deadline");
        // `12m` (30 s to `13m`) and `3d4h` (1,800 s to `3d5h`): the sooner wins.
        let (texts, wait) = changes_of(|| [since(ago(750), now), since(ago(273_600 + 1_800), now)]);
        assert_eq!(texts, ["12m".to_string(), "3d4h".to_string()]);
        assert_eq!(wait, Some(Duration::from_secs(30)));
        let (_, outer) = changes_of(|| {
            let (_, inner) = changes_of(|| note_change_in(5));
            assert_eq!(inner, Some(Duration::from_secs(5)));
            note_change_in(60);
        });
        assert_eq!(
            outer,
            Some(Duration::from_secs(5)),
            "a nested recording counts outside"
        );
    }

    /// The example: 2h30m reads the same in every pane.
    #[test]
    fn two_and_a_half_hours_is_150m() {
        check(&[(2 * H + 30 * M, "150m"), (5 * H, "5h")]);
    }
}
