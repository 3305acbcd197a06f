//! Sign-in links to the owner's page. An ask is only recorded where it is made (the
//! same work for every address); [`send_links`] then decides, away from the request,
//! whether the address has anything to show and mails a link only if it has. The
//! token is 256 random bits, kept as its SHA-256, valid for [`VALID`], used once.

use crate::db::column::secs;
use crate::db::{Db, Tx};
use crate::email::{self, messages::OwnerSignIn};
use crate::http::sessions::token_hash;
use crate::ids::{random_id, random_token};
use crate::state::AppState;
use crate::{activation, claims, verification};
use anyhow::Result;
use care_rules::{Lang, Timestamp};
use jiff::SignedDuration;
use sqlx::Row;

/// How long a link works.
pub const VALID: SignedDuration = SignedDuration::from_mins(30);

/// Records an ask for a link to `email` (lower-cased).
pub async fn record_ask(tx: &mut Tx, email: &str, lang: Lang, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO owner_access_asks (id, email, lang, asked_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(random_id())
    .bind(email)
    .bind(lang.as_str())
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Answers every ask not yet answered: a link by mail to an address with devices,
/// cases or claims, nothing to any other. Each ask is taken by one transaction only,
/// whichever instance runs it.
pub async fn send_links(state: &AppState) -> Result<()> {
    while answer_one(state).await? {}
    Ok(())
}

async fn answer_one(state: &AppState) -> Result<bool> {
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    // `handled_at IS NULL` again outside the subquery: on PostgreSQL a transaction that
    // waited for another's lock on the row sees it handled and takes nothing.
    let Some(row) = sqlx::query(
        "UPDATE owner_access_asks SET handled_at = $1
         WHERE handled_at IS NULL AND id = (SELECT id FROM owner_access_asks
             WHERE handled_at IS NULL ORDER BY asked_at, id LIMIT 1)
         RETURNING email, lang",
    )
    .bind(secs(now))
    .fetch_optional(tx.conn())
    .await?
    else {
        // Another instance or task took the ask this one waited for (PostgreSQL): go on
        // while any is left, so that the caller returns only once all are answered.
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM owner_access_asks WHERE handled_at IS NULL")
                .fetch_one(tx.conn())
                .await?;
        return Ok(left > 0);
    };
    let email: String = row.try_get("email")?;
    let lang = Lang::from_tag(&row.try_get::<String, _>("lang")?);
    if has_records(&mut tx, &email).await? {
        let token = random_token();
        sqlx::query(
            "INSERT INTO owner_links (token_hash, email, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(&email)
        .bind(secs(now))
        .bind(secs(now + VALID))
        .execute(tx.conn())
        .await?;
        let message = OwnerSignIn {
            lang,
            minutes: VALID.as_mins(),
            link: state.links.owner_sign_in(&token),
        };
        email::queue(&mut tx, &email, &message, now).await?;
    }
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(true)
}

/// Whether the address activated a plan, opened a case or filed a claim.
async fn has_records(tx: &mut Tx, email: &str) -> Result<bool> {
    Ok(!activation::serials_of_owner(tx, email).await?.is_empty()
        || !verification::cases::of_owner(tx, email).await?.is_empty()
        || !claims::records::of_owner(tx, email).await?.is_empty())
}

/// Uses the link of `token` once: the address it was sent to, or `None` when the
/// token is unknown, used or expired at `now`. Two uses racing: one wins.
pub async fn use_link(db: &Db, token: &str, now: Timestamp) -> Result<Option<String>> {
    let mut tx = db.write().await?;
    let email: Option<String> = sqlx::query_scalar(
        "UPDATE owner_links SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING email",
    )
    .bind(secs(now))
    .bind(token_hash(token))
    .fetch_optional(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(email)
}

/// What can serve no more: asks answered a day ago (every address anyone typed is not
/// kept), links used or expired, sessions ended.
pub async fn prune(tx: &mut Tx, now: Timestamp) -> Result<()> {
    let day_ago = secs(now) - 86_400;
    sqlx::query("DELETE FROM owner_access_asks WHERE handled_at < $1")
        .bind(day_ago)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM owner_links WHERE used_at IS NOT NULL OR expires_at <= $1")
        .bind(secs(now))
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM owner_sessions WHERE expires_at <= $1")
        .bind(secs(now))
        .execute(tx.conn())
        .await?;
    Ok(())
}
