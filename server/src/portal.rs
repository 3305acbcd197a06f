//! What the portal says of itself: whether it is up, its catalogue, and (only under
//! `CARE_TEST_CLOCK=1`) its clock, for end-to-end tests of deadlines.

use crate::http::extract::ApiJson;
use crate::http::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use care_rules::api::CatalogDocument;
use care_rules::{Refusal, Timestamp};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(catalog))
        .routes(routes!(read_clock, advance_clock))
}

/// Whether the server is up.
#[utoipa::path(get, path = "/api/health", tag = "portal",
    responses((status = 200, description = "`{\"status\":\"ok\"}`", body = Object)))]
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Whether this instance can serve: the database and the video store answer within
/// two seconds each. A load balancer takes an instance that is not out of rotation.
#[utoipa::path(get, path = "/api/health/ready", tag = "portal",
    responses(
        (status = 200, description = "`{\"status\":\"ready\"}`", body = Object),
        (status = 503, description = "`unavailable`, naming what does not answer"),
    ))]
async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let wait = std::time::Duration::from_secs(2);
    let database = state.db.ping(wait).await;
    let storage = tokio::time::timeout(wait, state.videos.store.ping()).await;
    let failing: Vec<&str> = [
        ("database", database.is_err()),
        ("storage", !matches!(storage, Ok(Ok(())))),
    ]
    .into_iter()
    .filter_map(|(what, failed)| failed.then_some(what))
    .collect();
    if failing.is_empty() {
        Ok(Json(json!({"status": "ready"})))
    } else {
        tracing::warn!(?failing, "not ready");
        Err(ApiError::detail(
            Refusal::Unavailable,
            format!("not answering: {}", failing.join(", ")),
        ))
    }
}

/// The products with their fee schedules, and the plans (spec §3).
#[utoipa::path(get, path = "/api/catalog", tag = "portal",
    responses((status = 200, body = CatalogDocument)))]
async fn catalog() -> impl axum::response::IntoResponse {
    (
        crate::http::public_for(3600),
        Json(CatalogDocument::current()),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
struct ClockReading {
    #[schema(value_type = String, format = DateTime)]
    now: Timestamp,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Advance {
    /// Seconds to move the clock forward (0 to 20 years).
    advance_seconds: i64,
}

const MAX_ADVANCE: i64 = 20 * 366 * 24 * 3600;

fn test_clock_only(state: &AppState) -> Result<(), ApiError> {
    if state.clock.is_test() {
        Ok(())
    } else {
        Err(ApiError::detail(
            Refusal::NotFound,
            "the test clock is off (CARE_TEST_CLOCK)",
        ))
    }
}

/// The server's clock (only with `CARE_TEST_CLOCK=1`; otherwise 404).
#[utoipa::path(get, path = "/api/test-clock", tag = "testing",
    responses(
        (status = 200, body = ClockReading),
        (status = 404, description = "`not_found`: the test clock is off"),
    ))]
async fn read_clock(State(state): State<AppState>) -> Result<Json<ClockReading>, ApiError> {
    test_clock_only(&state)?;
    Ok(Json(ClockReading {
        now: state.clock.now(),
    }))
}

/// Moves the server's clock forward (only with `CARE_TEST_CLOCK=1`; otherwise 404),
/// then runs the time-driven jobs (retention, reminders) at once, as their timers would.
#[utoipa::path(post, path = "/api/test-clock", tag = "testing",
    request_body = Advance,
    responses(
        (status = 200, body = ClockReading),
        (status = 404, description = "`not_found`: the test clock is off"),
    ))]
async fn advance_clock(
    State(state): State<AppState>,
    body: ApiJson<Advance>,
) -> Result<Json<ClockReading>, ApiError> {
    test_clock_only(&state)?;
    let seconds = body.value.advance_seconds;
    if !(0..=MAX_ADVANCE).contains(&seconds) {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "advance_seconds",
            format!("0 to {MAX_ADVANCE}"),
        ));
    }
    let now = state
        .clock
        .advance(SignedDuration::from_secs(seconds))
        .ok_or(Refusal::NotFound)?;
    crate::jobs::sweep(&state, now).await?;
    Ok(Json(ClockReading { now }))
}
