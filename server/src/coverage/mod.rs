//! What is covered: devices, their chains of terms and the replacements counted against
//! them (R4-R9, R11), and the public routes that show them (no personal data), served
//! from a cache of the records between writes ([`cache`]), with the QR code of the
//! proof of coverage ([`qr`]).

pub mod cache;
pub mod chains;
pub mod devices;
mod qr;

use crate::db::Tx;
use crate::http::problem::ApiError;
use crate::http::public_for;
use crate::state::AppState;
use anyhow::anyhow;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{Product, Refusal, Serial, Timestamp};
use chains::StoredCoverage;
use devices::{DeviceRecord, parse_serial};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a public coverage may be kept by a browser or proxy: no personal data, and
/// a few seconds late at most after a write.
const PUBLIC_SECONDS: u32 = 10;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(device))
        .routes(routes!(coverage))
        .routes(routes!(qr::coverage_qr))
}

/// A device with its latest chain, or `device_not_found`.
pub struct DeviceState {
    pub device: DeviceRecord,
    pub product: &'static Product,
    pub coverage: Option<StoredCoverage>,
}

impl DeviceState {
    pub async fn load(tx: &mut Tx, serial: &Serial) -> Result<DeviceState, ApiError> {
        let device = devices::find(tx, serial)
            .await?
            .ok_or(Refusal::DeviceNotFound)?;
        let product = Product::find(&device.product_id).ok_or_else(|| {
            anyhow!(
                "device {serial} has product {:?}, not in the catalogue",
                device.product_id
            )
        })?;
        let coverage = chains::latest(tx, serial).await?;
        Ok(DeviceState {
            device,
            product,
            coverage,
        })
    }

    /// The device as the rules see it.
    pub fn rules_device(&self) -> care_rules::Device<'_> {
        care_rules::Device {
            product: self.product,
            activated_at: self.device.activated_at,
            coverage: self.coverage.as_ref().map(|c| &c.coverage),
        }
    }

    pub fn coverage_document(&self, now: Timestamp) -> CoverageDocument {
        CoverageDocument::build(
            &self.device.serial,
            self.product,
            self.coverage.as_ref().map(|c| &c.coverage),
            self.device.replaced_by.as_ref(),
            now,
        )
    }

    pub fn device_document(&self, now: Timestamp) -> DeviceDocument {
        let has_coverage = self.coverage.is_some() || self.device.replaced_by.is_some();
        DeviceDocument {
            serial: self.device.serial.as_str().to_owned(),
            product_id: self.product.id.to_owned(),
            activated_at: self.device.activated_at,
            coverage: has_coverage.then(|| self.coverage_document(now)),
        }
    }
}

/// A device: its product, when the owner activated it, and its coverage if it has one.
#[utoipa::path(get, path = "/api/devices/{serial}", tag = "coverage",
    params(("serial" = String, Path, description = "Serial number; spaces and dashes are ignored")),
    responses(
        (status = 200, body = DeviceDocument),
        (status = 404, description = "`device_not_found`"),
        (status = 422, description = "`invalid_serial`"),
    ))]
async fn device(
    State(state): State<AppState>,
    Path(serial): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let serial = parse_serial(&serial)?;
    let device = state.coverage.device(&state.db, &serial).await?;
    Ok((
        public_for(PUBLIC_SECONDS),
        Json(device.device_document(state.clock.now())),
    ))
}

/// The coverage of a serial number: public, with no personal data.
#[utoipa::path(get, path = "/api/coverage/{serial}", tag = "coverage",
    params(("serial" = String, Path, description = "Serial number; spaces and dashes are ignored")),
    responses(
        (status = 200, body = CoverageDocument),
        (status = 404, description = "`device_not_found`"),
        (status = 422, description = "`invalid_serial`"),
    ))]
async fn coverage(
    State(state): State<AppState>,
    Path(serial): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let serial = parse_serial(&serial)?;
    let device = state.coverage.device(&state.db, &serial).await?;
    Ok((
        public_for(PUBLIC_SECONDS),
        Json(device.coverage_document(state.clock.now())),
    ))
}
