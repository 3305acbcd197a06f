//! Only when the server runs with `CARE_TEST_CLOCK=1`: read or move its clock.

use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use care_rules::{Refusal, Timestamp};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClockReading {
    #[schema(value_type = String, format = DateTime)]
    now: Timestamp,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Seconds to move the clock forward (0 to 20 years).
    advance_seconds: i64,
}

const MAX_ADVANCE: i64 = 20 * 366 * 24 * 3600;

/// The server's clock (only with `CARE_TEST_CLOCK=1`; otherwise 404).
#[utoipa::path(get, path = "/api/test-clock", tag = "testing",
    responses((status = 200, body = ClockReading)))]
pub async fn read(State(state): State<AppState>) -> Json<ClockReading> {
    Json(ClockReading {
        now: state.clock.now(),
    })
}

/// Moves the server's clock forward (only with `CARE_TEST_CLOCK=1`; otherwise 404),
/// then runs the time-driven jobs (retention, reminders) at once, as their timers would.
#[utoipa::path(post, path = "/api/test-clock", tag = "testing",
    request_body = Advance, responses((status = 200, body = ClockReading)))]
pub async fn advance(
    State(state): State<AppState>,
    body: ApiJson<Advance>,
) -> Result<Json<ClockReading>, ApiError> {
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
    crate::retention::sweep(&state, now).await?;
    crate::reminders::sweep(&state, now).await?;
    Ok(Json(ClockReading { now }))
}
