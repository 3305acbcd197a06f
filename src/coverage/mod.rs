//! The coverage check: a serial's coverage as an owner reads it, its printable proof
//! for a buyer, and the view of a coverage document the wizard and the console show too.

pub mod api;
mod certificate;
mod next;
mod pages;
pub mod view;

pub use certificate::CertificatePage;
pub use pages::{CoverageLookup, CoveragePage};
