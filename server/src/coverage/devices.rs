//! Devices: a serial number, its product, and when its owner activated it (R2). Added by
//! `import devices`, or when a replacement unit takes over a coverage (R11).

use crate::db::Tx;
use crate::db::column::{opt_instant, secs, serial as stored_serial};
use crate::http::problem::ApiError;
use anyhow::Result;
use care_rules::{Serial, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub serial: Serial,
    pub product_id: String,
    pub activated_at: Option<Timestamp>,
    pub replaced_by: Option<Serial>,
}

/// Parses a serial from a path or a body, refusing with `invalid_serial` on `serial`.
pub fn parse_serial(raw: &str) -> Result<Serial, ApiError> {
    parse_serial_field(raw, "serial")
}

/// Parses a serial given in the request field `field`.
pub fn parse_serial_field(raw: &str, field: &str) -> Result<Serial, ApiError> {
    Serial::parse(raw).map_err(|r| ApiError::field(r, field, "10 to 20 letters A-Z and digits"))
}

fn from_row(row: &AnyRow) -> Result<DeviceRecord> {
    let replaced_by: Option<String> = row.try_get("replaced_by")?;
    Ok(DeviceRecord {
        serial: stored_serial(row.try_get("serial")?)?,
        product_id: row.try_get("product_id")?,
        activated_at: opt_instant(row.try_get("activated_at")?)?,
        replaced_by: replaced_by.as_deref().map(stored_serial).transpose()?,
    })
}

/// The device, locked in a write transaction on PostgreSQL: every write that depends on
/// a device reads it first, so two never interleave (always the device before its chain).
pub async fn find(tx: &mut Tx, serial: &Serial) -> Result<Option<DeviceRecord>> {
    let row = sqlx::query(&format!(
        "SELECT serial, product_id, activated_at, replaced_by FROM devices WHERE serial = $1{}",
        tx.for_update()
    ))
    .bind(serial.as_str())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// `false` when the serial exists already.
pub async fn insert(tx: &mut Tx, device: &DeviceRecord, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO devices (serial, product_id, activated_at, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (serial) DO NOTHING",
    )
    .bind(device.serial.as_str())
    .bind(&device.product_id)
    .bind(device.activated_at.map(secs))
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count(tx: &mut Tx) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
        .fetch_one(tx.conn())
        .await?;
    Ok(u64::try_from(n)?)
}

/// R11: `from` now points at the unit that took over its coverage.
pub async fn set_replaced_by(tx: &mut Tx, from: &Serial, to: &Serial) -> Result<()> {
    sqlx::query("UPDATE devices SET replaced_by = $1 WHERE serial = $2")
        .bind(to.as_str())
        .bind(from.as_str())
        .execute(tx.conn())
        .await?;
    Ok(())
}
