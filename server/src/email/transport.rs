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
            .subject(&email.subject);
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
