//! shiftdeck's domain, pure: no terminal, no cluster client, no async runtime. CSR decoding and
//! the named approval checks (`csr`), hosted clusters, node pools, MachineSets and scaling
//! (`fleet`), kubectl's ages (`age`), redaction of secrets (`redact`), terminal-safe text
//! (`text`), `get` output formatting (`output`), read states (`fetched`) and compact cached
//! objects (`compact`). The `shiftdeck` crate (cluster I/O, TUI, CLI) builds on it.

pub mod age;
pub mod compact;
pub mod csr;
pub mod fetched;
pub mod fleet;
pub mod keep;
pub mod output;
pub mod redact;
pub mod text;
