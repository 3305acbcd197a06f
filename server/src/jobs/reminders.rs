//! Reminders of a coverage's end: one 30 days before it, one at it (15 days left to
//! extend). Each is recorded under its coverage, kind and end instant in the same
//! transaction that queues its email, so a restart neither repeats nor loses one, and
//! an extension (a new end) arms both again.

use crate::db::Tx;
use crate::db::column::{instant, secs};
use crate::email::{
    self,
    messages::{CoverageEnded, CoverageEnding, warsaw},
};
use crate::state::AppState;
use anyhow::Result;
use care_rules::time::EXTENSION_GRACE;
use care_rules::{Lang, Timestamp};
use jiff::SignedDuration;
use sqlx::Row;

pub const BEFORE_END: SignedDuration = SignedDuration::from_hours(30 * 24);

/// A chain ending soon, with the owner who activated its last term.
struct Ending {
    coverage_id: String,
    serial: String,
    ends_at: Timestamp,
    email: String,
    name: String,
    lang: Lang,
}

/// Latest chains ending in `(after, until]`.
async fn ending(tx: &mut Tx, after: Timestamp, until: Timestamp) -> Result<Vec<Ending>> {
    let rows = sqlx::query(
        "SELECT c.id, c.serial, t.ends_at, a.customer_email, a.customer_name, a.lang
         FROM coverages c
         JOIN terms t ON t.coverage_id = c.id
             AND t.seq = (SELECT MAX(seq) FROM terms WHERE coverage_id = c.id)
         JOIN activations a ON a.id = t.activation_id
         WHERE t.ends_at > $1 AND t.ends_at <= $2
           AND c.started_at = (SELECT MAX(started_at) FROM coverages WHERE serial = c.serial)
         ORDER BY t.ends_at",
    )
    .bind(secs(after))
    .bind(secs(until))
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let lang: String = r.try_get("lang")?;
            Ok(Ending {
                coverage_id: r.try_get("id")?,
                serial: r.try_get("serial")?,
                ends_at: instant(r.try_get("ends_at")?)?,
                email: r.try_get("customer_email")?,
                name: r.try_get("customer_name")?,
                lang: Lang::from_tag(&lang),
            })
        })
        .collect()
}

/// Records a reminder; `false` if it was sent already.
async fn record(
    tx: &mut Tx,
    coverage_id: &str,
    kind: &str,
    ends_at: Timestamp,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO coverage_reminders (coverage_id, kind, ends_at, sent_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(coverage_id)
    .bind(kind)
    .bind(secs(ends_at))
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sends what is due at `now`; returns how many reminders went out.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<usize> {
    // Ending within 30 days (not yet ended): the first reminder. Ended but still
    // extendable: the second.
    let (soon, ended) = {
        let mut tx = state.db.read().await?;
        (
            ending(&mut tx, now, now + BEFORE_END).await?,
            ending(&mut tx, now - EXTENSION_GRACE, now).await?,
        )
    };
    let mut sent = 0;
    for (due, at_end) in soon
        .into_iter()
        .map(|c| (c, false))
        .chain(ended.into_iter().map(|c| (c, true)))
    {
        let kind = if at_end { "at_end" } else { "before_end" };
        let mut tx = state.db.write().await?;
        if !record(&mut tx, &due.coverage_id, kind, due.ends_at, now).await? {
            continue;
        }
        let lang = due.lang;
        let deadline = due.ends_at + EXTENSION_GRACE;
        let link = state.links.coverage(&due.serial);
        let (ends, until) = (warsaw(due.ends_at, lang), warsaw(deadline, lang));
        if at_end {
            let message = CoverageEnded {
                lang,
                name: due.name,
                serial: due.serial,
                ends,
                until,
                link,
            };
            email::queue(&mut tx, &due.email, &message, now).await?;
        } else {
            let message = CoverageEnding {
                lang,
                name: due.name,
                serial: due.serial,
                ends,
                until,
                link,
            };
            email::queue(&mut tx, &due.email, &message, now).await?;
        }
        tx.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        state.outbox.notify_one();
    }
    Ok(sent)
}
