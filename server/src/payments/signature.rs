//! `Stripe-Signature` of a webhook: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1`
//! an HMAC-SHA256 of `"{t}.{raw body}"` with the endpoint's secret. Checked before
//! anything of the body is read; a few lines with the hmac crate, which is why no
//! Stripe SDK is pulled in for it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How old a signed event may be (Stripe's own default tolerance), by the wall clock.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "no Stripe-Signature header",
            SignatureError::Malformed => "a Stripe-Signature header without t= or v1=",
            SignatureError::Stale => "a signature more than 300 s away from now",
            SignatureError::Mismatch => "no v1 signature matches the body",
        })
    }
}

/// Checks `header` over `body` at `now` (Unix seconds of the wall clock).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let signed = |mac: &mut Hmac<Sha256>| {
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
    };
    // `verify_slice` compares in constant time.
    let matches = signatures.iter().any(|signature| {
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).is_ok_and(|mut mac| {
            signed(&mut mac);
            mac.verify_slice(signature).is_ok()
        })
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A header as Stripe would send it for `body` at `t`: for the tests, which sign events
/// of their own for the paths the stand-in cannot play (BLIK, repeats, disorder).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signature_of_the_body_within_300_seconds_passes() {
        for t in [NOW - 300, NOW, NOW + 300] {
            assert_eq!(
                verify(Some(&sign(BODY, SECRET, t)), BODY, SECRET, NOW),
                Ok(())
            );
        }
    }

    #[test]
    fn one_second_beyond_the_tolerance_is_stale() {
        for t in [NOW - 301, NOW + 301] {
            assert_eq!(
                verify(Some(&sign(BODY, SECRET, t)), BODY, SECRET, NOW),
                Err(SignatureError::Stale)
            );
        }
    }

    #[test]
    fn another_body_secret_or_a_missing_part_is_refused() {
        let header = sign(BODY, SECRET, NOW);
        assert_eq!(
            verify(Some(&header), b"{}", SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, "whsec_other", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(None, BODY, SECRET, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some(&format!("t={NOW}")), BODY, SECRET, NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("v1=00"), BODY, SECRET, NOW),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        // Stripe sends one v1 per active secret while a secret is being rolled.
        let good = sign(BODY, SECRET, NOW);
        let v1 = good.split_once("v1=").map(|(_, v)| v).unwrap_or_default();
        let header = format!("t={NOW},v1={},v1={v1},v0=ignored", "ab".repeat(32));
        assert_eq!(verify(Some(&header), BODY, SECRET, NOW), Ok(()));
    }
}
