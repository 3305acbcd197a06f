//! The messages the portal sends, one struct each. The words live in
//! `server/templates/email/<message>.<lang>.txt` (a `subject` and a `body` block),
//! compiled and checked by askama; each struct holds its values already formatted in
//! the owner's language (money, Warsaw dates), so templates only place them.

use askama::Template;
use care_rules::api::CoverageDocument;
use care_rules::time::warsaw_display;
use care_rules::{Lang, Money, Product, RejectReason, Timestamp};

/// A message in its owner's language.
pub trait Message {
    fn lang(&self) -> Lang;
    /// The subject and the plain-text body.
    fn render(&self) -> askama::Result<(String, String)>;
    /// The portal link the message carries: the one piece of its text the HTML
    /// alternative makes a link (nothing an owner typed ever becomes one).
    fn link(&self) -> &str;
    /// Whether the message goes out at once whatever the recipient's hourly limit:
    /// a confirmation of what the owner did or paid, or a decision that starts a
    /// deadline. Nobody but the owner or staff can cause one, unlike the messages a
    /// stranger can send to any address (a case opened, a claim filed), which wait
    /// their turn above the limit.
    fn essential(&self) -> bool;
}

/// Implements [`Message`] for `$message` with its Polish and English templates.
macro_rules! message {
    ($message:ident, $pl:ident = $pl_path:literal, $en:ident = $en_path:literal) => {
        message!($message, $pl = $pl_path, $en = $en_path, essential = false);
    };
    ($message:ident, $pl:ident = $pl_path:literal, $en:ident = $en_path:literal, essential = $essential:literal) => {
        #[derive(Template)]
        #[template(path = $pl_path, blocks = ["subject", "body"])]
        struct $pl<'a> {
            m: &'a $message,
        }

        #[derive(Template)]
        #[template(path = $en_path, blocks = ["subject", "body"])]
        struct $en<'a> {
            m: &'a $message,
        }

        impl Message for $message {
            fn lang(&self) -> Lang {
                self.lang
            }

            fn render(&self) -> askama::Result<(String, String)> {
                match self.lang {
                    Lang::Pl => {
                        let t = $pl { m: self };
                        Ok((t.as_subject().render()?, t.as_body().render()?))
                    }
                    Lang::En => {
                        let t = $en { m: self };
                        Ok((t.as_subject().render()?, t.as_body().render()?))
                    }
                }
            }

            fn link(&self) -> &str {
                &self.link
            }

            fn essential(&self) -> bool {
                $essential
            }
        }
    };
}

fn when(t: Timestamp, lang: Lang) -> String {
    warsaw_display(t, lang)
}

/// An activation or extension confirmed: the coverage summary, dates in Europe/Warsaw,
/// the next fee.
pub struct Activated {
    pub lang: Lang,
    pub name: String,
    pub product: String,
    pub serial: String,
    pub extension: bool,
    pub starts: String,
    pub ends: String,
    pub remaining: u32,
    pub total: u32,
    pub fee: String,
    pub extend_until: String,
    pub link: String,
}
message!(
    Activated,
    ActivatedPl = "email/activated.pl.txt",
    ActivatedEn = "email/activated.en.txt",
    essential = true
);

impl Activated {
    pub fn new(
        lang: Lang,
        name: &str,
        product: &Product,
        extension: bool,
        coverage: &CoverageDocument,
        link: String,
    ) -> Activated {
        let at = |t: Option<Timestamp>| t.map(|t| when(t, lang)).unwrap_or_default();
        Activated {
            lang,
            name: name.to_owned(),
            product: product.name.to_owned(),
            serial: coverage.serial.clone(),
            extension,
            starts: at(coverage.starts_at),
            ends: at(coverage.ends_at),
            remaining: coverage.replacements.remaining,
            total: coverage.replacements.total,
            fee: coverage
                .next_fee_grosze
                .map_or_else(|| "—".to_owned(), |f| f.display(lang)),
            extend_until: at(coverage.extension.deadline),
            link,
        }
    }
}

/// A sign-in link to the owner's page: single use, valid for 30 minutes from when it
/// is queued, so it goes out at once, past the hourly limit (a link held back an hour
/// would arrive dead). What anyone can send to an address is bounded by the asks per
/// address instead (3 in 15 minutes).
pub struct OwnerSignIn {
    pub lang: Lang,
    pub minutes: i64,
    pub link: String,
}
message!(
    OwnerSignIn,
    OwnerSignInPl = "email/owner_sign_in.pl.txt",
    OwnerSignInEn = "email/owner_sign_in.en.txt",
    essential = true
);

/// A verification case opened: its link and what the video must show.
pub struct CaseOpened {
    pub lang: Lang,
    pub serial: String,
    pub link: String,
}
message!(
    CaseOpened,
    CaseOpenedPl = "email/case_opened.pl.txt",
    CaseOpenedEn = "email/case_opened.en.txt"
);

/// The video was accepted: activate within 72 hours.
pub struct VideoAccepted {
    pub lang: Lang,
    pub serial: String,
    pub until: String,
    pub link: String,
}
message!(
    VideoAccepted,
    VideoAcceptedPl = "email/video_accepted.pl.txt",
    VideoAcceptedEn = "email/video_accepted.en.txt",
    essential = true
);

impl VideoAccepted {
    pub fn new(lang: Lang, serial: &str, deadline: Timestamp, link: String) -> VideoAccepted {
        VideoAccepted {
            lang,
            serial: serial.to_owned(),
            until: when(deadline, lang),
            link,
        }
    }
}

/// The video was rejected, with the reason.
pub struct VideoRejected {
    pub lang: Lang,
    pub serial: String,
    pub reason: String,
    pub note: Option<String>,
    pub link: String,
}
message!(
    VideoRejected,
    VideoRejectedPl = "email/video_rejected.pl.txt",
    VideoRejectedEn = "email/video_rejected.en.txt"
);

impl VideoRejected {
    pub fn new(
        lang: Lang,
        serial: &str,
        reason: Option<RejectReason>,
        note: Option<&str>,
        link: String,
    ) -> VideoRejected {
        VideoRejected {
            lang,
            serial: serial.to_owned(),
            reason: reason
                .map(|r| reject_reason_text(r, lang))
                .unwrap_or_default()
                .to_owned(),
            note: note.map(str::to_owned),
            link,
        }
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

/// A claim filed: its number, link and what to expect.
pub struct ClaimFiled {
    pub lang: Lang,
    pub name: String,
    pub number: String,
    pub serial: String,
    /// Where the device goes.
    pub service_address: String,
    pub care_refresh_fee: Option<String>,
    pub link: String,
}
message!(
    ClaimFiled,
    ClaimFiledPl = "email/claim_filed.pl.txt",
    ClaimFiledEn = "email/claim_filed.en.txt"
);

/// The repair quote, beside the Care Refresh fee.
pub struct QuoteReady {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub amount: String,
    pub note: String,
    pub care_refresh_fee: Option<String>,
    pub link: String,
}
message!(
    QuoteReady,
    QuoteReadyPl = "email/quote_ready.pl.txt",
    QuoteReadyEn = "email/quote_ready.en.txt"
);

/// A warranty case: repaired free of charge.
pub struct ClaimWarranty {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub link: String,
}
message!(
    ClaimWarranty,
    ClaimWarrantyPl = "email/claim_warranty.pl.txt",
    ClaimWarrantyEn = "email/claim_warranty.en.txt"
);

/// Declined, with the reason.
pub struct ClaimDeclined {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub reason: String,
    pub link: String,
}
message!(
    ClaimDeclined,
    ClaimDeclinedPl = "email/claim_declined.pl.txt",
    ClaimDeclinedEn = "email/claim_declined.en.txt"
);

/// Shipped, with the tracking number (and the replacement unit's serial).
pub struct ClaimShipped {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub tracking: String,
    pub replacement_serial: Option<String>,
    pub link: String,
}
message!(
    ClaimShipped,
    ClaimShippedPl = "email/claim_shipped.pl.txt",
    ClaimShippedEn = "email/claim_shipped.en.txt"
);

/// The receipt of a claim's payment, online or by transfer.
pub struct PaymentReceived {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub amount: String,
    /// `karta`/`card`, `BLIK`, `przelew`/`bank transfer`.
    pub method: String,
    /// The provider's reference of an online payment.
    pub reference: Option<String>,
    pub link: String,
}
message!(
    PaymentReceived,
    PaymentReceivedPl = "email/payment_received.pl.txt",
    PaymentReceivedEn = "email/payment_received.en.txt",
    essential = true
);

/// A paid claim refunded before shipping.
pub struct PaymentRefunded {
    pub lang: Lang,
    pub number: String,
    pub serial: String,
    pub amount: String,
    pub reason: String,
    pub link: String,
}
message!(
    PaymentRefunded,
    PaymentRefundedPl = "email/payment_refunded.pl.txt",
    PaymentRefundedEn = "email/payment_refunded.en.txt",
    essential = true
);

/// 30 days before a coverage ends.
pub struct CoverageEnding {
    pub lang: Lang,
    pub name: String,
    pub serial: String,
    pub ends: String,
    pub until: String,
    pub link: String,
}
message!(
    CoverageEnding,
    CoverageEndingPl = "email/coverage_ending.pl.txt",
    CoverageEndingEn = "email/coverage_ending.en.txt"
);

/// At a coverage's end: 15 days left to extend.
pub struct CoverageEnded {
    pub lang: Lang,
    pub name: String,
    pub serial: String,
    pub ends: String,
    pub until: String,
    pub link: String,
}
message!(
    CoverageEnded,
    CoverageEndedPl = "email/coverage_ended.pl.txt",
    CoverageEndedEn = "email/coverage_ended.en.txt"
);

/// Money as the owner reads it, for the messages' constructors.
pub fn money(amount: Money, lang: Lang) -> String {
    amount.display(lang)
}

/// An instant in Warsaw time, for the messages' constructors.
pub fn warsaw(t: Timestamp, lang: Lang) -> String {
    when(t, lang)
}
