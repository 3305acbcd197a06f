//! The JSON API under `/api` (spec §6). Each module is one resource.

mod activations;
mod catalog;
mod coverage;
mod devices;
mod health;
pub mod openapi;
mod test_clock;

use crate::extract::JSON_BODY_LIMIT;
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use care_rules::Refusal;

pub fn api(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/health", get(health::health))
        .route("/catalog", get(catalog::catalog))
        .route("/devices/{serial}", get(devices::device))
        .route("/coverage/{serial}", get(coverage::coverage))
        .route("/activations", post(activations::create))
        .route("/openapi.json", get(openapi::document));
    if state.clock.is_test() {
        router = router.route(
            "/test-clock",
            get(test_clock::read).post(test_clock::advance),
        );
    }
    router
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(state)
}

/// Unknown API paths answer with a problem, never with the app's HTML.
async fn unknown_route() -> ApiError {
    Refusal::NotFound.into()
}
