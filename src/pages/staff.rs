//! The staff console under `/staff`: sign-in, the video queue with the player and the
//! decision, the claim queue by state, a claim with the steps its state allows, and a
//! device with its coverage, ledger, claims and audit trail. The server checks the role
//! of every request; the console only hides what the role cannot do.

use crate::api::{self, ApiError};
use crate::clock::use_ticking_now;
use crate::components::coverage_view::CoverageView;
use crate::components::field::TextField;
use crate::format::{lang, parse_zloty, when};
use crate::i18n::*;
use crate::pages::claims::status_text;
use crate::pages::use_title;
use crate::pages::verification::video_status_text;
use crate::refusal::api_message;
use care_rules::api::{
    ClaimItem, DecisionRequest, LoginRequest, QuoteRequest, ReasonRequest, ReviewItem, ShipRequest,
    StaffClaim, StaffDevice, StaffMember, VerificationDocument,
};
use care_rules::{ClaimStatus, RejectReason, VerificationStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::json;

fn lang_now(i18n: leptos_i18n::I18nContext<Locale>) -> care_rules::Lang {
    lang(i18n.get_locale_untracked())
}

/// Shows `children` to a signed-in member of `role` (any role when `None`), the
/// sign-in form to a stranger, and a clear message to the other role.
#[component]
fn StaffGate(#[prop(optional)] role: Option<&'static str>, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let me = LocalResource::new(move || async move {
        api::get::<StaffMember>("/api/staff/me", lang_now(i18n)).await
    });
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(member) if role.is_none_or(|r| r == member.role) => {
                        view! { <SignedIn member on_out=Callback::new(move |_| me.refetch()) /> {children.read_value()()} }.into_any()
                    }
                    Ok(member) => view! {
                        <SignedIn member on_out=Callback::new(move |_| me.refetch()) />
                        <p class="error-text" role="alert">{t!(i18n, staff_forbidden)}</p>
                    }.into_any(),
                    Err(_) => view! { <Login on_in=Callback::new(move |_| me.refetch()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(member: StaffMember, on_out: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let role = match member.role.as_str() {
        "reviewer" => t_string!(i18n, role_reviewer).to_string(),
        _ => t_string!(i18n, role_service).to_string(),
    };
    let logout = Action::new_local(move |_: &()| async move {
        api::post::<_, serde_json::Value>("/api/staff/logout", &json!({}), lang_now(i18n), None)
            .await
    });
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            on_out.run(());
        }
    });
    let reviewer = member.role == "reviewer";
    view! {
        <nav class="staff-nav" aria-label=move || t_string!(i18n, staff_title).to_string()>
            <span class="hint">{t!(i18n, staff_signed_in, email = member.email.clone(), role = role.clone())}</span>
            {if reviewer {
                view! { <A href="/staff/videos">{t!(i18n, staff_videos)}</A> }.into_any()
            } else {
                view! { <A href="/staff/claims">{t!(i18n, staff_claims)}</A> }.into_any()
            }}
            <button type="button" class="secondary" on:click=move |_| { logout.dispatch(()); }>{t!(i18n, logout)}</button>
        </nav>
    }
}

#[component]
fn Login(on_in: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let login = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            api::post::<_, StaffMember>("/api/staff/login", &request, lang_now(i18n), None).await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            on_in.run(());
        }
    });
    let error = Signal::derive(move || {
        login.value().get().and_then(Result::err).map(|e| match e {
            ApiError::Refused(p) if p.code == care_rules::Refusal::Unauthorized => {
                t_string!(i18n, login_failed).to_string()
            }
            other => api_message(i18n, &other),
        })
    });
    view! {
        <form class="card" novalidate on:submit=move |ev| {
            ev.prevent_default();
            login.dispatch(LoginRequest { email: email.get_untracked(), password: password.get_untracked() });
        }>
            <h2>{t!(i18n, staff_login_title)}</h2>
            <TextField id="staff-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
                error=Signal::derive(|| None::<String>) value=email input_type="email" autocomplete="username" />
            <TextField id="staff-password" label=Signal::derive(move || t_string!(i18n, password_label).to_string())
                error=error value=password input_type="password" autocomplete="current-password" />
            <button type="submit" disabled=move || login.pending().get()>{t!(i18n, login_submit)}</button>
        </form>
    }
}

#[component]
pub fn StaffHome() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_title).to_string());
    let serial = RwSignal::new(String::new());
    let navigate = use_navigate();
    view! {
        <h1>{t!(i18n, staff_title)}</h1>
        <StaffGate>
            <form class="card" on:submit={
                let navigate = navigate.clone();
                move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Ok(s) = care_rules::Serial::parse(&serial.get_untracked()) {
                        navigate(&format!("/staff/devices/{s}"), Default::default());
                    }
                }
            }>
                <TextField id="staff-serial" label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                    error=Signal::derive(|| None::<String>) value=serial />
                <button type="submit">{t!(i18n, staff_device_lookup)}</button>
            </form>
        </StaffGate>
    }
}

#[component]
pub fn VideoQueue() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_videos).to_string());
    view! {
        <h1>{t!(i18n, staff_videos)}</h1>
        <StaffGate role="reviewer">
            {move || {
                let queue = LocalResource::new(move || async move {
                    api::get::<Vec<ReviewItem>>("/api/staff/verifications?status=pending_review", lang_now(i18n)).await
                });
                view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let lang = lang_now(i18n);
                            match queue.await {
                                Ok(items) if items.is_empty() => view! { <p>{t!(i18n, staff_empty)}</p> }.into_any(),
                                Ok(items) => view! {
                                    <ul class="queue">
                                        {items.into_iter().map(|item| view! {
                                            <li class="card">
                                                <strong>{item.serial.clone()}</strong>" · "{item.product_id.clone().unwrap_or_default()}
                                                <br/>{item.email.clone()}" · "{t!(i18n, staff_submitted)}": "
                                                {item.submitted_at.map(|t| when(t, lang)).unwrap_or_default()}
                                                <br/><A href=format!("/staff/videos/{}", item.id)>{t!(i18n, staff_open)}</A>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                Err(e) => view! { <p class="error-text" role="alert">{api_message(i18n, &e)}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}

const REASONS: [(RejectReason, &str); 6] = [
    (RejectReason::SerialNotVisible, "serial_not_visible"),
    (RejectReason::DeviceDamaged, "device_damaged"),
    (RejectReason::VideoEdited, "video_edited"),
    (RejectReason::WrongDevice, "wrong_device"),
    (RejectReason::PoorQuality, "poor_quality"),
    (RejectReason::Other, "other"),
];

#[component]
pub fn VideoReview() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_videos).to_string());
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <h1>{t!(i18n, staff_videos)}</h1>
        <StaffGate role="reviewer">
            {move || {
                let id = id();
                let case = LocalResource::new({
                    let id = id.clone();
                    move || {
                        let id = id.clone();
                        async move { api::get::<VerificationDocument>(&format!("/api/verifications/{id}"), lang_now(i18n)).await }
                    }
                });
                let reason = RwSignal::new("serial_not_visible".to_owned());
                let note = RwSignal::new(String::new());
                let decide = Action::new_local({
                    let id = id.clone();
                    move |request: &DecisionRequest| {
                        let (request, id) = (request.clone(), id.clone());
                        async move {
                            api::post::<_, VerificationDocument>(&format!("/api/staff/verifications/{id}/decision"), &request, lang_now(i18n), None).await
                        }
                    }
                });
                Effect::new(move |_| {
                    if let Some(Ok(_)) = decide.value().get() {
                        case.refetch();
                    }
                });
                let error = move || decide.value().get().and_then(Result::err).map(|e| api_message(i18n, &e));
                let video = format!("/api/staff/verifications/{id}/video");
                view! {
                    <Suspense fallback=|| ()>
                        {move || {
                            let video = video.clone();
                            Suspend::new(async move {
                                match case.await {
                                    Ok(doc) => {
                                        let pending = doc.status == VerificationStatus::PendingReview;
                                        view! {
                                            <section class="card">
                                                <h2>{t!(i18n, staff_video_title, serial = doc.serial.clone())}</h2>
                                                <video controls preload="metadata" src=video class="review-video"></video>
                                                <p class="status ok" role="status">{video_status_text(i18n, doc.status)}</p>
                                                {pending.then(|| view! {
                                                    <div class="actions">
                                                        <button type="button" on:click=move |_| { decide.dispatch(DecisionRequest { accept: true, reason: None, note: None }); }>
                                                            {t!(i18n, video_accept)}
                                                        </button>
                                                    </div>
                                                    <form class="reject" on:submit=move |ev| {
                                                        ev.prevent_default();
                                                        let chosen = REASONS.iter().find(|(_, id)| *id == reason.get_untracked()).map(|(r, _)| *r);
                                                        let text = note.get_untracked();
                                                        decide.dispatch(DecisionRequest { accept: false, reason: chosen, note: Some(text).filter(|n| !n.trim().is_empty()) });
                                                    }>
                                                        <div class="field">
                                                            <label for="reject-reason">{t!(i18n, reject_reason_label)}</label>
                                                            <select id="reject-reason" on:change:target=move |ev| reason.set(ev.target().value())>
                                                                {REASONS.iter().map(|(r, id)| {
                                                                    let label = crate::pages::verification::reason_text(i18n, Some(*r));
                                                                    view! { <option value=*id>{label}</option> }
                                                                }).collect_view()}
                                                            </select>
                                                        </div>
                                                        <TextField id="reject-note" label=Signal::derive(move || t_string!(i18n, reject_note_label).to_string())
                                                            error=Signal::derive(|| None::<String>) value=note />
                                                        <button type="submit" class="secondary">{t!(i18n, video_reject)}</button>
                                                    </form>
                                                })}
                                                <p class="error-text" role="alert">{error}</p>
                                            </section>
                                        }.into_any()
                                    }
                                    Err(e) => view! { <p class="error-text" role="alert">{api_message(i18n, &e)}</p> }.into_any(),
                                }
                            })
                        }}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}

#[component]
pub fn ClaimQueue() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_claims).to_string());
    let status = RwSignal::new("submitted".to_owned());
    view! {
        <h1>{t!(i18n, staff_claims)}</h1>
        <StaffGate role="service">
            <div class="field">
                <label for="claim-status">{t!(i18n, staff_status_filter)}</label>
                <select id="claim-status" on:change:target=move |ev| status.set(ev.target().value()) prop:value=move || status.get()>
                    {ClaimStatus::ALL.iter().map(|s| view! { <option value=s.id()>{status_text(i18n, *s)}</option> }).collect_view()}
                </select>
            </div>
            {move || {
                let wanted = status.get();
                let queue = LocalResource::new(move || {
                    let wanted = wanted.clone();
                    async move { api::get::<Vec<ClaimItem>>(&format!("/api/staff/claims?status={wanted}"), lang_now(i18n)).await }
                });
                view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let lang = lang_now(i18n);
                            match queue.await {
                                Ok(items) if items.is_empty() => view! { <p>{t!(i18n, staff_empty)}</p> }.into_any(),
                                Ok(items) => view! { <ClaimList items lang /> }.into_any(),
                                Err(e) => view! { <p class="error-text" role="alert">{api_message(i18n, &e)}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}

#[component]
fn ClaimList(items: Vec<ClaimItem>, lang: care_rules::Lang) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="queue">
            {items.into_iter().map(|item| view! {
                <li class="card">
                    <strong>{item.serial.clone()}</strong>" · "{status_text(i18n, item.status)}
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
        <StaffGate role="service">
            {move || {
                let id = id();
                let claim = LocalResource::new({
                    let id = id.clone();
                    move || {
                        let id = id.clone();
                        async move { api::get::<StaffClaim>(&format!("/api/staff/claims/{id}"), lang_now(i18n)).await }
                    }
                });
                let act = Action::new_local({
                    let id = id.clone();
                    move |(step, body): &(&'static str, serde_json::Value)| {
                        let (path, body) = (format!("/api/staff/claims/{id}/{step}"), body.clone());
                        async move { api::post::<_, StaffClaim>(&path, &body, lang_now(i18n), None).await }
                    }
                });
                Effect::new(move |_| {
                    if let Some(Ok(_)) = act.value().get() {
                        claim.refetch();
                    }
                });
                view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match claim.await {
                                Ok(staff) => view! { <ClaimDesk staff act /> }.into_any(),
                                Err(e) => view! { <p class="error-text" role="alert">{api_message(i18n, &e)}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}

type StepAction = Action<(&'static str, serde_json::Value), Result<StaffClaim, ApiError>>;

/// A claim with the forms of the steps its state allows.
#[component]
fn ClaimDesk(staff: StaffClaim, act: StepAction) -> impl IntoView {
    let i18n = use_i18n();
    let lang = lang_now(i18n);
    let allowed = |step: &str| staff.allowed_steps.iter().any(|s| s == step);
    let doc = staff.claim.clone();
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let replacement = RwSignal::new(String::new());
    let amount_error = RwSignal::new(None::<String>);
    let error = move || {
        act.value()
            .get()
            .and_then(Result::err)
            .map(|e| api_message(i18n, &e))
    };
    let whole_unit =
        doc.status == ClaimStatus::Paid && doc.option == Some(care_rules::ClaimOption::CareRefresh);
    let button = move |step: &'static str, label: String| {
        view! {
            <button type="button" disabled=move || act.pending().get() on:click=move |_| { act.dispatch((step, json!({}))); }>{label}</button>
        }
    };
    view! {
        <article class="card">
            <h2>{t!(i18n, claim_page_title, serial = doc.serial.clone())}</h2>
            <p class="status ok" role="status">{status_text(i18n, doc.status)}</p>
            <p><A href=format!("/staff/devices/{}", doc.serial)>{t!(i18n, staff_device)}</A></p>
            <h3>{t!(i18n, staff_description)}</h3>
            <p>{doc.description.clone()}</p>
            <h3>{t!(i18n, staff_contact)}</h3>
            <p>{staff.customer_name.clone()}", "{staff.customer_email.clone()}" "{staff.customer_phone.clone().unwrap_or_default()}</p>
            <h3>{t!(i18n, staff_address)}</h3>
            <p class="address">{staff.shipping_address.clone()}</p>
            {doc.care_refresh.fee_grosze.filter(|_| doc.care_refresh.eligible).map(|fee| view! {
                <p class="reward">{t!(i18n, claim_cr_offer, fee = fee.display(lang))}</p>
            })}
            {doc.quote.clone().map(|q| view! { <p>{t!(i18n, claim_quote, amount = q.amount_grosze.display(lang))}" · "{q.note.clone()}</p> })}
            {doc.payment.clone().map(|p| view! { <p>{t!(i18n, claim_pay_amount, amount = p.amount_grosze.display(lang))}" · "{p.reference.clone()}</p> })}
            <div class="actions">
                {allowed("receive").then(|| button("receive", t_string!(i18n, staff_receive).to_string()))}
                {allowed("warranty").then(|| button("warranty", t_string!(i18n, staff_warranty).to_string()))}
                {allowed("payment").then(|| button("payment", t_string!(i18n, staff_payment).to_string()))}
                {allowed("close").then(|| button("close", t_string!(i18n, staff_close).to_string()))}
            </div>
            {allowed("quote").then(|| view! {
                <form class="step" on:submit=move |ev| {
                    ev.prevent_default();
                    match parse_zloty(&amount.get_untracked()) {
                        Some(money) => {
                            amount_error.set(None);
                            act.dispatch(("quote", json!(QuoteRequest { amount_grosze: money, note: note.get_untracked() })));
                        }
                        None => amount_error.set(Some(t_string!(i18n, quote_amount_invalid).to_string())),
                    }
                }>
                    <TextField id="quote-amount" label=Signal::derive(move || t_string!(i18n, quote_amount_label).to_string())
                        error=Signal::derive(move || amount_error.get()) value=amount inputmode="decimal" />
                    <TextField id="quote-note" label=Signal::derive(move || t_string!(i18n, quote_note_label).to_string())
                        error=Signal::derive(|| None::<String>) value=note />
                    <button type="submit">{t!(i18n, staff_quote)}</button>
                </form>
            })}
            {allowed("decline").then(|| view! {
                <form class="step" on:submit=move |ev| {
                    ev.prevent_default();
                    act.dispatch(("decline", json!(ReasonRequest { reason: reason.get_untracked() })));
                }>
                    <TextField id="decline-reason" label=Signal::derive(move || t_string!(i18n, decline_reason_label).to_string())
                        error=Signal::derive(|| None::<String>) value=reason />
                    <button type="submit" class="secondary">{t!(i18n, staff_decline)}</button>
                </form>
            })}
            {allowed("ship").then(|| view! {
                <form class="step" on:submit=move |ev| {
                    ev.prevent_default();
                    let unit = Some(replacement.get_untracked()).filter(|s| !s.trim().is_empty());
                    act.dispatch(("ship", json!(ShipRequest { tracking: tracking.get_untracked(), replacement_serial: unit })));
                }>
                    <TextField id="ship-tracking" label=Signal::derive(move || t_string!(i18n, tracking_label).to_string())
                        error=Signal::derive(|| None::<String>) value=tracking />
                    {whole_unit.then(|| view! {
                        <TextField id="ship-replacement" label=Signal::derive(move || t_string!(i18n, replacement_serial_label).to_string())
                            error=Signal::derive(|| None::<String>) value=replacement />
                    })}
                    <button type="submit">{t!(i18n, staff_ship)}</button>
                </form>
            })}
            <p class="error-text" role="alert">{error}</p>
            {doc.shipment.clone().map(|s| view! { <p>{t!(i18n, claim_tracking, tracking = s.tracking.clone())}</p> })}
        </article>
    }
}

#[component]
pub fn StaffDevicePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_device).to_string());
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let now = use_ticking_now();
    view! {
        <h1>{t!(i18n, staff_device)}</h1>
        <StaffGate>
            {move || {
                let serial = serial();
                let page = LocalResource::new(move || {
                    let serial = serial.clone();
                    async move { api::get::<StaffDevice>(&format!("/api/staff/devices/{serial}"), lang_now(i18n)).await }
                });
                view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let lang = lang_now(i18n);
                            match page.await {
                                Ok(page) => view! {
                                    {page.device.coverage.clone().map(|c| view! { <CoverageView coverage=c now=now /> })}
                                    <section class="card">
                                        <h2>{t!(i18n, staff_ledger)}</h2>
                                        <table class="fees">
                                            <thead><tr><th scope="col">"#"</th><th scope="col">{t!(i18n, staff_ledger_fee)}</th><th scope="col">{t!(i18n, staff_audit_when)}</th></tr></thead>
                                            <tbody>
                                                {page.ledger.iter().map(|e| view! {
                                                    <tr><th scope="row">{e.number}</th><td class="money">{e.fee_grosze.display(lang)}</td><td>{when(e.at, lang)}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </section>
                                    <section class="card">
                                        <h2>{t!(i18n, staff_claims)}</h2>
                                        <ClaimList items=page.claims.clone() lang />
                                    </section>
                                    <section class="card">
                                        <h2>{t!(i18n, staff_audit)}</h2>
                                        <ul class="audit">
                                            {page.audit.iter().map(|a| view! {
                                                <li><span class="when">{when(a.at, lang)}</span>" · "{a.action.clone()}" · "{a.actor.clone()}</li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }.into_any(),
                                Err(e) => view! { <p class="error-text" role="alert">{api_message(i18n, &e)}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}
