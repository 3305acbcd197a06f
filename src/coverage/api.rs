//! The coverage API, as the app calls it.

use crate::api::{self, ApiError};
use care_rules::api::DeviceDocument;
use care_rules::{Lang, Serial};

/// `GET /api/devices/{serial}`: the product, activation date and coverage of a device.
pub async fn device(serial: &Serial, lang: Lang) -> Result<DeviceDocument, ApiError> {
    api::get(&format!("/api/devices/{serial}"), lang).await
}

/// [`device`] for a serial as typed or linked: a malformed one is refused here, as the
/// server would refuse it, without asking.
pub async fn device_typed(serial: &str, lang: Lang) -> Result<DeviceDocument, ApiError> {
    let serial = Serial::parse(serial).map_err(|code| {
        ApiError::Refused(care_rules::api::Problem {
            kind: "about:blank".to_owned(),
            title: String::new(),
            status: 422,
            detail: None,
            code,
            field: Some("serial".to_owned()),
            retry_after: None,
            code_product_id: None,
            device_product_id: None,
        })
    })?;
    device(&serial, lang).await
}
