use crate::coverage::{DeviceState, parse_serial};
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{DeviceDocument, Problem};

/// A device: its product, when the owner activated it, and its coverage if it has one.
#[utoipa::path(get, path = "/api/devices/{serial}", tag = "coverage",
    params(("serial" = String, Path, description = "Serial number; spaces and dashes are ignored")),
    responses(
        (status = 200, body = DeviceDocument),
        (status = 404, body = Problem, description = "`device_not_found`"),
        (status = 422, body = Problem, description = "`invalid_serial`"),
    ))]
pub async fn device(
    State(state): State<AppState>,
    Path(serial): Path<String>,
) -> Result<Json<DeviceDocument>, ApiError> {
    let serial = parse_serial(&serial)?;
    let mut tx = state.store.read().await?;
    let device = DeviceState::load(tx.as_mut(), &serial).await?;
    Ok(Json(device.device_document(state.clock.now())))
}
