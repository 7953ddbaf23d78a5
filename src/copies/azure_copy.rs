//! One Azure blob copy the config file asks to track (`[[copies.azure]]`): the destination blob
//! URL and its SAS, which no `Debug` output or screen ever shows.

use std::fmt;

use serde::Deserialize;

/// One tracked Azure blob copy: the destination blob URL and a SAS (never shown).
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureCopy {
    pub url: String,
    #[serde(default)]
    pub sas: String,
}

impl fmt::Debug for AzureCopy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCopy")
            .field("url", &crate::redact::in_text(&self.url))
            .field("sas", &crate::redact::sig::REDACTED)
            .finish()
    }
}
