//! Staff accounts: an email, a role, an argon2id password hash. Created with the
//! operator command `staff add`.

use crate::db::Tx;
use crate::db::column::{named, opt_instant, secs};
use crate::http::problem::ApiError;
use anyhow::{Context, Result, bail};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use care_rules::{Email, Role, Timestamp};
use rand::RngCore;
use sqlx::Row;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The shortest password `staff add` takes.
pub const PASSWORD_MIN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub email: String,
    pub role: Role,
    pub password_hash: String,
    /// A disabled account signs in no more (`staff disable`).
    pub disabled_at: Option<Timestamp>,
}

/// `false` when the email is registered already.
pub async fn insert(tx: &mut Tx, staff: &StaffRecord, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO staff (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(&staff.email)
    .bind(staff.role.as_str())
    .bind(&staff.password_hash)
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(tx: &mut Tx, email: &str) -> Result<Option<StaffRecord>> {
    let row =
        sqlx::query("SELECT email, role, password_hash, disabled_at FROM staff WHERE email = $1")
            .bind(email)
            .fetch_optional(tx.conn())
            .await?;
    row.map(|r| {
        Ok(StaffRecord {
            email: r.try_get("email")?,
            role: named(r.try_get("role")?, Role::parse)?,
            password_hash: r.try_get("password_hash")?,
            disabled_at: opt_instant(r.try_get("disabled_at")?)?,
        })
    })
    .transpose()
}

/// A new account record with an argon2id hash of `password`.
pub fn new_account(email: &str, role: Role, password: &str) -> Result<StaffRecord> {
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("{email:?} is not an email address"))?;
    if password.chars().count() < PASSWORD_MIN {
        bail!("the password must have at least {PASSWORD_MIN} characters");
    }
    Ok(StaffRecord {
        email: email.as_str().to_lowercase(),
        role,
        password_hash: hash_password(password)?,
        disabled_at: None,
    })
}

/// A new password for an account; `false` when there is no such account.
pub async fn set_password(tx: &mut Tx, email: &str, password: &str) -> Result<bool> {
    if password.chars().count() < PASSWORD_MIN {
        bail!("the password must have at least {PASSWORD_MIN} characters");
    }
    let done = sqlx::query("UPDATE staff SET password_hash = $1 WHERE email = $2")
        .bind(hash_password(password)?)
        .bind(email)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables an account; `false` when there is no such account.
pub async fn disable(tx: &mut Tx, email: &str, at: Timestamp) -> Result<bool> {
    let done =
        sqlx::query("UPDATE staff SET disabled_at = COALESCE(disabled_at, $1) WHERE email = $2")
            .bind(secs(at))
            .bind(email)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
        .context("staff password")?
        .to_string())
}

/// A hash of a random password, checked when the email is unknown so that a wrong
/// email takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&crate::ids::random_id()).unwrap_or_default())
}

/// Password checks at once: argon2 takes 19 MiB and tens of milliseconds each, so a
/// burst of sign-ins waits its turn instead of taking every core and the memory.
fn hashing() -> &'static Semaphore {
    static HASHING: OnceLock<Semaphore> = OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Semaphore::new(cores)
    })
}

/// How long a sign-in may wait for its turn to hash before it is refused as too many.
const HASHING_WAIT: Duration = Duration::from_secs(10);

/// Whether `password` is the account's; an unknown account (`None`) takes as long and
/// never matches. Runs on the blocking pool, a few at a time.
pub async fn password_matches(
    account: Option<&StaffRecord>,
    password: &str,
) -> Result<bool, ApiError> {
    let known = account.is_some();
    let hash = account.map_or_else(|| dummy_hash().to_owned(), |a| a.password_hash.clone());
    let password = password.to_owned();
    let Ok(Ok(_turn)) = tokio::time::timeout(HASHING_WAIT, hashing().acquire()).await else {
        return Err(ApiError::RateLimited { retry_after: 5 });
    };
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false);
    Ok(known && matches)
}
