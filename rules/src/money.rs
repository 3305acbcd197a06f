//! Money as integer grosze (1 zł = 100 gr), shown the Polish or the English way.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(u32);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_grosze(grosze: u32) -> Money {
        Money(grosze)
    }

    /// Whole złoty, for data written by hand (the catalogue).
    pub const fn zl(zloty: u32) -> Money {
        Money(zloty * 100)
    }

    pub const fn grosze(self) -> u32 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `169,00 zł` in Polish, `PLN 169.00` in English. Thousands are grouped the way
    /// each language's own conventions (and the browsers' `Intl`) do: Polish groups
    /// only from five digits, with a no-break space; English with commas.
    pub fn display(self, lang: Lang) -> String {
        let zloty = self.0 / 100;
        let grosze = self.0 % 100;
        match lang {
            Lang::Pl => {
                let whole = if zloty >= 10_000 {
                    group_thousands(zloty, '\u{a0}')
                } else {
                    zloty.to_string()
                };
                format!("{whole},{grosze:02} zł")
            }
            Lang::En => format!("PLN {}.{grosze:02}", group_thousands(zloty, ',')),
        }
    }
}

fn group_thousands(value: u32, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(d);
    }
    out
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} gr", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_spec_examples() {
        assert_eq!(Money::from_grosze(16900).display(Lang::Pl), "169,00 zł");
        assert_eq!(Money::from_grosze(16900).display(Lang::En), "PLN 169.00");
    }

    #[test]
    fn shows_grosze_and_zero() {
        assert_eq!(Money::from_grosze(5).display(Lang::Pl), "0,05 zł");
        assert_eq!(Money::from_grosze(1999).display(Lang::En), "PLN 19.99");
        assert_eq!(Money::ZERO.display(Lang::Pl), "0,00 zł");
        assert_eq!(Money::ZERO.display(Lang::En), "PLN 0.00");
    }

    #[test]
    fn groups_thousands_per_language() {
        assert_eq!(Money::from_grosze(123_456).display(Lang::Pl), "1234,56 zł");
        assert_eq!(
            Money::from_grosze(1_234_567).display(Lang::Pl),
            "12\u{a0}345,67 zł"
        );
        assert_eq!(
            Money::from_grosze(123_456).display(Lang::En),
            "PLN 1,234.56"
        );
        assert_eq!(
            Money::from_grosze(u32::MAX).display(Lang::En),
            "PLN 42,949,672.95"
        );
    }

    #[test]
    fn is_an_integer_in_json() {
        assert_eq!(
            serde_json::to_string(&Money::zl(179)).expect("serialises"),
            "17900"
        );
        assert!(serde_json::from_str::<Money>("-1").is_err());
        assert!(serde_json::from_str::<Money>("1.5").is_err());
    }
}
