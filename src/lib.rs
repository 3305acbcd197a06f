//! The Care Refresh portal in the browser: a Leptos single-page app that runs the
//! shared rules (compiled to Wasm) for every preview and talks to the server's JSON API.
//!
//! One folder per feature, each with its pages, components and its typed API client
//! (`api.rs`, the only place that names the server's paths): [`home`], [`coverage`],
//! [`activation`], [`verification`], [`claims`], and [`staff`] (the console, a second
//! app and bundle). Shared and knowing no feature: [`ui`] (fields, error views,
//! language), [`api`] (the transport), [`clock`], [`format`], [`refusal`], [`ics`].

// `mod i18n`, generated from `locales/*.json` by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod activation;
mod api;
pub mod app;
mod claims;
mod clock;
pub mod coverage;
mod format;
pub mod home;
mod ics;
pub mod owner;
mod refusal;
mod staff;
mod ui;
// For the bundles' entry points, which declare their parts (`chunk!`).
pub use ui::chunk;
mod verification;

pub use app::start;

/// Removes the page `index.html` paints before the app runs (its header and
/// placeholders), just before the app mounts in its place.
pub fn unboot() {
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
}
pub use staff::StaffApp;
