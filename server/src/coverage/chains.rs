//! Chains of terms (R4-R7) and the replacements ledger (R7, R8): a chain is stored as
//! its terms in order, and its replacements as one ledger row each; the rules rebuild
//! the `Coverage` from them.

use crate::db::Tx;
use crate::db::column::{count, instant, named, secs};
use crate::ids::random_id;
use anyhow::Result;
use care_rules::{Coverage, Money, Plan, Serial, Term, Timestamp};
use sqlx::Row;

/// A chain with its id.
#[derive(Debug, Clone)]
pub struct StoredCoverage {
    pub id: String,
    pub coverage: Coverage,
}

/// A replacement counted against a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    pub coverage_id: String,
    pub number: u32,
    pub fee: Money,
    pub claim_id: Option<String>,
    pub at: Timestamp,
}

/// The latest chain of the device that holds it now, with its used replacements.
pub async fn latest(tx: &mut Tx, serial: &Serial) -> Result<Option<StoredCoverage>> {
    let id = sqlx::query_scalar::<_, String>(
        "SELECT id FROM coverages WHERE serial = $1 ORDER BY started_at DESC LIMIT 1",
    )
    .bind(serial.as_str())
    .fetch_optional(tx.conn())
    .await?;
    match id {
        Some(id) => by_id(tx, &id).await,
        None => Ok(None),
    }
}

/// A chain by its id, wherever it is now (R11 may have moved it).
pub async fn by_id(tx: &mut Tx, id: &str) -> Result<Option<StoredCoverage>> {
    if tx.locks_rows() {
        // Two payments against one chain take its replacements one after the other.
        sqlx::query(&format!(
            "SELECT id FROM coverages WHERE id = $1{}",
            tx.for_update()
        ))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    }
    let rows = sqlx::query(
        "SELECT plan, starts_at, ends_at, replacements FROM terms
         WHERE coverage_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    let terms = rows
        .iter()
        .map(|r| {
            Ok(Term {
                plan: named(r.try_get("plan")?, Plan::parse)?,
                starts_at: instant(r.try_get("starts_at")?)?,
                ends_at: instant(r.try_get("ends_at")?)?,
                replacements: count(r.try_get("replacements")?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replacements WHERE coverage_id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    Ok(
        Coverage::restore(terms, count(used)?).map(|coverage| StoredCoverage {
            id: id.to_owned(),
            coverage,
        }),
    )
}

/// A new chain on `serial` starting with its first term.
pub async fn begin(
    tx: &mut Tx,
    serial: &Serial,
    first: &Term,
    activation_id: &str,
    at: Timestamp,
) -> Result<String> {
    let id = random_id();
    sqlx::query(
        "INSERT INTO coverages (id, serial, started_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(serial.as_str())
    .bind(secs(first.starts_at))
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    add_term(tx, &id, 0, first, activation_id).await?;
    Ok(id)
}

/// The chain's term number `seq` (0 is the first).
pub async fn add_term(
    tx: &mut Tx,
    coverage_id: &str,
    seq: u32,
    term: &Term,
    activation_id: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO terms (coverage_id, seq, plan, starts_at, ends_at, replacements, activation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(coverage_id)
    .bind(i64::from(seq))
    .bind(term.plan.as_str())
    .bind(secs(term.starts_at))
    .bind(secs(term.ends_at))
    .bind(i64::from(term.replacements))
    .bind(activation_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Counts a replacement; the ledger's keys refuse a second one for the same claim or
/// number.
pub async fn count_replacement(tx: &mut Tx, entry: &LedgerRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO replacements (id, coverage_id, number, fee_grosze, claim_id, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(random_id())
    .bind(&entry.coverage_id)
    .bind(i64::from(entry.number))
    .bind(i64::from(entry.fee.grosze()))
    .bind(&entry.claim_id)
    .bind(secs(entry.at))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Gives back the replacement a refunded claim paid for; replacements counted after it
/// move down one number (keeping the fees they were paid at), so the next one is
/// numbered as the ledger's length. `true` if there was one.
pub async fn give_back(tx: &mut Tx, claim_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT coverage_id, number FROM replacements WHERE claim_id = $1")
        .bind(claim_id)
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let coverage_id: String = row.try_get("coverage_id")?;
    let number: i64 = row.try_get("number")?;
    sqlx::query("DELETE FROM replacements WHERE claim_id = $1")
        .bind(claim_id)
        .execute(tx.conn())
        .await?;
    // One at a time in order, so the (coverage, number) key never sees two rows.
    let later = sqlx::query(
        "SELECT id FROM replacements WHERE coverage_id = $1 AND number > $2 ORDER BY number",
    )
    .bind(&coverage_id)
    .bind(number)
    .fetch_all(tx.conn())
    .await?;
    for r in &later {
        let id: String = r.try_get("id")?;
        sqlx::query("UPDATE replacements SET number = number - 1 WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    Ok(true)
}

pub async fn ledger(tx: &mut Tx, coverage_id: &str) -> Result<Vec<LedgerRecord>> {
    let rows = sqlx::query(
        "SELECT coverage_id, number, fee_grosze, claim_id, at FROM replacements
         WHERE coverage_id = $1 ORDER BY number",
    )
    .bind(coverage_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LedgerRecord {
                coverage_id: r.try_get("coverage_id")?,
                number: count(r.try_get("number")?)?,
                fee: Money::from_grosze(count(r.try_get("fee_grosze")?)?),
                claim_id: r.try_get("claim_id")?,
                at: instant(r.try_get("at")?)?,
            })
        })
        .collect()
}

/// R11: the chain moves to the device `to`.
pub async fn move_to(tx: &mut Tx, coverage_id: &str, to: &Serial) -> Result<()> {
    sqlx::query("UPDATE coverages SET serial = $1 WHERE id = $2")
        .bind(to.as_str())
        .bind(coverage_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
