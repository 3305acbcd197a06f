//! Reading a device and its coverage document.

use crate::problem::ApiError;
use crate::storage::{DeviceRecord, StoredCoverage, Tx};
use anyhow::anyhow;
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{Product, Refusal, Serial, Timestamp};

/// A device with its latest chain, or `device_not_found`.
pub struct DeviceState {
    pub device: DeviceRecord,
    pub product: &'static Product,
    pub coverage: Option<StoredCoverage>,
}

impl DeviceState {
    pub async fn load(tx: &mut dyn Tx, serial: &Serial) -> Result<DeviceState, ApiError> {
        let device = tx.device(serial).await?.ok_or(Refusal::DeviceNotFound)?;
        let product = Product::find(&device.product_id).ok_or_else(|| {
            anyhow!(
                "device {serial} has product {:?}, not in the catalogue",
                device.product_id
            )
        })?;
        let coverage = tx.latest_coverage(serial).await?;
        Ok(DeviceState {
            device,
            product,
            coverage,
        })
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

/// Parses a serial from a path or a body, refusing with `invalid_serial` on `serial`.
pub fn parse_serial(raw: &str) -> Result<Serial, ApiError> {
    Serial::parse(raw).map_err(|r| ApiError::field(r, "serial", "10 to 20 letters A-Z and digits"))
}
