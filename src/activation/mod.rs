//! Activation: the wizard (code → device → details → review → done), one component per
//! step, with the code field and the eligibility preview that run the rules in the
//! browser.

pub mod api;
pub mod code_field;
mod draft;
pub mod eligibility;
mod steps;
mod wizard;

pub use wizard::{Activate, Step, after_code, focus_first_error};
