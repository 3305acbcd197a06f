//! `Idempotency-Key` on activations: the first answer to a key is kept (refusals of the
//! rules included) and given again to a retry with the same body; the same key with
//! another body is refused.

use crate::db::Tx;
use crate::db::column::secs;
use crate::http::problem::ApiError;
use anyhow::Result;
use axum::http::HeaderValue;
use care_rules::Refusal;
use care_rules::api::ActivationRequest;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const HEADER: &str = "Idempotency-Key";

/// An answer kept for a key: a status and its JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: Vec<u8>,
    pub status: u16,
    pub body: String,
}

/// The key: 1-255 visible ASCII characters.
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().unwrap_or_default();
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if (1..=255).contains(&key.len()) && visible {
        Ok(key.to_owned())
    } else {
        Err(ApiError::field(
            Refusal::InvalidRequest,
            HEADER,
            "1 to 255 visible ASCII characters",
        ))
    }
}

/// Canonical JSON of the request, so that the same body in another key order or
/// spacing counts as the same.
pub fn request_hash(req: &ActivationRequest) -> Vec<u8> {
    let canonical = serde_json::to_value(req)
        .map(|v| v.to_string())
        .unwrap_or_default();
    Sha256::digest(canonical.as_bytes()).to_vec()
}

/// The kept answer, if its request had this body; a refusal if it had another.
pub fn replay(stored: StoredResponse, hash: &[u8]) -> Result<StoredResponse, ApiError> {
    if stored.request_hash != hash {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            HEADER,
            "this key was used with another request body",
        ));
    }
    Ok(stored)
}

pub async fn find(tx: &mut Tx, key: &str) -> Result<Option<StoredResponse>> {
    let row = sqlx::query("SELECT request_hash, status, body FROM idempotency_keys WHERE key = $1")
        .bind(key)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| {
        Ok(StoredResponse {
            request_hash: r.try_get("request_hash")?,
            status: u16::try_from(r.try_get::<i64, _>("status")?)?,
            body: r.try_get("body")?,
        })
    })
    .transpose()
}

/// Keeps the first answer for `key`; a second save of the same key changes nothing.
pub async fn save(
    tx: &mut Tx,
    key: &str,
    response: &StoredResponse,
    at: care_rules::Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(&response.request_hash)
    .bind(i64::from(response.status))
    .bind(&response.body)
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// How long a key's answer is kept: a client retries within minutes, not days.
pub const KEPT: jiff::SignedDuration = jiff::SignedDuration::from_hours(48);

/// Removes the answers of keys older than [`KEPT`], on a schedule.
pub async fn prune(tx: &mut Tx, now: care_rules::Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
        .bind(secs(now - KEPT))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}
