//! The owner's page (`/me`): every device, video case and claim of one email address,
//! behind a single-use link sent to that address; and the form that asks for the link,
//! which the coverage, claim and case pages show too ("Lost your link?").

mod api;
mod ask;
mod page;

pub use ask::AskForLink;
pub use page::{OwnerPage, SignedIn, signed_in};
