//! Sessions behind a cookie, for staff and owners alike: the cookie carries a random
//! token, the database keeps only its SHA-256 (so any instance can check it, and a
//! copy of the database signs nobody in). The table and the cookie differ per kind of
//! session; the handling does not.
//!
//! CSRF: the cookie is never sent on a cross-site request (SameSite=Strict), and every
//! action behind it takes a JSON body, which a cross-site form cannot send.

use crate::db::Tx;
use crate::db::column::secs;
use crate::ids::random_token;
use anyhow::Result;
use axum::http::StatusCode;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use care_rules::Timestamp;
use jiff::SignedDuration;
use sha2::{Digest, Sha256};

/// One kind of session: its table (`token_hash`, `email`, `created_at`,
/// `expires_at`), its cookie, the paths the cookie is sent to, and how long it lasts.
pub struct SessionKind {
    pub table: &'static str,
    pub cookie: &'static str,
    pub path: &'static str,
    pub length: SignedDuration,
}

/// How a token is kept: its SHA-256.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl SessionKind {
    /// Starts a session for `email`: the cookie to set.
    pub async fn start(
        &self,
        tx: &mut Tx,
        email: &str,
        at: Timestamp,
        secure: bool,
    ) -> Result<Cookie<'static>> {
        let token = random_token();
        sqlx::query(&format!(
            "INSERT INTO {} (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            self.table
        ))
        .bind(token_hash(&token))
        .bind(email)
        .bind(secs(at))
        .bind(secs(at + self.length))
        .execute(tx.conn())
        .await?;
        Ok(self.cookie(token, secure, self.length.as_secs()))
    }

    /// The address of the session whose token `jar` carries, unless it has ended at
    /// `now`.
    pub async fn email(
        &self,
        tx: &mut Tx,
        jar: &CookieJar,
        now: Timestamp,
    ) -> Result<Option<String>> {
        let Some(token) = jar.get(self.cookie).map(Cookie::value) else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(&format!(
            "SELECT email FROM {} WHERE token_hash = $1 AND expires_at > $2",
            self.table
        ))
        .bind(token_hash(token))
        .bind(secs(now))
        .fetch_optional(tx.conn())
        .await?)
    }

    /// Ends the session of `jar`'s cookie, on the server and in the browser.
    pub async fn end(
        &self,
        db: &crate::db::Db,
        jar: CookieJar,
        secure: bool,
    ) -> Result<(CookieJar, StatusCode)> {
        if let Some(cookie) = jar.get(self.cookie) {
            let mut tx = db.write().await?;
            sqlx::query(&format!("DELETE FROM {} WHERE token_hash = $1", self.table))
                .bind(token_hash(cookie.value()))
                .execute(tx.conn())
                .await?;
            tx.commit().await?;
        }
        let cleared = self.cookie(String::new(), secure, 0);
        Ok((jar.add(cleared), StatusCode::NO_CONTENT))
    }

    /// The session cookie: HttpOnly, SameSite=Strict, Secure behind TLS; an empty
    /// token with `max_age` 0 clears it.
    fn cookie(&self, token: String, secure: bool, max_age: i64) -> Cookie<'static> {
        Cookie::build((self.cookie, token))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path(self.path)
            .max_age(time::Duration::seconds(max_age))
            .build()
    }
}
