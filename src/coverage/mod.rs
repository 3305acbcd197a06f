//! The coverage check: a serial's coverage as an owner reads it, and the view of a
//! coverage document the wizard and the console show too.

pub mod api;
mod next;
mod pages;
pub mod view;

pub use pages::{CoverageLookup, CoveragePage};
