//! The two languages the portal speaks. Formatting of money and dates depends on it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Polish, the default.
    #[default]
    Pl,
    En,
}

crate::wire_names!(Lang {
    Pl => "pl",
    En => "en",
});

impl Lang {
    /// The language of a stored tag; Polish for anything else.
    pub fn from_tag(tag: &str) -> Lang {
        Lang::parse(tag).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_writes_the_tags() {
        crate::wire::assert_serde_agrees(Lang::ALL, Lang::as_str);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::Pl);
    }
}
