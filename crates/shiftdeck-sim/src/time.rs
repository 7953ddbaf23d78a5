//! Time as the API server writes it: RFC 3339 in UTC, whole seconds for `metav1.Time` and
//! microseconds for `metav1.MicroTime`. One time library for the sim: jiff, as k8s-openapi uses.

pub use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// `2006-01-02T15:04:05Z` (`metav1.Time`).
pub fn rfc3339_secs(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2006-01-02T15:04:05.000000Z` (`metav1.MicroTime`).
pub fn rfc3339_micros(t: Timestamp) -> String {
    format!(
        "{}.{:06}Z",
        t.strftime("%Y-%m-%dT%H:%M:%S"),
        t.subsec_microsecond()
    )
}

/// An RFC 3339 time with any offset.
pub fn parse(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// `t` minus a std duration, saturating at the earliest time jiff represents.
pub fn before(t: Timestamp, d: std::time::Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|d| t.checked_sub(d).ok())
        .unwrap_or(Timestamp::MIN)
}

/// The UTC calendar date `days` from now (negative: ago), for certificate validity.
pub fn ymd_in_days(days: i64) -> (i32, u8, u8) {
    let t = Timestamp::now()
        .checked_add(SignedDuration::from_hours(24 * days))
        .unwrap_or_else(|_| Timestamp::now());
    let d = t.to_zoned(k8s_openapi::jiff::tz::TimeZone::UTC).date();
    (
        i32::from(d.year()),
        d.month().unsigned_abs(),
        d.day().unsigned_abs(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_like_the_api_server() {
        let t = Timestamp::new(1_700_000_000, 123_456_789).expect("valid");
        assert_eq!(rfc3339_secs(t), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_micros(t), "2023-11-14T22:13:20.123456Z");
        assert_eq!(
            parse("2023-11-14T23:13:20+01:00").map(Timestamp::as_second),
            Some(1_700_000_000)
        );
        assert_eq!(parse("2023-11-14T22:13:20"), None);
        assert_eq!(
            before(t, std::time::Duration::from_secs(20)).as_second(),
            1_699_999_980
        );
    }
}
