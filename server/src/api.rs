//! The one list of the API's routes: each feature's router, collected with its OpenAPI
//! annotations (utoipa-axum), so the router and the document come from one declaration.

use crate::http::{self, openapi};
use crate::state::AppState;
use crate::{activation, claims, coverage, email, owner, payments, portal, staff, verification};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The API under `/api`, with its OpenAPI document at `/api/openapi.json`.
pub fn router(state: AppState) -> Router {
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(portal::router())
        .merge(coverage::router())
        .merge(activation::router())
        .merge(verification::router())
        .merge(claims::router())
        .merge(payments::router())
        .merge(staff::router())
        .merge(owner::router())
        .merge(email::failed::router())
        .split_for_parts();
    openapi::complete(&mut doc);
    let doc = Arc::new(doc);
    let mut router = router
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc) }
            }),
        )
        // Unknown API paths answer with a problem, never with the app's HTML.
        .route("/api", any(http::unknown_route))
        .route("/api/{*rest}", any(http::unknown_route))
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(DefaultBodyLimit::max(http::extract::JSON_BODY_LIMIT))
        .route_layer(axum::middleware::from_fn(crate::metrics::track));
    if state.clock.is_test() {
        let clock = state.clock.clone();
        router = router.layer(axum::middleware::map_response(move |response| {
            let clock = clock.clone();
            async move { http::date_from(&clock, response) }
        }));
    }
    router.with_state(state)
}
