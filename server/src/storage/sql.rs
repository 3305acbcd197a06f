//! The storage interface in SQL, for SQLite (the embedded default) and PostgreSQL (for
//! several instances), through sqlx's `Any` driver: the queries are the same, the
//! dialects differ in how a transaction keeps what it read true until it commits.
//!
//! - SQLite (WAL): writes go through one connection that takes the write lock at
//!   `BEGIN IMMEDIATE`, so writers queue in the pool instead of failing with BUSY;
//!   reads use a pool of their own and never wait for writers.
//! - PostgreSQL: a write transaction locks the rows it reads before changing them
//!   (`FOR UPDATE`: the device, the chain, the claim), and outbox workers skip the
//!   messages another has leased (`SKIP LOCKED`).

use super::*;
use anyhow::Context;
use care_rules::verification::VerificationStatus;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub struct SqlStore {
    dialect: Dialect,
    writer: AnyPool,
    reader: AnyPool,
}

impl SqlStore {
    /// Opens (creating if needed) and migrates the database a `DATABASE_URL` names.
    pub async fn open(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await
                .with_context(|| format!("connecting to {}", redact(url)))?;
            POSTGRES_MIGRATIONS
                .run(&pool)
                .await
                .context("migrating the database")?;
            return Ok(SqlStore {
                dialect: Dialect::Postgres,
                writer: pool.clone(),
                reader: pool,
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .with_context(|| format!("DATABASE_URL {url:?}: sqlite://PATH or postgres://…"))?;
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(sqlite_pragmas)
            .connect(&format!("sqlite://{path}?mode=rwc"))
            .await
            .with_context(|| format!("opening {url}"))?;
        SQLITE_MIGRATIONS
            .run(&writer)
            .await
            .context("migrating the database")?;
        let reader = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(sqlite_pragmas)
            .connect(&format!("sqlite://{path}?mode=ro"))
            .await?;
        Ok(SqlStore {
            dialect: Dialect::Sqlite,
            writer,
            reader,
        })
    }
}

/// Every SQLite connection: WAL, and `synchronous = FULL` so that a commit is on disk
/// before it is acknowledged, power loss included.
fn sqlite_pragmas<'c>(
    conn: &'c mut sqlx::AnyConnection,
    _: sqlx::pool::PoolConnectionMetadata,
) -> futures::future::BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move {
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
        )
        .await?;
        Ok(())
    })
}

/// A database URL fit for logs: without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn write(&self) -> Result<Box<dyn Tx>> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.writer.begin().await?,
        };
        Ok(Box::new(SqlTx {
            tx,
            dialect: self.dialect,
            write: true,
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let tx = self.reader.begin().await?;
        Ok(Box::new(SqlTx {
            tx,
            dialect: self.dialect,
            write: false,
        }))
    }

    async fn lease_due_email(&self, now: i64, lease_until: i64) -> Result<Option<OutboxEmail>> {
        // Two workers never lease one message: SQLite has one writer; PostgreSQL skips
        // rows another transaction holds.
        let skip_locked = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let row = sqlx::query(&format!(
            "UPDATE outbox SET lease_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND next_attempt_at <= $2
                            AND (lease_until IS NULL OR lease_until <= $2)
                          ORDER BY id LIMIT 1 {skip_locked})
             RETURNING id, to_addr, subject, body, attempts"
        ))
        .bind(lease_until)
        .bind(now)
        .fetch_optional(&self.writer)
        .await?;
        row.map(|r| {
            Ok(OutboxEmail {
                id: r.try_get("id")?,
                to: r.try_get("to_addr")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: u32::try_from(r.try_get::<i64, _>("attempts")?)?,
            })
        })
        .transpose()
    }

    async fn mark_email_sent(&self, id: i64, at: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, lease_until = NULL
             WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn mark_email_failed(&self, id: i64, error: &str, next_attempt_at: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1,
                 next_attempt_at = $2, lease_until = NULL
             WHERE id = $3",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

struct SqlTx {
    tx: Transaction<'static, Any>,
    dialect: Dialect,
    write: bool,
}

impl SqlTx {
    /// What a read in a write transaction appends on PostgreSQL to lock the rows it
    /// reads until the commit (SQLite's write transaction holds the whole database).
    fn lock(&self) -> &'static str {
        if self.write && self.dialect == Dialect::Postgres {
            " FOR UPDATE"
        } else {
            ""
        }
    }
}

fn secs(t: Timestamp) -> i64 {
    t.as_second()
}

fn instant(s: i64) -> Result<Timestamp> {
    Ok(Timestamp::from_second(s)?)
}

fn opt_instant(s: Option<i64>) -> Result<Option<Timestamp>> {
    s.map(instant).transpose()
}

fn stored_serial(s: &str) -> Result<Serial> {
    Serial::parse(s).map_err(|_| anyhow::anyhow!("a stored serial is malformed: {s:?}"))
}

fn stored_plan(s: &str) -> Result<Plan> {
    Plan::parse(s).with_context(|| format!("a stored plan is unknown: {s:?}"))
}

/// A serde enum (snake_case) from its stored text.
fn stored_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(
        s.to_owned(),
    ))?)
}

/// A serde enum's text, as stored.
fn enum_text<T: serde::Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(text) => Ok(text),
        other => anyhow::bail!("unexpected enum form {other}"),
    }
}

const VERIFICATION_COLUMNS: &str =
    "SELECT id, serial, email, lang, status, created_at, submitted_at,
    decided_at, accepted_at, reject_reason, reject_note, upload_id FROM verifications";

fn verification_from(r: &AnyRow) -> Result<VerificationRecord> {
    let reason: Option<String> = r.try_get("reject_reason")?;
    Ok(VerificationRecord {
        id: r.try_get("id")?,
        serial: r.try_get("serial")?,
        email: r.try_get("email")?,
        lang: r.try_get("lang")?,
        case: VerificationCase {
            status: stored_enum::<VerificationStatus>(r.try_get("status")?)?,
            accepted_at: opt_instant(r.try_get("accepted_at")?)?,
        },
        created_at: instant(r.try_get("created_at")?)?,
        submitted_at: opt_instant(r.try_get("submitted_at")?)?,
        decided_at: opt_instant(r.try_get("decided_at")?)?,
        reject_reason: reason.as_deref().map(stored_enum).transpose()?,
        reject_note: r.try_get("reject_note")?,
        upload_id: r.try_get("upload_id")?,
    })
}

const CLAIM_COLUMNS: &str =
    "SELECT id, serial, product_id, coverage_id, description, customer_name,
    customer_email, customer_phone, shipping_address, lang, status, filed_at, eligible, refusal,
    quote_grosze, quote_note, option, paid_grosze, tracking, replacement_serial, shipped_at,
    decline_reason FROM claims";

fn claim_from(r: &AnyRow) -> Result<ClaimRecord> {
    let status: String = r.try_get("status")?;
    let refusal: Option<String> = r.try_get("refusal")?;
    let option: Option<String> = r.try_get("option")?;
    let quote_grosze: Option<u32> = r
        .try_get::<Option<i64>, _>("quote_grosze")?
        .map(u32::try_from)
        .transpose()?;
    let quote_note: Option<String> = r.try_get("quote_note")?;
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
        lang: r.try_get("lang")?,
        status: ClaimStatus::parse(&status).with_context(|| format!("claim status {status:?}"))?,
        filed_at: instant(r.try_get("filed_at")?)?,
        eligible: r.try_get::<i64, _>("eligible")? != 0,
        refusal: refusal.as_deref().map(stored_enum).transpose()?,
        quote: quote_grosze.map(|g| (Money::from_grosze(g), quote_note.unwrap_or_default())),
        option: option.as_deref().map(stored_enum).transpose()?,
        paid: r
            .try_get::<Option<i64>, _>("paid_grosze")?
            .map(u32::try_from)
            .transpose()?
            .map(Money::from_grosze),
        tracking: r.try_get("tracking")?,
        replacement_serial: r.try_get("replacement_serial")?,
        shipped_at: opt_instant(r.try_get("shipped_at")?)?,
        decline_reason: r.try_get("decline_reason")?,
    })
}

const UPLOAD_COLUMNS: &str = "SELECT id, verification_id, length, received, metadata, content_type,
    created_at, finished_at, terminated_at, video_deleted_at FROM uploads";

fn upload_from(r: &AnyRow) -> Result<UploadRecord> {
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

fn device_from(row: &AnyRow) -> Result<DeviceRecord> {
    let replaced_by: Option<String> = row.try_get("replaced_by")?;
    Ok(DeviceRecord {
        serial: stored_serial(row.try_get("serial")?)?,
        product_id: row.try_get("product_id")?,
        activated_at: opt_instant(row.try_get("activated_at")?)?,
        replaced_by: replaced_by.as_deref().map(stored_serial).transpose()?,
    })
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    async fn device(&mut self, serial: &Serial) -> Result<Option<DeviceRecord>> {
        let row = sqlx::query(&format!(
            "SELECT serial, product_id, activated_at, replaced_by FROM devices WHERE serial = $1{}",
            self.lock()
        ))
        .bind(serial.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(device_from).transpose()
    }

    async fn insert_device(&mut self, device: &DeviceRecord, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO devices (serial, product_id, activated_at, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (serial) DO NOTHING",
        )
        .bind(device.serial.as_str())
        .bind(&device.product_id)
        .bind(device.activated_at.map(secs))
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn device_count(&mut self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(u64::try_from(n)?)
    }

    async fn code(&mut self, hash: &CodeHash) -> Result<Option<CodeRecord>> {
        let row =
            sqlx::query("SELECT product_id, plan, region, used_at FROM codes WHERE hash = $1")
                .bind(&hash.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(|r| {
            Ok(CodeRecord {
                product_id: r.try_get("product_id")?,
                plan: stored_plan(r.try_get("plan")?)?,
                region: r.try_get("region")?,
                used_at: opt_instant(r.try_get("used_at")?)?,
            })
        })
        .transpose()
    }

    async fn insert_code(&mut self, code: &NewCode<'_>, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO codes (hash, hint, product_id, plan, region, imported_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&code.hash.0)
        .bind(code.hint)
        .bind(code.product_id)
        .bind(code.plan.id())
        .bind(code.region)
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_code(
        &mut self,
        hash: &CodeHash,
        activation_id: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE codes SET used_at = $1, activation_id = $2
             WHERE hash = $3 AND used_at IS NULL",
        )
        .bind(secs(at))
        .bind(activation_id)
        .bind(&hash.0)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn latest_coverage(&mut self, serial: &Serial) -> Result<Option<StoredCoverage>> {
        let id = sqlx::query_scalar::<_, String>(
            "SELECT id FROM coverages WHERE serial = $1 ORDER BY started_at DESC LIMIT 1",
        )
        .bind(serial.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        match id {
            Some(id) => self.coverage_by_id(&id).await,
            None => Ok(None),
        }
    }

    async fn insert_coverage(
        &mut self,
        id: &str,
        serial: &Serial,
        started_at: Timestamp,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO coverages (id, serial, started_at, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(serial.as_str())
        .bind(secs(started_at))
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_term(
        &mut self,
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
        .bind(term.plan.id())
        .bind(secs(term.starts_at))
        .bind(secs(term.ends_at))
        .bind(i64::from(term.replacements))
        .bind(activation_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_activation(&mut self, a: &ActivationRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO activations (id, code_hash, serial, kind, verification_id,
                 customer_name, customer_email, customer_phone, lang, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&a.id)
        .bind(&a.code_hash.0)
        .bind(a.serial.as_str())
        .bind(if a.extension { "extension" } else { "new" })
        .bind(&a.verification_id)
        .bind(&a.customer_name)
        .bind(&a.customer_email)
        .bind(&a.customer_phone)
        .bind(&a.lang)
        .bind(secs(a.at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn verification(&mut self, id: &str) -> Result<Option<VerificationRecord>> {
        // Locked in a write: two uploads created for one case at once on two
        // instances must not both stay open.
        let row = sqlx::query(&format!(
            "{VERIFICATION_COLUMNS} WHERE id = $1{}",
            self.lock()
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(verification_from).transpose()
    }

    async fn insert_verification(&mut self, v: &VerificationRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO verifications (id, serial, email, lang, status, created_at, submitted_at,
                 decided_at, accepted_at, reject_reason, reject_note, upload_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&v.id)
        .bind(&v.serial)
        .bind(&v.email)
        .bind(&v.lang)
        .bind(enum_text(&v.case.status)?)
        .bind(secs(v.created_at))
        .bind(v.submitted_at.map(secs))
        .bind(v.decided_at.map(secs))
        .bind(v.case.accepted_at.map(secs))
        .bind(v.reject_reason.as_ref().map(enum_text).transpose()?)
        .bind(&v.reject_note)
        .bind(&v.upload_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn verifications(&mut self, status: Option<&str>) -> Result<Vec<VerificationRecord>> {
        let rows = sqlx::query(&format!(
            "{VERIFICATION_COLUMNS} WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
             ORDER BY COALESCE(submitted_at, created_at), id"
        ))
        .bind(status)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(verification_from).collect()
    }

    async fn use_verification(
        &mut self,
        id: &str,
        activation_id: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE verifications SET status = 'used', used_at = $1, activation_id = $2
             WHERE id = $3 AND status = 'accepted'",
        )
        .bind(secs(at))
        .bind(activation_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn submit_verification(
        &mut self,
        id: &str,
        upload_id: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE verifications SET status = 'pending_review', submitted_at = $1, upload_id = $2
             WHERE id = $3 AND status = 'awaiting_upload'",
        )
        .bind(secs(at))
        .bind(upload_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn decide_verification(&mut self, d: &Decision<'_>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE verifications SET status = $1, decided_at = $2, accepted_at = $3,
                 reject_reason = $4, reject_note = $5, decided_by = $6
             WHERE id = $7 AND status = 'pending_review'",
        )
        .bind(if d.accept { "accepted" } else { "rejected" })
        .bind(secs(d.at))
        .bind(d.accept.then_some(secs(d.at)))
        .bind(d.reason.as_ref().map(enum_text).transpose()?)
        .bind(d.note)
        .bind(d.by)
        .bind(d.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_upload(&mut self, u: &UploadRecord) -> Result<()> {
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
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn upload(&mut self, id: &str) -> Result<Option<UploadRecord>> {
        let row = sqlx::query(&format!("{UPLOAD_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(upload_from).transpose()
    }

    async fn open_uploads(&mut self, verification_id: &str) -> Result<Vec<UploadRecord>> {
        let rows = sqlx::query(&format!(
            "{UPLOAD_COLUMNS} WHERE verification_id = $1
                 AND finished_at IS NULL AND terminated_at IS NULL ORDER BY created_at"
        ))
        .bind(verification_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(upload_from).collect()
    }

    async fn advance_upload(&mut self, id: &str, from: u64, to: u64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE uploads SET received = $1
             WHERE id = $2 AND received = $3 AND finished_at IS NULL AND terminated_at IS NULL",
        )
        .bind(i64::try_from(to)?)
        .bind(id)
        .bind(i64::try_from(from)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_upload(&mut self, id: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE uploads SET finished_at = $1 WHERE id = $2")
            .bind(secs(at))
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn terminate_upload(&mut self, id: &str, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE uploads SET terminated_at = $1
             WHERE id = $2 AND terminated_at IS NULL AND finished_at IS NULL",
        )
        .bind(secs(at))
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn uploads_to_delete(
        &mut self,
        decided_before: Timestamp,
        abandoned_before: Timestamp,
    ) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT u.id FROM uploads u JOIN verifications v ON v.id = u.verification_id
             WHERE u.video_deleted_at IS NULL AND (
                 (u.finished_at IS NOT NULL AND v.upload_id = u.id
                     AND v.decided_at IS NOT NULL AND v.decided_at <= $1)
                 OR (u.finished_at IS NULL
                     AND (u.terminated_at IS NOT NULL
                          OR (u.created_at <= $2 AND u.received < u.length))))",
        )
        .bind(secs(decided_before))
        .bind(secs(abandoned_before))
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn mark_video_deleted(&mut self, id: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE uploads SET video_deleted_at = $1 WHERE id = $2")
            .bind(secs(at))
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn coverage_by_id(&mut self, id: &str) -> Result<Option<StoredCoverage>> {
        if !self.lock().is_empty() {
            // Two payments against one chain take its replacements one after the other.
            sqlx::query(&format!(
                "SELECT id FROM coverages WHERE id = $1{}",
                self.lock()
            ))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        }
        let rows = sqlx::query(
            "SELECT plan, starts_at, ends_at, replacements FROM terms
             WHERE coverage_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        let terms = rows
            .iter()
            .map(|r| {
                Ok(Term {
                    plan: stored_plan(r.try_get("plan")?)?,
                    starts_at: instant(r.try_get("starts_at")?)?,
                    ends_at: instant(r.try_get("ends_at")?)?,
                    replacements: u32::try_from(r.try_get::<i64, _>("replacements")?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let used: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM replacements WHERE coverage_id = $1")
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?;
        Ok(
            Coverage::restore(terms, u32::try_from(used)?).map(|coverage| StoredCoverage {
                id: id.to_owned(),
                coverage,
            }),
        )
    }

    async fn insert_claim(&mut self, c: &ClaimRecord) -> Result<()> {
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
        .bind(&c.lang)
        .bind(c.status.id())
        .bind(secs(c.filed_at))
        .bind(i64::from(c.eligible))
        .bind(c.refusal.as_ref().map(enum_text).transpose()?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn claim(&mut self, id: &str) -> Result<Option<ClaimRecord>> {
        let row = sqlx::query(&format!("{CLAIM_COLUMNS} WHERE id = $1{}", self.lock()))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(claim_from).transpose()
    }

    async fn claims(
        &mut self,
        status: Option<ClaimStatus>,
        serial: Option<&str>,
    ) -> Result<Vec<ClaimRecord>> {
        let rows = sqlx::query(&format!(
            "{CLAIM_COLUMNS} WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
               AND (CAST($2 AS TEXT) IS NULL OR serial = $2)
             ORDER BY filed_at, id"
        ))
        .bind(status.map(ClaimStatus::id))
        .bind(serial)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(claim_from).collect()
    }

    async fn update_claim(&mut self, c: &ClaimRecord, from: ClaimStatus) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE claims SET status = $1, quote_grosze = $2, quote_note = $3, option = $4,
                 paid_grosze = $5, tracking = $6, replacement_serial = $7, shipped_at = $8,
                 decline_reason = $9
             WHERE id = $10 AND status = $11",
        )
        .bind(c.status.id())
        .bind(c.quote.as_ref().map(|(m, _)| i64::from(m.grosze())))
        .bind(c.quote.as_ref().map(|(_, n)| n.clone()))
        .bind(c.option.as_ref().map(enum_text).transpose()?)
        .bind(c.paid.map(|m| i64::from(m.grosze())))
        .bind(&c.tracking)
        .bind(&c.replacement_serial)
        .bind(c.shipped_at.map(secs))
        .bind(&c.decline_reason)
        .bind(&c.id)
        .bind(from.id())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_replacement(&mut self, e: &LedgerRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO replacements (id, coverage_id, number, fee_grosze, claim_id, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::codes::random_id())
        .bind(&e.coverage_id)
        .bind(i64::from(e.number))
        .bind(i64::from(e.fee.grosze()))
        .bind(&e.claim_id)
        .bind(secs(e.at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn ledger(&mut self, coverage_id: &str) -> Result<Vec<LedgerRecord>> {
        let rows = sqlx::query(
            "SELECT coverage_id, number, fee_grosze, claim_id, at FROM replacements
             WHERE coverage_id = $1 ORDER BY number",
        )
        .bind(coverage_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerRecord {
                    coverage_id: r.try_get("coverage_id")?,
                    number: u32::try_from(r.try_get::<i64, _>("number")?)?,
                    fee: Money::from_grosze(u32::try_from(r.try_get::<i64, _>("fee_grosze")?)?),
                    claim_id: r.try_get("claim_id")?,
                    at: instant(r.try_get("at")?)?,
                })
            })
            .collect()
    }

    async fn move_coverage(&mut self, coverage_id: &str, from: &Serial, to: &Serial) -> Result<()> {
        sqlx::query("UPDATE coverages SET serial = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(coverage_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE devices SET replaced_by = $1 WHERE serial = $2")
            .bind(to.as_str())
            .bind(from.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn audit_trail(&mut self, subjects: &[String]) -> Result<Vec<AuditRecord>> {
        let mut all = Vec::new();
        for subject in subjects {
            let rows = sqlx::query(
                "SELECT at, actor, action, subject, details FROM audit_events WHERE subject = $1 ORDER BY id",
            )
            .bind(subject)
            .fetch_all(&mut *self.tx)
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

    async fn coverages_ending(
        &mut self,
        after: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<EndingCoverage>> {
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
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EndingCoverage {
                    coverage_id: r.try_get("id")?,
                    serial: r.try_get("serial")?,
                    ends_at: instant(r.try_get("ends_at")?)?,
                    email: r.try_get("customer_email")?,
                    name: r.try_get("customer_name")?,
                    lang: r.try_get("lang")?,
                })
            })
            .collect()
    }

    async fn record_reminder(
        &mut self,
        coverage_id: &str,
        kind: &str,
        ends_at: Timestamp,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO coverage_reminders (coverage_id, kind, ends_at, sent_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(coverage_id)
        .bind(kind)
        .bind(secs(ends_at))
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_session(
        &mut self,
        token_hash: &[u8],
        email: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(email)
        .bind(secs(at))
        .bind(secs(expires_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn session(&mut self, token_hash: &[u8], now: Timestamp) -> Result<Option<StaffRecord>> {
        let email: Option<String> = sqlx::query_scalar(
            "SELECT email FROM staff_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(secs(now))
        .fetch_optional(&mut *self.tx)
        .await?;
        match email {
            Some(email) => self.staff(&email).await,
            None => Ok(None),
        }
    }

    async fn delete_session(&mut self, token_hash: &[u8]) -> Result<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn idempotent_response(&mut self, key: &str) -> Result<Option<StoredResponse>> {
        let row =
            sqlx::query("SELECT request_hash, status, body FROM idempotency_keys WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(|r| {
            Ok(StoredResponse {
                request_hash: r.try_get("request_hash")?,
                status: u16::try_from(r.try_get::<i64, _>("status")?)?,
                body: r.try_get("body")?,
            })
        })
        .transpose()
    }

    async fn save_idempotent_response(
        &mut self,
        key: &str,
        response: &StoredResponse,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO idempotency_keys (key, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(&response.request_hash)
        .bind(i64::from(response.status))
        .bind(&response.body)
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn enqueue_email(&mut self, email: &NewEmail, at: Timestamp) -> Result<()> {
        // Delivery is scheduled on the real clock: the test clock moves business
        // time only.
        let due = Timestamp::now().as_second();
        sqlx::query(
            "INSERT INTO outbox (to_addr, subject, body, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&email.to)
        .bind(&email.subject)
        .bind(&email.body)
        .bind(secs(at))
        .bind(due)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn audit(&mut self, event: &AuditEvent<'_>, at: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secs(at))
        .bind(event.actor)
        .bind(event.action)
        .bind(event.subject)
        .bind(event.details.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn failures(&mut self, bucket: &str, now: i64, window: i64) -> Result<(u32, i64)> {
        if !self.lock().is_empty() {
            // A counter checked in a write is locked until the commit, so requests
            // racing on two instances are counted one after the other. A row must
            // exist to be locked: an empty one is added (it counts nothing).
            sqlx::query(
                "INSERT INTO rate_limits (bucket, window_start, failures) VALUES ($1, $2, 0)
                 ON CONFLICT (bucket) DO NOTHING",
            )
            .bind(bucket)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        }
        let row = sqlx::query(&format!(
            "SELECT window_start, failures FROM rate_limits WHERE bucket = $1{}",
            self.lock()
        ))
        .bind(bucket)
        .fetch_optional(&mut *self.tx)
        .await?;
        match row {
            Some(r) => {
                let start: i64 = r.try_get("window_start")?;
                let failures = u32::try_from(r.try_get::<i64, _>("failures")?)?;
                if now - start < window {
                    Ok((failures, start))
                } else {
                    Ok((0, now))
                }
            }
            None => Ok((0, now)),
        }
    }

    async fn record_failure(&mut self, bucket: &str, now: i64, window: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO rate_limits (bucket, window_start, failures) VALUES ($1, $2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
                 failures = CASE WHEN $2 - rate_limits.window_start < $3
                     THEN rate_limits.failures + 1 ELSE 1 END,
                 window_start = CASE WHEN $2 - rate_limits.window_start < $3
                     THEN rate_limits.window_start ELSE $2 END",
        )
        .bind(bucket)
        .bind(now)
        .bind(window)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_staff(&mut self, staff: &StaffRecord, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO staff (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(&staff.email)
        .bind(staff.role.as_str())
        .bind(&staff.password_hash)
        .bind(secs(at))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn staff(&mut self, email: &str) -> Result<Option<StaffRecord>> {
        let row = sqlx::query("SELECT email, role, password_hash FROM staff WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| {
            let role: String = r.try_get("role")?;
            Ok(StaffRecord {
                email: r.try_get("email")?,
                role: Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?,
                password_hash: r.try_get("password_hash")?,
            })
        })
        .transpose()
    }
}
