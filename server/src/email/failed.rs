//! Messages that failed every attempt wait for staff: `GET /api/staff/mail/failed` lists
//! them with the mail server's last answer, `POST /api/staff/mail/{id}/resend` gives one
//! a new round of attempts (after the address or the mail server was fixed).

use super::outbox::MAX_ATTEMPTS;
use crate::audit::{self, AuditEvent};
use crate::db::column::{count, instant};
use crate::http::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use care_rules::api::FailedMail;
use care_rules::{Email, Refusal};
use serde_json::json;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(resend))
}

/// The messages that failed every attempt, oldest first (at most 200).
#[utoipa::path(get, path = "/api/staff/mail/failed", tag = "staff",
    responses(
        (status = 200, body = Vec<FailedMail>),
        (status = 401, description = "`unauthorized`"),
    ))]
async fn list(
    State(state): State<AppState>,
    _user: StaffUser,
) -> Result<Json<Vec<FailedMail>>, ApiError> {
    let mut tx = state.db.read().await?;
    let rows = sqlx::query(
        "SELECT id, to_addr, subject, attempts, last_error, created_at FROM outbox
         WHERE sent_at IS NULL AND attempts >= $1 ORDER BY id LIMIT 200",
    )
    .bind(i64::from(MAX_ATTEMPTS))
    .fetch_all(tx.conn())
    .await
    .map_err(anyhow::Error::from)?;
    let failed = rows
        .iter()
        .map(|r| {
            let to: String = r.try_get("to_addr")?;
            Ok(FailedMail {
                id: r.try_get("id")?,
                to: Email::parse(&to).map_or_else(|_| "***".to_owned(), |e| e.masked()),
                subject: r.try_get("subject")?,
                attempts: count(r.try_get("attempts")?)?,
                last_error: r.try_get("last_error")?,
                queued_at: instant(r.try_get("created_at")?)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Json(failed))
}

/// Gives a failed message a new round of attempts, at once.
#[utoipa::path(post, path = "/api/staff/mail/{id}/resend", tag = "staff",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "queued again"),
        (status = 401, description = "`unauthorized`"),
        (status = 404, description = "`not_found`: no failed message with this id"),
    ))]
async fn resend(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    // Taken as text: an id that is no number (or too large for one) is simply no
    // message, answered as a problem like every other.
    let id: i64 = id.parse().map_err(|_| ApiError::from(Refusal::NotFound))?;
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    // Delivery runs on the real clock, as the outbox does.
    let due = care_rules::Timestamp::now().as_second();
    let done = sqlx::query(
        "UPDATE outbox SET attempts = 0, next_attempt_at = $1, lease_until = NULL
         WHERE id = $2 AND sent_at IS NULL AND attempts >= $3",
    )
    .bind(due)
    .bind(id)
    .bind(i64::from(MAX_ATTEMPTS))
    .execute(tx.conn())
    .await
    .map_err(anyhow::Error::from)?;
    if done.rows_affected() != 1 {
        return Err(Refusal::NotFound.into());
    }
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: &user.actor(),
            action: "mail.resent",
            subject: &format!("outbox:{id}"),
            details: json!({}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
