//! Claims for owners: file one (`/claims/new`), then follow it by its link
//! (`/claims/{id}`): the timeline, the quote beside the Care Refresh fee with the
//! choice, payment instructions, and tracking once shipped.

use super::{api, status_text};
use crate::format::{lang, when};
use crate::i18n::*;
use crate::refusal::{api_message, message};
use crate::ui::{
    FieldNotes, FormError, Loading, RequestFailed, TextField, action_error, use_title,
};
use care_rules::api::{ClaimDocument, ClaimRequest, CustomerInput};
use care_rules::text::{DESCRIPTION, SHIPPING_ADDRESS};
use care_rules::{ClaimOption, ClaimStatus, Email, Name, Phone, Serial};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn FileClaim() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, claim_title).to_string());
    let query = use_query_map();
    let serial = RwSignal::new(query.read_untracked().get("serial").unwrap_or_default());
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
            if fine {
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
            <button type="submit" disabled=move || file.pending().get()>{t!(i18n, claim_submit)}</button>
        </form>
    }
}

#[component]
pub fn ClaimPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, claim_title).to_string());
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let claim = LocalResource::new(move || {
        let id = id();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::claim(&id, lang).await }
    });
    let choose = Action::new_local(move |option: &ClaimOption| {
        let (option, id) = (*option, id());
        let lang = lang(i18n.get_locale_untracked());
        async move { api::choose(&id, option, lang).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = choose.value().get() {
            claim.refetch();
        }
    });
    let choice_error = action_error(choose);
    let render = move |doc: ClaimDocument| {
        let lang = lang(i18n.get_locale());
        let link = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let offer = match doc.care_refresh.fee_grosze {
            Some(fee) if doc.care_refresh.eligible => {
                t_string!(i18n, claim_cr_offer, fee = fee.display(lang)).to_string()
            }
            _ => t_string!(
                i18n,
                claim_cr_none,
                reason = message(
                    i18n,
                    doc.care_refresh
                        .refusal
                        .unwrap_or(care_rules::Refusal::CoverageNotActive),
                    None
                )
            )
            .to_string(),
        };
        let history = doc
            .history
            .iter()
            .map(|e| view! { <li><span class="when">{when(e.at, lang)}</span>" " {status_text(i18n, e.status)}</li> })
            .collect_view();
        let quote = doc.quote.clone().map(|q| {
            view! {
                <p>{t!(i18n, claim_quote, amount = q.amount_grosze.display(lang))}</p>
                <p class="hint">{t!(i18n, claim_quote_note, note = q.note.clone())}</p>
            }
        });
        let choice = (doc.status == ClaimStatus::Quoted).then(|| {
            let repair = doc.quote.as_ref().map(|q| q.amount_grosze.display(lang)).unwrap_or_default();
            let fee = doc.care_refresh.fee_grosze.filter(|_| doc.care_refresh.eligible).map(|f| f.display(lang));
            view! {
                <section aria-labelledby="choice-title" class="choice">
                    <h3 id="choice-title">{t!(i18n, claim_choice_title)}</h3>
                    <div class="actions">
                        <button type="button" class="secondary" disabled=move || choose.pending().get()
                            on:click=move |_| { choose.dispatch(ClaimOption::Repair); }>
                            {t!(i18n, claim_choose_repair, amount = repair.clone())}
                        </button>
                        {fee.map(|fee| view! {
                            <button type="button" disabled=move || choose.pending().get()
                                on:click=move |_| { choose.dispatch(ClaimOption::CareRefresh); }>
                                {t!(i18n, claim_choose_cr, fee = fee.clone())}
                            </button>
                        })}
                    </div>
                    <FormError error=choice_error />
                </section>
            }
        });
        let chosen = doc.option.map(|o| match o {
            ClaimOption::Repair => t_string!(i18n, claim_chosen_repair).to_string(),
            ClaimOption::CareRefresh => t_string!(i18n, claim_chosen_cr).to_string(),
        });
        let payment = doc.payment.clone().map(|p| view! {
            <section aria-labelledby="pay-title" class="payment">
                <h3 id="pay-title">{t!(i18n, claim_pay_title)}</h3>
                <p class="money-due">{t!(i18n, claim_pay_amount, amount = p.amount_grosze.display(lang))}</p>
                <p>{t!(i18n, claim_pay_account, account = p.account.clone())}</p>
                <p>{t!(i18n, claim_pay_reference, reference = p.reference.clone())}</p>
            </section>
        });
        let shipment = doc.shipment.clone().map(|s| {
            view! {
                <p class="ok">{t!(i18n, claim_tracking, tracking = s.tracking.clone())}</p>
                {s.replacement_serial.clone().map(|serial| view! {
                    <p>{t!(i18n, claim_replacement_unit, serial = serial.clone())}</p>
                    <p><a href=format!("/coverage/{serial}")>{t!(i18n, nav_coverage)}</a></p>
                })}
            }
        });
        let declined = doc
            .decline_reason
            .clone()
            .map(|reason| view! { <p>{t!(i18n, claim_declined_reason, reason)}</p> });
        let warranty = (doc.status == ClaimStatus::Warranty)
            .then(|| view! { <p>{t!(i18n, claim_warranty_note)}</p> });
        view! {
            <article class="card claim" aria-labelledby="claim-heading">
                <h2 id="claim-heading">{t!(i18n, claim_page_title, serial = doc.serial.clone())}</h2>
                <p class="status ok" role="status">{status_text(i18n, doc.status)}</p>
                <p class="reward">{offer}</p>
                {quote}
                {choice}
                {chosen.map(|c| view! { <p>{c}</p> })}
                {payment}
                {warranty}
                {declined}
                {shipment}
                <p class="hint">{t!(i18n, claim_shipping)}</p>
                <h3>{t!(i18n, claim_history)}</h3>
                <ol class="timeline">{history}</ol>
                <p class="hint">{t!(i18n, claim_link_note)}</p>
                <p class="case-link"><code>{link}</code></p>
            </article>
        }
    };
    view! {
        <h1>{t!(i18n, claim_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match claim.await {
                    Ok(doc) => render(doc).into_any(),
                    Err(e) => view! { <RequestFailed error=e retry=Callback::new(move |_| claim.refetch()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
