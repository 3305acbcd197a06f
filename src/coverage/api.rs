//! The coverage API, as the app calls it.

use crate::api::{self, ApiError};
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{Lang, Serial};

/// `GET /api/coverage/{serial}`: public, no personal data.
pub async fn coverage(serial: &str, lang: Lang) -> Result<CoverageDocument, ApiError> {
    api::get(&format!("/api/coverage/{serial}"), lang).await
}

/// `GET /api/devices/{serial}`: the product, activation date and coverage of a device.
pub async fn device(serial: &Serial, lang: Lang) -> Result<DeviceDocument, ApiError> {
    api::get(&format!("/api/devices/{serial}"), lang).await
}
