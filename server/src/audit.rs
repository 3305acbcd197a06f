//! The audit trail: who or what changed which record, written in the transaction of
//! the change, read on the staff device page.

use crate::db::Tx;
use crate::db::column::{instant, secs};
use anyhow::Result;
use care_rules::Timestamp;
use sqlx::Row;

/// An event: `actor` is `customer:j***@example.pl`, `operator`, `staff:…` or `system`;
/// `subject` is `device:SERIAL`, `claim:ID`, `verification:ID`, ….
pub struct AuditEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: serde_json::Value,
}

pub async fn record(tx: &mut Tx, event: &AuditEvent<'_>, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secs(at))
    .bind(event.actor)
    .bind(event.action)
    .bind(event.subject)
    .bind(event.details.to_string())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Erasure: the events about `subject` keep their action and time; the details and a
/// customer actor (a masked address) go.
pub async fn forget(tx: &mut Tx, subject: &str) -> Result<()> {
    sqlx::query(
        "UPDATE audit_events SET details = '{}',
             actor = CASE WHEN actor LIKE 'customer:%' THEN 'customer:erased' ELSE actor END
         WHERE subject = $1",
    )
    .bind(subject)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Events about any of `subjects`, oldest first.
pub async fn trail(tx: &mut Tx, subjects: &[String]) -> Result<Vec<AuditRecord>> {
    let mut all = Vec::new();
    for subject in subjects {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, details FROM audit_events
             WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(tx.conn())
        .await?;
        for r in &rows {
            let details: String = r.try_get("details")?;
            all.push(AuditRecord {
                at: instant(r.try_get("at")?)?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
            });
        }
    }
    all.sort_by_key(|a| a.at);
    Ok(all)
}
