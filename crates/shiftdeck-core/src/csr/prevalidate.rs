//! Validations computed ahead of the CSR pane, on a blocking thread, once the first CSR list is
//! complete and decoded: 20,000 validations took over 100 ms of the first switch to the pane.
//! Each carries what it read (the CSR's resourceVersion, its node's, the Machines near it), so
//! the pane takes one only while those still hold and validates afresh otherwise.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;

use super::checks::{Inputs, Validation, validate_decoded};
use super::decode::Predecoded;
use super::machines::MachineIndex;
use super::state::{CsrState, csr_state};

/// One validation and what it read.
#[derive(Debug, Clone)]
pub struct Prevalidation {
    pub validation: Validation,
    /// The CSR's resourceVersion.
    pub csr_rv: Option<String>,
    /// The resourceVersion of the Node the CSR names (`None`: no such Node then).
    pub node_rv: Option<String>,
    /// [`MachineIndex::stamp_for`] the CSR's node (`None`: no Machines then).
    pub machines: Option<u64>,
}

/// Validations waiting for the pane, keyed by CSR name (with its uid beside it); taken out once
/// used.
#[derive(Debug, Default)]
pub struct Prevalidated {
    entries: Mutex<foldhash::HashMap<String, (Option<String>, Prevalidation)>>,
    /// Set once [`Prevalidated::fill`] has run.
    filled: std::sync::atomic::AtomicBool,
}

impl Prevalidated {
    /// Validates every CSR of `csrs` whose request `decoded` holds (call off the async
    /// executor). `machines` is `None` when the cluster has no Machines.
    pub fn fill(
        &self,
        csrs: &[Arc<CertificateSigningRequest>],
        nodes: &[Arc<Node>],
        machines: Option<&MachineIndex>,
        decoded: &Predecoded,
    ) {
        let index: HashMap<&str, &Node> = nodes
            .iter()
            .filter_map(|n| Some((n.metadata.name.as_deref()?, n.as_ref())))
            .collect();
        let inputs = Inputs {
            nodes: &index,
            machines,
            now: Timestamp::now(),
        };
        for c in csrs {
            let Some(validation) = decoded.with(c, |d| validate_decoded(c, d, &inputs)) else {
                continue;
            };
            // Decided CSRs keep what their row shows (see `Validation::into_row_summary`).
            let validation = if csr_state(c) == CsrState::Pending {
                validation
            } else {
                validation.into_row_summary()
            };
            let node = validation.node.as_deref();
            let entry = Prevalidation {
                csr_rv: c.metadata.resource_version.clone(),
                node_rv: node
                    .and_then(|n| index.get(n))
                    .map(|n| n.metadata.resource_version.clone().unwrap_or_default()),
                machines: machines.map(|ix| ix.stamp_for(node)),
                validation,
            };
            if let Ok(mut m) = self.entries.lock() {
                m.insert(
                    c.metadata.name.clone().unwrap_or_default(),
                    (c.metadata.uid.clone(), entry),
                );
            }
        }
        self.filled
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether [`Prevalidated::fill`] has run (the pane's first sync is cheap from then on).
    pub fn filled(&self) -> bool {
        self.filled.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The validation of `csr` made ahead, if it was made for this resourceVersion.
    pub fn take(&self, csr: &CertificateSigningRequest) -> Option<Prevalidation> {
        let mut m = self.entries.lock().ok()?;
        if m.is_empty() {
            return None;
        }
        let (uid, e) = m.remove(csr.metadata.name.as_deref().unwrap_or_default())?;
        (uid == csr.metadata.uid && e.csr_rv.is_some() && e.csr_rv == csr.metadata.resource_version)
            .then_some(e)
    }

    /// Number waiting to be taken.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether none are waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
