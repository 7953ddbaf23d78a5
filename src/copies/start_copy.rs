//! A boot image blob copy to start, as the Copies pane's form gave it: the write request's data
//! (`actions::copy` runs it). Its SAS never reaches a screen, a log or a debug print.

/// A boot image copy to start, as the form gave it.
#[derive(Clone, PartialEq, Eq)]
pub struct StartCopyRequest {
    pub container: String,
    pub sas: String,
    /// Empty: the cluster's `coreos-bootimages` aarch64 VHD.
    pub source: String,
}

impl std::fmt::Debug for StartCopyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the SAS.
        f.debug_struct("StartCopyRequest")
            .field("container", &crate::redact::in_text(&self.container))
            .field("sas", &"<hidden>")
            .field("source", &crate::redact::in_text(&self.source))
            .finish()
    }
}

impl StartCopyRequest {
    /// The confirm dialog's lines (the SAS is never shown).
    pub fn confirm_lines(&self) -> Vec<String> {
        let source = if self.source.is_empty() {
            "the cluster's coreos-bootimages aarch64 VHD".to_string()
        } else {
            crate::redact::in_text(&self.source)
        };
        vec![
            "Start a server-side Copy Blob into the storage account?".into(),
            format!(
                "  into  {} (SAS given, hidden)",
                crate::redact::in_text(&self.container)
            ),
            format!("  from  {source}"),
            "An existing blob of the same name is overwritten.".into(),
        ]
    }
}
