//! Columns to and from domain values: instants are Unix seconds, enums their wire
//! names (`care_rules::wire`), serials parsed again on the way out.

use anyhow::{Context, Result};
use care_rules::{Serial, Timestamp};

pub fn secs(t: Timestamp) -> i64 {
    t.as_second()
}

pub fn instant(s: i64) -> Result<Timestamp> {
    Ok(Timestamp::from_second(s)?)
}

pub fn opt_instant(s: Option<i64>) -> Result<Option<Timestamp>> {
    s.map(instant).transpose()
}

pub fn serial(s: &str) -> Result<Serial> {
    Serial::parse(s).map_err(|_| anyhow::anyhow!("a stored serial is malformed: {s:?}"))
}

/// A stored wire name back to its enum (`parse` is the enum's own `parse`).
pub fn named<T>(text: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(text).with_context(|| format!("an unknown stored value {text:?}"))
}

/// A count or length column (never negative).
pub fn count(n: i64) -> Result<u32> {
    Ok(u32::try_from(n)?)
}
