//! Claims in the database: the claim itself, and its history as typed events (one row
//! per status it reached, written in the step's transaction).

use crate::db::Tx;
use crate::db::column::{count, instant, named, opt_instant, secs};
use anyhow::Result;
use care_rules::api::ClaimEvent;
use care_rules::{ClaimOption, ClaimStatus, Lang, Money, Refusal, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub id: String,
    pub serial: String,
    pub product_id: String,
    pub coverage_id: Option<String>,
    pub description: String,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub shipping_address: String,
    pub lang: Lang,
    pub status: ClaimStatus,
    pub filed_at: Timestamp,
    /// R10 as judged when filed.
    pub eligible: bool,
    pub refusal: Option<Refusal>,
    pub quote: Option<(Money, String)>,
    pub option: Option<ClaimOption>,
    pub paid: Option<Money>,
    pub tracking: Option<String>,
    pub replacement_serial: Option<String>,
    pub shipped_at: Option<Timestamp>,
    pub decline_reason: Option<String>,
    /// `transfer` or the provider (`stripe`), once paid.
    pub paid_via: Option<String>,
    /// The provider's reference of an online payment (`pi_…`).
    pub payment_reference: Option<String>,
    /// The provider's refund (`re_…`), or `transfer` for money sent back by bank.
    pub refund_reference: Option<String>,
    pub refund_reason: Option<String>,
}

impl ClaimRecord {
    /// The short number people quote (`CR-` and the first 8 digits of the id); it never
    /// grants access.
    pub fn number(&self) -> String {
        number(&self.id)
    }
}

/// `CR-` and the first 8 digits of a claim's id, upper-cased.
pub fn number(id: &str) -> String {
    format!(
        "CR-{}",
        id.chars().take(8).collect::<String>().to_uppercase()
    )
}

const COLUMNS: &str = "SELECT id, serial, product_id, coverage_id, description, customer_name,
    customer_email, customer_phone, shipping_address, lang, status, filed_at, eligible, refusal,
    quote_grosze, quote_note, option, paid_grosze, tracking, replacement_serial, shipped_at,
    decline_reason, paid_via, payment_reference, refund_reference, refund_reason FROM claims";

fn money(grosze: Option<i64>) -> Result<Option<Money>> {
    Ok(grosze.map(count).transpose()?.map(Money::from_grosze))
}

fn from_row(r: &AnyRow) -> Result<ClaimRecord> {
    let refusal: Option<String> = r.try_get("refusal")?;
    let option: Option<String> = r.try_get("option")?;
    let quote_note: Option<String> = r.try_get("quote_note")?;
    let lang: String = r.try_get("lang")?;
    Ok(ClaimRecord {
        id: r.try_get("id")?,
        serial: r.try_get("serial")?,
        product_id: r.try_get("product_id")?,
        coverage_id: r.try_get("coverage_id")?,
        description: r.try_get("description")?,
        customer_name: r.try_get("customer_name")?,
        customer_email: r.try_get("customer_email")?,
        customer_phone: r.try_get("customer_phone")?,
        shipping_address: r.try_get("shipping_address")?,
        lang: Lang::from_tag(&lang),
        status: named(r.try_get("status")?, ClaimStatus::parse)?,
        filed_at: instant(r.try_get("filed_at")?)?,
        eligible: r.try_get::<i64, _>("eligible")? != 0,
        refusal: refusal
            .as_deref()
            .map(|r| named(r, Refusal::parse))
            .transpose()?,
        quote: money(r.try_get("quote_grosze")?)?.map(|m| (m, quote_note.unwrap_or_default())),
        option: option
            .as_deref()
            .map(|o| named(o, ClaimOption::parse))
            .transpose()?,
        paid: money(r.try_get("paid_grosze")?)?,
        tracking: r.try_get("tracking")?,
        replacement_serial: r.try_get("replacement_serial")?,
        shipped_at: opt_instant(r.try_get("shipped_at")?)?,
        decline_reason: r.try_get("decline_reason")?,
        paid_via: r.try_get("paid_via")?,
        payment_reference: r.try_get("payment_reference")?,
        refund_reference: r.try_get("refund_reference")?,
        refund_reason: r.try_get("refund_reason")?,
    })
}

pub async fn insert(tx: &mut Tx, c: &ClaimRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO claims (id, serial, product_id, coverage_id, description, customer_name,
             customer_email, customer_phone, shipping_address, lang, status, filed_at,
             eligible, refusal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&c.id)
    .bind(&c.serial)
    .bind(&c.product_id)
    .bind(&c.coverage_id)
    .bind(&c.description)
    .bind(&c.customer_name)
    .bind(&c.customer_email)
    .bind(&c.customer_phone)
    .bind(&c.shipping_address)
    .bind(c.lang.as_str())
    .bind(c.status.as_str())
    .bind(secs(c.filed_at))
    .bind(i64::from(c.eligible))
    .bind(c.refusal.map(Refusal::as_str))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The claims an address filed, newest first (for the owner's page). `email`
/// lower-cased.
pub async fn of_owner(tx: &mut Tx, email: &str) -> Result<Vec<ClaimRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE lower(customer_email) = lower($1) ORDER BY filed_at DESC, id"
    ))
    .bind(email)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Erases an address's personal data from its final claims (see `owner::erasure`):
/// name, address, phone, what they wrote, and staff's texts about the claim (quote
/// note, reasons, tracking, the payment's reference); how many there were. A claim
/// filed meanwhile and still open keeps its data: staff need it to ship.
pub async fn erase_owner(tx: &mut Tx, email: &str, erased: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE claims SET customer_name = $2, customer_email = '', customer_phone = NULL,
             shipping_address = $2, description = $2, quote_note = NULL,
             decline_reason = NULL, refund_reason = NULL, tracking = NULL,
             payment_reference = NULL
         WHERE lower(customer_email) = lower($1) AND status IN ('closed', 'refunded')",
    )
    .bind(email)
    .bind(erased)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Erasure: the claim's history keeps its steps, not the customer's masked address.
pub async fn forget_actors(tx: &mut Tx, claim_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE claim_events SET actor = 'customer:erased'
         WHERE claim_id = $1 AND actor LIKE 'customer:%'",
    )
    .bind(claim_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A claim, locked in a write transaction on PostgreSQL.
pub async fn find(tx: &mut Tx, id: &str) -> Result<Option<ClaimRecord>> {
    let row = sqlx::query(&format!("{COLUMNS} WHERE id = $1{}", tx.for_update()))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Claims in a status and/or of a device, oldest first.
pub async fn list(
    tx: &mut Tx,
    status: Option<ClaimStatus>,
    serial: Option<&str>,
) -> Result<Vec<ClaimRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
           AND (CAST($2 AS TEXT) IS NULL OR serial = $2)
         ORDER BY filed_at, id"
    ))
    .bind(status.map(ClaimStatus::as_str))
    .bind(serial)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// A page of claims in a status (or all), oldest first, after `after`.
pub async fn page(
    tx: &mut Tx,
    status: Option<ClaimStatus>,
    after: Option<&crate::http::paging::Cursor>,
    fetch: i64,
) -> Result<Vec<ClaimRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
           AND (CAST($2 AS BIGINT) IS NULL OR filed_at > $2 OR (filed_at = $2 AND id > $3))
         ORDER BY filed_at, id LIMIT $4"
    ))
    .bind(status.map(ClaimStatus::as_str))
    .bind(after.map(|c| c.key))
    .bind(after.map(|c| c.id.clone()))
    .bind(fetch)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Writes the claim's new state if it is still `from`; `false` if another request
/// moved it first.
pub async fn update(tx: &mut Tx, c: &ClaimRecord, from: ClaimStatus) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE claims SET status = $1, quote_grosze = $2, quote_note = $3, option = $4,
             paid_grosze = $5, tracking = $6, replacement_serial = $7, shipped_at = $8,
             decline_reason = $9, paid_via = $10, payment_reference = $11,
             refund_reference = $12, refund_reason = $13
         WHERE id = $14 AND status = $15",
    )
    .bind(c.status.as_str())
    .bind(c.quote.as_ref().map(|(m, _)| i64::from(m.grosze())))
    .bind(c.quote.as_ref().map(|(_, n)| n.clone()))
    .bind(c.option.map(ClaimOption::as_str))
    .bind(c.paid.map(|m| i64::from(m.grosze())))
    .bind(&c.tracking)
    .bind(&c.replacement_serial)
    .bind(c.shipped_at.map(secs))
    .bind(&c.decline_reason)
    .bind(&c.paid_via)
    .bind(&c.payment_reference)
    .bind(&c.refund_reference)
    .bind(&c.refund_reason)
    .bind(&c.id)
    .bind(from.as_str())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the claim reached `status`.
pub async fn record_event(
    tx: &mut Tx,
    claim_id: &str,
    status: ClaimStatus,
    actor: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO claim_events (claim_id, status, actor, at) VALUES ($1, $2, $3, $4)")
        .bind(claim_id)
        .bind(status.as_str())
        .bind(actor)
        .bind(secs(at))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every status the claim reached, oldest first.
pub async fn history(tx: &mut Tx, claim_id: &str) -> Result<Vec<ClaimEvent>> {
    let rows = sqlx::query("SELECT status, at FROM claim_events WHERE claim_id = $1 ORDER BY id")
        .bind(claim_id)
        .fetch_all(tx.conn())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ClaimEvent {
                status: named(r.try_get("status")?, ClaimStatus::parse)?,
                at: instant(r.try_get("at")?)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn the_claim_number_ties_to_the_claim() {
        assert_eq!(number("0a1b2c3d4e5f"), "CR-0A1B2C3D");
    }
}
