//! The JSON API under `/api` (spec §6). Each module is one resource.

mod activations;
mod catalog;
mod claims;
mod coverage;
mod devices;
mod health;
pub mod openapi;
mod staff;
mod staff_claims;
mod test_clock;
pub mod uploads;
pub mod verifications;

use crate::extract::JSON_BODY_LIMIT;
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use care_rules::Refusal;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn api(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/health", get(health::health))
        .route("/catalog", get(catalog::catalog))
        .route("/devices/{serial}", get(devices::device))
        .route("/coverage/{serial}", get(coverage::coverage))
        .route("/activations", post(activations::create))
        .route("/verifications", post(verifications::create))
        .route("/verifications/{id}", get(verifications::get))
        .route("/staff/login", post(staff::login))
        .route("/staff/logout", post(staff::logout))
        .route("/staff/me", get(staff::me))
        .route("/staff/verifications", get(staff::queue))
        .route("/staff/verifications/{id}/video", get(staff::video))
        .route("/staff/verifications/{id}/decision", post(staff::decide))
        .route("/claims", post(claims::file))
        .route("/claims/{id}", get(claims::get))
        .route("/claims/{id}/choice", post(claims::choose))
        .route("/staff/claims", get(staff_claims::queue))
        .route("/staff/claims/{id}", get(staff_claims::claim))
        .route("/staff/claims/{id}/receive", post(staff_claims::receive))
        .route("/staff/claims/{id}/quote", post(staff_claims::quote))
        .route("/staff/claims/{id}/warranty", post(staff_claims::warranty))
        .route("/staff/claims/{id}/decline", post(staff_claims::decline))
        .route("/staff/claims/{id}/payment", post(staff_claims::payment))
        .route("/staff/claims/{id}/ship", post(staff_claims::ship))
        .route("/staff/claims/{id}/close", post(staff_claims::close))
        .route("/staff/devices/{serial}", get(staff_claims::device))
        .route("/openapi.json", get(openapi::document));
    // tus answers carry its version, refusals included.
    let tus = Router::new()
        .route("/uploads", post(uploads::create).options(uploads::options))
        .route(
            "/uploads/{id}",
            axum::routing::head(uploads::head)
                .patch(uploads::patch)
                .delete(uploads::delete)
                .options(uploads::options),
        )
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("tus-resumable"),
            HeaderValue::from_static(crate::tus::VERSION),
        ));
    router = router.merge(tus);
    if state.clock.is_test() {
        router = router.route(
            "/test-clock",
            get(test_clock::read).post(test_clock::advance),
        );
    }
    router = router
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT));
    if state.clock.is_test() {
        // The app reads the server's time from `Date`: under the test clock it must be
        // the test clock's.
        router = router.layer(axum::middleware::map_response_with_state(
            state.clone(),
            date_from_clock,
        ));
    }
    router.with_state(state)
}

async fn date_from_clock(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    let printer = jiff::fmt::rfc2822::DateTimePrinter::new();
    if let Ok(date) = printer.timestamp_to_rfc9110_string(&state.clock.now())
        && let Ok(value) = HeaderValue::from_str(&date)
    {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    response
}

/// Unknown API paths answer with a problem, never with the app's HTML.
async fn unknown_route() -> ApiError {
    Refusal::NotFound.into()
}
