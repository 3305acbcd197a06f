//! Filing a claim (`/claims/new`): the device, what happened, the owner's contact and
//! return address; as soon as the serial is known, whether Care Refresh can replace the
//! device and for what fee, by the rules in the browser.

use super::api;
use crate::activation::focus_first_error;
use crate::clock::use_ticking_now;
use crate::coverage::api as coverage_api;
use crate::format::lang;
use crate::i18n::*;
use crate::owner::AskForLink;
use crate::refusal::{api_message, message};
use crate::ui::{FieldNotes, FormError, PrivacyNote, TextField, use_title};
use care_rules::api::{ClaimRequest, CustomerInput, DeviceDocument};
use care_rules::text::{DESCRIPTION, SHIPPING_ADDRESS};
use care_rules::{Coverage, Email, Name, Phone, Product, Serial, Timestamp};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Whether a claim filed now could use Care Refresh (R10), and for what fee.
#[component]
fn CareRefreshPreview(
    device: DeviceDocument,
    #[prop(into)] now: Signal<Timestamp>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let product = Product::find(&device.product_id)?;
        let coverage = device
            .coverage
            .as_ref()
            .and_then(|c| Coverage::restore(c.terms.clone(), c.replacements.used));
        let lang = lang(i18n.get_locale());
        let outcome = coverage
            .as_ref()
            .ok_or(care_rules::Refusal::CoverageNotActive)
            .and_then(|c| c.care_refresh(product, now.get()));
        Some(match outcome {
            Ok(fee) => {
                let left = coverage.as_ref().map_or(0, |c| c.remaining(now.get()));
                view! {
                    <p class="status-line success">{t!(i18n, claim_preview_yes,
                        product = product.name, fee = fee.display(lang), count = left)}</p>
                }
                .into_any()
            }
            Err(refusal) => view! {
                <p class="status-line info">{t!(i18n, claim_preview_no,
                    product = product.name, reason = message(i18n, refusal, None))}</p>
            }
            .into_any(),
        })
    }
}

#[component]
pub fn FileClaim() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, claim_title).to_string());
    let query = use_query_map();
    let serial = RwSignal::new(query.read_untracked().get("serial").unwrap_or_default());
    let now = use_ticking_now();
    // The device of a well-formed serial, for the Care Refresh preview.
    let parsed = Memo::new(move |_| Serial::parse(&serial.get()).ok());
    let device = LocalResource::new(move || {
        let parsed = parsed.get();
        let lang = lang(i18n.get_locale_untracked());
        async move {
            match parsed {
                Some(s) => coverage_api::device(&s, lang).await.ok(),
                None => None,
            }
        }
    });
    let description = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let navigate = use_navigate();
    let file = Action::new_local(move |request: &ClaimRequest| {
        let request = request.clone();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::file(&request, lang).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = file.value().get() {
            navigate(&format!("/claims/{}", created.id), Default::default());
        }
    });
    let refused = move || file.value().get().and_then(Result::err);
    let server_error = move |field: &'static str| {
        refused()
            .filter(|e| e.field() == Some(field))
            .map(|e| api_message(i18n, &e))
    };
    let serial_error = Signal::derive(move || {
        if tried.get() && Serial::parse(&serial.get()).is_err() {
            return Some(t_string!(i18n, serial_invalid).to_string());
        }
        server_error("serial").or_else(|| {
            refused()
                .filter(|e| e.refusal() == Some(care_rules::Refusal::DeviceNotFound))
                .map(|e| api_message(i18n, &e))
        })
    });
    let description_error = Signal::derive(move || {
        (tried.get() && !DESCRIPTION.accepts(&description.get()))
            .then(|| t_string!(i18n, description_invalid).to_string())
    });
    let name_error = Signal::derive(move || {
        (tried.get() && Name::parse(&name.get()).is_err())
            .then(|| t_string!(i18n, name_invalid).to_string())
    });
    let email_error = Signal::derive(move || {
        (tried.get() && Email::parse(&email.get()).is_err())
            .then(|| t_string!(i18n, email_invalid).to_string())
    });
    let phone_error = Signal::derive(move || {
        (tried.get() && Phone::parse_optional(&phone.get()).is_err())
            .then(|| t_string!(i18n, phone_invalid).to_string())
    });
    let address_error = Signal::derive(move || {
        (tried.get() && !SHIPPING_ADDRESS.accepts(&address.get()))
            .then(|| t_string!(i18n, address_invalid).to_string())
    });
    let other_error = Signal::derive(move || {
        refused()
            .filter(|e| {
                e.field().is_none() && e.refusal() != Some(care_rules::Refusal::DeviceNotFound)
            })
            .map(|e| api_message(i18n, &e))
    });
    view! {
        <h1>{t!(i18n, claim_title)}</h1>
        <p class="lead">{t!(i18n, claim_intro)}</p>
        <section class="card" aria-labelledby="expect">
            <h2 id="expect">{t!(i18n, claim_expect_title)}</h2>
            <ol class="checklist">
                <li>{t!(i18n, claim_expect_send)}</li>
                <li>{t!(i18n, claim_expect_quote)}</li>
                <li>{t!(i18n, claim_expect_choose)}</li>
                <li>{t!(i18n, claim_expect_ship)}</li>
            </ol>
        </section>
        <form class="card" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tried.set(true);
            let fine = Serial::parse(&serial.get_untracked()).is_ok()
                && DESCRIPTION.accepts(&description.get_untracked())
                && Name::parse(&name.get_untracked()).is_ok()
                && Email::parse(&email.get_untracked()).is_ok()
                && Phone::parse_optional(&phone.get_untracked()).is_ok()
                && SHIPPING_ADDRESS.accepts(&address.get_untracked());
            if !fine {
                focus_first_error();
            } else {
                file.dispatch(ClaimRequest {
                    serial: serial.get_untracked(),
                    description: description.get_untracked(),
                    customer: CustomerInput {
                        name: name.get_untracked(),
                        email: email.get_untracked(),
                        phone: Some(phone.get_untracked()).filter(|p| !p.trim().is_empty()),
                    },
                    shipping_address: address.get_untracked(),
                });
            }
        }>
            <TextField id="claim-serial" label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, serial_hint).to_string()) error=serial_error value=serial />
            <div aria-live="polite">
                {move || device.get().flatten().map(|d| view! { <CareRefreshPreview device=d now=now /> })}
            </div>
            <div class="field">
                <label for="claim-description">{t!(i18n, description_label)}</label>
                <textarea id="claim-description" rows="4" aria-describedby="claim-description-error"
                    aria-invalid=move || if description_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || description.get()
                    on:input:target=move |ev| description.set(ev.target().value())></textarea>
                <FieldNotes id="claim-description" error=description_error />
            </div>
            <TextField id="claim-name" label=Signal::derive(move || t_string!(i18n, name_label).to_string())
                error=name_error value=name autocomplete="name" />
            <TextField id="claim-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
                error=email_error value=email input_type="email" autocomplete="email" inputmode="email" />
            <TextField id="claim-phone" label=Signal::derive(move || t_string!(i18n, phone_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, phone_hint).to_string())
                error=phone_error value=phone input_type="tel" autocomplete="tel" inputmode="tel" />
            <div class="field">
                <label for="claim-address">{t!(i18n, address_label)}</label>
                <textarea id="claim-address" rows="3" autocomplete="street-address" aria-describedby="claim-address-error"
                    aria-invalid=move || if address_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || address.get()
                    on:input:target=move |ev| address.set(ev.target().value())></textarea>
                <FieldNotes id="claim-address" error=address_error />
            </div>
            <FormError error=other_error />
            <PrivacyNote />
            <button type="submit" disabled=move || file.pending().get()>{t!(i18n, claim_submit)}</button>
        </form>
        <AskForLink />
    }
}
