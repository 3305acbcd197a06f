//! Limits on attempts: wrong codes and wrong passwords, and cases and claims opened,
//! each counted in a fixed window. Counters live in the database, so every instance
//! counts the same attempts, and a limit is checked in the write transaction that
//! records the attempt, with the counter locked: attempts racing each other are counted
//! one after the other, and none slips past a full counter.
//!
//! Hard limits are kept per client (an IPv4 address, or an IPv6 /64: one household or
//! one attacker's block) and per account or serial *and* client, so that a stranger's
//! wrong guesses never lock the real owner or staff member out; against an account or
//! serial from anywhere, failures only slow the answers down.

use crate::db::{Db, Tx};
use crate::http::problem::ApiError;
use anyhow::Result;
use sqlx::Row;
use std::net::IpAddr;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Failed attempts (wrong codes, wrong passwords) one client may make per window.
    pub failures_per_client: u32,
    /// Failed attempts against one serial number or account per window.
    pub failures_per_serial: u32,
    pub window_seconds: i64,
    /// Verification cases or claims one client may open per window (each sends mail).
    pub cases_per_client: u32,
    /// Uploads one client, and one case, may create per window.
    pub uploads_per_client: u32,
    pub uploads_per_case: u32,
    /// Sign-in links one address, and one client, may ask for per window (each may
    /// send mail to an address the asker need not own).
    pub links_per_address: u32,
    pub links_per_client: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            failures_per_client: 10,
            failures_per_serial: 10,
            window_seconds: 15 * 60,
            cases_per_client: 20,
            uploads_per_client: 30,
            uploads_per_case: 10,
            links_per_address: 3,
            links_per_client: 10,
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
            let kind = bucket.split(':').next().unwrap_or("other").to_owned();
            metrics::counter!("care_rate_limited_total", "limit" => kind).increment(1);
            let retry_after = (window_start + self.window_seconds - now).max(1);
            return Err(ApiError::RateLimited { retry_after });
        }
        Ok(())
    }

    /// Counts one attempt in `bucket`'s current window.
    pub async fn record(&self, tx: &mut Tx, bucket: &str, now: i64) -> Result<()> {
        record_attempt(tx, bucket, now, self.window_seconds).await
    }

    /// How long to wait before answering an attempt against `bucket` (an account or a
    /// serial, from any client): nothing up to the per-serial limit of failures, then
    /// one second doubling up to eight. A slowdown, never a lockout.
    pub async fn slowdown(&self, db: &Db, bucket: &str, now: i64) -> Result<Duration> {
        let mut tx = db.read().await?;
        let (failures, _) = attempts(&mut tx, bucket, now, self.window_seconds).await?;
        let over = failures.saturating_sub(self.failures_per_serial);
        Ok(if failures < self.failures_per_serial {
            Duration::ZERO
        } else {
            Duration::from_secs(1u64 << over.min(3))
        })
    }
}

/// A client as the limits count it: an IPv4 address, or the /64 network of an IPv6
/// address (one subscriber's line: a client can pick any of its 2^64 addresses).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Removes counters whose window has ended at `now`, on a schedule.
pub async fn prune(tx: &mut Tx, limits: &RateLimits, now: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM rate_limits WHERE window_start <= $1")
        .bind(now - limits.window_seconds)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

/// Deletes the counter of an owner's asks for sign-in links (erasure): its key holds
/// the address.
pub async fn forget(tx: &mut Tx, email: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
        .bind(format!("owner-links:email:{email}"))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
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

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn an_ipv6_client_is_its_64_network() {
        assert_eq!(
            client_key("203.0.113.7".parse().expect("ip")),
            "203.0.113.7"
        );
        assert_eq!(
            client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().expect("ip")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_key("2001:db8:1:2::1".parse().expect("ip")),
            client_key("2001:db8:1:2:ffff::9".parse().expect("ip"))
        );
        assert_eq!(
            client_key("::ffff:198.51.100.1".parse().expect("ip")),
            "198.51.100.1"
        );
    }
}
