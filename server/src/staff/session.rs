//! Staff sessions (12 hours; `crate::http::sessions` keeps them) and the extractor
//! every staff route starts with: a session counts only while its account is enabled.

use super::accounts::{self, StaffRecord};
use crate::db::Tx;
use crate::db::column::secs;
use crate::http::problem::ApiError;
use crate::http::sessions::{SessionKind, token_hash};
use crate::state::AppState;
use anyhow::Result;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use care_rules::{Refusal, Role, Timestamp};
use jiff::SignedDuration;

pub const SESSIONS: SessionKind = SessionKind {
    table: "staff_sessions",
    cookie: "care_staff",
    path: "/",
    length: SignedDuration::from_hours(12),
};

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub email: String,
    pub role: Role,
}

impl StaffUser {
    /// Refuses with 403 when the role is another.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::detail(
                Refusal::Forbidden,
                format!("this needs the {role} role"),
            ))
        }
    }

    /// How the audit trail names this member.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.email)
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSIONS.cookie)
            .map(Cookie::value)
            .ok_or_else(|| ApiError::detail(Refusal::Unauthorized, "sign in first"))?;
        let mut tx = state.db.read().await?;
        let staff = find(&mut tx, token, state.clock.now())
            .await?
            .ok_or_else(|| {
                ApiError::detail(
                    Refusal::Unauthorized,
                    "the session has ended; sign in again",
                )
            })?;
        Ok(StaffUser {
            email: staff.email,
            role: staff.role,
        })
    }
}

/// The staff member of a session that has not expired at `now`.
async fn find(tx: &mut Tx, token: &str, now: Timestamp) -> Result<Option<StaffRecord>> {
    let email: Option<String> = sqlx::query_scalar(
        "SELECT s.email FROM staff_sessions s JOIN staff a ON a.email = s.email
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
    )
    .bind(token_hash(token))
    .bind(secs(now))
    .fetch_optional(tx.conn())
    .await?;
    match email {
        Some(email) => accounts::find(tx, &email).await,
        None => Ok(None),
    }
}

/// Ends every session of a member (a new password, a disabled account).
pub async fn end_all(tx: &mut Tx, email: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM staff_sessions WHERE email = $1")
        .bind(email)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}
