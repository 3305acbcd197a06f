//! The outbox: messages written in the transaction of the change that causes them, and
//! the worker that delivers them. Two workers (two instances) never send one message:
//! a worker leases one message at a time, SQLite having one writer and PostgreSQL
//! skipping the rows another transaction holds.

use super::Letter;
use super::transport::Mailer;
use crate::db::column::secs;
use crate::db::{Db, Dialect, Tx};
use anyhow::Result;
use care_rules::Timestamp;
use lettre::message::Mailbox;
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a worker may hold a message before another may try it.
const LEASE_SECONDS: i64 = 120;
/// A send that takes longer is given up (and retried later), well inside its lease, so
/// that no other instance's worker can lease the message while it is still going out.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Messages one pass sends at most.
const PASS: usize = 50;
/// After this many failed attempts a message waits for an operator.
pub const MAX_ATTEMPTS: u32 = 20;
/// Messages that are not essential one address gets in any hour; more wait for the
/// next hour (none is dropped). Opening cases or filing claims in someone else's name
/// cannot flood their inbox, and an owner's own busy hour loses nothing.
pub const PER_RECIPIENT_HOUR: i64 = 10;
const HOUR: i64 = 3600;

/// A queued message leased for delivery.
#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// `None` for a message queued before HTML alternatives existed.
    pub html: Option<String>,
    pub attempts: u32,
}

/// A message as its recipient's data export shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredMail {
    pub subject: String,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub queued_at: Timestamp,
}

/// The messages kept for an address (lower-cased), newest first.
pub async fn to_recipient(tx: &mut Tx, email: &str) -> Result<Vec<StoredMail>> {
    let rows = sqlx::query(
        "SELECT subject, body, created_at FROM outbox WHERE lower(to_addr) = lower($1)
         ORDER BY created_at DESC, id DESC",
    )
    .bind(email)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredMail {
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                queued_at: crate::db::column::instant(r.try_get("created_at")?)?,
            })
        })
        .collect()
}

/// Deletes the messages kept for an address (see `owner::erasure`), sent or not.
pub async fn erase_recipient(tx: &mut Tx, email: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM outbox WHERE lower(to_addr) = lower($1)")
        .bind(email)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

pub async fn insert(tx: &mut Tx, letter: &Letter, at: Timestamp) -> Result<()> {
    // Delivery is scheduled on the real clock: the test clock moves business time only.
    let now = Timestamp::now().as_second();
    let due = if letter.essential {
        now
    } else {
        within_limit(tx, &letter.to, now).await?
    };
    sqlx::query(
        "INSERT INTO outbox (to_addr, subject, body, html, created_at, next_attempt_at,
                             scheduled_at, essential)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(&letter.to)
    .bind(&letter.subject)
    .bind(&letter.text)
    .bind(&letter.html)
    .bind(secs(at))
    .bind(due)
    .bind(letter.essential)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The first instant from `now` at which one more message to `to` keeps every hour at
/// [`PER_RECIPIENT_HOUR`] or fewer: an hour after the last allowed message but
/// [`PER_RECIPIENT_HOUR`] - 1. Messages are scheduled in order, so that one is enough
/// to look at.
async fn within_limit(tx: &mut Tx, to: &str, now: i64) -> Result<i64> {
    if tx.dialect() == Dialect::Postgres {
        // Two transactions queuing to one address at once would both see the same
        // schedule; SQLite has one writer already.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext(lower($1)))::text")
            .bind(to)
            .execute(tx.conn())
            .await?;
    }
    let nth_latest: Option<i64> = sqlx::query_scalar(
        "SELECT scheduled_at FROM outbox
         WHERE lower(to_addr) = lower($1) AND NOT essential AND scheduled_at > $2
         ORDER BY scheduled_at DESC LIMIT 1 OFFSET $3",
    )
    .bind(to)
    .bind(now - HOUR)
    .bind(PER_RECIPIENT_HOUR - 1)
    .fetch_optional(tx.conn())
    .await?;
    Ok(nth_latest.map_or(now, |t| (t + HOUR).max(now)))
}

/// The next message due at `now`, leased to the caller until `lease_until`.
async fn lease_due(db: &Db, now: i64, lease_until: i64) -> Result<Option<OutboxEmail>> {
    let skip_locked = match db.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let row = sqlx::query(&format!(
        "UPDATE outbox SET lease_until = $1
         WHERE id IN (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND next_attempt_at <= $2
                        AND (lease_until IS NULL OR lease_until <= $2)
                      ORDER BY id LIMIT 1 {skip_locked})
         RETURNING id, to_addr, subject, body, html, attempts"
    ))
    .bind(lease_until)
    .bind(now)
    .fetch_optional(db.writer())
    .await?;
    row.map(|r| {
        Ok(OutboxEmail {
            id: r.try_get("id")?,
            to: r.try_get("to_addr")?,
            subject: r.try_get("subject")?,
            text: r.try_get("body")?,
            html: r.try_get("html")?,
            attempts: u32::try_from(r.try_get::<i64, _>("attempts")?)?,
        })
    })
    .transpose()
}

async fn mark_sent(db: &Db, id: i64, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, lease_until = NULL
         WHERE id = $2",
    )
    .bind(at)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

async fn mark_failed(db: &Db, id: i64, error: &str, next_attempt_at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1,
             next_attempt_at = $2, lease_until = NULL
         WHERE id = $3",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Delivers due messages until the process ends; wakes when notified or every 5 s.
pub async fn run(db: Db, mailer: Mailer, from: Mailbox, wake: Arc<Notify>) {
    loop {
        if let Err(e) = deliver_due(&db, &mailer, &from).await {
            tracing::warn!(error = format!("{e:#}"), "outbox delivery failed; retrying");
        }
        tokio::select! {
            () = wake.notified() => {},
            () = tokio::time::sleep(Duration::from_secs(5)) => {},
        }
    }
}

/// The outbox's depth and its oldest waiting message's age, as gauges.
async fn measure(db: &Db) -> Result<()> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS waiting, MIN(created_at) AS oldest FROM outbox WHERE sent_at IS NULL",
    )
    .fetch_one(tx.conn())
    .await?;
    let waiting: i64 = row.try_get("waiting")?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    metrics::gauge!("care_outbox_waiting").set(waiting as f64);
    let age = oldest.map_or(0, |t| (Timestamp::now().as_second() - t).max(0));
    metrics::gauge!("care_outbox_oldest_seconds").set(age as f64);
    Ok(())
}

/// One pass over the outbox; returns how many messages went out.
pub async fn deliver_due(db: &Db, mailer: &Mailer, from: &Mailbox) -> Result<usize> {
    measure(db).await?;
    let mut sent = 0;
    for _ in 0..PASS {
        // One message per lease: the lease starts when its send does.
        let now = Timestamp::now().as_second();
        let Some(email) = lease_due(db, now, now + LEASE_SECONDS).await? else {
            break;
        };
        let outcome = tokio::time::timeout(SEND_TIMEOUT, mailer.send(from, &email))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer in {SEND_TIMEOUT:?}")));
        match outcome {
            Ok(()) => {
                mark_sent(db, email.id, Timestamp::now().as_second()).await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = email.attempts + 1;
                let next = if attempts >= MAX_ATTEMPTS {
                    tracing::error!(
                        id = email.id,
                        "an email failed {MAX_ATTEMPTS} times; it waits for an operator"
                    );
                    i64::MAX
                } else {
                    now + backoff_seconds(attempts)
                };
                tracing::warn!(
                    id = email.id,
                    attempts,
                    error = format!("{e:#}"),
                    "email not sent"
                );
                mark_failed(db, email.id, &format!("{e:#}"), next).await?;
            }
        }
    }
    Ok(sent)
}

/// 30 s, 1 min, 2 min, … up to an hour between attempts.
fn backoff_seconds(attempts: u32) -> i64 {
    (30i64 << attempts.min(7)).min(3600)
}

#[cfg(test)]
mod tests {
    use super::backoff_seconds;

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(2), 120);
        assert_eq!(backoff_seconds(10), 3600);
    }
}
