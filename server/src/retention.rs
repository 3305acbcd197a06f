//! Retention: a video file is deleted 30 days after its case is decided (the case
//! record stays), and an upload abandoned unfinished for 7 days is removed.

use crate::state::AppState;
use anyhow::Result;
use care_rules::Timestamp;
use jiff::SignedDuration;
use std::time::Duration;

pub const VIDEO_KEPT_AFTER_DECISION: SignedDuration = SignedDuration::from_hours(30 * 24);
pub const ABANDONED_UPLOAD_KEPT: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Deletes what is due at `now`; returns how many uploads' bytes went.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<usize> {
    let due = state
        .store
        .read()
        .await?
        .uploads_to_delete(now - VIDEO_KEPT_AFTER_DECISION, now - ABANDONED_UPLOAD_KEPT)
        .await?;
    for id in &due {
        // An unfinished upload is ended before its bytes go, so that a chunk still
        // arriving (on any instance) can no longer be counted into it.
        let mut tx = state.store.write().await?;
        tx.terminate_upload(id, now).await?;
        tx.commit().await?;
        state.uploads.delete(id).await?;
        let mut tx = state.store.write().await?;
        tx.mark_video_deleted(id, now).await?;
        tx.commit().await?;
        tracing::info!(upload = %id, "video deleted by retention");
    }
    Ok(due.len())
}

/// Sweeps now and every ten minutes until the process ends.
pub async fn run(state: AppState) {
    loop {
        if let Err(e) = sweep(&state, state.clock.now()).await {
            tracing::warn!(error = format!("{e:#}"), "retention sweep failed");
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}
