//! Limits on attempts: wrong codes and wrong passwords per client and per serial or
//! account, and cases and claims opened per client, each in a fixed window. Counters
//! live in the database, so every instance counts the same attempts.

use crate::db::Tx;
use crate::http::problem::ApiError;
use anyhow::Result;
use sqlx::Row;

#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Failed attempts (wrong codes, wrong passwords) one client may make per window.
    pub failures_per_client: u32,
    /// Failed attempts against one serial number or account per window.
    pub failures_per_serial: u32,
    pub window_seconds: i64,
    /// Verification cases or claims one client may open per window (each sends mail).
    pub cases_per_client: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            failures_per_client: 10,
            failures_per_serial: 10,
            window_seconds: 15 * 60,
            cases_per_client: 20,
        }
    }
}

impl RateLimits {
    /// Refuses with `rate_limited` (and when to try again) once `bucket` holds `limit`
    /// attempts in the current window.
    pub async fn check(
        &self,
        tx: &mut Tx,
        bucket: &str,
        limit: u32,
        now: i64,
    ) -> Result<(), ApiError> {
        let (attempts, window_start) = attempts(tx, bucket, now, self.window_seconds).await?;
        if attempts >= limit {
            let retry_after = (window_start + self.window_seconds - now).max(1);
            return Err(ApiError::RateLimited { retry_after });
        }
        Ok(())
    }

    /// Counts one attempt in `bucket`'s current window.
    pub async fn record(&self, tx: &mut Tx, bucket: &str, now: i64) -> Result<()> {
        record_attempt(tx, bucket, now, self.window_seconds).await
    }
}

/// Attempts counted in `bucket`'s current window, which started at the returned
/// instant; windows older than `window` seconds count as empty.
async fn attempts(tx: &mut Tx, bucket: &str, now: i64, window: i64) -> Result<(u32, i64)> {
    if tx.locks_rows() {
        // A counter checked in a write is locked until the commit, so requests racing on
        // two instances are counted one after the other. A row must exist to be locked:
        // an empty one is added (it counts nothing).
        sqlx::query(
            "INSERT INTO rate_limits (bucket, window_start, failures) VALUES ($1, $2, 0)
             ON CONFLICT (bucket) DO NOTHING",
        )
        .bind(bucket)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    let row = sqlx::query(&format!(
        "SELECT window_start, failures FROM rate_limits WHERE bucket = $1{}",
        tx.for_update()
    ))
    .bind(bucket)
    .fetch_optional(tx.conn())
    .await?;
    match row {
        Some(r) => {
            let start: i64 = r.try_get("window_start")?;
            let count = u32::try_from(r.try_get::<i64, _>("failures")?)?;
            Ok(if now - start < window {
                (count, start)
            } else {
                (0, now)
            })
        }
        None => Ok((0, now)),
    }
}

async fn record_attempt(tx: &mut Tx, bucket: &str, now: i64, window: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO rate_limits (bucket, window_start, failures) VALUES ($1, $2, 1)
         ON CONFLICT (bucket) DO UPDATE SET
             failures = CASE WHEN $2 - rate_limits.window_start < $3
                 THEN rate_limits.failures + 1 ELSE 1 END,
             window_start = CASE WHEN $2 - rate_limits.window_start < $3
                 THEN rate_limits.window_start ELSE $2 END",
    )
    .bind(bucket)
    .bind(now)
    .bind(window)
    .execute(tx.conn())
    .await?;
    Ok(())
}
