//! `/me`: the emailed link opens it with its token in the fragment (`#token=…`, which no
//! server sees). The page takes the token out of the address at once (so that it is
//! neither kept in the history nor copied with the address), trades it for a session,
//! and shows the address's devices, cases and claims with the next step for each.

use super::api;
use super::ask::AskForLink;
use crate::api::ApiError;
use crate::format::{lang, when};
use crate::i18n::*;
use crate::ui::chunk::{Load, later};
use crate::ui::{Loading, RequestFailed, use_title};
use care_rules::api::{OwnerCase, OwnerClaim, OwnerDevice, OwnerOverview};
use care_rules::{CoverageStatus, Product, Refusal, VerificationStatus};
use leptos::prelude::*;

/// Where the page notes that this browser holds an owner session. Not a secret (the
/// session is an HttpOnly cookie the page never sees): it only spares a visitor who
/// never signed in here a request that can only answer 401.
const SESSION_HINT: &str = "care-owner-session";

fn hinted() -> bool {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(SESSION_HINT).ok().flatten())
        .is_some()
}

fn hint(signed_in: bool) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = if signed_in {
            storage.set_item(SESSION_HINT, "1")
        } else {
            storage.remove_item(SESSION_HINT)
        };
    }
}

/// The token of the link that opened the page, taken out of the address.
fn take_token() -> Option<String> {
    let location = window().location();
    let hash = location.hash().ok()?;
    let token = hash.strip_prefix("#token=")?.to_owned();
    if let Ok(history) = window().history() {
        let path = location.pathname().unwrap_or_else(|_| "/me".to_owned());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    (!token.is_empty()).then_some(token)
}

/// What a signed-in owner sees (their devices, cases and claims, and erasure, whose
/// `done` it calls), given by the bundle as a part fetched on first use.
pub type SignedIn = fn(OwnerOverview, Callback<()>) -> AnyView;

#[component]
pub fn OwnerPage(signed_in: Load<SignedIn>) -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, owner_title).to_string());
    let token = StoredValue::new(take_token());
    let from_link = RwSignal::new(token.get_value().is_some());
    // Bumped by signing out, to show the page as a stranger sees it.
    let signed_out = RwSignal::new(false);
    let erased = RwSignal::new(false);
    let overview = LocalResource::new(move || {
        let lang = lang(i18n.get_locale_untracked());
        let gone = signed_out.get();
        // The token is used once: a refetch (sign-out, retry) asks with the session.
        let token = token.try_update_value(Option::take).flatten();
        async move {
            if gone {
                hint(false);
                return Err(None);
            }
            if let Some(token) = token {
                match api::sign_in(&token, lang).await {
                    Ok(()) => hint(true),
                    // The same link again, with this browser signed in already: the
                    // session answers.
                    Err(ApiError::Refused(p)) if p.code == Refusal::Unauthorized && hinted() => {}
                    Err(e) => return Err(Some(e)),
                }
            } else if !hinted() {
                return Err(None);
            }
            let overview = api::overview(lang).await;
            if matches!(&overview, Err(ApiError::Refused(p)) if p.code == Refusal::Unauthorized) {
                hint(false);
            }
            overview.map_err(Some)
        }
    });
    // A link opened in the tab that shows this page already only changes the fragment.
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(fresh) = take_token() {
            token.set_value(Some(fresh));
            from_link.set(true);
            signed_out.set(false);
            overview.refetch();
        }
    });
    on_cleanup(move || listener.remove());
    let sign_out = Action::new_local(move |_: &()| {
        let lang = lang(i18n.get_locale_untracked());
        async move { api::sign_out(lang).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            signed_out.set(true);
        }
    });
    view! {
        <h1>{t!(i18n, owner_title)}</h1>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || overview.get().map(|result| match result {
                Ok(doc) => {
                    let erased = Callback::new(move |_| { erased.set(true); signed_out.set(true); });
                    let sign_out = move |_| { sign_out.dispatch(()); };
                    later(signed_in, move |signed_in: SignedIn| view! {
                        {signed_in(doc.clone(), erased)}
                        <p class="actions">
                            // `download`: the router leaves the link to the browser.
                            <a class="button secondary" href="/api/owner/export" download="care-refresh-data.json">{t!(i18n, owner_download)}</a>
                            <button type="button" class="secondary" on:click=sign_out>
                                {t!(i18n, owner_sign_out)}
                            </button>
                        </p>
                    }.into_any()).into_any()
                }
                // Not signed in: a used or expired link says so; the form asks for another.
                Err(None) => view! {
                    {erased.get_untracked().then(|| view! { <p class="success-text" role="status">{t!(i18n, owner_erased)}</p> })}
                    <SignedOut />
                }.into_any(),
                Err(Some(ApiError::Refused(p))) if p.code == Refusal::Unauthorized => view! {
                    {from_link.get_untracked().then(|| view! { <p class="error-text" role="alert">{t!(i18n, owner_link_used)}</p> })}
                    <SignedOut />
                }.into_any(),
                Err(Some(e)) => view! { <RequestFailed error=e retry=Callback::new(move |_| overview.refetch()) /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="lead">{t!(i18n, owner_intro)}</p>
        <AskForLink sign_in=true />
    }
}

/// The signed-in owner's devices, cases and claims, and erasure (then `erased`).
pub fn signed_in(doc: OwnerOverview, erased: Callback<()>) -> AnyView {
    view! {
        <Overview doc />
        <Erase done=erased />
    }
    .into_any()
}

#[component]
fn Overview(doc: OwnerOverview) -> impl IntoView {
    let i18n = use_i18n();
    let OwnerOverview {
        email,
        devices,
        verifications,
        claims,
    } = doc;
    view! {
        <p class="lead">{t!(i18n, owner_signed_in_as, email)}</p>
        <section aria-labelledby="my-devices">
            <h2 id="my-devices">{t!(i18n, owner_devices)}</h2>
            {if devices.is_empty() {
                view! { <p>{t!(i18n, owner_no_devices)}</p> }.into_any()
            } else {
                view! { <ul class="owner-list">{devices.into_iter().map(|d| view! { <DeviceItem device=d /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section aria-labelledby="my-cases">
            <h2 id="my-cases">{t!(i18n, owner_cases)}</h2>
            {if verifications.is_empty() {
                view! { <p>{t!(i18n, owner_no_cases)}</p> }.into_any()
            } else {
                view! { <ul class="owner-list">{verifications.into_iter().map(|c| view! { <CaseItem case=c /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section aria-labelledby="my-claims">
            <h2 id="my-claims">{t!(i18n, owner_claims)}</h2>
            {if claims.is_empty() {
                view! { <p>{t!(i18n, owner_no_claims)}</p> }.into_any()
            } else {
                view! { <ul class="owner-list">{claims.into_iter().map(|c| view! { <ClaimItem claim=c /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

/// A device: its coverage at a glance, and the one thing to do next.
#[component]
fn DeviceItem(device: OwnerDevice) -> impl IntoView {
    let i18n = use_i18n();
    let name =
        Product::find(&device.product_id).map_or(device.product_id.clone(), |p| p.name.to_owned());
    let serial = device.serial.clone();
    let (next_href, next_text) = match device.status {
        CoverageStatus::Active => (
            format!("/claims/new?serial={serial}"),
            t_string!(i18n, nav_claim),
        ),
        CoverageStatus::Grace | CoverageStatus::Exhausted => (
            format!("/activate?serial={serial}"),
            t_string!(i18n, owner_extend),
        ),
        CoverageStatus::Expired | CoverageStatus::None => (
            format!("/coverage/{serial}"),
            t_string!(i18n, owner_see_coverage),
        ),
    };
    let left = device.replacements;
    view! {
        <li class="card owner-item">
            <h3>{name}" · "<span class="serial">{serial.clone()}</span></h3>
            <p><span class=crate::coverage::view::status_class(device.status)>{crate::coverage::view::status_text(i18n, device.status)}</span></p>
            {device.ends_at.map(|end| view! {
                <p>{t!(i18n, owner_until, date = move || when(end, lang(i18n.get_locale())))}</p>
            })}
            {(left.total > 0).then(|| view! {
                <p>{t!(i18n, owner_replacements_left, remaining = left.remaining, total = left.total)}</p>
            })}
            <p class="actions">
                <a class="button" href=next_href>{next_text}</a>
                <a class="button secondary" href=format!("/coverage/{serial}")>{t!(i18n, owner_coverage_details)}</a>
                {(device.status != CoverageStatus::None).then(|| view! {
                    <a class="button secondary" href=format!("/coverage/{serial}/certificate")>{t!(i18n, certificate_link)}</a>
                })}
            </p>
        </li>
    }
}

#[component]
fn CaseItem(case: OwnerCase) -> impl IntoView {
    let i18n = use_i18n();
    let status = case.status;
    view! {
        <li class="card owner-item">
            <h3>{t!(i18n, owner_case_of, serial = case.serial.clone())}</h3>
            <p><span class=crate::verification::text::status_class(status)>{crate::verification::text::status(i18n, status)}</span></p>
            {case.activation_deadline.filter(|_| status == VerificationStatus::Accepted).map(|deadline| view! {
                <p>{t!(i18n, owner_activate_until, date = move || when(deadline, lang(i18n.get_locale())))}</p>
            })}
            <p class="actions"><a class="button secondary" href=format!("/verification/{}", case.id)>{t!(i18n, owner_open)}</a></p>
        </li>
    }
}

#[component]
fn ClaimItem(claim: OwnerClaim) -> impl IntoView {
    let i18n = use_i18n();
    let filed = claim.filed_at;
    view! {
        <li class="card owner-item">
            <h3>{claim.number.clone()}" · "<span class="serial">{claim.serial.clone()}</span></h3>
            <p><span class=crate::claims::status_class(claim.status)>{crate::claims::status_text(i18n, claim.status)}</span></p>
            <p>{t!(i18n, owner_filed_on, date = move || when(filed, lang(i18n.get_locale())))}</p>
            <p class="actions"><a class="button secondary" href=format!("/claims/{}", claim.id)>{t!(i18n, owner_open)}</a></p>
        </li>
    }
}

/// Erasure, asked twice: the button, then a confirmation that says what goes and what
/// stays.
#[component]
fn Erase(done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let asked = RwSignal::new(false);
    let erase = Action::new_local(move |_: &()| {
        let lang = lang(i18n.get_locale_untracked());
        async move { api::erase(lang).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = erase.value().get() {
            done.run(());
        }
    });
    let refused = move || match erase.value().get() {
        Some(Err(ApiError::Refused(p))) if p.code == Refusal::InvalidState => {
            Some(t_string!(i18n, owner_erase_open_claim).to_string())
        }
        Some(Err(e)) => Some(crate::refusal::api_message(i18n, &e)),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="erase-title">
            <h2 id="erase-title">{t!(i18n, owner_erase)}</h2>
            <Show when=move || asked.get() fallback=move || view! {
                <button type="button" class="secondary" on:click=move |_| asked.set(true)>{t!(i18n, owner_erase)}</button>
            }>
                <p>{t!(i18n, owner_erase_confirm)}</p>
                <p class="actions">
                    <button type="button" class="danger" disabled=move || erase.pending().get()
                        on:click=move |_| { erase.dispatch(()); }>{t!(i18n, owner_erase_yes)}</button>
                    <button type="button" class="secondary" on:click=move |_| asked.set(false)>{t!(i18n, owner_erase_no)}</button>
                </p>
            </Show>
            <p class="error-text" role="alert">{refused}</p>
        </section>
    }
}
