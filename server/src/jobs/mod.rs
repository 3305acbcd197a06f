//! Time-driven work: retention of videos, reminders of a coverage's end, pruning of
//! what is kept only for a while (idempotency keys, rate-limit counters), the
//! reconciliation of online payments left open, and sign-in links a stop left unsent.
//! Each runs at start and every ten minutes, and (but the last two) at once when the
//! test clock moves.

pub mod reminders;
pub mod retention;

use crate::state::AppState;
use crate::{activation, rate_limit};
use care_rules::Timestamp;
use std::time::Duration;

/// Every job's work due at `now`.
pub async fn sweep(state: &AppState, now: Timestamp) -> anyhow::Result<()> {
    retention::sweep(state, now).await?;
    reminders::sweep(state, now).await?;
    prune(state, now).await
}

/// Idempotency keys past their time, rate-limit counters whose window has ended, and
/// the owner's asks, links and sessions that can serve no more.
pub async fn prune(state: &AppState, now: Timestamp) -> anyhow::Result<()> {
    let mut tx = state.db.write().await?;
    activation::idempotency::prune(&mut tx, now).await?;
    rate_limit::prune(&mut tx, &state.limits, now.as_second()).await?;
    crate::owner::links::prune(&mut tx, now).await?;
    tx.commit().await
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
        if let Err(e) = prune(&state, now).await {
            tracing::warn!(error = format!("{e:#}"), "pruning failed");
        }
        // Asks for a sign-in link are answered as they come; these are any a stop left.
        if let Err(e) = crate::owner::links::send_links(&state).await {
            tracing::warn!(error = format!("{e:#}"), "sending sign-in links failed");
        }
        if let Err(e) = crate::payments::reconcile_all(&state).await {
            tracing::warn!(error = format!("{e:#}"), "payment reconciliation failed");
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}
