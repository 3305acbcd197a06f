//! An owner's contact details (spec §4): email, name, optional phone.

use crate::refusal::{FieldRefusal, Refusal};
use serde::Serialize;

pub const EMAIL_MAX: usize = 254;
pub const NAME_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Name(String);

/// `+` and 7 to 15 digits, spaces and dashes removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Email {
    /// At most 254 characters, one `@` with something before it, and a domain with a
    /// dot between non-empty labels. Surrounding whitespace is trimmed.
    pub fn parse(input: &str) -> Result<Email, Refusal> {
        let email = input.trim();
        let valid = email.chars().count() <= EMAIL_MAX
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && domain.split('.').all(|label| !label.is_empty())
                }
                None => false,
            };
        if valid {
            Ok(Email(email.to_owned()))
        } else {
            Err(Refusal::InvalidRequest)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `j***@example.com`, for lists and logs.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        }
    }
}

impl Name {
    /// 1 to 100 characters after trimming, no control characters.
    pub fn parse(input: &str) -> Result<Name, Refusal> {
        let name = input.trim();
        let len = name.chars().count();
        if (1..=NAME_MAX).contains(&len) && !name.chars().any(char::is_control) {
            Ok(Name(name.to_owned()))
        } else {
            Err(Refusal::InvalidRequest)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Phone {
    /// An empty input is no phone (`Ok(None)`).
    pub fn parse_optional(input: &str) -> Result<Option<Phone>, Refusal> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Ok(None);
        }
        match compact.strip_prefix('+') {
            Some(digits)
                if (7..=15).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Some(Phone(compact)))
            }
            _ => Err(Refusal::InvalidRequest),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The owner who activates a plan or files a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub name: Name,
    pub email: Email,
    pub phone: Option<Phone>,
}

impl Customer {
    /// Parses the three fields, naming the first bad one as it appears in the API body.
    pub fn parse(name: &str, email: &str, phone: Option<&str>) -> Result<Customer, FieldRefusal> {
        Ok(Customer {
            name: Name::parse(name).map_err(|r| FieldRefusal::new("customer.name", r))?,
            email: Email::parse(email).map_err(|r| FieldRefusal::new("customer.email", r))?,
            phone: Phone::parse_optional(phone.unwrap_or_default())
                .map_err(|r| FieldRefusal::new("customer.phone", r))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_ordinary_addresses() {
        for ok in ["jan@example.pl", " a.b+c@sub.example.com ", "ż@dji.pl"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Email::parse(" jan@example.pl ").map(|e| e.as_str().to_owned()),
            Ok("jan@example.pl".to_owned())
        );
    }

    #[test]
    fn email_refuses_malformed_addresses() {
        for bad in [
            "",
            "jan",
            "jan@",
            "@example.pl",
            "jan@example",
            "jan@@example.pl",
            "jan@ex@ample.pl",
            "jan@.pl",
            "jan@example.",
            "jan kowalski@example.pl",
        ] {
            assert_eq!(Email::parse(bad), Err(Refusal::InvalidRequest), "{bad:?}");
        }
    }

    #[test]
    fn email_length_boundary_is_254() {
        let domain = "@example.pl"; // 11 characters
        let at_limit = format!("{}{domain}", "a".repeat(EMAIL_MAX - domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("a{at_limit}");
        assert_eq!(Email::parse(&over), Err(Refusal::InvalidRequest));
    }

    #[test]
    fn email_is_masked_for_lists() {
        let email = Email::parse("jan@example.pl").expect("valid");
        assert_eq!(email.masked(), "j***@example.pl");
    }

    #[test]
    fn name_is_1_to_100_characters() {
        assert_eq!(Name::parse("   "), Err(Refusal::InvalidRequest));
        assert!(Name::parse("J").is_ok());
        assert!(Name::parse(&"ż".repeat(100)).is_ok());
        assert_eq!(Name::parse(&"ż".repeat(101)), Err(Refusal::InvalidRequest));
        assert_eq!(Name::parse("Jan\u{7}"), Err(Refusal::InvalidRequest));
    }

    #[test]
    fn phone_is_plus_and_7_to_15_digits() {
        assert_eq!(Phone::parse_optional(""), Ok(None));
        assert_eq!(Phone::parse_optional("  "), Ok(None));
        assert!(Phone::parse_optional("+1234567").expect("valid").is_some());
        assert!(
            Phone::parse_optional("+48 600-100-200")
                .expect("valid")
                .is_some()
        );
        assert!(
            Phone::parse_optional("+123456789012345")
                .expect("valid")
                .is_some()
        );
        for bad in [
            "+123456",
            "+1234567890123456",
            "600100200",
            "+48 600 1OO 200",
            "++48600100200",
        ] {
            assert_eq!(
                Phone::parse_optional(bad),
                Err(Refusal::InvalidRequest),
                "{bad}"
            );
        }
    }

    #[test]
    fn customer_names_the_bad_field() {
        assert!(Customer::parse("Jan", "jan@example.pl", None).is_ok());
        let err = Customer::parse("Jan", "nope", Some("+48600100200")).expect_err("bad email");
        assert_eq!(err.field, "customer.email");
        let err = Customer::parse("", "jan@example.pl", None).expect_err("bad name");
        assert_eq!(err.field, "customer.name");
        let err = Customer::parse("Jan", "jan@example.pl", Some("12")).expect_err("bad phone");
        assert_eq!(
            err,
            FieldRefusal::new("customer.phone", Refusal::InvalidRequest)
        );
    }
}
