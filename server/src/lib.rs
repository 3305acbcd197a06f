//! The Care Refresh backend: a thin axum shell around the rules crate. It applies the
//! rules again (the server never trusts the browser), stores state and serves the app.

pub mod activation;
pub mod claims;
pub mod clock;
pub mod codes;
pub mod config;
pub mod coverage;
pub mod email;
pub mod extract;
pub mod object_storage;
pub mod operator;
pub mod problem;
pub mod reminders;
pub mod retention;
pub mod routes;
pub mod staff;
pub mod startup;
pub mod state;
pub mod storage;
pub mod tus;
pub mod uploads;
pub mod web;
