//! `Accept` header matching: which of the media types a handler can produce the client takes,
//! following the API server's negotiation (q-values, `*/*` and `type/*` wildcards; parameters
//! such as `as=Table` are left to `format`).

use hyper::{HeaderMap, header};

/// One media range of an `Accept` header: `type/subtype`, its quality and its other parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRange {
    pub media: String,
    pub q: f32,
    pub params: Vec<(String, String)>,
}

impl MediaRange {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this range covers the concrete media type `media`.
    pub fn covers(&self, media: &str) -> bool {
        if self.media == "*/*" || self.media == media {
            return true;
        }
        match self.media.strip_suffix("/*") {
            Some(ty) => media.split('/').next() == Some(ty),
            None => false,
        }
    }
}

/// The media ranges of `Accept`, best first (stable for equal quality); empty when absent.
pub fn ranges(headers: &HeaderMap) -> Vec<MediaRange> {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let mut out: Vec<MediaRange> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';').map(str::trim);
            let media = it.next()?.to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let mut q = 1.0;
            let mut params = Vec::new();
            for p in it {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let (k, v) = (k.trim().to_string(), v.trim().trim_matches('"').to_string());
                if k == "q" {
                    q = v.parse().unwrap_or(0.0);
                } else {
                    params.push((k, v));
                }
            }
            Some(MediaRange { media, q, params })
        })
        .filter(|r| r.q > 0.0)
        .collect();
    out.sort_by(|a, b| b.q.total_cmp(&a.q));
    out
}

/// The first of `offered` (in the client's order of preference) that `Accept` takes; the first
/// offered type when there is no `Accept` header; None when nothing offered is acceptable.
pub fn pick<'a>(headers: &HeaderMap, offered: &[&'a str]) -> Option<&'a str> {
    let ranges = ranges(headers);
    if ranges.is_empty() {
        return offered.first().copied();
    }
    ranges
        .iter()
        .find_map(|r| offered.iter().find(|o| r.covers(o)).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(accept: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(
            header::ACCEPT,
            header::HeaderValue::from_str(accept).expect("header"),
        );
        m
    }

    #[test]
    fn picks_by_preference_and_wildcards() {
        let offered = ["application/json", "application/vnd.kubernetes.protobuf"];
        assert_eq!(
            pick(
                &h("application/vnd.kubernetes.protobuf, application/json"),
                &offered
            ),
            Some("application/vnd.kubernetes.protobuf")
        );
        assert_eq!(
            pick(&h("application/json;q=0.5, */*;q=0.9"), &offered),
            Some("application/json")
        );
        assert_eq!(pick(&h("text/html"), &offered), None);
        assert_eq!(pick(&h("application/*"), &offered), Some("application/json"));
        assert_eq!(pick(&HeaderMap::new(), &offered), Some("application/json"));
        let r = ranges(&h("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9"));
        assert_eq!(r[0].param("as"), Some("Table"));
        assert!((r[0].q - 0.9).abs() < f32::EPSILON);
    }
}
