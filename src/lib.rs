//! The Care Refresh portal in the browser: a Leptos single-page app that runs the
//! shared rules (compiled to Wasm) for every preview and talks to the server's JSON API.

mod app;
mod pages;

pub use app::App;
