//! How mail leaves: `.eml` files in a folder (the embedded default) or an SMTP server
//! (`CARE_SMTP_URL`: `smtp://` with STARTTLS when offered, `smtps://`).

use super::outbox::OutboxEmail;
use anyhow::{Context, Result};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;

pub enum Mailer {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, outbox_dir: &Path) -> Result<Mailer> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("CARE_SMTP_URL")?
                    .build(),
            )),
            None => {
                std::fs::create_dir_all(outbox_dir)
                    .with_context(|| format!("creating {}", outbox_dir.display()))?;
                Ok(Mailer::Files(AsyncFileTransport::new(outbox_dir)))
            }
        }
    }

    /// Sends a queued message: `multipart/alternative` (plain text, then HTML), or
    /// plain text for a message queued before HTML alternatives existed.
    pub async fn send(&self, from: &Mailbox, email: &OutboxEmail) -> Result<()> {
        let builder = Message::builder()
            .from(from.clone())
            .to(email.to.parse().context("recipient")?)
            .subject(&email.subject)
            // Mail servers score a message without an id as spam; the outbox row makes
            // it unique and the sender's domain makes it ours.
            .message_id(Some(format!(
                "<outbox-{}-{}@{}>",
                email.id,
                crate::ids::random_id(),
                from.email.domain()
            )));
        let message = match &email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                html.clone(),
            ))?,
            None => builder
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(email.text.clone())?,
        };
        match self {
            Mailer::Files(t) => {
                t.send(message).await?;
            }
            Mailer::Smtp(t) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use care_rules::contact::Email;
    use lettre::message::Mailbox;
    use proptest::prelude::*;

    /// The outbox would retry an address the mailer cannot take 20 times and then give
    /// up, so every address the rules accept at input must be one lettre sends to.
    fn mailer_takes(input: &str) -> Result<(), TestCaseError> {
        if let Ok(email) = Email::parse(input) {
            let parsed = email.as_str().parse::<Mailbox>();
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", email.as_str(), parsed.err());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn every_accepted_address_is_sendable(
            local in "\\.?[a-zA-Z0-9!#$%&'*+/=?^_`{|}~ąłżÄßЖ日-]{1,12}(\\.{1,2}[a-zA-Z0-9'+_~ółЖ-]{1,8}){0,3}\\.?",
            domain in "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-zA-Z0-9-]{1,10}){0,3}\\.[a-zA-Z]{2,6}",
        ) {
            mailer_takes(&format!("{local}@{domain}"))?;
        }

        #[test]
        fn no_accepted_string_is_unsendable(input in "\\PC{0,30}@\\PC{0,30}") {
            mailer_takes(&input)?;
        }
    }

    #[test]
    fn corner_cases_are_sendable() {
        for input in [
            "jan+care@example.pl",
            "o'brien@example.ie",
            "zoë.łukasiewicz@example.pl",
            "a@b.pl",
            "x!#$%&'*+/=?^_`{|}~-@example.com",
            " jan@example.pl ",
        ] {
            assert!(Email::parse(input).is_ok(), "{input}");
            mailer_takes(input).expect(input);
        }
    }
}
