//! How codes are kept: a keyed hash (HMAC-SHA256) under a key that lives outside the
//! database, so a leaked database gives away no code. The same key derives the demo
//! codes, so they can be printed on every start without being stored.

use anyhow::{Context, Result, bail};
use care_rules::Code;
use care_rules::code::PAYLOAD_LEN;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
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

/// A random identifier of 128 bits, as 32 hex digits: unguessable, for links.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
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

    #[test]
    fn random_ids_have_128_bits() {
        let id = random_id();
        assert_eq!(id.len(), 32);
        assert_ne!(id, random_id());
    }
}
