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

/// `+` and 7 to 15 digits (a Polish number of 9 digits gets its `+48`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Email {
    /// An address a mail server accepts (spec §4): at most 254 characters; a local part
    /// of 1 to 64 characters, dot-separated words of letters (any script), digits and
    /// ``!#$%&'*+/=?^_`{|}~-``; a domain of at least two dot-separated labels of ASCII
    /// letters, digits and inner hyphens (at most 63 each), the last of letters only.
    /// Surrounding whitespace is trimmed. The server's tests check that its mailer takes
    /// every address this takes.
    pub fn parse(input: &str) -> Result<Email, Refusal> {
        let email = input.trim();
        let valid = email.chars().count() <= EMAIL_MAX
            && match email.split_once('@') {
                Some((local, domain)) => valid_local(local) && valid_domain(domain),
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

fn valid_local(local: &str) -> bool {
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    (1..=64).contains(&local.chars().count())
        && local
            .split('.')
            .all(|word| !word.is_empty() && word.chars().all(atext))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

impl Name {
    /// 1 to 100 characters after trimming, of letters (any script), spaces, hyphens,
    /// apostrophes and dots: so a name can carry no link into the mail it appears in.
    pub fn parse(input: &str) -> Result<Name, Refusal> {
        let name = input.trim();
        let len = name.chars().count();
        let allowed = |c: char| c.is_alphabetic() || " -'’.".contains(c);
        if (1..=NAME_MAX).contains(&len)
            && name.chars().all(allowed)
            && name.chars().any(char::is_alphabetic)
        {
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
    /// An empty input is no phone (`Ok(None)`). Spaces and dashes are ignored; `+` and
    /// 7 to 15 digits is an international number, 9 digits a Polish one (`+48…`).
    pub fn parse_optional(input: &str) -> Result<Option<Phone>, Refusal> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Ok(None);
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        match compact.strip_prefix('+') {
            Some(rest) if (7..=15).contains(&rest.len()) && digits(rest) => {
                Ok(Some(Phone(compact)))
            }
            None if compact.len() == 9 && digits(&compact) => {
                Ok(Some(Phone(format!("+48{compact}"))))
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
        // 10 + "@" + three labels of 63 + ".b." + "pl" = 254.
        let domain = format!("{0}.{0}.{0}.b.pl", "d".repeat(63));
        let at_limit = format!("{}@{domain}", "a".repeat(EMAIL_MAX - 1 - domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("a{at_limit}");
        assert_eq!(Email::parse(&over), Err(Refusal::InvalidRequest));
        // A local part of 64 at most, a label of 63 at most.
        assert!(Email::parse(&format!("{}@example.pl", "a".repeat(64))).is_ok());
        assert!(Email::parse(&format!("{}@example.pl", "a".repeat(65))).is_err());
        assert!(Email::parse(&format!("jan@{}.pl", "d".repeat(64))).is_err());
    }

    #[test]
    fn email_refuses_what_mail_servers_refuse() {
        for bad in [
            "jan..kowalski@example.pl",
            ".jan@example.pl",
            "jan.@example.pl",
            "jan@-example.pl",
            "jan@example-.pl",
            "jan@example.p1",
            "jan@example.p",
            "jan@exa_mple.pl",
            "jan<b>@example.pl",
            "jan\"x@example.pl",
            "jan@[127.0.0.1]",
            "http://evil@example.pl",
        ] {
            assert_eq!(Email::parse(bad), Err(Refusal::InvalidRequest), "{bad:?}");
        }
        for ok in [
            "jan+care@example.pl",
            "o'brien@example.ie",
            "a.b-c_d@sub.example.com",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
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
    fn a_name_is_letters_and_can_carry_no_link() {
        for ok in [
            "Jan Kowalski",
            "Anna-Maria Nowak",
            "O'Brien",
            "J. R. R. Tolkien",
            "Zoë Łukasiewicz",
            "D’Artagnan",
        ] {
            assert!(Name::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "evil.example/x",
            "Jan 2",
            "<b>Jan</b>",
            "Jan@home",
            "...",
            "- '",
        ] {
            assert_eq!(Name::parse(bad), Err(Refusal::InvalidRequest), "{bad}");
        }
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
        // Nine digits are a Polish number.
        let polish = Phone::parse_optional("600 100 200")
            .expect("valid")
            .expect("some");
        assert_eq!(polish.as_str(), "+48600100200");
        for bad in [
            "+123456",
            "+1234567890123456",
            "60010020",
            "6001002000",
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
