//! What every request handler shares.

use crate::clock::Clock;
use crate::codes::CodeKey;
use crate::storage::Store;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub code_key: CodeKey,
    /// Wakes the outbox worker when a transaction has queued an email.
    pub outbox: Arc<Notify>,
    pub limits: RateLimits,
}

/// Guessing codes is limited: failed attempts (unknown codes) per client address and
/// per serial number within a window.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub failures_per_client: u32,
    pub failures_per_serial: u32,
    pub window_seconds: i64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            failures_per_client: 10,
            failures_per_serial: 10,
            window_seconds: 15 * 60,
        }
    }
}
