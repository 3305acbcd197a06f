//! Reminders of a coverage's end: one 30 days before it, one at it (15 days left to
//! extend). Each is recorded under its coverage, kind and end instant in the same
//! transaction that queues its email, so a restart neither repeats nor loses one, and
//! an extension (a new end) arms both again.

use crate::email;
use crate::state::AppState;
use anyhow::Result;
use care_rules::Timestamp;
use jiff::SignedDuration;
use std::time::Duration;

pub const BEFORE_END: SignedDuration = SignedDuration::from_hours(30 * 24);
pub use care_rules::time::EXTENSION_GRACE;

/// Sends what is due at `now`; returns how many reminders went out.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<usize> {
    // Ending within 30 days (not yet ended): the first reminder. Ended but still
    // extendable: the second.
    let soon = state
        .store
        .read()
        .await?
        .coverages_ending(now, now + BEFORE_END)
        .await?;
    let ended = state
        .store
        .read()
        .await?
        .coverages_ending(now - EXTENSION_GRACE, now)
        .await?;
    let mut sent = 0;
    for (due, at_end) in soon
        .into_iter()
        .map(|c| (c, false))
        .chain(ended.into_iter().map(|c| (c, true)))
    {
        let kind = if at_end { "at_end" } else { "before_end" };
        let mut tx = state.store.write().await?;
        if !tx
            .record_reminder(&due.coverage_id, kind, due.ends_at, now)
            .await?
        {
            continue;
        }
        let lang = if due.lang == "en" {
            care_rules::Lang::En
        } else {
            care_rules::Lang::Pl
        };
        let link = format!(
            "{}/coverage/{}",
            state.public_url.trim_end_matches('/'),
            due.serial
        );
        tx.enqueue_email(&email::coverage_reminder(lang, &due, at_end, &link), now)
            .await?;
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        state.outbox.notify_one();
    }
    Ok(sent)
}

/// Sweeps at start and every ten minutes until the process ends.
pub async fn run(state: AppState) {
    loop {
        if let Err(e) = sweep(&state, state.clock.now()).await {
            tracing::warn!(error = format!("{e:#}"), "reminder sweep failed");
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}
