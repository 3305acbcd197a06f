//! Email: the messages the portal sends, and the worker that delivers the outbox.
//! Messages are written to the outbox in the transaction of the change that causes
//! them; the worker sends them with lettre, retrying with back-off until they go.

use crate::storage::{ClaimRecord, EndingCoverage, NewEmail, OutboxEmail, Store};
use anyhow::{Context, Result};
use care_rules::api::CoverageDocument;
use care_rules::time::warsaw_display;
use care_rules::{Lang, Money, Product, RejectReason, Serial, Timestamp};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a worker may hold a message before another may try it.
const LEASE_SECONDS: i64 = 120;
/// A send that takes longer is given up (and retried later), well inside its lease, so
/// that no other instance's worker can lease the message while it is still going out.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Messages one pass sends at most.
const PASS: usize = 50;
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
    let mut sent = 0;
    for _ in 0..PASS {
        // One message per lease: the lease starts when its send does.
        let now = Timestamp::now().as_second();
        let Some(email) = store.lease_due_email(now, now + LEASE_SECONDS).await? else {
            break;
        };
        let outcome = tokio::time::timeout(SEND_TIMEOUT, send_one(mailer, from, &email))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer in {SEND_TIMEOUT:?}")));
        match outcome {
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

/// The case's link, sent when the owner opens a verification case.
pub fn verification_opened(lang: Lang, to: &str, serial: &Serial, link: &str) -> NewEmail {
    let (subject, body) = match lang {
        Lang::Pl => (
            format!("Care Refresh: film weryfikacyjny dla {serial}"),
            format!(
                "Dzień dobry,\n\n\
                 założyliśmy sprawę weryfikacji urządzenia o numerze seryjnym {serial}.\n\
                 Tu prześlesz film i sprawdzisz, co się z nim dzieje:\n{link}\n\n\
                 Film: jedno ujęcie bez cięć, widoczna etykieta z numerem seryjnym, włączenie\n\
                 urządzenia, każda strona i obiektyw, działanie każdej funkcji. MP4 lub MOV, do 2 GiB.\n\n\
                 Zespół Care Refresh\n"
            ),
        ),
        Lang::En => (
            format!("Care Refresh: verification video for {serial}"),
            format!(
                "Hello,\n\n\
                 we opened a verification case for the device with serial number {serial}.\n\
                 Upload the video and follow its review here:\n{link}\n\n\
                 The video: one continuous shot, the serial number label, the device powering on,\n\
                 every side and lens, each function working. MP4 or MOV, up to 2 GiB.\n\n\
                 The Care Refresh team\n"
            ),
        ),
    };
    NewEmail {
        to: to.to_owned(),
        subject,
        body,
    }
}

/// The video was accepted: activate before the deadline.
pub fn verification_accepted(
    lang: Lang,
    to: &str,
    serial: &str,
    deadline: Timestamp,
    link: &str,
) -> NewEmail {
    let until = warsaw_display(deadline, lang);
    let (subject, body) = match lang {
        Lang::Pl => (
            format!("Care Refresh: film zaakceptowany ({serial})"),
            format!(
                "Dzień dobry,\n\n\
                 film weryfikacyjny urządzenia {serial} został zaakceptowany.\n\
                 Aktywuj plan do {until} (czas polski), czyli w ciągu 72 godzin;\n\
                 później potrzebny będzie nowy film.\n{link}\n\n\
                 Zespół Care Refresh\n"
            ),
        ),
        Lang::En => (
            format!("Care Refresh: video accepted ({serial})"),
            format!(
                "Hello,\n\n\
                 the verification video of device {serial} was accepted.\n\
                 Activate your plan by {until} (Warsaw time), within 72 hours;\n\
                 after that a new video is needed.\n{link}\n\n\
                 The Care Refresh team\n"
            ),
        ),
    };
    NewEmail {
        to: to.to_owned(),
        subject,
        body,
    }
}

/// Why a video was rejected, as the owner reads it.
pub fn reject_reason_text(reason: RejectReason, lang: Lang) -> &'static str {
    use RejectReason::*;
    match (reason, lang) {
        (SerialNotVisible, Lang::Pl) => "numer seryjny nie jest widoczny",
        (SerialNotVisible, Lang::En) => "the serial number is not visible",
        (DeviceDamaged, Lang::Pl) => "urządzenie jest uszkodzone",
        (DeviceDamaged, Lang::En) => "the device is damaged",
        (VideoEdited, Lang::Pl) => "film jest zmontowany lub przycięty",
        (VideoEdited, Lang::En) => "the video is edited or cut",
        (WrongDevice, Lang::Pl) => "na filmie jest inne urządzenie",
        (WrongDevice, Lang::En) => "the video shows another device",
        (PoorQuality, Lang::Pl) => "jakość filmu jest zbyt słaba",
        (PoorQuality, Lang::En) => "the video quality is too poor",
        (Other, Lang::Pl) => "inny powód",
        (Other, Lang::En) => "another reason",
    }
}

/// The video was rejected, with the reason.
pub fn verification_rejected(
    lang: Lang,
    to: &str,
    serial: &str,
    reason: Option<RejectReason>,
    note: Option<&str>,
    link: &str,
) -> NewEmail {
    let reason = reason
        .map(|r| reject_reason_text(r, lang))
        .unwrap_or_default();
    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
    let (subject, body) = match lang {
        Lang::Pl => (
            format!("Care Refresh: film odrzucony ({serial})"),
            format!(
                "Dzień dobry,\n\n\
                 nie możemy przyjąć filmu weryfikacyjnego urządzenia {serial}: {reason}{note}.\n\
                 Możesz założyć nową sprawę i nagrać film jeszcze raz:\n{link}\n\n\
                 Zespół Care Refresh\n"
            ),
        ),
        Lang::En => (
            format!("Care Refresh: video rejected ({serial})"),
            format!(
                "Hello,\n\n\
                 we cannot accept the verification video of device {serial}: {reason}{note}.\n\
                 You can open a new case and record the video again:\n{link}\n\n\
                 The Care Refresh team\n"
            ),
        ),
    };
    NewEmail {
        to: to.to_owned(),
        subject,
        body,
    }
}

/// A message in the owner's language: Polish or English subject and body.
fn in_lang(lang: Lang, to: &str, pl: (String, String), en: (String, String)) -> NewEmail {
    let (subject, body) = match lang {
        Lang::Pl => pl,
        Lang::En => en,
    };
    NewEmail {
        to: to.to_owned(),
        subject,
        body,
    }
}

fn signature(lang: Lang) -> &'static str {
    match lang {
        Lang::Pl => "\nZespół Care Refresh\n",
        Lang::En => "\nThe Care Refresh team\n",
    }
}

/// The claim's link and what to expect, when it is filed.
pub fn claim_filed(lang: Lang, claim: &ClaimRecord, fee: Option<Money>, link: &str) -> NewEmail {
    let serial = &claim.serial;
    let offer_pl = fee.map_or_else(
        || "Wymiana w ramach Care Refresh nie jest dostępna dla tego zgłoszenia.".to_owned(),
        |f| {
            format!(
                "Możesz skorzystać z wymiany Care Refresh za {}.",
                f.display(Lang::Pl)
            )
        },
    );
    let offer_en = fee.map_or_else(
        || "A Care Refresh replacement is not available for this claim.".to_owned(),
        |f| {
            format!(
                "You can use a Care Refresh replacement for {}.",
                f.display(Lang::En)
            )
        },
    );
    in_lang(
        lang,
        &claim.customer_email,
        (
            format!("Care Refresh: zgłoszenie serwisowe {serial}"),
            format!(
                "Dzień dobry {},\n\nprzyjęliśmy zgłoszenie dla urządzenia {serial}. {offer_pl}\n\
                 Wyślij urządzenie do serwisu; po jego sprawdzeniu dostaniesz wycenę naprawy i\n\
                 wybierzesz naprawę albo wymianę. Odeślemy je priorytetowo i bez opłat za wysyłkę.\n\
                 Zgłoszenie śledzisz tu:\n{link}\n{}",
                claim.customer_name,
                signature(Lang::Pl)
            ),
        ),
        (
            format!("Care Refresh: service request {serial}"),
            format!(
                "Hello {},\n\nwe received your claim for device {serial}. {offer_en}\n\
                 Send the device to the service centre; once it is checked you get a repair quote\n\
                 and choose between the repair and a replacement. It comes back by priority, free\n\
                 shipping. Follow the claim here:\n{link}\n{}",
                claim.customer_name,
                signature(Lang::En)
            ),
        ),
    )
}

/// The repair quote, beside the Care Refresh fee.
pub fn quote_ready(
    lang: Lang,
    claim: &ClaimRecord,
    amount: Money,
    note: &str,
    care_refresh_fee: Option<Money>,
    link: &str,
) -> NewEmail {
    let serial = &claim.serial;
    let cr = |l: Lang| {
        care_refresh_fee
            .map(|f| f.display(l))
            .unwrap_or_else(|| match l {
                Lang::Pl => "niedostępna".to_owned(),
                Lang::En => "not available".to_owned(),
            })
    };
    in_lang(
        lang,
        &claim.customer_email,
        (
            format!("Care Refresh: wycena naprawy {serial}"),
            format!(
                "Dzień dobry,\n\nwycena naprawy urządzenia {serial}: {} ({note}).\n\
                 Wymiana w ramach Care Refresh: {}.\nWybierz, co wolisz:\n{link}\n{}",
                amount.display(Lang::Pl),
                cr(Lang::Pl),
                signature(Lang::Pl)
            ),
        ),
        (
            format!("Care Refresh: repair quote {serial}"),
            format!(
                "Hello,\n\nthe repair of device {serial} is quoted at {} ({note}).\n\
                 A Care Refresh replacement: {}.\nChoose which you prefer:\n{link}\n{}",
                amount.display(Lang::En),
                cr(Lang::En),
                signature(Lang::En)
            ),
        ),
    )
}

pub fn claim_warranty(lang: Lang, claim: &ClaimRecord, link: &str) -> NewEmail {
    let serial = &claim.serial;
    in_lang(
        lang,
        &claim.customer_email,
        (
            format!("Care Refresh: naprawa gwarancyjna {serial}"),
            format!(
                "Dzień dobry,\n\nusterka urządzenia {serial} jest objęta gwarancją: naprawimy je\n\
                 bezpłatnie, bez wykorzystania wymiany Care Refresh.\n{link}\n{}",
                signature(Lang::Pl)
            ),
        ),
        (
            format!("Care Refresh: warranty repair {serial}"),
            format!(
                "Hello,\n\nthe fault of device {serial} is covered by the warranty: we repair it\n\
                 free of charge, using no Care Refresh replacement.\n{link}\n{}",
                signature(Lang::En)
            ),
        ),
    )
}

pub fn claim_declined(lang: Lang, claim: &ClaimRecord, reason: &str, link: &str) -> NewEmail {
    let serial = &claim.serial;
    in_lang(
        lang,
        &claim.customer_email,
        (
            format!("Care Refresh: zgłoszenie odrzucone {serial}"),
            format!(
                "Dzień dobry,\n\nnie możemy przyjąć zgłoszenia dla urządzenia {serial}: {reason}.\n\
                 Odeślemy urządzenie bez opłat.\n{link}\n{}",
                signature(Lang::Pl)
            ),
        ),
        (
            format!("Care Refresh: claim declined {serial}"),
            format!(
                "Hello,\n\nwe cannot accept the claim for device {serial}: {reason}.\n\
                 We send the device back free of charge.\n{link}\n{}",
                signature(Lang::En)
            ),
        ),
    )
}

/// Shipped, with the tracking number (and the replacement unit's serial).
pub fn claim_shipped(lang: Lang, claim: &ClaimRecord, tracking: &str, link: &str) -> NewEmail {
    let serial = &claim.serial;
    let unit_pl = claim
        .replacement_serial
        .as_ref()
        .map(|s| {
            format!(
                "\nUrządzenie zastępcze ma numer seryjny {s}; ochrona Care Refresh przeszła na nie."
            )
        })
        .unwrap_or_default();
    let unit_en = claim
        .replacement_serial
        .as_ref()
        .map(|s| format!("\nThe replacement unit's serial number is {s}; the Care Refresh coverage moved to it."))
        .unwrap_or_default();
    in_lang(
        lang,
        &claim.customer_email,
        (
            format!("Care Refresh: wysłaliśmy przesyłkę {serial}"),
            format!(
                "Dzień dobry,\n\nwysłaliśmy przesyłkę priorytetową, bez opłat.\n\
                 Numer przesyłki: {tracking}{unit_pl}\n{link}\n{}",
                signature(Lang::Pl)
            ),
        ),
        (
            format!("Care Refresh: shipped {serial}"),
            format!(
                "Hello,\n\nwe shipped your parcel by priority, free shipping.\n\
                 Tracking number: {tracking}{unit_en}\n{link}\n{}",
                signature(Lang::En)
            ),
        ),
    )
}

/// The reminders of a coverage's end: 30 days before it, and at it (15 days to extend).
pub fn coverage_reminder(
    lang: Lang,
    ending: &EndingCoverage,
    at_end: bool,
    coverage_link: &str,
) -> NewEmail {
    let serial = &ending.serial;
    let deadline = ending.ends_at + crate::reminders::EXTENSION_GRACE;
    let end = |l| warsaw_display(ending.ends_at, l);
    let until = |l| warsaw_display(deadline, l);
    if at_end {
        in_lang(
            lang,
            &ending.email,
            (
                format!("Care Refresh: ochrona {serial} się skończyła"),
                format!(
                    "Dzień dobry {},\n\nochrona Care Refresh urządzenia {serial} skończyła się\n\
                     {} (czas polski). Masz 15 dni, do {}, aby przedłużyć ją planem rocznym.\n\
                     {coverage_link}\n{}",
                    ending.name,
                    end(Lang::Pl),
                    until(Lang::Pl),
                    signature(Lang::Pl)
                ),
            ),
            (
                format!("Care Refresh: coverage of {serial} has ended"),
                format!(
                    "Hello {},\n\nthe Care Refresh coverage of device {serial} ended on\n\
                     {} (Warsaw time). You have 15 days, until {}, to extend it with an annual plan.\n\
                     {coverage_link}\n{}",
                    ending.name,
                    end(Lang::En),
                    until(Lang::En),
                    signature(Lang::En)
                ),
            ),
        )
    } else {
        in_lang(
            lang,
            &ending.email,
            (
                format!("Care Refresh: ochrona {serial} kończy się za 30 dni"),
                format!(
                    "Dzień dobry {},\n\nochrona Care Refresh urządzenia {serial} kończy się\n\
                     {} (czas polski). Przedłużysz ją planem rocznym do {}.\n{coverage_link}\n{}",
                    ending.name,
                    end(Lang::Pl),
                    until(Lang::Pl),
                    signature(Lang::Pl)
                ),
            ),
            (
                format!("Care Refresh: coverage of {serial} ends in 30 days"),
                format!(
                    "Hello {},\n\nthe Care Refresh coverage of device {serial} ends on\n\
                     {} (Warsaw time). You can extend it with an annual plan until {}.\n{coverage_link}\n{}",
                    ending.name,
                    end(Lang::En),
                    until(Lang::En),
                    signature(Lang::En)
                ),
            ),
        )
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
    fn decisions_tell_the_deadline_or_the_reason() {
        let deadline: Timestamp = "2026-11-27T10:00:00Z".parse().expect("instant");
        let ok = verification_accepted(
            Lang::Pl,
            "a@b.pl",
            "SN0000000001",
            deadline,
            "http://x/verification/1",
        );
        assert!(
            ok.body.contains("do 27.11.2026, 11:00 (czas polski)"),
            "{}",
            ok.body
        );
        assert!(ok.body.contains("http://x/verification/1"));
        let no = verification_rejected(
            Lang::En,
            "a@b.pl",
            "SN0000000001",
            Some(RejectReason::Other),
            Some("the lens is covered"),
            "http://x",
        );
        assert!(
            no.body.contains("another reason (the lens is covered)"),
            "{}",
            no.body
        );
    }

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(2), 120);
        assert_eq!(backoff_seconds(10), 3600);
    }
}
