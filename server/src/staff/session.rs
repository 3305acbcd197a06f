//! Staff sessions: a cookie (HttpOnly, SameSite=Strict, Secure behind TLS) whose token
//! is kept only as a hash in the database, so any instance can check it; and the
//! extractor every staff route starts with.
//!
//! CSRF: the cookie is never sent on a cross-site request (SameSite=Strict), and every
//! staff action takes a JSON body, which a cross-site form cannot send.

use super::accounts::{self, StaffRecord};
use crate::db::Tx;
use crate::db::column::secs;
use crate::http::problem::ApiError;
use crate::state::AppState;
use anyhow::Result;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use care_rules::{Refusal, Role, Timestamp};
use jiff::SignedDuration;
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "care_staff";
pub const LENGTH: SignedDuration = SignedDuration::from_hours(12);

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
            .get(COOKIE)
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

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub async fn insert(tx: &mut Tx, token: &str, email: &str, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, email, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(token))
    .bind(email)
    .bind(secs(at))
    .bind(secs(at + LENGTH))
    .execute(tx.conn())
    .await?;
    Ok(())
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

pub async fn delete(tx: &mut Tx, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of a member (a new password, a disabled account).
pub async fn end_all(tx: &mut Tx, email: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM staff_sessions WHERE email = $1")
        .bind(email)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

/// The session cookie; an empty token with `max_age` 0 clears it.
pub fn cookie(token: String, secure: bool, max_age: i64) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(max_age))
        .build()
}
