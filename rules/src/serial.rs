//! Device serial numbers (spec §4): after removing spaces and dashes and upper-casing,
//! 10 to 20 of `A-Z0-9`.

use crate::refusal::Refusal;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Serial(String);

impl Serial {
    pub fn parse(input: &str) -> Result<Serial, Refusal> {
        let normalised: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let allowed = normalised
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if allowed && (MIN_LEN..=MAX_LEN).contains(&normalised.len()) {
            Ok(Serial(normalised))
        } else {
            Err(Refusal::InvalidSerial)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Serial {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Serial::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_spaces_dashes_and_case() {
        let s = Serial::parse(" 1sd-xk 2p3 00a ").expect("valid");
        assert_eq!(s.as_str(), "1SDXK2P300A");
    }

    #[test]
    fn length_boundaries_are_10_and_20() {
        assert_eq!(Serial::parse("123456789"), Err(Refusal::InvalidSerial));
        assert!(Serial::parse("1234567890").is_ok());
        assert!(Serial::parse("12345678901234567890").is_ok());
        assert_eq!(
            Serial::parse("123456789012345678901"),
            Err(Refusal::InvalidSerial)
        );
        // Dashes do not count towards the length.
        assert_eq!(Serial::parse("12345-6789"), Err(Refusal::InvalidSerial));
    }

    #[test]
    fn refuses_other_characters() {
        for bad in [
            "ABCDEFGHI_1",
            "ABCDEFGHIJ.",
            "ŁÓDŹ123456",
            "",
            "ABCDEFGHIJ\u{0}",
        ] {
            assert_eq!(Serial::parse(bad), Err(Refusal::InvalidSerial), "{bad:?}");
        }
    }

    #[test]
    fn deserialises_only_valid_serials() {
        let s: Serial = serde_json::from_str("\"abc-1234567\"").expect("valid");
        assert_eq!(s.as_str(), "ABC1234567");
        assert!(serde_json::from_str::<Serial>("\"short\"").is_err());
    }
}
