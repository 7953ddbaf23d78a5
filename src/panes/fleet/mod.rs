//! The Node pools (`:np`) and MachineSets (`:ms`) panes: rows from the pure view models in
//! [`crate::fleet`], a scaling pipeline section under the node pool table, and the scale target
//! the app's scale actions work on.

pub mod condition_lines;
pub mod machinesets;
pub mod nodepools;
pub mod pipeline_view;
pub mod table;
