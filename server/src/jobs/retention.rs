//! Retention: a video file is deleted 30 days after its case is decided (the case
//! record stays); an upload abandoned unfinished for 7 days is removed, and so is the
//! partial upload of a case that expired waiting for its video (14 days, spec §5).
//! Terminated uploads' rows go once their bytes are gone.

use crate::state::AppState;
use crate::verification::uploads::queries as uploads;
use anyhow::Result;
use care_rules::Timestamp;
use jiff::SignedDuration;

pub const VIDEO_KEPT_AFTER_DECISION: SignedDuration = SignedDuration::from_hours(30 * 24);
pub const ABANDONED_UPLOAD_KEPT: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Deletes what is due at `now`; returns how many uploads' bytes went.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<usize> {
    let due = {
        let mut tx = state.db.read().await?;
        let retention = uploads::Retention {
            decided_before: now - VIDEO_KEPT_AFTER_DECISION,
            abandoned_before: now - ABANDONED_UPLOAD_KEPT,
            opened_before: now - care_rules::time::UPLOAD_WINDOW,
        };
        uploads::due_for_deletion(&mut tx, &retention).await?
    };
    for id in &due {
        // An unfinished upload is ended before its bytes go, so that a chunk still
        // arriving (on any instance) can no longer be counted into it.
        let mut tx = state.db.write().await?;
        uploads::terminate(&mut tx, id, now).await?;
        tx.commit().await?;
        state.videos.store.delete(id).await?;
        let mut tx = state.db.write().await?;
        uploads::mark_video_deleted(&mut tx, id, now).await?;
        tx.commit().await?;
        tracing::info!(upload = %id, "video deleted by retention");
    }
    let mut tx = state.db.write().await?;
    uploads::remove_terminated(&mut tx).await?;
    tx.commit().await?;
    Ok(due.len())
}
