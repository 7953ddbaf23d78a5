//! Go `time.Duration` text, as `hcp`'s `--node-drain-timeout` and `--node-volume-detach-timeout`
//! take it (`time.ParseDuration`: `90s`, `1h30m`, `1.5h`, `300ms`) and as the NodePool's
//! `metav1.Duration` fields show it (`Duration.String()`: `1m30s`, `1h30m0s`, `0s`).

use super::validate::{Checked, Invalid};

const NS_PER: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// The largest Go duration, in nanoseconds (`math.MaxInt64`).
const MAX_NS: u128 = i64::MAX as u128;

fn bad(what: &str, s: &str, why: &str) -> Invalid {
    Invalid(format!(
        "{what} {s:?} is not a duration{why}: write e.g. 30s, 5m, 1h30m or 0s (units h, m, s, ms, us, ns)"
    ))
}

/// Parse a non-negative Go duration into nanoseconds. Empty is 0 (`hcp`'s default).
pub fn parse(what: &str, text: &str) -> Checked<u128> {
    let s = text.trim();
    if s.is_empty() || s == "0" || s == "+0" {
        return Ok(0);
    }
    if s.starts_with('-') {
        return Err(Invalid(format!(
            "{what} {s:?} is negative: give 0s (no limit) or a positive duration"
        )));
    }
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() {
        return Err(bad(what, s, ""));
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(bad(what, s, ""));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let Some((_, per)) = NS_PER.iter().find(|(u, _)| *u == unit) else {
            let why = if unit.is_empty() {
                " (a number needs a unit)".to_string()
            } else {
                format!(" (unknown unit {unit:?})")
            };
            return Err(bad(what, s, &why));
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let int: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad(what, s, " (too large)"))?
        };
        // The fraction, kept exact to the nanosecond as Go does (digits beyond are dropped).
        let mut frac_ns: u128 = 0;
        let mut scale: u128 = 1;
        for d in frac.chars().filter_map(|c| c.to_digit(10)) {
            if scale > 1_000_000_000_000_000_000 {
                break;
            }
            frac_ns = frac_ns * 10 + u128::from(d);
            scale *= 10;
        }
        total = int
            .checked_mul(*per)
            .and_then(|v| v.checked_add(frac_ns * per / scale))
            .and_then(|v| total.checked_add(v))
            .filter(|v| *v <= MAX_NS)
            .ok_or_else(|| bad(what, s, " (too large: at most about 2562047h)"))?;
        rest = next;
    }
    Ok(total)
}

/// `fraction` digits of `v / 10^prec`, trailing zeros dropped (Go's `fmtFrac`).
fn frac(v: u128, prec: u32) -> (u128, String) {
    let scale = 10u128.pow(prec);
    let (int, f) = (v / scale, v % scale);
    if f == 0 {
        return (int, String::new());
    }
    let digits = format!("{f:0width$}", width = prec as usize);
    (int, format!(".{}", digits.trim_end_matches('0')))
}

/// Go's `Duration.String()` of `ns` nanoseconds.
pub fn format(ns: u128) -> String {
    if ns == 0 {
        return "0s".into();
    }
    if ns < 1_000_000_000 {
        let (unit, prec) = match ns {
            n if n < 1_000 => return format!("{n}ns"),
            n if n < 1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let (int, f) = frac(ns, prec);
        return format!("{int}{f}{unit}");
    }
    let (secs, f) = frac(ns, 9);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, secs / 60) {
        (0, 0) => format!("{s}{f}s"),
        (0, _) => format!("{m}m{s}{f}s"),
        _ => format!("{h}h{m}m{s}{f}s"),
    }
}

/// A duration flag's text as the NodePool will show it (`90s` → `1m30s`; empty → `0s`).
pub fn normalise(what: &str, s: &str) -> Checked<String> {
    parse(what, s).map(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_syntax_in_go_format_out() {
        for (input, shown) in [
            ("", "0s"),
            ("0", "0s"),
            ("0s", "0s"),
            ("30s", "30s"),
            ("90s", "1m30s"),
            ("1h", "1h0m0s"),
            ("1.5h", "1h30m0s"),
            ("1h30m45s", "1h30m45s"),
            ("300ms", "300ms"),
            ("1.5s", "1.5s"),
            ("2m0.25s", "2m0.25s"),
            ("1500us", "1.5ms"),
            ("1µs", "1µs"),
            ("7ns", "7ns"),
            (".5m", "30s"),
            ("+5m", "5m0s"),
            ("10m10m", "20m0s"),
        ] {
            assert_eq!(normalise("t", input).as_deref(), Ok(shown), "{input}");
        }
    }

    #[test]
    fn bad_durations_are_refused_with_the_reason() {
        for (input, why) in [
            ("5", "needs a unit"),
            ("5 minutes", "unknown unit"),
            ("5d", "unknown unit \"d\""),
            ("-5s", "negative"),
            ("h", "not a duration"),
            ("1..5s", "not a duration"),
            ("99999999999h", "too large"),
            ("+", "not a duration"),
        ] {
            let e = normalise("the drain timeout", input).expect_err(input).0;
            assert!(e.contains(why), "{input}: {e}");
            assert!(e.starts_with("the drain timeout"), "{e}");
        }
    }
}
