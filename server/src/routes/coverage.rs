use crate::coverage::{DeviceState, parse_serial};
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{CoverageDocument, Problem};

/// The coverage of a serial number: public, with no personal data.
#[utoipa::path(get, path = "/api/coverage/{serial}", tag = "coverage",
    params(("serial" = String, Path, description = "Serial number; spaces and dashes are ignored")),
    responses(
        (status = 200, body = CoverageDocument),
        (status = 404, body = Problem, description = "`device_not_found`"),
        (status = 422, body = Problem, description = "`invalid_serial`"),
    ))]
pub async fn coverage(
    State(state): State<AppState>,
    Path(serial): Path<String>,
) -> Result<Json<CoverageDocument>, ApiError> {
    let serial = parse_serial(&serial)?;
    let mut tx = state.store.read().await?;
    let device = DeviceState::load(tx.as_mut(), &serial).await?;
    Ok(Json(device.coverage_document(state.clock.now())))
}
