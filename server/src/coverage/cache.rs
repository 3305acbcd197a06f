//! The records behind a serial's coverage, kept in memory between writes.
//!
//! The coverage lookup is the request customers make most, and what it shows changes
//! only when a write commits (an activation, an extension, a replacement, an import) or
//! when a deadline passes. So the records are kept, not the answer: the answer is built
//! from them with `now` on every request, and a deadline needs no invalidation (under the
//! test clock too).
//!
//! An entry serves a lookup only while [`Db::commits`] has not moved since it was
//! read: a lookup after an acknowledged write on the same instance always shows it.
//! A write by an operator command (SQLite) shows within
//! [`WATCH_INTERVAL`](crate::db::WATCH_INTERVAL) of its commit; one by another instance
//! (PostgreSQL) as soon as its notification arrives (milliseconds): the tables these
//! records are read from (`devices`, `coverages`, `terms`, `replacements`) notify at
//! each commit (migration `0008_notify_coverage_writes.sql`), and a listener that stops
//! hearing its own beat lets go of everything within about three watch intervals.
//! [`MAX_AGE`] is only a backstop, should the watch ever stop.
//!
//! Unknown serials are not kept: the cache holds at most [`CAPACITY`] devices that exist.

use super::DeviceState;
use crate::db::Db;
use crate::http::problem::ApiError;
use care_rules::Serial;
use quick_cache::sync::Cache;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The oldest an entry may be, whatever the count says.
const MAX_AGE: Duration = Duration::from_secs(60);
const CAPACITY: usize = 10_000;

#[derive(Clone)]
pub struct CoverageCache {
    entries: Arc<Cache<Serial, Entry>>,
}

#[derive(Clone)]
struct Entry {
    device: Arc<DeviceState>,
    /// [`Db::commits`] before the records were read.
    commits: u64,
    /// When the read began (a conservative age).
    read_at: Instant,
}

impl Default for CoverageCache {
    fn default() -> Self {
        CoverageCache {
            entries: Arc::new(Cache::new(CAPACITY)),
        }
    }
}

impl CoverageCache {
    /// The device's records, from memory when still current, else read and kept.
    pub async fn device(&self, db: &Db, serial: &Serial) -> Result<Arc<DeviceState>, ApiError> {
        let commits = db.commits();
        if let Some(entry) = self.entries.get(serial)
            && entry.commits == commits
            && entry.read_at.elapsed() < MAX_AGE
        {
            return Ok(entry.device);
        }
        let read_at = Instant::now();
        let mut tx = db.read().await?;
        let device = Arc::new(DeviceState::load(&mut tx, serial).await?);
        self.entries.insert(
            serial.clone(),
            Entry {
                device: device.clone(),
                commits,
                read_at,
            },
        );
        Ok(device)
    }
}
