//! A claim by its link (`/claims/{id}`): its number, where to send the device and what
//! to put in the parcel, the Care Refresh offer, the quote with an explained and
//! confirmed choice, payment instructions, tracking once shipped, and the timeline.

use super::pay::PayOnline;
use super::{api, status_class, status_text};
use crate::api::ApiError;
use crate::format::{lang, when};
use crate::i18n::*;
use crate::owner::AskForLink;
use crate::refusal::message;
use crate::ui::{FormError, Loading, RequestFailed, action_error, use_title};
use care_rules::api::ClaimDocument;
use care_rules::{ClaimOption, ClaimStatus, Lang, Refusal};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Reads the page again once paid: Stripe.js's card field and state go with it.
fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
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
    view! {
        <h1>{t!(i18n, claim_page_h1)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match claim.await {
                    // Drawn again in the other language: amounts and dates are
                    // formatted once per drawing (a browser test found the pay button's
                    // amount still in Polish after switching to English).
                    Ok(doc) => (move || {
                        let _ = i18n.get_locale();
                        view! { <ClaimView doc=doc.clone() choose on_paid=Callback::new(move |_| reload()) /> }
                    }).into_any(),
                    Err(ApiError::Refused(p)) if p.code == Refusal::NotFound => view! { <UnknownClaim /> }.into_any(),
                    Err(e) => view! { <RequestFailed error=e retry=Callback::new(move |_| claim.refetch()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A link that leads to no claim: what may be wrong, and where to go.
#[component]
fn UnknownClaim() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" role="alert">
            <h2>{t!(i18n, claim_unknown_title)}</h2>
            <p>{t!(i18n, claim_unknown_text)}</p>
            <div class="actions">
                <a class="button" href="/claims/new">{t!(i18n, nav_claim)}</a>
                <a class="button secondary" href="/coverage">{t!(i18n, nav_coverage)}</a>
            </div>
        </section>
        <AskForLink />
    }
}

#[component]
fn ClaimView(
    doc: ClaimDocument,
    choose: Action<ClaimOption, Result<ClaimDocument, ApiError>>,
    /// Once paid online.
    on_paid: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = lang(i18n.get_locale_untracked());
    let link = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let offer = match doc.care_refresh.fee_grosze {
        Some(fee) if doc.care_refresh.eligible => view! {
            <p class="status-line success">{t!(i18n, claim_cr_offer, fee = fee.display(lang))}</p>
        }
        .into_any(),
        _ => {
            let reason = message(
                i18n,
                doc.care_refresh
                    .refusal
                    .unwrap_or(Refusal::CoverageNotActive),
                None,
            );
            view! { <p class="status-line info">{t!(i18n, claim_cr_none, reason)}</p> }.into_any()
        }
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
    let choice = (doc.status == ClaimStatus::Quoted)
        .then(|| view! { <Choice doc=doc.clone() choose lang /> });
    let chosen = doc.option.map(|o| match o {
        ClaimOption::Repair => t_string!(i18n, claim_chosen_repair).to_string(),
        ClaimOption::CareRefresh => t_string!(i18n, claim_chosen_cr).to_string(),
    });
    let payment = doc.payment.clone().map(|p| {
        let online = p.online.then(|| view! {
            <PayOnline claim=doc.id.clone() instructions=p.clone() lang on_paid />
        });
        view! {
            <section aria-labelledby="pay-title" class="payment">
                <h3 id="pay-title">{t!(i18n, claim_pay_title)}</h3>
                <p class="money-due">{t!(i18n, claim_pay_amount, amount = p.amount_grosze.display(lang))}</p>
                <p>{t!(i18n, claim_pay_account, account = p.account.clone())}</p>
                <p>{t!(i18n, claim_pay_reference, reference = p.reference.clone())}</p>
                {online}
            </section>
        }
    });
    let shipment = doc.shipment.clone().map(|s| {
        view! {
            <p class="status-line success">{t!(i18n, claim_tracking, tracking = s.tracking.clone())}</p>
            {s.replacement_serial.clone().map(|serial| view! {
                <p>{t!(i18n, claim_replacement_unit, serial = serial.clone())}</p>
                <p><a href=format!("/coverage/{serial}")>{t!(i18n, nav_coverage)}</a></p>
            })}
        }
    });
    let declined = doc
        .decline_reason
        .clone()
        .map(|reason| view! { <p class="status-line danger">{t!(i18n, claim_declined_reason, reason)}</p> });
    let warranty = (doc.status == ClaimStatus::Warranty)
        .then(|| view! { <p>{t!(i18n, claim_warranty_note)}</p> });
    let parcel = (doc.status == ClaimStatus::Submitted).then(|| {
        view! { <Parcel number=doc.number.clone() address=doc.service_address.clone() /> }
    });
    view! {
        <article class="card claim" aria-labelledby="claim-heading">
            <h2 id="claim-heading">{t!(i18n, claim_page_title, number = doc.number.clone())}</h2>
            <p class="device-name">{t!(i18n, claim_page_device, serial = doc.serial.clone())}</p>
            <p class=status_class(doc.status) role="status">{status_text(i18n, doc.status)}</p>
            {parcel}
            {offer}
            {quote}
            {choice}
            {chosen.map(|c| view! { <p>{c}</p> })}
            {payment}
            {warranty}
            {declined}
            {shipment}
            {(!matches!(doc.status, ClaimStatus::Shipped | ClaimStatus::Closed))
                .then(|| view! { <p class="hint">{t!(i18n, claim_shipping)}</p> })}
            <h3>{t!(i18n, claim_history)}</h3>
            <ol class="timeline">{history}</ol>
            <p class="hint">{t!(i18n, claim_link_note)}</p>
            <p class="case-link"><code>{link}</code></p>
        </article>
    }
}

/// Where the device goes and what goes in the parcel, until the service has it.
#[component]
fn Parcel(number: String, address: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="parcel" aria-labelledby="parcel-title">
            <h3 id="parcel-title">{t!(i18n, claim_parcel_title)}</h3>
            <address class="address">{address}</address>
            <ul class="checklist">
                <li>{t!(i18n, claim_parcel_device)}</li>
                <li>{t!(i18n, claim_parcel_note, number = number.clone())}</li>
                <li>{t!(i18n, claim_parcel_keep)}</li>
            </ul>
            <p class="hint">{t!(i18n, claim_number_note, number)}</p>
        </section>
    }
}

/// The owner's choice once quoted: each option says what it means, and nothing is
/// chosen until the owner confirms.
#[component]
fn Choice(
    doc: ClaimDocument,
    choose: Action<ClaimOption, Result<ClaimDocument, ApiError>>,
    lang: Lang,
) -> impl IntoView {
    let i18n = use_i18n();
    let picked = RwSignal::new(None::<ClaimOption>);
    let error = action_error(choose);
    let repair = doc
        .quote
        .as_ref()
        .map(|q| q.amount_grosze.display(lang))
        .unwrap_or_default();
    let fee = doc
        .care_refresh
        .fee_grosze
        .filter(|_| doc.care_refresh.eligible)
        .map(|f| f.display(lang));
    let explain = {
        let (repair, fee) = (repair.clone(), fee.clone());
        move |option: ClaimOption| match option {
            ClaimOption::Repair => {
                t_string!(i18n, claim_explain_repair, amount = repair.clone()).to_string()
            }
            ClaimOption::CareRefresh => t_string!(
                i18n,
                claim_explain_cr,
                fee = fee.clone().unwrap_or_default()
            )
            .to_string(),
        }
    };
    let explain = StoredValue::new(explain);
    view! {
        <section aria-labelledby="choice-title" class="choice">
            <h3 id="choice-title">{t!(i18n, claim_choice_title)}</h3>
            {move || match picked.get() {
                None => {
                    let repair = repair.clone();
                    view! {
                        <div class="options">
                            <div class="option">
                                <p>{explain.with_value(|e| e(ClaimOption::Repair))}</p>
                                <button type="button" class="secondary" on:click=move |_| picked.set(Some(ClaimOption::Repair))>
                                    {t!(i18n, claim_choose_repair, amount = repair.clone())}
                                </button>
                            </div>
                            {fee.clone().map(|fee| view! {
                                <div class="option">
                                    <p>{explain.with_value(|e| e(ClaimOption::CareRefresh))}</p>
                                    <button type="button" class="secondary" on:click=move |_| picked.set(Some(ClaimOption::CareRefresh))>
                                        {t!(i18n, claim_choose_cr, fee = fee.clone())}
                                    </button>
                                </div>
                            })}
                        </div>
                    }.into_any()
                }
                Some(option) => view! {
                    <div class="confirm" role="group" aria-labelledby="confirm-title">
                        <p id="confirm-title" class="status-line warning">{t!(i18n, claim_confirm_title)}</p>
                        <p>{explain.with_value(|e| e(option))}</p>
                        <div class="actions">
                            <button type="button" disabled=move || choose.pending().get()
                                on:click=move |_| { choose.dispatch(option); }>
                                {t!(i18n, claim_confirm)}
                            </button>
                            <button type="button" class="secondary" on:click=move |_| picked.set(None)>
                                {t!(i18n, claim_confirm_cancel)}
                            </button>
                        </div>
                    </div>
                }.into_any(),
            }}
            <FormError error=error />
        </section>
    }
}
