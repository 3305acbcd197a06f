//! The JSON API under `/api` (spec §6).

mod catalog;
mod health;

use crate::problem::ApiError;
use axum::Router;
use axum::routing::get;
use care_rules::Refusal;

pub fn api() -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/catalog", get(catalog::catalog))
        .fallback(unknown_route)
}

/// Unknown API paths answer with a problem, never with the app's HTML.
async fn unknown_route() -> ApiError {
    Refusal::NotFound.into()
}
