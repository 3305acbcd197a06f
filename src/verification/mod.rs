//! Video verification: open a case (`/verification`), then follow it and upload the
//! video on its own page (`/verification/{id}`, the link the owner keeps).

pub mod api;
mod pages;
pub mod text;
pub mod uploader;

pub use pages::{CasePage, OpenCase};
