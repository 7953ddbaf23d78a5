//! [`Fetched`]: what a read found for one item, so every view can say *why* something is not
//! shown (kind not served, object absent, forbidden, failed) instead of erroring. The one such
//! type: the Overview, the wizards' facts and preflight all use it. [`one_shot`] holds the reads a
//! pane asks the event loop for.

pub mod one_shot;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use one_shot::{Fetch, FetchResult, FetchedNode, GuestRef, NamespaceObjects};

/// The outcome of reading one object or list from the cluster.
///
/// `NotServed` and `NotFound` are normal states (a MicroShift cluster serves no
/// `config.openshift.io` kinds; a cluster without WMCO has no WMCO Secrets), never errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Fetched<T> {
    /// The cluster does not serve this kind (discovery, or a 404 on its list: its CRD or operator
    /// is not installed), so there is nothing to read.
    #[default]
    NotServed,
    /// The kind is served but the named object does not exist (404).
    NotFound,
    /// The API answered 403 for this item; the message says what was refused (shown where a
    /// view explains it, e.g. a preflight check; never serialized).
    Forbidden(String),
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
            Fetched::Forbidden(m) => Fetched::Forbidden(m),
            Fetched::Failed(e) => Fetched::Failed(e),
            Fetched::Present(v) => Fetched::Present(f(v)),
        }
    }

    /// Borrows the present value.
    pub fn as_ref(&self) -> Fetched<&T> {
        match self {
            Fetched::NotServed => Fetched::NotServed,
            Fetched::NotFound => Fetched::NotFound,
            Fetched::Forbidden(m) => Fetched::Forbidden(m.clone()),
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
            Fetched::Forbidden(_) => "forbidden".to_string(),
            Fetched::Failed(e) => format!("failed: {e}"),
            Fetched::Present(_) => "present".to_string(),
        }
    }
}

/// `{"state": "not-served"}`, `{"state": "not-found"}`, `{"state": "forbidden"}`,
/// `{"state": "failed", "value": "<message>"}`, `{"state": "present", "value": ...}`: the
/// `get overview -o json` shape (a 403's message stays out, as before it was kept).
impl<T: Serialize> Serialize for Fetched<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (state, len) = match self {
            Fetched::NotServed => ("not-served", 1),
            Fetched::NotFound => ("not-found", 1),
            Fetched::Forbidden(_) => ("forbidden", 1),
            Fetched::Failed(_) => ("failed", 2),
            Fetched::Present(_) => ("present", 2),
        };
        let mut st = s.serialize_struct("Fetched", len)?;
        st.serialize_field("state", state)?;
        match self {
            Fetched::Failed(e) => st.serialize_field("value", e)?,
            Fetched::Present(v) => st.serialize_field("value", v)?,
            _ => {}
        }
        st.end()
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
            Fetched::Forbidden(_) => Presence::Forbidden,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_shape_is_state_and_value_and_a_403_message_stays_out() {
        let j = |f: Fetched<u8>| serde_json::to_value(&f).unwrap();
        assert_eq!(j(Fetched::NotServed), json!({"state": "not-served"}));
        assert_eq!(j(Fetched::NotFound), json!({"state": "not-found"}));
        assert_eq!(
            j(Fetched::Forbidden("nodes is forbidden".into())),
            json!({"state": "forbidden"})
        );
        assert_eq!(
            j(Fetched::Failed("timeout".into())),
            json!({"state": "failed", "value": "timeout"})
        );
        assert_eq!(
            j(Fetched::Present(7)),
            json!({"state": "present", "value": 7})
        );
    }

    #[test]
    fn forbidden_keeps_its_message_through_map_and_as_ref() {
        let f: Fetched<u8> = Fetched::Forbidden("cannot list x".into());
        assert_eq!(f.as_ref(), Fetched::Forbidden("cannot list x".into()));
        assert_eq!(
            f.clone().map(u16::from),
            Fetched::Forbidden("cannot list x".into())
        );
        assert_eq!(f.state_label(), "forbidden");
        assert_eq!(Presence::of(&f), Presence::Forbidden);
    }
}
