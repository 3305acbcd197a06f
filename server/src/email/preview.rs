//! Every message with sample values, for `care-server email preview` (to see a message
//! as an owner will) and for the tests that render each one in both languages.

use super::messages::*;
use super::{Letter, compose};
use anyhow::{Result, bail};
use care_rules::api::CoverageDocument;
use care_rules::{Coverage, Lang, Money, Plan, Product, RejectReason, Serial, Term, Timestamp};

/// The names `preview` takes.
pub const NAMES: [&str; 14] = [
    "activated",
    "case_opened",
    "video_accepted",
    "video_rejected",
    "claim_filed",
    "quote_ready",
    "claim_warranty",
    "claim_declined",
    "claim_shipped",
    "payment_received",
    "payment_refunded",
    "coverage_ending",
    "coverage_ended",
    "owner_sign_in",
];

const TO: &str = "jan.kowalski@example.pl";
const LINK: &str = "https://care-refresh.example/claims/0123456789abcdef0123456789abcdef";

/// The message `name` in `lang`, rendered with sample values.
pub fn preview(name: &str, lang: Lang) -> Result<Letter> {
    let start: Timestamp = "2026-11-24T10:00:00Z".parse()?;
    let end: Timestamp = "2027-11-24T10:00:00Z".parse()?;
    let serial = "SN0000000001".to_owned();
    let number = "CR-0123ABCD".to_owned();
    let link = LINK.to_owned();
    let fee = |grosze| Some(money(Money::from_grosze(grosze), lang));
    match name {
        "activated" => {
            let product = Product::find("osmo-360").ok_or_else(|| anyhow::anyhow!("product"))?;
            let coverage = Coverage::begin(Term::new(Plan::Annual, start));
            let doc = CoverageDocument::build(
                &Serial::parse(&serial).map_err(|r| anyhow::anyhow!("{r}"))?,
                product,
                Some(&coverage),
                None,
                start,
            );
            let m = Activated::new(lang, "Jan Kowalski", product, false, &doc, link);
            compose(TO, &m)
        }
        "case_opened" => compose(TO, &CaseOpened { lang, serial, link }),
        "owner_sign_in" => compose(
            TO,
            &OwnerSignIn {
                lang,
                minutes: 30,
                link,
            },
        ),
        "video_accepted" => {
            let deadline = start + jiff::SignedDuration::from_hours(72);
            compose(TO, &VideoAccepted::new(lang, &serial, deadline, link))
        }
        "video_rejected" => compose(
            TO,
            &VideoRejected::new(
                lang,
                &serial,
                Some(RejectReason::Other),
                Some("the lens is covered"),
                link,
            ),
        ),
        "claim_filed" => compose(
            TO,
            &ClaimFiled {
                lang,
                name: "Jan Kowalski".to_owned(),
                number,
                serial,
                service_address: crate::claims::DEFAULT_SERVICE_ADDRESS.to_owned(),
                care_refresh_fee: fee(16900),
                link,
            },
        ),
        "quote_ready" => compose(
            TO,
            &QuoteReady {
                lang,
                number,
                serial,
                amount: money(Money::zl(450), lang),
                note: "cracked lens, new gimbal motor".to_owned(),
                care_refresh_fee: fee(16900),
                link,
            },
        ),
        "claim_warranty" => compose(
            TO,
            &ClaimWarranty {
                lang,
                number,
                serial,
                link,
            },
        ),
        "claim_declined" => compose(
            TO,
            &ClaimDeclined {
                lang,
                number,
                serial,
                reason: "the device was opened by a third party".to_owned(),
                link,
            },
        ),
        "claim_shipped" => compose(
            TO,
            &ClaimShipped {
                lang,
                number,
                serial,
                tracking: "PX123456789PL".to_owned(),
                replacement_serial: Some("SN0000000002".to_owned()),
                link,
            },
        ),
        "payment_received" => compose(
            TO,
            &PaymentReceived {
                lang,
                number,
                serial,
                amount: money(Money::from_grosze(16_900), lang),
                method: "BLIK".to_owned(),
                reference: Some("pi_3Example".to_owned()),
                link,
            },
        ),
        "payment_refunded" => compose(
            TO,
            &PaymentRefunded {
                lang,
                number,
                serial,
                amount: money(Money::from_grosze(16_900), lang),
                reason: "the part is not available; we repaired the device under warranty"
                    .to_owned(),
                link,
            },
        ),
        "coverage_ending" => compose(
            TO,
            &CoverageEnding {
                lang,
                name: "Jan Kowalski".to_owned(),
                serial,
                ends: warsaw(end, lang),
                until: warsaw(end, lang),
                link,
            },
        ),
        "coverage_ended" => compose(
            TO,
            &CoverageEnded {
                lang,
                name: "Jan Kowalski".to_owned(),
                serial,
                ends: warsaw(end, lang),
                until: warsaw(end, lang),
                link,
            },
        ),
        other => bail!("no message {other:?}; one of: {}", NAMES.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_renders_in_both_languages() {
        for name in NAMES {
            for lang in [Lang::Pl, Lang::En] {
                let letter = preview(name, lang).expect(name);
                assert!(!letter.subject.is_empty(), "{name}");
                assert!(!letter.subject.contains('\n'), "{name}");
                assert!(letter.text.contains(LINK), "{name} {lang}");
                assert!(letter.text.ends_with('\n'), "{name}");
                assert!(!letter.text.contains("{{"), "{name}");
                let signature = match lang {
                    Lang::Pl => "Zespół Care Refresh",
                    Lang::En => "The Care Refresh team",
                };
                assert!(letter.text.contains(signature), "{name} {lang}");
                assert!(letter.html.contains(signature), "{name} {lang}");
                assert!(
                    letter.html.contains(&format!("<a href=\"{LINK}\"")),
                    "{name}"
                );
            }
        }
        assert!(preview("nope", Lang::Pl).is_err());
    }

    #[test]
    fn the_confirmation_has_warsaw_dates_and_the_next_fee() {
        let pl = preview("activated", Lang::Pl).expect("pl");
        assert_eq!(
            pl.subject,
            "Care Refresh aktywny: DJI Osmo 360 SN0000000001"
        );
        assert!(
            pl.text
                .contains("od 24.11.2026, 11:00 do 24.11.2027, 11:00"),
            "{}",
            pl.text
        );
        assert!(pl.text.contains("pozostało 2 z 2"));
        assert!(pl.text.contains("169,00 zł"));
        assert!(pl.text.contains("09.12.2027, 11:00"));
        let en = preview("activated", Lang::En).expect("en");
        assert!(en.text.contains("PLN 169.00"), "{}", en.text);
        assert!(
            en.text
                .contains("from 24 Nov 2026, 11:00 to 24 Nov 2027, 11:00")
        );
    }

    #[test]
    fn decisions_tell_the_deadline_or_the_reason() {
        let ok = preview("video_accepted", Lang::Pl).expect("pl");
        assert!(
            ok.text.contains("do 27.11.2026, 11:00 (czas polski)"),
            "{}",
            ok.text
        );
        let no = preview("video_rejected", Lang::En).expect("en");
        assert!(
            no.text.contains("another reason (the lens is covered)"),
            "{}",
            no.text
        );
    }

    #[test]
    fn a_shipment_names_the_replacement_unit() {
        let pl = preview("claim_shipped", Lang::Pl).expect("pl");
        assert!(
            pl.text.contains(
                "Numer przesyłki: PX123456789PL\nUrządzenie zastępcze ma numer seryjny SN0000000002"
            ),
            "{}",
            pl.text
        );
    }
}
