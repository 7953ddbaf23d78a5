//! A redacting newtype for secret material (pull secrets, infra kubeconfigs, encryption keys).
//!
//! `Sensitive` never prints its contents: `Debug` shows only the length, there is no `Display`
//! and no `Serialize`. The bytes are reachable only through [`Sensitive::expose`], which the
//! object builders call when they put the value into a Secret.

use std::fmt;

/// Placeholder written instead of a secret value in everything meant for eyes or logs.
pub const REDACTED: &str = "<redacted>";

#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(Vec<u8>);

impl Sensitive {
    pub fn new(bytes: Vec<u8>) -> Self {
        Sensitive(bytes)
    }

    /// The secret bytes. Only for writing them into the object sent to the cluster.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// 32 random bytes, as `hcp` generates for the etcd encryption key.
    pub fn random_key() -> Self {
        use rand::RngCore;
        let mut key = vec![0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Sensitive(key)
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sensitive({REDACTED}, {} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = Sensitive::new(b"{\"auths\":{\"quay.io\":{\"auth\":\"c2VjcmV0\"}}}".to_vec());
        let shown = format!("{s:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(shown.contains(REDACTED));
        assert_eq!(Sensitive::random_key().len(), 32);
    }
}
