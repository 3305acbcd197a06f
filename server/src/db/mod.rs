//! The database: a pool (SQLite by default, PostgreSQL for several instances), its
//! migrations, and transactions. It knows no feature: each feature keeps its own
//! queries beside its handlers and runs them on a [`Tx`].
//!
//! The queries are the same text on both databases (through sqlx's `Any` driver);
//! the dialects differ in how a transaction keeps what it read true until it commits:
//! - SQLite (WAL): writes go through one connection that takes the write lock at
//!   `BEGIN IMMEDIATE`, so writers queue in the pool instead of failing with BUSY;
//!   reads use a pool of their own and never wait for writers.
//! - PostgreSQL: a write transaction locks the rows it reads before changing them
//!   ([`Tx::for_update`]), and outbox workers skip the messages another has leased.

pub mod column;

use anyhow::{Context, Result};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgConnection, PgListener};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often [`Db::watch_other_writers`] looks for writes by other processes (SQLite)
/// or beats to prove it still hears them (PostgreSQL).
pub const WATCH_INTERVAL: Duration = Duration::from_millis(250);
/// PostgreSQL: silence on [`WRITES_CHANNEL`] for longer than this (no beat came back)
/// counts as changed, at every beat, until the listener hears again.
const DEAF_AFTER: Duration = Duration::from_millis(600);
/// How long the listener waits without hearing anything, not even a beat, before it
/// takes its connection for dead (gone without a word: a dropped NAT entry, a
/// failover) and makes a new one. Meanwhile nothing is stale: see [`DEAF_AFTER`].
const RECONNECT_AFTER: Duration = Duration::from_secs(5);
/// PostgreSQL: the channel `0008_notify_coverage_writes.sql`'s triggers notify.
const WRITES_CHANNEL: &str = "care_writes";
/// The payload of the watch's own beat on [`WRITES_CHANNEL`] (a table's name is never empty).
const BEAT: &str = "";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The database of the portal; cheap to clone (the pools are shared).
#[derive(Clone)]
pub struct Db {
    dialect: Dialect,
    writer: AnyPool,
    reader: AnyPool,
    /// Writes committed here or seen from elsewhere: see [`Db::commits`].
    commits: Arc<AtomicU64>,
    /// PostgreSQL: where [`Db::watch_other_writers`] listens.
    listen_url: Option<Arc<str>>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database a `DATABASE_URL` names:
    /// `sqlite://PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Db> {
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
            return Ok(Db {
                dialect: Dialect::Postgres,
                writer: pool.clone(),
                reader: pool,
                commits: Arc::default(),
                listen_url: Some(url.into()),
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
        Ok(Db {
            dialect: Dialect::Sqlite,
            writer,
            reader,
            commits: Arc::default(),
            listen_url: None,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A transaction that will write: it holds the write lock from its start (SQLite)
    /// or locks what it reads with [`Tx::for_update`] (PostgreSQL), so what it reads
    /// stays true until it commits.
    pub async fn write(&self) -> Result<Tx> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.writer.begin().await?,
        };
        Ok(Tx {
            tx,
            dialect: self.dialect,
            commits: Some(self.commits.clone()),
        })
    }

    /// A transaction that only reads, on a consistent snapshot.
    pub async fn read(&self) -> Result<Tx> {
        let tx = self.reader.begin().await?;
        Ok(Tx {
            tx,
            dialect: self.dialect,
            commits: None,
        })
    }

    /// Whether both pools answer within `wait` (readiness).
    pub async fn ping(&self, wait: Duration) -> Result<()> {
        for pool in [&self.reader, &self.writer] {
            tokio::time::timeout(wait, sqlx::query("SELECT 1").execute(pool))
                .await
                .context("the database did not answer in time")??;
        }
        Ok(())
    }

    /// An online copy of a SQLite database into `file` (which must not exist), taken
    /// in one transaction while the portal runs; PostgreSQL is backed up with its own
    /// tools.
    pub async fn backup(&self, file: &std::path::Path) -> Result<()> {
        if self.dialect != Dialect::Sqlite {
            anyhow::bail!(
                "PostgreSQL is backed up with pg_dump (or the provider's snapshots), not here"
            );
        }
        if file.exists() {
            anyhow::bail!("{} exists already", file.display());
        }
        let target = file.to_str().context("a backup path in UTF-8")?;
        sqlx::query(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
            .execute(&self.writer)
            .await
            .with_context(|| format!("writing {}", file.display()))?;
        Ok(())
    }

    /// A count that moves with every write transaction this process commits and, once
    /// [`Db::watch_other_writers`] runs, soon after a write by any other process (see
    /// there how soon). What a read transaction begun after the count was taken saw is
    /// still current while the count is unchanged: the test a cache of records needs.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// Moves [`Db::commits`] when another process writes (another instance on
    /// PostgreSQL, an operator command on SQLite), for as long as the runtime runs.
    /// - SQLite: `data_version` of the writer's own connection, looked at every
    ///   [`WATCH_INTERVAL`]; it moves only for commits by other connections, and this
    ///   process has no other writing one. A failed look moves it too.
    /// - PostgreSQL: the notifications of [`WRITES_CHANNEL`], which the migrations'
    ///   triggers send at the commit of a write to a table an in-memory copy is made
    ///   from: heard within milliseconds of the commit. Writes to other tables (mail,
    ///   rate limits, uploads) do not move it.
    pub fn watch_other_writers(&self) {
        match (&self.listen_url, self.dialect) {
            (Some(url), Dialect::Postgres) => self.listen_for_writes(url.clone()),
            _ => self.poll_data_version(),
        }
    }

    fn poll_data_version(&self) {
        let db = self.clone();
        tokio::spawn(async move {
            let mut last = None;
            loop {
                tokio::time::sleep(WATCH_INTERVAL).await;
                let version: Option<i64> = sqlx::query_scalar("PRAGMA data_version")
                    .fetch_one(&db.writer)
                    .await
                    .ok();
                // The first look moves it once too: nothing was known before it.
                if version.is_none() || version != last {
                    db.moved();
                }
                last = version;
            }
        });
    }

    /// Three tasks: one hears the channel; one sends a beat on it every
    /// [`WATCH_INTERVAL`], on a connection of its own; one judges deafness, waiting on
    /// nothing. A listener that has heard nothing, not even a beat, for [`DEAF_AFTER`]
    /// may have missed writes (a connection silently gone): the count moves at every
    /// tick until it hears again, so nothing kept is older than that; after
    /// [`RECONNECT_AFTER`] it listens on a new connection. (Not one `select!`:
    /// `PgListener::try_recv` is not safe to cancel in the middle of a message, unless
    /// the connection is dropped with it.)
    fn listen_for_writes(&self, url: Arc<str>) {
        let started = std::time::Instant::now();
        let heard_ms = Arc::new(AtomicU64::new(0));
        let (db, heard, beat_url) = (self.clone(), heard_ms.clone(), url.clone());
        tokio::spawn(async move {
            loop {
                let listening = async {
                    let connecting = async {
                        let mut listener = PgListener::connect(&url).await?;
                        listener.listen(WRITES_CHANNEL).await?;
                        Ok::<_, sqlx::Error>(listener)
                    };
                    let mut listener = tokio::time::timeout(RECONNECT_AFTER, connecting)
                        .await
                        .map_err(|_| taken_for_dead())??;
                    // What was written before this instant was not heard.
                    db.moved();
                    loop {
                        // Dropping `try_recv` mid-message is safe here: the
                        // connection goes with it.
                        let note = tokio::time::timeout(RECONNECT_AFTER, listener.try_recv())
                            .await
                            .map_err(|_| taken_for_dead())??;
                        let now = started.elapsed().as_millis() as u64;
                        heard.store(now, Ordering::Release);
                        match note {
                            Some(note) if note.payload() == BEAT => {}
                            Some(_) => db.moved(),
                            // The connection was lost and is made again at the next
                            // call: what was sent meanwhile is lost with it.
                            None => db.moved(),
                        }
                    }
                };
                let outcome: Result<(), sqlx::Error> = listening.await;
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, "listening for other instances' writes; again shortly");
                }
                db.moved();
                tokio::time::sleep(WATCH_INTERVAL).await;
            }
        });
        // Deafness is judged by a task that never waits on the database.
        let db = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WATCH_INTERVAL);
            loop {
                tick.tick().await;
                let last = Duration::from_millis(heard_ms.load(Ordering::Acquire));
                if started.elapsed().saturating_sub(last) > DEAF_AFTER {
                    db.moved();
                }
            }
        });
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WATCH_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // A connection of its own: from the request pool, the beat would wait behind
            // the requests of a busy instance, which would then take itself for deaf and
            // let go of what it keeps when it needs it most.
            let mut connection: Option<PgConnection> = None;
            loop {
                tick.tick().await;
                if connection.is_none() {
                    let connecting = PgConnection::connect(&beat_url);
                    connection = tokio::time::timeout(RECONNECT_AFTER, connecting)
                        .await
                        .ok()
                        .and_then(Result::ok);
                }
                if let Some(open) = connection.as_mut() {
                    let sent = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(WRITES_CHANNEL)
                        .bind(BEAT)
                        .execute(&mut *open);
                    if !matches!(tokio::time::timeout(RECONNECT_AFTER, sent).await, Ok(Ok(_))) {
                        connection = None;
                    }
                }
            }
        });
    }

    fn moved(&self) {
        self.commits.fetch_add(1, Ordering::AcqRel);
    }

    /// The pool writes go through, for a single statement that is its own
    /// transaction (leasing an outbox message).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }
}

/// One transaction. Dropping it without [`Tx::commit`] rolls it back.
pub struct Tx {
    tx: Transaction<'static, Any>,
    dialect: Dialect,
    /// The count a write transaction adds its commit to; `None` for a read.
    commits: Option<Arc<AtomicU64>>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        let outcome = self.tx.commit().await;
        // Counted even when the commit reports an error: it may have landed.
        if let Some(commits) = &self.commits {
            commits.fetch_add(1, Ordering::AcqRel);
        }
        outcome?;
        Ok(())
    }

    /// The connection to run a query on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Appended to a read in a write transaction on PostgreSQL, to lock the rows it
    /// reads until the commit (SQLite's write transaction holds the whole database).
    pub fn for_update(&self) -> &'static str {
        if self.locks_rows() { " FOR UPDATE" } else { "" }
    }

    /// Whether reads in this transaction must lock rows themselves.
    pub fn locks_rows(&self) -> bool {
        self.commits.is_some() && self.dialect == Dialect::Postgres
    }
}

/// Every SQLite connection: WAL, and `synchronous = FULL` so that a commit is on disk
/// before it is acknowledged, power loss included.
fn sqlite_pragmas<'c>(
    conn: &'c mut AnyConnection,
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

/// A listening connection silent for [`RECONNECT_AFTER`].
fn taken_for_dead() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "nothing heard, not even a beat: the connection is taken for dead",
    ))
}

/// A database URL fit for logs and messages: without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_left_out_of_urls() {
        assert_eq!(
            redact("postgres://care:secret@db:5432/care"),
            "postgres://…@db:5432/care"
        );
        assert_eq!(redact("sqlite://data/care.db"), "sqlite://data/care.db");
    }
}
