//! What every request handler shares.

use crate::clock::Clock;
use crate::codes::CodeKey;
use crate::problem::ApiError;
use crate::storage::{Store, Tx};
use crate::uploads::UploadStorage;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub uploads: Arc<dyn UploadStorage>,
    pub clock: Clock,
    pub code_key: CodeKey,
    /// Wakes the outbox worker when a transaction has queued an email.
    pub outbox: Arc<Notify>,
    pub limits: RateLimits,
    pub writing: UploadLocks,
    /// The portal's address as customers reach it, for links in emails.
    pub public_url: String,
    /// Mark staff session cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
}

impl AppState {
    /// The customer's link to a verification case.
    pub fn case_link(&self, id: &str) -> String {
        format!(
            "{}/verification/{id}",
            self.public_url.trim_end_matches('/')
        )
    }

    /// The customer's link to a claim.
    pub fn claim_link(&self, id: &str) -> String {
        format!("{}/claims/{id}", self.public_url.trim_end_matches('/'))
    }
}

/// Guessing is limited: failed attempts per client address and per serial number or
/// account within a window.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub failures_per_client: u32,
    pub failures_per_serial: u32,
    pub window_seconds: i64,
    /// Verification cases one client may open per window (each sends an email).
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
        tx: &mut dyn Tx,
        bucket: &str,
        limit: u32,
        now: i64,
    ) -> Result<(), ApiError> {
        let (attempts, window_start) = tx.failures(bucket, now, self.window_seconds).await?;
        if attempts >= limit {
            let retry_after = (window_start + self.window_seconds - now).max(1);
            return Err(ApiError::RateLimited { retry_after });
        }
        Ok(())
    }
}

/// Uploads a request is writing to right now: a second writer is refused, so chunks
/// of one upload never interleave.
#[derive(Clone, Default)]
pub struct UploadLocks(Arc<Mutex<HashSet<String>>>);

pub struct UploadLock {
    locks: UploadLocks,
    id: String,
}

impl UploadLocks {
    /// The lock on `id`, or `None` while another request holds it.
    pub fn try_lock(&self, id: &str) -> Option<UploadLock> {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        held.insert(id.to_owned()).then(|| UploadLock {
            locks: self.clone(),
            id: id.to_owned(),
        })
    }
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        let mut held = self
            .locks
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        held.remove(&self.id);
    }
}
