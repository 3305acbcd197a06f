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
    /// The text cleaned and trimmed, or `invalid_request` naming the field when what is
    /// left is too short or too long. Cleaning drops control characters and the
    /// invisible marks that reorder text (so a note reads in the console as it was
    /// typed); a line break (`\r\n`, `\r` or `\n`) stays where lines are allowed and
    /// becomes a space elsewhere, as does a tab.
    pub fn parse(&self, raw: &str) -> Result<String, FieldRefusal> {
        let cleaned = self.clean(raw);
        let text = cleaned.trim();
        let len = text.chars().count();
        if len < self.min || len > self.max {
            return Err(FieldRefusal::new(self.field, Refusal::InvalidRequest));
        }
        Ok(text.to_owned())
    }

    /// Whether `raw` would be taken.
    pub fn accepts(&self, raw: &str) -> bool {
        self.parse(raw).is_ok()
    }

    fn clean(&self, raw: &str) -> String {
        let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
        unified
            .chars()
            .filter_map(|c| match c {
                '\n' if self.multiline => Some('\n'),
                '\n' | '\t' => Some(' '),
                c if c.is_control() || is_bidi_control(c) => None,
                c => Some(c),
            })
            .collect()
    }
}

/// The Unicode marks that change the order text is shown in (embeddings, overrides,
/// isolates): a "Trojan Source" note could otherwise show staff something other than
/// what it says.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
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
        assert_eq!(TRACKING.parse(" PL123 ").as_deref(), Ok("PL123"));
        // Control characters are stripped, not refused, and do not count.
        assert_eq!(DESCRIPTION.parse("bell\u{7}").as_deref(), Ok("bell"));
        assert_eq!(
            SHIPPING_ADDRESS
                .parse("ul.\u{0}\u{1b}[31m 1\u{7f}")
                .as_deref(),
            Ok("ul.[31m 1")
        );
        assert!(!SHIPPING_ADDRESS.accepts("ul.\u{0}\u{0}"));
        assert!(SHIPPING_ADDRESS.accepts(&format!("{}\u{0}", "a".repeat(500))));
        // Lines stay where they are allowed, in one form; elsewhere they are spaces.
        assert_eq!(
            DESCRIPTION.parse("one\r\ntwo\rthree\tfour").as_deref(),
            Ok("one\ntwo\nthree four")
        );
        assert_eq!(TRACKING.parse("PL\n123").as_deref(), Ok("PL 123"));
        // Text cannot be made to read backwards.
        assert_eq!(
            REJECT_NOTE.parse("ok \u{202E}txt.exe\u{202C}").as_deref(),
            Ok("ok txt.exe")
        );
        assert_eq!(
            DESCRIPTION.parse(""),
            Err(FieldRefusal::new("description", Refusal::InvalidRequest))
        );
    }
}
