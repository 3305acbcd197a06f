//! Uploads in the database: the durable offset of each, moved only after its bytes are
//! durable in the store.

use crate::db::Tx;
use crate::db::column::{instant, opt_instant, secs};
use anyhow::Result;
use care_rules::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub id: String,
    pub verification_id: String,
    pub length: u64,
    /// Bytes durable in storage.
    pub received: u64,
    /// The `Upload-Metadata` header as the client sent it.
    pub metadata: String,
    pub content_type: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub terminated_at: Option<Timestamp>,
    pub video_deleted_at: Option<Timestamp>,
}

const COLUMNS: &str = "SELECT id, verification_id, length, received, metadata, content_type,
    created_at, finished_at, terminated_at, video_deleted_at FROM uploads";

fn from_row(r: &AnyRow) -> Result<UploadRecord> {
    Ok(UploadRecord {
        id: r.try_get("id")?,
        verification_id: r.try_get("verification_id")?,
        length: u64::try_from(r.try_get::<i64, _>("length")?)?,
        received: u64::try_from(r.try_get::<i64, _>("received")?)?,
        metadata: r.try_get("metadata")?,
        content_type: r.try_get("content_type")?,
        created_at: instant(r.try_get("created_at")?)?,
        finished_at: opt_instant(r.try_get("finished_at")?)?,
        terminated_at: opt_instant(r.try_get("terminated_at")?)?,
        video_deleted_at: opt_instant(r.try_get("video_deleted_at")?)?,
    })
}

pub async fn insert(tx: &mut Tx, u: &UploadRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO uploads (id, verification_id, length, received, metadata, content_type, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&u.id)
    .bind(&u.verification_id)
    .bind(i64::try_from(u.length)?)
    .bind(i64::try_from(u.received)?)
    .bind(&u.metadata)
    .bind(&u.content_type)
    .bind(secs(u.created_at))
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn find(tx: &mut Tx, id: &str) -> Result<Option<UploadRecord>> {
    let row = sqlx::query(&format!("{COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every upload of a case, the oldest first (for its owner's data export).
pub async fn of_case(tx: &mut Tx, verification_id: &str) -> Result<Vec<UploadRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE verification_id = $1 ORDER BY created_at, id"
    ))
    .bind(verification_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Uploads of a case that are neither finished nor terminated.
pub async fn open_for_case(tx: &mut Tx, verification_id: &str) -> Result<Vec<UploadRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE verification_id = $1
             AND finished_at IS NULL AND terminated_at IS NULL ORDER BY created_at"
    ))
    .bind(verification_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Unfinished uploads that hold every byte: a crash kept them from finishing.
pub async fn whole_but_unfinished(tx: &mut Tx) -> Result<Vec<UploadRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE finished_at IS NULL AND terminated_at IS NULL AND received = length
             AND verification_id IN (SELECT id FROM verifications WHERE status = 'awaiting_upload')"
    ))
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Moves the durable offset from `from` to `to`; `false` if it was not at `from`.
pub async fn advance(tx: &mut Tx, id: &str, from: u64, to: u64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE uploads SET received = $1
         WHERE id = $2 AND received = $3 AND finished_at IS NULL AND terminated_at IS NULL",
    )
    .bind(i64::try_from(to)?)
    .bind(id)
    .bind(i64::try_from(from)?)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn finish(tx: &mut Tx, id: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE uploads SET finished_at = $1 WHERE id = $2")
        .bind(secs(at))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends an unfinished upload: no chunk is counted into it any more. Nothing for a
/// finished one.
pub async fn terminate(tx: &mut Tx, id: &str, at: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE uploads SET terminated_at = $1
         WHERE id = $2 AND terminated_at IS NULL AND finished_at IS NULL",
    )
    .bind(secs(at))
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// When stored bytes are due for deletion.
pub struct Retention {
    /// Finished videos of cases decided before this.
    pub decided_before: Timestamp,
    /// Unfinished uploads created before this and still short of their length (a whole
    /// one is finished by recovery, not deleted).
    pub abandoned_before: Timestamp,
    /// Unfinished uploads of cases opened before this, which have expired waiting.
    pub opened_before: Timestamp,
}

/// Uploads whose stored bytes are due for deletion: by `retention`, and every
/// unfinished upload that was terminated.
pub async fn due_for_deletion(tx: &mut Tx, retention: &Retention) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT u.id FROM uploads u JOIN verifications v ON v.id = u.verification_id
         WHERE u.video_deleted_at IS NULL AND (
             (u.finished_at IS NOT NULL AND v.upload_id = u.id
                 AND v.decided_at IS NOT NULL AND v.decided_at <= $1)
             OR (u.finished_at IS NULL
                 AND (u.terminated_at IS NOT NULL
                      OR (u.created_at <= $2 AND u.received < u.length)
                      OR (v.status = 'awaiting_upload' AND v.created_at <= $3))))",
    )
    .bind(secs(retention.decided_before))
    .bind(secs(retention.abandoned_before))
    .bind(secs(retention.opened_before))
    .fetch_all(tx.conn())
    .await?)
}

/// Erasure: the uploads of `cases` lose their tus metadata (the file's name) and are
/// marked deleted; the ids whose bytes the caller then deletes from the store.
pub async fn erase_for_cases(tx: &mut Tx, cases: &[String], at: Timestamp) -> Result<Vec<String>> {
    let mut erased = Vec::new();
    for case in cases {
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE uploads SET metadata = '', video_deleted_at = COALESCE(video_deleted_at, $2)
             WHERE verification_id = $1 RETURNING id",
        )
        .bind(case)
        .bind(secs(at))
        .fetch_all(tx.conn())
        .await?;
        erased.extend(ids);
    }
    Ok(erased)
}

pub async fn mark_video_deleted(tx: &mut Tx, id: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE uploads SET video_deleted_at = $1 WHERE id = $2")
        .bind(secs(at))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Bytes declared by every upload ever created for a case (its quota).
pub async fn declared_for_case(tx: &mut Tx, verification_id: &str) -> Result<u64> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(length) AS BIGINT) FROM uploads WHERE verification_id = $1",
    )
    .bind(verification_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(u64::try_from(total.unwrap_or(0))?)
}

/// Bytes the store may hold now: uploads under way at their full length, and videos
/// not yet deleted by retention.
pub async fn bytes_kept(tx: &mut Tx) -> Result<u64> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(length) AS BIGINT) FROM uploads
         WHERE video_deleted_at IS NULL AND terminated_at IS NULL",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(u64::try_from(total.unwrap_or(0))?)
}

/// Removes the rows of terminated uploads whose bytes are gone (nothing refers to them).
pub async fn remove_terminated(tx: &mut Tx) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM uploads WHERE terminated_at IS NOT NULL AND video_deleted_at IS NOT NULL
           AND id NOT IN (SELECT upload_id FROM verifications WHERE upload_id IS NOT NULL)",
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
