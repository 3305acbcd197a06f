//! Email: the messages the portal sends, and the worker that delivers the outbox.
//! Messages are written to the outbox in the transaction of the change that causes
//! them; the worker sends them with lettre, retrying with back-off until they go.

use crate::storage::{NewEmail, OutboxEmail, Store};
use anyhow::{Context, Result};
use care_rules::api::CoverageDocument;
use care_rules::time::warsaw_display;
use care_rules::{Lang, Product, Timestamp};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a worker may hold a message before another may try it.
const LEASE_SECONDS: i64 = 120;
/// After this many failed attempts a message waits for an operator.
const MAX_ATTEMPTS: u32 = 20;

pub enum Mailer {
    /// `.eml` files in a folder: the embedded default.
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

    async fn send(&self, message: Message) -> Result<()> {
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

/// Delivers due messages until the process ends; wakes when notified or every 5 s.
pub async fn run_outbox(store: Arc<dyn Store>, mailer: Mailer, from: Mailbox, wake: Arc<Notify>) {
    loop {
        if let Err(e) = deliver_due(store.as_ref(), &mailer, &from).await {
            tracing::warn!(error = format!("{e:#}"), "outbox delivery failed; retrying");
        }
        tokio::select! {
            () = wake.notified() => {},
            () = tokio::time::sleep(Duration::from_secs(5)) => {},
        }
    }
}

/// One pass over the outbox; returns how many messages went out.
pub async fn deliver_due(store: &dyn Store, mailer: &Mailer, from: &Mailbox) -> Result<usize> {
    let now = Timestamp::now().as_second();
    let due = store.lease_due_emails(now, now + LEASE_SECONDS, 50).await?;
    let mut sent = 0;
    for email in due {
        match send_one(mailer, from, &email).await {
            Ok(()) => {
                store
                    .mark_email_sent(email.id, Timestamp::now().as_second())
                    .await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = email.attempts + 1;
                let next = if attempts >= MAX_ATTEMPTS {
                    tracing::error!(
                        id = email.id,
                        "an email failed {MAX_ATTEMPTS} times; it waits for an operator"
                    );
                    i64::MAX
                } else {
                    now + backoff_seconds(attempts)
                };
                tracing::warn!(
                    id = email.id,
                    attempts,
                    error = format!("{e:#}"),
                    "email not sent"
                );
                store
                    .mark_email_failed(email.id, &format!("{e:#}"), next)
                    .await?;
            }
        }
    }
    Ok(sent)
}

async fn send_one(mailer: &Mailer, from: &Mailbox, email: &OutboxEmail) -> Result<()> {
    let message = Message::builder()
        .from(from.clone())
        .to(email.to.parse().context("recipient")?)
        .subject(&email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())?;
    mailer.send(message).await
}

/// 30 s, 1 min, 2 min, … up to an hour between attempts.
fn backoff_seconds(attempts: u32) -> i64 {
    (30i64 << attempts.min(7)).min(3600)
}

/// What an activation email says.
pub struct ActivationMail<'a> {
    pub lang: Lang,
    pub to: &'a str,
    pub name: &'a str,
    pub product: &'a Product,
    pub extension: bool,
    pub coverage: &'a CoverageDocument,
}

/// The activation (or extension) confirmation: the coverage summary, dates in
/// Europe/Warsaw, the next fee.
pub fn activation_confirmation(mail: &ActivationMail<'_>) -> NewEmail {
    let ActivationMail {
        lang,
        to,
        name,
        product,
        extension,
        coverage: c,
    } = *mail;
    let when = |t: Option<Timestamp>| t.map(|t| warsaw_display(t, lang)).unwrap_or_default();
    let fee = c
        .next_fee_grosze
        .map(|f| f.display(lang))
        .unwrap_or_else(|| "—".to_owned());
    let serial = &c.serial;
    let (subject, body) = match lang {
        Lang::Pl => (
            format!(
                "Care Refresh {}: {} {serial}",
                if extension {
                    "przedłużony"
                } else {
                    "aktywny"
                },
                product.name
            ),
            format!(
                "Dzień dobry {name},\n\n\
                 {} DJI Care Refresh dla urządzenia {} (numer seryjny {serial}).\n\n\
                 Ochrona: od {} do {} (czas polski)\n\
                 Wymiany: pozostało {} z {}\n\
                 Opłata za następną wymianę: {fee}\n\
                 Przedłużenie planem rocznym możliwe do: {}\n\n\
                 Stan ochrony sprawdzisz w portalu po numerze seryjnym.\n\
                 Zespół Care Refresh\n",
                if extension {
                    "Przedłużyliśmy plan"
                } else {
                    "Aktywowaliśmy plan"
                },
                product.name,
                when(c.starts_at),
                when(c.ends_at),
                c.replacements.remaining,
                c.replacements.total,
                when(c.extension.deadline),
            ),
        ),
        Lang::En => (
            format!(
                "Care Refresh {}: {} {serial}",
                if extension { "extended" } else { "activated" },
                product.name
            ),
            format!(
                "Hello {name},\n\n\
                 {} DJI Care Refresh for your {} (serial number {serial}).\n\n\
                 Coverage: from {} to {} (Warsaw time)\n\
                 Replacements: {} of {} left\n\
                 Fee of the next replacement: {fee}\n\
                 Can be extended with an annual plan until: {}\n\n\
                 Check your coverage in the portal by serial number.\n\
                 The Care Refresh team\n",
                if extension {
                    "We extended"
                } else {
                    "We activated"
                },
                product.name,
                when(c.starts_at),
                when(c.ends_at),
                c.replacements.remaining,
                c.replacements.total,
                when(c.extension.deadline),
            ),
        ),
    };
    NewEmail {
        to: to.to_owned(),
        subject,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use care_rules::{Coverage, Plan, Serial, Term};

    #[test]
    fn the_confirmation_has_warsaw_dates_and_the_next_fee() {
        let product = Product::find("osmo-360").expect("in catalogue");
        let start: Timestamp = "2026-11-24T10:00:00Z".parse().expect("instant");
        let c = Coverage::begin(Term::new(Plan::Annual, start));
        let serial = Serial::parse("DEMO360NEW01").expect("serial");
        let doc = CoverageDocument::build(&serial, product, Some(&c), None, start);
        let mail = |lang| ActivationMail {
            lang,
            to: "jan@example.pl",
            name: "Jan",
            product,
            extension: false,
            coverage: &doc,
        };
        let pl = activation_confirmation(&mail(Lang::Pl));
        assert_eq!(
            pl.subject,
            "Care Refresh aktywny: DJI Osmo 360 DEMO360NEW01"
        );
        assert!(
            pl.body
                .contains("od 24.11.2026, 11:00 do 24.11.2027, 11:00"),
            "{}",
            pl.body
        );
        assert!(pl.body.contains("pozostało 2 z 2"));
        assert!(pl.body.contains("169,00 zł"));
        assert!(pl.body.contains("09.12.2027, 11:00"));
        let en = activation_confirmation(&mail(Lang::En));
        assert!(en.body.contains("PLN 169.00"), "{}", en.body);
        assert!(
            en.body
                .contains("from 24 Nov 2026, 11:00 to 24 Nov 2027, 11:00")
        );
    }

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(2), 120);
        assert_eq!(backoff_seconds(10), 3600);
    }
}
