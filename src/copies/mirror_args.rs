//! The arguments of a mirror job, parsed by clap both from `shiftdeck mirror` and from the Copies
//! pane's `:mirror` line, so the two cannot drift apart.

use std::path::PathBuf;

use clap::{Args, Parser};

#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// Image list: a MicroShift release-<arch>.json (its .images map) or one reference per line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where to copy: dir:<directory> or docker://<registry host[:port]>[/prefix].
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Registry credentials file passed to skopeo --authfile.
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// Images copied at once.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Verify registry TLS certificates (false for plain-http registries).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub tls_verify: bool,
}

impl MirrorArgs {
    /// The job options these flags ask for.
    pub fn options(&self) -> super::mirror::MirrorOptions {
        super::mirror::MirrorOptions {
            authfile: self.authfile.clone(),
            parallel: usize::from(self.parallel),
            tls_verify: self.tls_verify,
            ..Default::default()
        }
    }
}

/// The Copies pane's `:mirror` line: the same arguments as `shiftdeck mirror`.
#[derive(Debug, Parser)]
#[command(name = ":mirror", no_binary_name = true, disable_help_flag = true)]
pub struct MirrorLine {
    #[command(flatten)]
    pub args: MirrorArgs,
}
