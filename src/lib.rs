//! The Care Refresh portal in the browser: a Leptos single-page app that runs the
//! shared rules (compiled to Wasm) for every preview and talks to the server's JSON API.

// `mod i18n`, generated from `locales/*.json` by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

mod api;
mod app;
mod clock;
pub mod components;
mod format;
mod ics;
mod pages;
mod refusal;
mod tus;

pub use app::{App, StaffApp};
