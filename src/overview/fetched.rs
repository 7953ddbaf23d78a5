//! [`Fetched`]: what the fetch layer found for one item, so every view can say *why* something is
//! not shown (kind not served, object absent, forbidden, failed) instead of erroring.

use serde::Serialize;

/// The outcome of reading one object or list from the cluster.
///
/// `NotServed` and `NotFound` are normal states (a MicroShift cluster serves no
/// `config.openshift.io` kinds; a cluster without WMCO has no WMCO Secrets), never errors.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "kebab-case")]
pub enum Fetched<T> {
    /// Discovery says the cluster does not serve this kind, so there is nothing to read.
    #[default]
    NotServed,
    /// The kind is served but the named object does not exist (404).
    NotFound,
    /// The API answered 403 for this item.
    Forbidden,
    /// Any other failure (network, 5xx, undecodable answer), with the message.
    Failed(String),
    /// The object or list that was read.
    Present(T),
}

impl<T> Fetched<T> {
    /// The value, when present.
    pub fn get(&self) -> Option<&T> {
        match self {
            Fetched::Present(v) => Some(v),
            _ => None,
        }
    }

    /// Whether a value is present.
    pub fn is_present(&self) -> bool {
        matches!(self, Fetched::Present(_))
    }

    /// Whether the kind is served at all (anything but `NotServed`).
    pub fn is_served(&self) -> bool {
        !matches!(self, Fetched::NotServed)
    }

    /// Maps the present value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fetched<U> {
        match self {
            Fetched::NotServed => Fetched::NotServed,
            Fetched::NotFound => Fetched::NotFound,
            Fetched::Forbidden => Fetched::Forbidden,
            Fetched::Failed(e) => Fetched::Failed(e),
            Fetched::Present(v) => Fetched::Present(f(v)),
        }
    }

    /// Borrows the present value.
    pub fn as_ref(&self) -> Fetched<&T> {
        match self {
            Fetched::NotServed => Fetched::NotServed,
            Fetched::NotFound => Fetched::NotFound,
            Fetched::Forbidden => Fetched::Forbidden,
            Fetched::Failed(e) => Fetched::Failed(e.clone()),
            Fetched::Present(v) => Fetched::Present(v),
        }
    }

    /// Plain words for a state without a value: `not served by this cluster`, `not found`,
    /// `forbidden`, `failed: <message>`; `present` otherwise.
    pub fn state_label(&self) -> String {
        match self {
            Fetched::NotServed => "not served by this cluster".to_string(),
            Fetched::NotFound => "not found".to_string(),
            Fetched::Forbidden => "forbidden".to_string(),
            Fetched::Failed(e) => format!("failed: {e}"),
            Fetched::Present(_) => "present".to_string(),
        }
    }
}

/// Presence of an object whose contents must never be read or shown (Secrets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    Present,
    Missing,
    Forbidden,
    Unknown,
}

impl Presence {
    /// From a metadata-only fetch (the value is never looked at).
    pub fn of<T>(f: &Fetched<T>) -> Self {
        match f {
            Fetched::Present(_) => Presence::Present,
            Fetched::NotFound | Fetched::NotServed => Presence::Missing,
            Fetched::Forbidden => Presence::Forbidden,
            Fetched::Failed(_) => Presence::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::Missing => "missing",
            Presence::Forbidden => "forbidden (cannot tell)",
            Presence::Unknown => "unknown (read failed)",
        }
    }
}
