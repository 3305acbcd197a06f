//! Activation codes (spec §4): 16 characters of Crockford base-32, the last one a
//! Luhn mod 32 check character over the first 15, shown as `XXXX-XXXX-XXXX-XXXX`.
//!
//! Written by hand: the Luhn mod N variant over this alphabet is a dozen lines, and no
//! maintained crate implements it for a custom alphabet.

use crate::refusal::Refusal;
use std::fmt;

pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code, check character included.
pub const LEN: usize = 16;
/// Characters of the payload the check character covers.
pub const PAYLOAD_LEN: usize = LEN - 1;

/// A well-formed code in canonical form (upper-case, no dashes). Its `Debug` is masked
/// so that a code never lands whole in a log by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Code([u8; LEN]);

/// What a partly typed code looks like, for the field in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeInput {
    Empty,
    /// Fewer than 16 characters so far, all of them allowed.
    Incomplete {
        len: usize,
    },
    /// A character outside the alphabet, at this 0-based position of the normalised text.
    BadCharacter {
        position: usize,
        character: char,
    },
    TooLong {
        len: usize,
    },
    /// 16 allowed characters whose check character does not match: a typo.
    CheckMismatch,
    Valid(Code),
}

impl Code {
    /// Parses what a person typed: normalises it, then checks alphabet, length and the
    /// check character.
    pub fn parse(input: &str) -> Result<Code, Refusal> {
        match inspect(input) {
            CodeInput::Valid(code) => Ok(code),
            _ => Err(Refusal::InvalidCodeFormat),
        }
    }

    /// Builds the code whose payload is these alphabet indices (each taken mod 32),
    /// appending its check character. Callers bring the randomness.
    pub fn from_payload(payload: [u8; PAYLOAD_LEN]) -> Code {
        let mut values = [0u8; LEN];
        for (slot, v) in values.iter_mut().zip(payload) {
            *slot = v % 32;
        }
        values[PAYLOAD_LEN] = check_value(&values[..PAYLOAD_LEN]);
        Code(values.map(|v| ALPHABET[usize::from(v)]))
    }

    /// The canonical 16 characters, without dashes: the form that is stored and hashed.
    pub fn as_str(&self) -> &str {
        // Only alphabet bytes are ever stored, so this is ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The code with all but its last four characters hidden: `****-****-****-7K2Q`.
    pub fn masked(&self) -> String {
        format!("****-****-****-{}", &self.as_str()[12..])
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        write!(f, "{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.masked())
    }
}

/// Normalises typed input: upper-case, whitespace and dashes removed, `O`→`0`,
/// `I` and `L`→`1`. Characters outside the alphabet are kept so they can be reported.
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Formats input while it is typed: normalised and grouped by four with dashes.
pub fn format_partial(input: &str) -> String {
    let normalised = normalise(input);
    let mut out = String::with_capacity(normalised.len() + 3);
    for (i, c) in normalised.chars().enumerate() {
        if i > 0 && i.is_multiple_of(4) {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// Says what the input is, for instant feedback while typing.
pub fn inspect(input: &str) -> CodeInput {
    let normalised = normalise(input);
    let mut values = [0u8; LEN];
    let mut len = 0;
    for (position, character) in normalised.chars().enumerate() {
        let Some(value) = value_of(character) else {
            return CodeInput::BadCharacter {
                position,
                character,
            };
        };
        if let Some(slot) = values.get_mut(position) {
            *slot = value;
        }
        len = position + 1;
    }
    match len {
        0 => CodeInput::Empty,
        n if n < LEN => CodeInput::Incomplete { len: n },
        LEN if check_value(&values[..PAYLOAD_LEN]) == values[PAYLOAD_LEN] => {
            CodeInput::Valid(Code(values.map(|v| ALPHABET[usize::from(v)])))
        }
        LEN => CodeInput::CheckMismatch,
        n => CodeInput::TooLong { len: n },
    }
}

fn value_of(c: char) -> Option<u8> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod 32: from the rightmost payload character leftwards, every second value
/// (starting with the rightmost) is doubled and reduced as `2v / 32 + 2v % 32`; the
/// check value brings the sum to 0 mod 32.
fn check_value(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| {
            let v = u32::from(v);
            if i % 2 == 0 {
                let doubled = 2 * v;
                doubled / 32 + doubled % 32
            } else {
                v
            }
        })
        .sum();
    // `(32 - sum % 32) % 32` is always below 32.
    ((32 - sum % 32) % 32) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_check_characters() {
        // Rightmost payload value 1 is doubled to 2; 32 - 2 = 30 = 'Y'.
        assert!(Code::parse("000000000000001Y").is_ok());
        // 'G' = 16 doubled is 32, reduced 1 + 0 = 1; 32 - 1 = 31 = 'Z'.
        assert!(Code::parse("00000000000000GZ").is_ok());
        // The second value from the right is not doubled: 1; check 31 = 'Z'.
        assert!(Code::parse("000000000000010Z").is_ok());
        assert!(Code::parse("0000000000000000").is_ok());
        // The same payloads with any other check character fail.
        assert_eq!(
            Code::parse("000000000000001Z"),
            Err(Refusal::InvalidCodeFormat)
        );
        assert_eq!(inspect("000000000000010Y"), CodeInput::CheckMismatch);
    }

    #[test]
    fn normalises_case_dashes_spaces_and_lookalikes() {
        // Payload ends "…11": 1 doubled is 2, plus 1 undoubled is 3; 32 - 3 = 29 = 'X'.
        let code = Code::parse(" ooo0-0000 0000-0iLx").expect("valid after normalising");
        assert_eq!(code.as_str(), "000000000000011X");
        assert_eq!(code.to_string(), "0000-0000-0000-011X");
        assert_eq!(normalise("ab-cd efgh"), "ABCDEFGH");
    }

    #[test]
    fn says_what_is_wrong_while_typing() {
        assert_eq!(inspect(""), CodeInput::Empty);
        assert_eq!(inspect(" - "), CodeInput::Empty);
        assert_eq!(inspect("ABCD-EF"), CodeInput::Incomplete { len: 6 });
        assert_eq!(
            inspect("ABCU"),
            CodeInput::BadCharacter {
                position: 3,
                character: 'U'
            }
        );
        assert_eq!(
            inspect("AB€"),
            CodeInput::BadCharacter {
                position: 2,
                character: '€'
            }
        );
        assert_eq!(inspect("0000000000000000X"), CodeInput::TooLong { len: 17 });
    }

    #[test]
    fn formats_partial_input_in_groups_of_four() {
        assert_eq!(format_partial("abcd"), "ABCD");
        assert_eq!(format_partial("abcde"), "ABCD-E");
        assert_eq!(format_partial("abcd-efgh-ijkl-mnop"), "ABCD-EFGH-1JK1-MN0P");
        assert_eq!(format_partial(""), "");
    }

    #[test]
    fn debug_never_shows_the_whole_code() {
        let code = Code::from_payload([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
        let debug = format!("{code:?}");
        assert!(!debug.contains(&code.as_str()[..12]), "{debug}");
        assert!(debug.contains(&code.as_str()[12..]), "{debug}");
    }

    fn any_code() -> impl Strategy<Value = Code> {
        prop::array::uniform15(0u8..32).prop_map(Code::from_payload)
    }

    /// An independent statement of the Wikipedia "Luhn mod N" validation: walking from
    /// the rightmost character (the check character) leftwards with factors 1, 2, 1, …
    fn luhn_mod_32_valid(s: &str) -> bool {
        let mut factor = 1;
        let mut sum = 0;
        for c in s.chars().rev() {
            let Some(v) = value_of(c) else { return false };
            let addend = factor * u32::from(v);
            sum += addend / 32 + addend % 32;
            factor = if factor == 2 { 1 } else { 2 };
        }
        sum % 32 == 0
    }

    proptest! {
        #[test]
        fn every_generated_code_parses_back(code in any_code()) {
            prop_assert_eq!(Code::parse(code.as_str()), Ok(code.clone()));
            prop_assert_eq!(Code::parse(&code.to_string()), Ok(code.clone()));
            prop_assert_eq!(Code::parse(&code.to_string().to_lowercase()), Ok(code.clone()));
            prop_assert!(luhn_mod_32_valid(code.as_str()));
        }

        #[test]
        fn any_single_character_change_is_caught(
            code in any_code(),
            position in 0..LEN,
            replacement in 0u8..32,
        ) {
            let mut bytes = code.as_str().as_bytes().to_vec();
            let original = bytes[position];
            let new = ALPHABET[usize::from(replacement)];
            prop_assume!(new != original);
            bytes[position] = new;
            let typo = String::from_utf8(bytes).expect("ascii");
            prop_assert_eq!(inspect(&typo), CodeInput::CheckMismatch);
        }

        #[test]
        fn any_character_outside_the_alphabet_is_caught(
            code in any_code(),
            position in 0..LEN,
            bad in "[^0-9A-Za-z \\-]",
        ) {
            let mut chars: Vec<String> = code.as_str().chars().map(String::from).collect();
            chars[position] = bad;
            prop_assert!(Code::parse(&chars.concat()).is_err());
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,40}") {
            let _ = Code::parse(&input);
            let _ = format_partial(&input);
        }
    }
}
