//! Erasure (RODO art. 17): the owner's personal data replaced in every record that
//! carries the session's address (activations, video cases, claims), the mail kept for
//! it deleted, and its asks, links, sessions and the counters named after it gone.
//! Refused while a claim of theirs is open: staff need the name and address to send
//! the device back. The coverage stays with the serial: it holds no personal data.
//! An erased address is the empty string, which no mail is ever queued to.

use crate::audit::{self, AuditEvent};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::{activation, claims, email, verification};
use care_rules::Refusal;
use serde_json::json;

/// What replaces a name, a postal address or a text the owner wrote.
pub const ERASED: &str = "[erased]";

pub async fn erase(state: &AppState, address: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let open = claims::records::of_owner(&mut tx, address)
        .await?
        .iter()
        .any(|c| !c.status.is_final());
    if open {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "a claim of yours is still open: your data can be erased once it is closed",
        ));
    }
    let activations = activation::erase_owner(&mut tx, address, ERASED).await?;
    let cases = verification::cases::erase_owner(&mut tx, address).await?;
    let claims = claims::records::erase_owner(&mut tx, address, ERASED).await?;
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
            details: json!({"activations": activations, "cases": cases, "claims": claims, "mail": mail}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
