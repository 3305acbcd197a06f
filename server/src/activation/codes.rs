//! How codes are kept: a keyed hash (HMAC-SHA256) under a key that lives outside the
//! database, so a leaked database gives away no code. The same key derives the demo
//! codes, so they can be printed on every start without being stored.

use crate::db::Tx;
use crate::db::column::{named, opt_instant, secs};
use anyhow::{Context, Result, bail};
use care_rules::code::PAYLOAD_LEN;
use care_rules::{Code, Plan, Timestamp};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::Row;
use std::path::Path;

#[derive(Clone)]
pub struct CodeKey([u8; 32]);

/// The stored form of a code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeHash(pub Vec<u8>);

impl CodeKey {
    /// The key from `hex` (64 hex digits) if given, else from `file`, which is created
    /// with a fresh random key (readable by the owner only) when missing.
    pub fn load(hex_key: Option<&str>, file: &Path) -> Result<CodeKey> {
        if let Some(hex_key) = hex_key {
            return CodeKey::from_hex(hex_key).context("CARE_CODE_KEY");
        }
        if file.exists() {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            return CodeKey::from_hex(text.trim())
                .with_context(|| format!("the code key in {}", file.display()));
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(file, &hex::encode(key))?;
        Ok(CodeKey(key))
    }

    pub fn from_hex(text: &str) -> Result<CodeKey> {
        let bytes = hex::decode(text).context("the code key is not hex")?;
        match <[u8; 32]>::try_from(bytes) {
            Ok(key) => Ok(CodeKey(key)),
            Err(_) => bail!("the code key must be 32 bytes (64 hex digits)"),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    pub fn hash(&self, code: &Code) -> CodeHash {
        CodeHash(self.mac(&[b"code:", code.as_str().as_bytes()]).to_vec())
    }

    /// The `n`-th demo code: derived from the key, so the same on every start.
    pub fn demo_code(&self, n: u32) -> Code {
        let bytes = self.mac(&[b"demo-code:", &n.to_be_bytes()]);
        let mut payload = [0u8; PAYLOAD_LEN];
        payload.copy_from_slice(&bytes[..PAYLOAD_LEN]);
        Code::from_payload(payload)
    }
}

impl CodeKey {
    /// A demo password for `label`, derived from the key like the demo codes.
    pub fn demo_password(&self, label: &str) -> String {
        let bytes = self.mac(&[b"demo-password:", label.as_bytes()]);
        hex::encode(&bytes[..8])
    }
}

/// A fresh random code (75 random bits and a check character).
pub fn generate_code() -> Code {
    let mut payload = [0u8; PAYLOAD_LEN];
    rand::rng().fill_bytes(&mut payload);
    Code::from_payload(payload)
}

/// A code as stored: what it grants, and whether it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub product_id: String,
    pub plan: Plan,
    pub region: String,
    pub used_at: Option<Timestamp>,
}

/// A code to register (`import codes`, `codes generate`).
pub struct NewCode<'a> {
    pub hash: &'a CodeHash,
    /// The last four characters, so support can tell codes apart.
    pub hint: &'a str,
    pub product_id: &'a str,
    pub plan: Plan,
    pub region: &'a str,
}

pub async fn find(tx: &mut Tx, hash: &CodeHash) -> Result<Option<CodeRecord>> {
    let row = sqlx::query("SELECT product_id, plan, region, used_at FROM codes WHERE hash = $1")
        .bind(&hash.0)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| {
        Ok(CodeRecord {
            product_id: r.try_get("product_id")?,
            plan: named(r.try_get("plan")?, Plan::parse)?,
            region: r.try_get("region")?,
            used_at: opt_instant(r.try_get("used_at")?)?,
        })
    })
    .transpose()
}

/// `false` when the code exists already.
pub async fn insert(tx: &mut Tx, code: &NewCode<'_>, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO codes (hash, hint, product_id, plan, region, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(&code.hash.0)
    .bind(code.hint)
    .bind(code.product_id)
    .bind(code.plan.as_str())
    .bind(code.region)
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an unused code used by `activation_id`; `false` when it was used already.
/// This conditional update is what makes a code win one activation only.
pub async fn mark_used(
    tx: &mut Tx,
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
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

fn write_private(file: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> CodeKey {
        CodeKey([byte; 32])
    }

    #[test]
    fn the_hash_depends_on_the_key_and_the_code() {
        let code = key(1).demo_code(0);
        assert_eq!(key(1).hash(&code), key(1).hash(&code));
        assert_ne!(key(1).hash(&code), key(2).hash(&code));
        assert_ne!(key(1).hash(&code), key(1).hash(&key(1).demo_code(1)));
        assert_eq!(key(1).hash(&code).0.len(), 32);
    }

    #[test]
    fn demo_codes_are_valid_and_stable() {
        let a = key(7).demo_code(3);
        assert_eq!(Code::parse(&a.to_string()), Ok(a.clone()));
        assert_eq!(key(7).demo_code(3), a);
        assert_ne!(key(8).demo_code(3), a);
    }

    #[test]
    fn a_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("code.key");
        let first = CodeKey::load(None, &file).expect("created");
        let again = CodeKey::load(None, &file).expect("read");
        assert_eq!(first.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_bad_key_is_refused() {
        assert!(CodeKey::from_hex("abcd").is_err());
        assert!(CodeKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(CodeKey::from_hex(&"ab".repeat(32)).is_ok());
    }
}
