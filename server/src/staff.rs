//! Staff sign-in: argon2id passwords, a session cookie (HttpOnly, SameSite=Strict,
//! Secure behind TLS) whose token is kept only as a hash in the database, and the
//! role checks of every staff route.
//!
//! CSRF: the cookie is never sent on a cross-site request (SameSite=Strict), and every
//! staff action takes a JSON body, which a cross-site form cannot send.

use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{AuditEvent, Role, StaffRecord};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use care_rules::Refusal;
use jiff::SignedDuration;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::OnceLock;

pub const COOKIE: &str = "care_staff";
const SESSION: SignedDuration = SignedDuration::from_hours(12);

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
                format!("this needs the {} role", role.as_str()),
            ))
        }
    }

    pub fn actor(&self) -> String {
        format!("staff:{}", self.email)
    }
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE)
            .map(Cookie::value)
            .ok_or_else(|| ApiError::detail(Refusal::Unauthorized, "sign in first"))?;
        let mut tx = state.store.read().await?;
        let staff = tx
            .session(&token_hash(token), state.clock.now())
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

/// A hash of a random password, checked when the email is unknown so that a wrong
/// email takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::encode_b64(&[7u8; 16])
            .map(|s| s.to_string())
            .unwrap_or_default();
        SaltString::from_b64(&salt)
            .ok()
            .and_then(|salt| {
                argon2::Argon2::default()
                    .hash_password(crate::codes::random_id().as_bytes(), &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

fn login_buckets(ip: IpAddr, email: &str) -> [String; 2] {
    [
        format!("login-failures:client:{ip}"),
        format!("login-failures:email:{email}"),
    ]
}

/// Checks the password and opens a session; returns the member and the cookie.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    ip: IpAddr,
) -> Result<(StaffUser, Cookie<'static>), ApiError> {
    let email = email.trim().to_lowercase();
    let now = state.clock.now();
    let limits = state.limits;
    let buckets = login_buckets(ip, &email);
    {
        let mut tx = state.store.read().await?;
        for bucket in &buckets {
            limits
                .check(
                    tx.as_mut(),
                    bucket,
                    limits.failures_per_client,
                    now.as_second(),
                )
                .await?;
        }
    }
    let staff: Option<StaffRecord> = state.store.read().await?.staff(&email).await?;
    let hash = staff
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |s| s.password_hash.clone());
    let matches = password_matches(hash, password.to_owned()).await;
    let mut tx = state.store.write().await?;
    let Some(staff) = staff.filter(|_| matches) else {
        for bucket in &buckets {
            tx.record_failure(bucket, now.as_second(), limits.window_seconds)
                .await?;
        }
        tx.commit().await?;
        return Err(ApiError::detail(
            Refusal::Unauthorized,
            "wrong email or password",
        ));
    };
    let token = format!("{}{}", crate::codes::random_id(), crate::codes::random_id());
    tx.insert_session(&token_hash(&token), &staff.email, now, now + SESSION)
        .await?;
    tx.audit(
        &AuditEvent {
            actor: &format!("staff:{}", staff.email),
            action: "staff.signed_in",
            subject: &format!("staff:{}", staff.email),
            details: serde_json::json!({}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let cookie = session_cookie(token, state.secure_cookies, SESSION.as_secs());
    Ok((
        StaffUser {
            email: staff.email,
            role: staff.role,
        },
        cookie,
    ))
}

/// Ends the session of this cookie, if any.
pub async fn logout(state: &AppState, jar: &CookieJar) -> Result<Cookie<'static>, ApiError> {
    if let Some(cookie) = jar.get(COOKIE) {
        let mut tx = state.store.write().await?;
        tx.delete_session(&token_hash(cookie.value())).await?;
        tx.commit().await?;
    }
    Ok(session_cookie(String::new(), state.secure_cookies, 0))
}

fn session_cookie(token: String, secure: bool, max_age: i64) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(max_age))
        .build()
}
