//! Free text the owner or staff type (a claim's description, an address, a note): the
//! limits of each field, so that the browser and the server refuse the same input.

use crate::refusal::{FieldRefusal, Refusal};

/// How long a field's text may be, in characters after trimming, and whether it may
/// span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// The field's name in the API (`description`), named in a refusal.
    pub field: &'static str,
    pub min: usize,
    pub max: usize,
    pub multiline: bool,
}

/// What happened to the device, when filing a claim.
pub const DESCRIPTION: TextLimit = TextLimit {
    field: "description",
    min: 1,
    max: 2000,
    multiline: true,
};
/// Where the device goes back to.
pub const SHIPPING_ADDRESS: TextLimit = TextLimit {
    field: "shipping_address",
    min: 5,
    max: 500,
    multiline: true,
};
/// The note of a repair quote.
pub const QUOTE_NOTE: TextLimit = TextLimit {
    field: "note",
    min: 1,
    max: 1000,
    multiline: true,
};
/// Why a claim is declined.
pub const DECLINE_REASON: TextLimit = TextLimit {
    field: "reason",
    min: 1,
    max: 1000,
    multiline: true,
};
/// A parcel's tracking number.
pub const TRACKING: TextLimit = TextLimit {
    field: "tracking",
    min: 1,
    max: 64,
    multiline: false,
};
/// A reviewer's note on a rejected video (required with the reason `other`).
pub const REJECT_NOTE: TextLimit = TextLimit {
    field: "note",
    min: 1,
    max: 500,
    multiline: true,
};

impl TextLimit {
    /// The text trimmed, or `invalid_request` naming the field when it is too short,
    /// too long, or holds control characters (a line break only where lines are
    /// allowed).
    pub fn parse(&self, raw: &str) -> Result<String, FieldRefusal> {
        let text = raw.trim();
        let len = text.chars().count();
        let bad_char = text
            .chars()
            .any(|c| c.is_control() && !(self.multiline && c == '\n'));
        if len < self.min || len > self.max || bad_char {
            return Err(FieldRefusal::new(self.field, Refusal::InvalidRequest));
        }
        Ok(text.to_owned())
    }

    /// Whether `raw` would be taken.
    pub fn accepts(&self, raw: &str) -> bool {
        self.parse(raw).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_at_their_bounds() {
        assert!(!SHIPPING_ADDRESS.accepts("ul. "));
        assert!(SHIPPING_ADDRESS.accepts("  ul. 1  "));
        assert!(SHIPPING_ADDRESS.accepts(&"a".repeat(500)));
        assert!(!SHIPPING_ADDRESS.accepts(&"a".repeat(501)));
        assert!(DESCRIPTION.accepts("line one\nline two"));
        assert!(!TRACKING.accepts("PL\n123"));
        assert!(!DESCRIPTION.accepts("bell\u{7}"));
        assert_eq!(
            DESCRIPTION.parse(""),
            Err(FieldRefusal::new("description", Refusal::InvalidRequest))
        );
        assert_eq!(TRACKING.parse(" PL123 ").as_deref(), Ok("PL123"));
    }
}
