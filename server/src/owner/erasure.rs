//! Erasure (RODO art. 17): the owner's personal data replaced in every record that
//! carries the session's address (activations, video cases, claims), the videos and
//! their file names deleted, the audit trail's details of those cases and claims
//! emptied, the mail kept for the address deleted, and its asks, links, sessions and
//! the counter named after it gone. Refused while a claim of theirs is open (staff need
//! the name and address to send the device back) or a video of theirs is being
//! reviewed. The coverage stays with the serial: it holds no personal data. An erased
//! address is the empty string, which no mail is ever queued to.

use crate::audit::{self, AuditEvent};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::verification::uploads::queries as uploads;
use crate::{activation, claims, email, verification};
use care_rules::{Refusal, VerificationStatus};
use serde_json::json;

/// What replaces a name, a postal address or a text the owner wrote.
pub const ERASED: &str = "[erased]";

pub async fn erase(state: &AppState, address: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let claims = claims::records::of_owner(&mut tx, address).await?;
    if claims.iter().any(|c| !c.status.is_final()) {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "a claim of yours is still open: your data can be erased once it is closed",
        ));
    }
    let cases = verification::cases::of_owner(&mut tx, address).await?;
    if cases
        .iter()
        .any(|c| c.case.status_at(now) == VerificationStatus::PendingReview)
    {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "a video of yours is being reviewed: your data can be erased once it is decided",
        ));
    }
    let case_ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let videos = uploads::erase_for_cases(&mut tx, &case_ids, now).await?;
    // The trail keeps what happened to the cases and claims, not what was said.
    let subjects = cases
        .iter()
        .map(|c| format!("verification:{}", c.id))
        .chain(claims.iter().map(|c| format!("claim:{}", c.id)));
    for subject in subjects {
        audit::forget(&mut tx, &subject).await?;
    }
    for claim in &claims {
        claims::records::forget_actors(&mut tx, &claim.id).await?;
    }
    let activations = activation::erase_owner(&mut tx, address, ERASED).await?;
    let erased_cases = verification::cases::erase_owner(&mut tx, address).await?;
    let erased_claims = claims::records::erase_owner(&mut tx, address, ERASED).await?;
    let mail = email::outbox::erase_recipient(&mut tx, address).await?;
    for table in ["owner_access_asks", "owner_links", "owner_sessions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE email = $1"))
            .bind(address)
            .execute(tx.conn())
            .await
            .map_err(anyhow::Error::from)?;
    }
    crate::rate_limit::forget(&mut tx, address).await?;
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: "customer:erased",
            action: "owner.erased",
            subject: "owner:erased",
            details: json!({
                "activations": activations, "cases": erased_cases, "claims": erased_claims,
                "videos": videos.len(), "mail": mail,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    // The bytes go once the records say so; a failure leaves a file no record names,
    // which is logged for the operator.
    for id in videos {
        if let Err(e) = state.videos.store.delete(&id).await {
            tracing::warn!(error = format!("{e:#}"), upload = %id, "an erased owner's video was not deleted");
        }
    }
    Ok(())
}
