//! One module per page.

mod activate;
pub mod claims;
mod coverage;
mod home;
mod not_found;
mod staff;
pub mod verification;

pub use activate::Activate;
pub use claims::{ClaimPage, FileClaim};
pub use coverage::{CoverageLookup, CoveragePage};
pub use home::Home;
pub use not_found::{NotFound, ServerError};
pub use staff::{ClaimQueue, StaffClaimPage, StaffDevicePage, StaffHome, VideoQueue, VideoReview};
pub use verification::{CasePage, OpenCase};

use leptos::prelude::*;

/// Sets the document's title for the page (WCAG 2.4.2), in the current language.
pub fn use_title(title: impl Fn() -> String + 'static) {
    Effect::new(move |_| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{} · Care Refresh", title()));
        }
    });
}
