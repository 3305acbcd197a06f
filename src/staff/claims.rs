//! The service team's side of claims: the queue by state, and a claim with the forms of
//! the steps its state allows.

use super::gate::StaffGate;
use super::{api, lang_now};
use crate::api::ApiError;
use crate::claims::status_text;
use crate::format::{parse_zloty, when};
use crate::i18n::*;
use crate::refusal::api_message;
use crate::ui::{FormError, Loading, RequestFailed, TextField, use_title};
use care_rules::api::{ClaimItem, QuoteRequest, ReasonRequest, ShipRequest, StaffClaim};
use care_rules::text::{DECLINE_REASON, QUOTE_NOTE, TRACKING};
use care_rules::{ClaimOption, ClaimStatus, ClaimStep, Role};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde_json::json;

/// How money came or went back: a bank transfer, or the provider's own reference.
fn payment_way(i18n: leptos_i18n::I18nContext<Locale>, way: &str) -> String {
    match way {
        "transfer" => t_string!(i18n, staff_way_transfer).to_string(),
        "stripe" => t_string!(i18n, staff_way_stripe).to_string(),
        reference => reference.to_owned(),
    }
}

#[component]
pub fn ClaimQueue() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_claims).to_string());
    let status = RwSignal::new(ClaimStatus::Submitted);
    view! {
        <h1>{t!(i18n, staff_claims)}</h1>
        <StaffGate role=Role::Service>
            <div class="field">
                <label for="claim-status">{t!(i18n, staff_status_filter)}</label>
                <select id="claim-status"
                    on:change:target=move |ev| {
                        if let Some(s) = ClaimStatus::parse(&ev.target().value()) { status.set(s); }
                    }
                    prop:value=move || status.get().as_str()>
                    {ClaimStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{status_text(i18n, *s)}</option> }).collect_view()}
                </select>
            </div>
            {move || {
                let wanted = status.get();
                view! { <ClaimQueuePages status=wanted /> }
            }}
        </StaffGate>
    }
}

/// The claims in one status, a page at a time.
#[component]
fn ClaimQueuePages(status: ClaimStatus) -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<ClaimItem>::new());
    let next = RwSignal::new(None::<String>);
    let load = Action::new_local(move |cursor: &Option<String>| {
        let cursor = cursor.clone();
        async move { api::claims(status, cursor.as_deref(), lang_now(i18n)).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = load.value().get() {
            items.update(|all| all.extend(page.items));
            next.set(page.next_cursor);
        }
    });
    load.dispatch(None);
    let failed = move || load.value().get().and_then(Result::err);
    view! {
        {move || failed().map(|e| view! { <RequestFailed error=e /> })}
        {move || {
            let lang = lang_now(i18n);
            let loaded = load.value().with(Option::is_some);
            match items.get() {
                list if list.is_empty() && loaded && failed().is_none() => {
                    view! { <p class="card empty">{t!(i18n, staff_claims_empty)}</p> }.into_any()
                }
                list if list.is_empty() => view! { <Loading /> }.into_any(),
                list => view! { <ClaimList items=list lang /> }.into_any(),
            }
        }}
        {move || next.get().map(|cursor| view! {
            <button type="button" class="secondary" disabled=move || load.pending().get()
                on:click=move |_| { load.dispatch(Some(cursor.clone())); }>
                {t!(i18n, staff_more)}
            </button>
        })}
    }
}

/// Claims as cards, personal data masked as the server sent them.
#[component]
pub fn ClaimList(items: Vec<ClaimItem>, lang: care_rules::Lang) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="queue">
            {items.into_iter().map(|item| view! {
                <li class="card">
                    <strong>{item.number.clone()}</strong>" · "{item.serial.clone()}" · "
                    {care_rules::Product::find(&item.product_id).map_or(item.product_id.clone(), |p| p.name.to_owned())}
                    " "<span class=crate::claims::status_class(item.status)>{status_text(i18n, item.status)}</span>
                    <br/>{item.customer.clone()}", "{item.email.clone()}
                    <br/>{t!(i18n, staff_filed)}": "{when(item.filed_at, lang)}" · "{t!(i18n, staff_eligible)}": "
                    {if item.care_refresh_eligible { t!(i18n, staff_yes).into_any() } else { t!(i18n, staff_no).into_any() }}
                    <br/><A href=format!("/staff/claims/{}", item.id)>{t!(i18n, staff_open)}</A>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn StaffClaimPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_claims).to_string());
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <h1>{t!(i18n, staff_claims)}</h1>
        <StaffGate role=Role::Service>
            {move || {
                let id = id();
                let claim = LocalResource::new({
                    let id = id.clone();
                    move || {
                        let id = id.clone();
                        async move { api::claim(&id, lang_now(i18n)).await }
                    }
                });
                let act = Action::new_local({
                    let id = id.clone();
                    move |(step, body): &(ClaimStep, serde_json::Value)| {
                        let (id, step, body) = (id.clone(), *step, body.clone());
                        async move { api::step(&id, step, &body, lang_now(i18n)).await }
                    }
                });
                Effect::new(move |_| {
                    if let Some(Ok(_)) = act.value().get() {
                        claim.refetch();
                    }
                });
                view! {
                    <Suspense fallback=Loading>
                        {move || Suspend::new(async move {
                            match claim.await {
                                Ok(staff) => view! { <ClaimDesk staff act /> }.into_any(),
                                Err(e) => view! { <RequestFailed error=e /> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}

type StepAction = Action<(ClaimStep, serde_json::Value), Result<StaffClaim, ApiError>>;

/// A claim with the forms of the steps its state allows.
#[component]
fn ClaimDesk(staff: StaffClaim, act: StepAction) -> impl IntoView {
    let i18n = use_i18n();
    let lang = lang_now(i18n);
    let allowed = |step: ClaimStep| staff.allowed_steps.contains(&step);
    let doc = staff.claim.clone();
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let refund_reason = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let replacement = RwSignal::new(String::new());
    let tried = RwSignal::new(None::<ClaimStep>);
    // A refusal from the server goes next to its field; the rest below the steps.
    let server_field = move |field: &'static str| {
        act.value()
            .get()
            .and_then(Result::err)
            .filter(|e| e.field() == Some(field))
            .map(|e| api_message(i18n, &e))
    };
    let check = move |step: ClaimStep, field: &'static str, ok: bool, message: String| {
        Signal::derive(move || {
            if tried.get() == Some(step) && !ok {
                return Some(message.clone());
            }
            server_field(field)
        })
    };
    let amount_error = Signal::derive(move || {
        if tried.get() == Some(ClaimStep::Quote) && parse_zloty(&amount.get()).is_none() {
            return Some(t_string!(i18n, quote_amount_invalid).to_string());
        }
        server_field("amount_grosze")
    });
    let note_error = Signal::derive(move || {
        check(
            ClaimStep::Quote,
            "note",
            QUOTE_NOTE.accepts(&note.get()),
            t_string!(i18n, quote_note_required).to_string(),
        )
        .get()
    });
    let reason_error = Signal::derive(move || {
        check(
            ClaimStep::Decline,
            "reason",
            DECLINE_REASON.accepts(&reason.get()),
            t_string!(i18n, decline_reason_required).to_string(),
        )
        .get()
    });
    let refund_error = Signal::derive(move || {
        check(
            ClaimStep::Refund,
            "reason",
            DECLINE_REASON.accepts(&refund_reason.get()),
            t_string!(i18n, refund_reason_required).to_string(),
        )
        .get()
    });
    let tracking_error = Signal::derive(move || {
        check(
            ClaimStep::Ship,
            "tracking",
            TRACKING.accepts(&tracking.get()),
            t_string!(i18n, tracking_required).to_string(),
        )
        .get()
    });
    let replacement_error = Signal::derive(move || server_field("replacement_serial"));
    let error = Signal::derive(move || {
        act.value()
            .get()
            .and_then(Result::err)
            .filter(|e| e.field().is_none())
            .map(|e| api_message(i18n, &e))
    });
    let whole_unit =
        doc.status == ClaimStatus::Paid && doc.option == Some(ClaimOption::CareRefresh);
    let button = move |step: ClaimStep, label: String| {
        view! {
            <button type="button" disabled=move || act.pending().get() on:click=move |_| { act.dispatch((step, json!({}))); }>{label}</button>
        }
    };
    view! {
        <article class="card">
            <h2>{t!(i18n, staff_claim_title, number = doc.number.clone(), serial = doc.serial.clone())}</h2>
            <p class=crate::claims::status_class(doc.status) role="status">{status_text(i18n, doc.status)}</p>
            <p><A href=format!("/staff/devices/{}", doc.serial)>{t!(i18n, staff_device)}</A></p>
            <h3>{t!(i18n, staff_description)}</h3>
            <p>{doc.description.clone()}</p>
            <h3>{t!(i18n, staff_contact)}</h3>
            <p>{staff.customer_name.clone()}", "{staff.customer_email.clone()}" "{staff.customer_phone.clone().unwrap_or_default()}</p>
            <h3>{t!(i18n, staff_address)}</h3>
            <p class="address">{staff.shipping_address.clone()}</p>
            {doc.care_refresh.fee_grosze.filter(|_| doc.care_refresh.eligible).map(|fee| view! {
                <p class="status-line success">{t!(i18n, claim_cr_offer, fee = fee.display(lang))}</p>
            })}
            {doc.quote.clone().map(|q| view! { <p>{t!(i18n, claim_quote, amount = q.amount_grosze.display(lang))}" · "{q.note.clone()}</p> })}
            {doc.payment.clone().map(|p| view! { <p>{t!(i18n, claim_pay_amount, amount = p.amount_grosze.display(lang))}" · "{p.reference.clone()}</p> })}
            {staff.paid_via.clone().map(|via| view! {
                <p>{t!(i18n, staff_paid_via, via = payment_way(i18n, &via))}
                    {staff.payment_reference.clone().map(|r| view! { " · "<code>{r}</code> })}</p>
            })}
            {staff.refund_reference.clone().map(|r| view! {
                <p>{t!(i18n, staff_refunded, reference = payment_way(i18n, &r), reason = staff.refund_reason.clone().unwrap_or_default())}</p>
            })}
            <div class="actions">
                {allowed(ClaimStep::Receive).then(|| button(ClaimStep::Receive, t_string!(i18n, staff_receive).to_string()))}
                {allowed(ClaimStep::Warranty).then(|| button(ClaimStep::Warranty, t_string!(i18n, staff_warranty).to_string()))}
                {allowed(ClaimStep::Pay).then(|| button(ClaimStep::Pay, t_string!(i18n, staff_payment).to_string()))}
                {allowed(ClaimStep::Close).then(|| button(ClaimStep::Close, t_string!(i18n, staff_close).to_string()))}
            </div>
            {allowed(ClaimStep::Quote).then(|| view! {
                <form class="step" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    tried.set(Some(ClaimStep::Quote));
                    match parse_zloty(&amount.get_untracked()).filter(|_| QUOTE_NOTE.accepts(&note.get_untracked())) {
                        Some(money) => {
                            act.dispatch((ClaimStep::Quote, json!(QuoteRequest { amount_grosze: money, note: note.get_untracked() })));
                        }
                        None => crate::activation::focus_first_error(),
                    }
                }>
                    <TextField id="quote-amount" label=Signal::derive(move || t_string!(i18n, quote_amount_label).to_string())
                        error=amount_error value=amount inputmode="decimal" />
                    <TextField id="quote-note" label=Signal::derive(move || t_string!(i18n, quote_note_label).to_string())
                        error=note_error value=note />
                    <button type="submit">{t!(i18n, staff_quote)}</button>
                </form>
            })}
            {allowed(ClaimStep::Decline).then(|| view! {
                <form class="step" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    tried.set(Some(ClaimStep::Decline));
                    if DECLINE_REASON.accepts(&reason.get_untracked()) {
                        act.dispatch((ClaimStep::Decline, json!(ReasonRequest { reason: reason.get_untracked() })));
                    } else {
                        crate::activation::focus_first_error();
                    }
                }>
                    <TextField id="decline-reason" label=Signal::derive(move || t_string!(i18n, decline_reason_label).to_string())
                        error=reason_error value=reason />
                    <button type="submit" class="secondary">{t!(i18n, staff_decline)}</button>
                </form>
            })}
            {allowed(ClaimStep::Refund).then(|| view! {
                <form class="step" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    tried.set(Some(ClaimStep::Refund));
                    if DECLINE_REASON.accepts(&refund_reason.get_untracked()) {
                        act.dispatch((ClaimStep::Refund, json!(ReasonRequest { reason: refund_reason.get_untracked() })));
                    } else {
                        crate::activation::focus_first_error();
                    }
                }>
                    <TextField id="refund-reason" label=Signal::derive(move || t_string!(i18n, refund_reason_label).to_string())
                        hint=Signal::derive(move || t_string!(i18n, refund_hint).to_string())
                        error=refund_error value=refund_reason />
                    <button type="submit" class="secondary">{t!(i18n, staff_refund)}</button>
                </form>
            })}
            {allowed(ClaimStep::Ship).then(|| view! {
                <form class="step" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    tried.set(Some(ClaimStep::Ship));
                    if !TRACKING.accepts(&tracking.get_untracked()) {
                        crate::activation::focus_first_error();
                        return;
                    }
                    let unit = Some(replacement.get_untracked()).filter(|s| !s.trim().is_empty());
                    act.dispatch((ClaimStep::Ship, json!(ShipRequest { tracking: tracking.get_untracked(), replacement_serial: unit })));
                }>
                    <TextField id="ship-tracking" label=Signal::derive(move || t_string!(i18n, tracking_label).to_string())
                        error=tracking_error value=tracking />
                    {whole_unit.then(|| view! {
                        <TextField id="ship-replacement" label=Signal::derive(move || t_string!(i18n, replacement_serial_label).to_string())
                            error=replacement_error value=replacement />
                    })}
                    <button type="submit">{t!(i18n, staff_ship)}</button>
                </form>
            })}
            <FormError error=error />
            {doc.shipment.clone().map(|s| view! { <p>{t!(i18n, claim_tracking, tracking = s.tracking.clone())}</p> })}
        </article>
    }
}
