//! The Care Refresh backend: a thin axum shell around the rules crate. It applies the
//! rules again (the server never trusts the browser), stores state and serves the app.
//!
//! One folder or file per feature, each holding its routes, request handling and
//! queries: [`coverage`] (devices, chains, the public coverage), [`activation`] (codes,
//! activations, idempotency), [`verification`] (cases, tus uploads and their stores,
//! review), [`claims`], [`staff`] (accounts, sessions), [`email`] (messages, outbox),
//! [`jobs`] (retention, reminders), [`operator`] (the CLI's commands), [`portal`]
//! (health, catalogue, test clock). Plumbing that knows no feature: [`db`], [`http`],
//! [`audit`], [`rate_limit`], [`ids`], [`clock`], [`metrics`]. [`api`] lists every route once;
//! [`startup`] builds the application; [`web`] serves the built browser app.

pub mod activation;
pub mod api;
pub mod audit;
pub mod claims;
pub mod clock;
pub mod config;
pub mod coverage;
pub mod db;
pub mod email;
pub mod http;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod operator;
pub mod owner;
pub mod payments;
pub mod portal;
pub mod rate_limit;
pub mod staff;
pub mod startup;
pub mod state;
pub mod verification;
pub mod web;
