//! Owner sessions (24 hours, the cookie sent only to `/api/owner`), and [`Owner`], the
//! extractor of the routes that show an owner's records.

use crate::http::problem::ApiError;
use crate::http::sessions::SessionKind;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;
use care_rules::Refusal;
use jiff::SignedDuration;

pub const SESSIONS: SessionKind = SessionKind {
    table: "owner_sessions",
    cookie: "care_owner",
    path: "/api/owner",
    length: SignedDuration::from_hours(24),
};

/// The owner of a session: an email address, lower-cased.
#[derive(Debug, Clone)]
pub struct Owner {
    pub email: String,
}

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let mut tx = state.db.read().await?;
        let email = SESSIONS.email(&mut tx, &jar, state.clock.now()).await?;
        let email = email.ok_or_else(|| {
            ApiError::detail(
                Refusal::Unauthorized,
                "no session, or it has ended: open the link from the email",
            )
        })?;
        Ok(Owner { email })
    }
}
