//! The Care Refresh backend: a thin axum shell around the rules crate. It applies the
//! rules again (the server never trusts the browser), stores state and serves the app.

pub mod config;
pub mod problem;
pub mod routes;
pub mod startup;
pub mod web;
