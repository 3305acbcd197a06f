//! Payment attempts and handled provider events in the database.

use crate::db::Tx;
use crate::db::column::{count, named};
use anyhow::Result;
use care_rules::Money;
use care_rules::api::PaymentFailure;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptStatus {
    /// Recorded; the provider has not answered yet (or the call failed): the same
    /// idempotency key is used again.
    Creating,
    /// An intent at the provider that may still be paid.
    Open,
    Succeeded,
    Canceled,
    /// Paid when the claim no longer owed it: the refund is still to be made.
    Refunding,
    /// Paid, and given back.
    Refunded,
}

care_rules::wire_names!(AttemptStatus {
    Creating => "creating",
    Open => "open",
    Succeeded => "succeeded",
    Canceled => "canceled",
    Refunding => "refunding",
    Refunded => "refunded",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub claim_id: String,
    pub attempt: i64,
    pub intent_id: Option<String>,
    pub client_secret: Option<String>,
    pub amount: Money,
    pub currency: String,
    pub status: AttemptStatus,
    /// `card` or `blik`, once the owner confirmed.
    pub method: Option<String>,
    pub last_failure: Option<PaymentFailure>,
}

impl Attempt {
    /// The key that makes a retried creation return the same intent.
    pub fn idempotency_key(&self) -> String {
        format!("claim:{}:{}", self.claim_id, self.attempt)
    }
}

const COLUMNS: &str = "SELECT claim_id, attempt, intent_id, client_secret, amount_grosze, currency,
    status, method, last_failure FROM payments";

fn from_row(r: &AnyRow) -> Result<Attempt> {
    let failure: Option<String> = r.try_get("last_failure")?;
    Ok(Attempt {
        claim_id: r.try_get("claim_id")?,
        attempt: r.try_get("attempt")?,
        intent_id: r.try_get("intent_id")?,
        client_secret: r.try_get("client_secret")?,
        amount: Money::from_grosze(count(r.try_get("amount_grosze")?)?),
        currency: r.try_get("currency")?,
        status: named(r.try_get("status")?, AttemptStatus::parse)?,
        method: r.try_get("method")?,
        last_failure: failure
            .as_deref()
            .map(|f| named(f, PaymentFailure::parse))
            .transpose()?,
    })
}

/// The claim's latest attempt.
pub async fn latest(tx: &mut Tx, claim_id: &str) -> Result<Option<Attempt>> {
    let row = sqlx::query(&format!(
        "{COLUMNS} WHERE claim_id = $1 ORDER BY attempt DESC LIMIT 1"
    ))
    .bind(claim_id)
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_intent(tx: &mut Tx, intent_id: &str) -> Result<Option<Attempt>> {
    let row = sqlx::query(&format!("{COLUMNS} WHERE intent_id = $1"))
        .bind(intent_id)
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Attempts still open (or never answered) last changed before `before`: for the
/// reconciliation with the provider.
pub async fn unsettled(tx: &mut Tx, before: i64, limit: i64) -> Result<Vec<Attempt>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE status IN ('open', 'creating', 'refunding') AND updated_at < $1
         ORDER BY updated_at LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Records attempt number `attempt`; `false` if another request recorded it first.
pub async fn insert(tx: &mut Tx, a: &Attempt, provider: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO payments (claim_id, attempt, provider, amount_grosze, currency, status,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (claim_id, attempt) DO NOTHING",
    )
    .bind(&a.claim_id)
    .bind(a.attempt)
    .bind(provider)
    .bind(i64::from(a.amount.grosze()))
    .bind(&a.currency)
    .bind(a.status.as_str())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The provider's intent for an attempt still being created; `false` if another
/// request stored one first.
pub async fn opened(
    tx: &mut Tx,
    a: &Attempt,
    intent_id: &str,
    client_secret: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE payments SET intent_id = $1, client_secret = $2, status = 'open', updated_at = $3
         WHERE claim_id = $4 AND attempt = $5 AND intent_id IS NULL",
    )
    .bind(intent_id)
    .bind(client_secret)
    .bind(now)
    .bind(&a.claim_id)
    .bind(a.attempt)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an attempt from `from` to `to`; `false` if it was no longer in `from`.
pub async fn set_status(
    tx: &mut Tx,
    intent_id: &str,
    from: &[AttemptStatus],
    to: AttemptStatus,
    now: i64,
) -> Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    // At most five states: spelled out rather than bound as an array, which the two
    // databases take differently.
    let list = from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let done = sqlx::query(&format!(
        "UPDATE payments SET status = $1, updated_at = $2 WHERE intent_id = $3 AND status IN ({list})"
    ))
    .bind(to.as_str())
    .bind(now)
    .bind(intent_id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The way the owner chose to pay the intent; a new choice clears the last failure.
pub async fn set_method(tx: &mut Tx, intent_id: &str, method: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE payments SET method = $1, last_failure = NULL, updated_at = $2 WHERE intent_id = $3",
    )
    .bind(method)
    .bind(now)
    .bind(intent_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Why the last attempt on the intent failed (`None` clears it).
pub async fn set_failure(
    tx: &mut Tx,
    intent_id: &str,
    failure: Option<PaymentFailure>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE payments SET last_failure = $1, updated_at = $2 WHERE intent_id = $3")
        .bind(failure.map(PaymentFailure::as_str))
        .bind(now)
        .bind(intent_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records a provider event as handled; `false` if it was already.
pub async fn first_delivery(tx: &mut Tx, event_id: &str, kind: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO payment_events (id, kind, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(event_id)
    .bind(kind)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}
