//! Time-driven work: retention of videos and reminders of a coverage's end. Each runs
//! at start and every ten minutes, and at once when the test clock moves.

pub mod reminders;
pub mod retention;

use crate::state::AppState;
use care_rules::Timestamp;
use std::time::Duration;

/// Every job's work due at `now`.
pub async fn sweep(state: &AppState, now: Timestamp) -> anyhow::Result<()> {
    retention::sweep(state, now).await?;
    reminders::sweep(state, now).await?;
    Ok(())
}

/// Sweeps at start and every ten minutes until the process ends.
pub async fn run(state: AppState) {
    loop {
        let now = state.clock.now();
        if let Err(e) = retention::sweep(&state, now).await {
            tracing::warn!(error = format!("{e:#}"), "retention sweep failed");
        }
        if let Err(e) = reminders::sweep(&state, now).await {
            tracing::warn!(error = format!("{e:#}"), "reminder sweep failed");
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}
