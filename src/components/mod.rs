//! Components shared by the pages, one concern each.

pub mod calculator;
pub mod code_field;
pub mod coverage_view;
pub mod eligibility;
pub mod field;
pub mod uploader;
