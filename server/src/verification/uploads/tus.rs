//! The tus 1.0 resumable-upload protocol's headers (core, creation,
//! creation-with-upload, termination, checksum), parsed into what the handlers need or
//! refused with a problem.

use crate::http::problem::ApiError;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use care_rules::Refusal;
use std::collections::HashMap;

pub const VERSION: &str = "1.0.0";
pub const EXTENSIONS: &str = "creation,creation-with-upload,termination,checksum";
pub const CHECKSUM_ALGORITHMS: &str = "sha1";
/// Tus-Max-Size: the limit for a verification video (the rules' policy).
pub const MAX_SIZE: u64 = care_rules::verification::video::MAX_BYTES;
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether a request carries a chunk (`Content-Type: application/offset+octet-stream`).
pub fn carries_chunk(headers: &HeaderMap) -> bool {
    header(headers, "content-type") == Some(OFFSET_OCTET_STREAM)
}

/// Every request but OPTIONS must speak our version (412 otherwise).
pub fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match header(headers, "tus-resumable") {
        Some(VERSION) => Ok(()),
        other => Err(ApiError::field(
            Refusal::TusVersionUnsupported,
            "Tus-Resumable",
            format!(
                "this server speaks tus {VERSION}, not {}",
                other.unwrap_or("(none)")
            ),
        )),
    }
}

/// A non-negative integer header such as `Upload-Length` or `Upload-Offset`.
pub fn number(headers: &HeaderMap, name: &'static str) -> Result<u64, ApiError> {
    header(headers, name)
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::field(
                Refusal::InvalidRequest,
                name,
                "a non-negative integer is required",
            )
        })
}

/// The longest `Upload-Metadata` taken.
pub const METADATA_MAX: usize = 1024;
/// The metadata kept; other keys (clients such as Uppy send more) are dropped.
const KEPT_KEYS: [&str; 3] = ["verification_id", "filename", "filetype"];

/// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent),
/// at most 1 KiB. Returns the pairs kept and the header as it is stored (only them).
pub fn metadata(headers: &HeaderMap) -> Result<(String, HashMap<String, String>), ApiError> {
    let raw = header(headers, "upload-metadata")
        .unwrap_or_default()
        .to_owned();
    let bad =
        |why: &str| ApiError::field(Refusal::InvalidRequest, "Upload-Metadata", why.to_owned());
    if raw.len() > METADATA_MAX {
        return Err(ApiError::field(
            Refusal::PayloadTooLarge,
            "Upload-Metadata",
            format!("at most {METADATA_MAX} bytes"),
        ));
    }
    let mut pairs = HashMap::new();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let mut parts = item.split(' ');
        let key = parts.next().unwrap_or_default();
        let value = match parts.next() {
            Some(encoded) => {
                let bytes = STANDARD
                    .decode(encoded)
                    .map_err(|_| bad("a value is not base64"))?;
                String::from_utf8(bytes).map_err(|_| bad("a value is not UTF-8"))?
            }
            None => String::new(),
        };
        if key.is_empty() || parts.next().is_some() || pairs.insert(key.to_owned(), value).is_some()
        {
            return Err(bad("pairs are `key base64value`, each key once"));
        }
    }
    pairs.retain(|key, _| KEPT_KEYS.contains(&key.as_str()));
    let kept = KEPT_KEYS
        .iter()
        .filter_map(|key| {
            pairs
                .get(*key)
                .map(|value| format!("{key} {}", STANDARD.encode(value)))
        })
        .collect::<Vec<_>>()
        .join(",");
    Ok((kept, pairs))
}

/// `Upload-Checksum: sha1 <base64 digest>`; other algorithms are refused.
pub fn checksum(headers: &HeaderMap) -> Result<Option<[u8; 20]>, ApiError> {
    let Some(value) = header(headers, "upload-checksum") else {
        return Ok(None);
    };
    let bad =
        |why: &str| ApiError::field(Refusal::InvalidRequest, "Upload-Checksum", why.to_owned());
    let (algorithm, digest) = value
        .split_once(' ')
        .ok_or_else(|| bad("`sha1 <base64 digest>`"))?;
    if algorithm != "sha1" {
        return Err(bad("the only algorithm supported is sha1"));
    }
    let bytes = STANDARD
        .decode(digest.trim())
        .map_err(|_| bad("the digest is not base64"))?;
    <[u8; 20]>::try_from(bytes)
        .map(Some)
        .map_err(|_| bad("a sha1 digest has 20 bytes"))
}

/// Whether the first bytes of a file are an MP4/MOV container: a box whose type, at
/// bytes 4..8, is `ftyp`.
pub fn is_video_container(first_bytes: &[u8]) -> bool {
    first_bytes.get(4..8) == Some(b"ftyp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn parses_metadata_pairs() {
        let h = headers(&[(
            "upload-metadata",
            "verification_id YWJj,filename bW92aWUubXA0,is_confidential",
        )]);
        let (kept, m) = metadata(&h).expect("parsed");
        assert_eq!(m["verification_id"], "abc");
        assert_eq!(m["filename"], "movie.mp4");
        // Keys the portal does not use are dropped, not refused.
        assert!(!m.contains_key("is_confidential"));
        assert_eq!(kept, "verification_id YWJj,filename bW92aWUubXA0");
        let long = format!("verification_id YWJj,note {}", "QUFB".repeat(300));
        assert!(metadata(&headers(&[("upload-metadata", &long)])).is_err());
        assert!(metadata(&headers(&[("upload-metadata", "a !!!")])).is_err());
        assert!(metadata(&headers(&[("upload-metadata", "a YQ==,a YQ==")])).is_err());
        assert!(metadata(&HeaderMap::new()).expect("empty").1.is_empty());
    }

    #[test]
    fn parses_sha1_checksums_only() {
        let digest = STANDARD.encode([7u8; 20]);
        let h = headers(&[("upload-checksum", &format!("sha1 {digest}"))]);
        assert_eq!(checksum(&h).expect("parsed"), Some([7u8; 20]));
        assert!(checksum(&headers(&[("upload-checksum", &format!("md5 {digest}"))])).is_err());
        assert!(checksum(&headers(&[("upload-checksum", "sha1 AAAA")])).is_err());
        assert_eq!(checksum(&HeaderMap::new()).expect("none"), None);
    }

    #[test]
    fn checks_the_version() {
        assert!(check_version(&headers(&[("tus-resumable", "1.0.0")])).is_ok());
        assert!(check_version(&headers(&[("tus-resumable", "0.2.2")])).is_err());
        assert!(check_version(&HeaderMap::new()).is_err());
    }

    #[test]
    fn recognises_mp4_and_mov_containers() {
        assert!(is_video_container(b"\0\0\0\x18ftypmp42"));
        assert!(is_video_container(b"\0\0\0\x14ftypqt  "));
        assert!(!is_video_container(b"\x89PNG\r\n\x1a\n"));
        assert!(!is_video_container(b"\0\0\0"));
    }
}
