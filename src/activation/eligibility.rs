//! The eligibility panel: once the device is known, what happens with a code of the
//! chosen plan, decided by the same rules the server applies (R2, R5, R6, R13).

use crate::format::{lang, left, when};
use crate::i18n::*;
use crate::refusal::message;
use crate::ui::{FieldNotes, described_by};
use care_rules::api::DeviceDocument;
use care_rules::catalog::REGION;
use care_rules::{
    Activation, CodeFacts, Coverage, Device, Plan, Product, Refusal, Timestamp, VerificationStatus,
};
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// Activates at once; the 30-day window closes then (`None`: a new device).
    Direct {
        window_closes_at: Option<Timestamp>,
    },
    /// A verification video comes first.
    Video,
    /// Extends the coverage to `ends_at`, leaving `remaining_after` replacements.
    Extension {
        ends_at: Timestamp,
        remaining_after: u32,
        deadline: Timestamp,
    },
    Refused(Refusal),
}

impl Preview {
    /// Whether the owner can go on to their details (with a video id when one is
    /// needed).
    pub fn can_continue(&self) -> bool {
        !matches!(self, Preview::Refused(_))
    }
}

/// The preview for a device and a code of `plan` at `now`: the server's own decision,
/// run in the browser on what the device document says.
pub fn preview(device: &DeviceDocument, plan: Plan, now: Timestamp) -> Preview {
    let Some(product) = Product::find(&device.product_id) else {
        return Preview::Refused(Refusal::DeviceNotFound);
    };
    let coverage = device
        .coverage
        .as_ref()
        .and_then(|c| Coverage::restore(c.terms.clone(), c.replacements.used));
    let rules_device = Device {
        product,
        activated_at: device.activated_at,
        coverage: coverage.as_ref(),
    };
    let code = CodeFacts {
        product_id: product.id,
        plan,
        region: REGION,
        used: false,
    };
    match rules_device.activate(code, None, now) {
        Ok(Activation::New { .. }) => Preview::Direct {
            window_closes_at: rules_device.direct_window_closes_at(),
        },
        Ok(Activation::Extension { term }) => {
            let current = coverage.as_ref();
            let total = current.map_or(0, Coverage::total) + term.replacements;
            Preview::Extension {
                ends_at: term.ends_at,
                remaining_after: total.saturating_sub(current.map_or(0, Coverage::used)),
                deadline: current.map_or(term.starts_at, Coverage::extension_deadline),
            }
        }
        Err(Refusal::VerificationRequired) => Preview::Video,
        Err(refusal) => Preview::Refused(refusal),
    }
}

/// The case number in what the owner typed or pasted: the 32 characters of the case
/// id, alone or at the end of the case's link (`…/verification/<id>`).
pub fn case_id_from(text: &str) -> Option<String> {
    let text = text.trim();
    let path = text
        .split(['?', '#'])
        .next()
        .unwrap_or(text)
        .trim_end_matches('/');
    let id = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

#[component]
pub fn EligibilityPanel(
    #[prop(into)] device: Signal<DeviceDocument>,
    #[prop(into)] plan: Signal<Plan>,
    #[prop(into)] now: Signal<Timestamp>,
    /// The accepted video's case id, when one is needed.
    verification_id: RwSignal<String>,
    /// Set once the owner tried to go on: an empty or malformed case number shows.
    #[prop(into)]
    tried: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let product_name = move || {
        Product::find(&device.get().product_id)
            .map_or_else(|| device.get().product_id, |p| p.name.to_owned())
    };
    let body = move || {
        let lang = lang(i18n.get_locale());
        let now = now.get();
        match preview(&device.get(), plan.get(), now) {
            Preview::Direct {
                window_closes_at: None,
            } => view! {
                <p class="status-line success">{t!(i18n, eligibility_sealed)}</p>
            }
            .into_any(),
            Preview::Direct {
                window_closes_at: Some(closes),
            } => {
                let when = when(closes, lang);
                let left = left(now, closes, lang);
                view! {
                    <p class="status-line success">{t!(i18n, eligibility_direct)}</p>
                    <p>{t!(i18n, eligibility_direct_window, when, left)}</p>
                }
                .into_any()
            }
            Preview::Video => {
                let serial = device.get().serial;
                view! { <VideoCase serial verification_id tried now /> }.into_any()
            }
            Preview::Extension {
                ends_at,
                remaining_after,
                deadline,
            } => {
                let end = when(ends_at, lang);
                let deadline_text = when(deadline, lang);
                let left = left(now, deadline, lang);
                view! {
                    <p class="status-line success">{t!(i18n, eligibility_extension)}</p>
                    <p>{t!(i18n, eligibility_extension_end, end, count = remaining_after)}</p>
                    <p>{t!(i18n, eligibility_extension_deadline, deadline = deadline_text, left)}</p>
                }
                .into_any()
            }
            Preview::Refused(refusal) => view! {
                <p class="status-line danger" role="alert">{message(i18n, refusal, None)}</p>
            }
            .into_any(),
        }
    };
    view! {
        <div class="eligibility" aria-live="polite">
            <p class="device-name">{move || t!(i18n, eligibility_product, product = product_name())}</p>
            {body}
        </div>
    }
}

/// A device that needs a video: the case number of an accepted video (typed, or
/// brought by the case page's link), what that case says now, and the way to one.
#[component]
fn VideoCase(
    serial: String,
    verification_id: RwSignal<String>,
    #[prop(into)] tried: Signal<bool>,
    #[prop(into)] now: Signal<Timestamp>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = Memo::new(move |_| case_id_from(&verification_id.get()));
    let case = LocalResource::new(move || {
        let id = id.get();
        let lang = lang(i18n.get_locale_untracked());
        async move {
            match id {
                Some(id) => crate::verification::api::case(&id, lang).await.ok(),
                None => None,
            }
        }
    });
    let error = Signal::derive(move || {
        let typed = verification_id.get();
        if typed.trim().is_empty() {
            tried
                .get()
                .then(|| t_string!(i18n, case_id_required).to_string())
        } else if id.get().is_none() {
            Some(t_string!(i18n, case_id_invalid).to_string())
        } else {
            None
        }
    });
    let status = move || {
        let doc = case.get().flatten()?;
        let lang = lang(i18n.get_locale());
        Some(match doc.status {
            VerificationStatus::Accepted => {
                let deadline = doc.activation_deadline.unwrap_or(now.get());
                view! {
                    <p class="status-line success">{t!(i18n, case_accepted,
                        deadline = when(deadline, lang), left = left(now.get(), deadline, lang))}</p>
                }.into_any()
            }
            VerificationStatus::PendingReview | VerificationStatus::AwaitingUpload => view! {
                <p class="status-line info">{t!(i18n, case_not_yet_accepted)}</p>
            }
            .into_any(),
            _ => view! {
                <p class="status-line danger">{t!(i18n, case_cannot_activate)}</p>
            }
            .into_any(),
        })
    };
    let accepted = move || {
        case.get()
            .flatten()
            .is_some_and(|d| d.status == VerificationStatus::Accepted)
    };
    view! {
        {move || (!accepted()).then(|| view! {
            <p class="status-line warning">{t!(i18n, eligibility_video)}</p>
            <p>
                <a class="button secondary" href=format!("/verification?serial={serial}")>
                    {t!(i18n, eligibility_video_start)}
                </a>
            </p>
        })}
        <div class="field">
            <label for="verification-id">{t!(i18n, eligibility_video_id_label)}</label>
            <input
                id="verification-id"
                autocomplete="off"
                spellcheck="false"
                aria-describedby=described_by("verification-id", true)
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || verification_id.get()
                on:input:target=move |ev| verification_id.set(ev.target().value().trim().to_owned())
            />
            <FieldNotes id="verification-id"
                hint=Some(Signal::derive(move || t_string!(i18n, case_id_hint).to_string()))
                error=error />
        </div>
        {status}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use care_rules::api::CoverageDocument;
    use care_rules::{Serial, Term};

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn device(activated_at: Option<&str>, terms: &[Term], used: u32) -> DeviceDocument {
        let product = Product::find("osmo-360").expect("product");
        let serial = Serial::parse("SN0000000001").expect("serial");
        let coverage = Coverage::restore(terms.to_vec(), used);
        DeviceDocument {
            serial: serial.as_str().to_owned(),
            product_id: product.id.to_owned(),
            activated_at: activated_at.map(at),
            coverage: coverage.as_ref().map(|c| {
                CoverageDocument::build(&serial, product, Some(c), None, at("2026-11-24T10:00:00Z"))
            }),
        }
    }

    #[test]
    fn a_recent_device_activates_directly_until_day_30() {
        let d = device(Some("2026-11-01T10:00:00Z"), &[], 0);
        let closes = at("2026-12-01T10:00:00Z");
        assert_eq!(
            preview(&d, Plan::Annual, at("2026-12-01T09:59:59Z")),
            Preview::Direct {
                window_closes_at: Some(closes)
            }
        );
        assert_eq!(preview(&d, Plan::Annual, closes), Preview::Video);
    }

    #[test]
    fn an_extension_shows_the_new_end_and_a_two_year_code_is_refused() {
        let term = Term::new(Plan::Annual, at("2026-06-01T00:00:00Z"));
        let d = device(None, &[term], 1);
        let now = at("2026-11-24T10:00:00Z");
        assert_eq!(
            preview(&d, Plan::Annual, now),
            Preview::Extension {
                ends_at: at("2028-06-01T00:00:00Z"),
                remaining_after: 3,
                deadline: at("2027-06-16T00:00:00Z"),
            }
        );
        assert_eq!(
            preview(&d, Plan::TwoYear, now),
            Preview::Refused(Refusal::ExtensionRequiresAnnualPlan)
        );
    }

    #[test]
    fn a_case_number_is_found_alone_or_in_its_link() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(case_id_from(id).as_deref(), Some(id));
        assert_eq!(
            case_id_from(&format!(
                " https://care.example/verification/{} ",
                id.to_uppercase()
            ))
            .as_deref(),
            Some(id)
        );
        assert_eq!(
            case_id_from(&format!("/verification/{id}/?x=1")).as_deref(),
            Some(id)
        );
        assert_eq!(case_id_from(""), None);
        assert_eq!(case_id_from("0123456789abcdef"), None);
        assert_eq!(case_id_from(&format!("{id}0")), None);
        assert_eq!(case_id_from("zz23456789abcdef0123456789abcdef"), None);
    }

    #[test]
    fn a_full_chain_is_refused_at_the_cap() {
        let first = Term::new(Plan::TwoYear, at("2026-01-01T00:00:00Z"));
        let second = Term::new(Plan::Annual, first.ends_at);
        let d = device(None, &[first, second], 0);
        let refused = preview(&d, Plan::Annual, at("2026-11-24T10:00:00Z"));
        assert_eq!(refused, Preview::Refused(Refusal::CoverageCapExceeded));
        assert!(!refused.can_continue());
    }
}
