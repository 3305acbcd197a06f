//! Video verification: open a case (`/verification`), then follow it and upload the
//! video on its own page (`/verification/{id}`, the link the owner keeps).

use super::api;
use super::text;
use super::uploader::Uploader;
use crate::activation::focus_first_error;
use crate::api::ApiError;
use crate::clock::use_ticking_now;
use crate::format::{lang, left, when};
use crate::i18n::*;
use crate::ics;
use crate::owner::AskForLink;
use crate::refusal::api_message;
use crate::refusal::message;
use crate::ui::{FormError, Loading, PrivacyNote, RequestFailed, TextField, use_title};
use care_rules::api::{DeviceDocument, VerificationDocument, VerificationRequest};
use care_rules::{
    Coverage, Device, Eligibility, Email, Product, Refusal, Serial, Timestamp, VerificationStatus,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// What the video must show (spec §5), on both pages; on the case page the uploader
/// sits in the same card (its field hint then gives the limits).
#[component]
fn WhatToShow(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let i18n = use_i18n();
    let below = match children {
        Some(uploader) => uploader(),
        None => view! { <p class="hint">{t!(i18n, video_limits)}</p> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="must-show">
            <h2 id="must-show">{t!(i18n, video_must_show)}</h2>
            <ul class="checklist">
                <li>{t!(i18n, video_show_continuous)}</li>
                <li>{t!(i18n, video_show_serial)}</li>
                <li>{t!(i18n, video_show_power)}</li>
                <li>{t!(i18n, video_show_sides)}</li>
                <li>{t!(i18n, video_show_functions)}</li>
            </ul>
            {below}
        </section>
    }
}

#[component]
pub fn OpenCase() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, video_title).to_string());
    let query = use_query_map();
    let serial = RwSignal::new(query.read_untracked().get("serial").unwrap_or_default());
    let email = RwSignal::new(String::new());
    let now = use_ticking_now();
    let parsed = Memo::new(move |_| Serial::parse(&serial.get()).ok());
    let device = LocalResource::new(move || {
        let parsed = parsed.get();
        let lang = lang(i18n.get_locale_untracked());
        async move {
            match parsed {
                Some(s) => crate::coverage::api::device(&s, lang).await.ok(),
                None => None,
            }
        }
    });
    let tried = RwSignal::new(false);
    let navigate = use_navigate();
    let open = Action::new_local(move |request: &VerificationRequest| {
        let request = request.clone();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::open_case(&request, lang).await }
    });
    let refused = move || open.value().get().and_then(Result::err);
    Effect::new(move |_| {
        if let Some(Ok(created)) = open.value().get() {
            navigate(&format!("/verification/{}", created.id), Default::default());
        }
    });
    let serial_error = Signal::derive(move || {
        if tried.get() && Serial::parse(&serial.get()).is_err() {
            return Some(t_string!(i18n, serial_invalid).to_string());
        }
        refused()
            .filter(|e| {
                e.field() == Some("serial")
                    || e.refusal() == Some(care_rules::Refusal::DeviceNotFound)
            })
            .map(|e| api_message(i18n, &e))
    });
    let email_error = Signal::derive(move || {
        (tried.get() && Email::parse(&email.get()).is_err())
            .then(|| t_string!(i18n, email_invalid).to_string())
    });
    let other_error = Signal::derive(move || {
        refused()
            .filter(|e| {
                e.field().is_none() && e.refusal() != Some(care_rules::Refusal::DeviceNotFound)
            })
            .map(|e| api_message(i18n, &e))
    });
    view! {
        <h1>{t!(i18n, video_title)}</h1>
        <p class="lead">{t!(i18n, video_intro)}</p>
        <WhatToShow />
        <form class="card" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tried.set(true);
            if Serial::parse(&serial.get_untracked()).is_ok() && Email::parse(&email.get_untracked()).is_ok() {
                open.dispatch(VerificationRequest { serial: serial.get_untracked(), email: email.get_untracked() });
            } else {
                focus_first_error();
            }
        }>
            <TextField id="video-serial" label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, serial_hint).to_string()) error=serial_error value=serial />
            <div aria-live="polite">
                {move || device.get().flatten().map(|d| view! { <VideoNeeded device=d now=now /> })}
            </div>
            <TextField id="video-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
                error=email_error value=email input_type="email" autocomplete="email" inputmode="email" />
            <FormError error=other_error />
            <PrivacyNote />
            <button type="submit" disabled=move || open.pending().get()>{t!(i18n, video_open_case)}</button>
        </form>
    }
}

#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, video_title).to_string());
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let now = use_ticking_now();
    let case = LocalResource::new(move || {
        let id = id();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::case(&id, lang).await }
    });
    // While a video waits for review, look again every 15 seconds.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if case
                .get()
                .is_some_and(|c| c.is_ok_and(|c| c.status == VerificationStatus::PendingReview))
            {
                case.refetch();
            }
        },
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || handle.clear());
    }
    let status = move |doc: &VerificationDocument| {
        let (lang, now) = (lang(i18n.get_locale()), now.get());
        match doc.status {
            VerificationStatus::AwaitingUpload => t_string!(i18n, case_awaiting_upload).to_string(),
            VerificationStatus::PendingReview => t_string!(i18n, case_pending_review).to_string(),
            VerificationStatus::Accepted => {
                let deadline = doc.activation_deadline.unwrap_or(now);
                t_string!(
                    i18n,
                    case_accepted,
                    deadline = when(deadline, lang),
                    left = left(now, deadline, lang)
                )
                .to_string()
            }
            VerificationStatus::Rejected => {
                let mut reason = text::reason(i18n, doc.reject_reason);
                if let Some(note) = &doc.reject_note {
                    reason = format!("{reason} ({note})");
                }
                t_string!(i18n, case_rejected, reason).to_string()
            }
            VerificationStatus::Used => t_string!(i18n, case_used).to_string(),
            VerificationStatus::Expired => t_string!(i18n, case_expired).to_string(),
        }
    };
    view! {
        <h1>{t!(i18n, video_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(doc) => {
                        let link = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
                        let doc_for_status = doc.clone();
                        let activate = format!("/activate?serial={}&verification={}", doc.serial, doc.id);
                        let calendar = doc.activation_deadline.map(|deadline| {
                            ics::data_url(&ics::calendar(&[(deadline, t_string!(i18n, ics_video_deadline).to_string())], &doc.id))
                        });
                        view! {
                            <section class="card case" aria-labelledby="case-title">
                                <h2 id="case-title">{t!(i18n, video_case_title, serial = doc.serial.clone())}</h2>
                                <p class=text::status_class(doc.status)>{text::status(i18n, doc.status)}</p>
                                <p class="case-status" role="status">{move || status(&doc_for_status)}</p>
                                <p class="hint">{if doc.status == VerificationStatus::AwaitingUpload {
                                    t!(i18n, video_case_link).into_any()
                                } else {
                                    t!(i18n, video_case_link_later).into_any()
                                }}</p>
                                <p class="case-link"><code>{link}</code></p>
                                {(doc.status == VerificationStatus::Accepted).then(|| view! {
                                    <p>
                                        <a class="button" href=activate.clone()>{t!(i18n, case_activate_now)}</a>
                                        " "
                                        {calendar.clone().map(|href| view! {
                                            <a class="button secondary" href=href download="care-refresh-72h.ics">{t!(i18n, ics_download)}</a>
                                        })}
                                    </p>
                                })}
                                {matches!(doc.status, VerificationStatus::Rejected | VerificationStatus::Expired).then(|| view! {
                                    <p><a class="button secondary" href=format!("/verification?serial={}", doc.serial)>{t!(i18n, case_new)}</a></p>
                                })}
                            </section>
                            {(doc.status == VerificationStatus::AwaitingUpload).then(|| view! {
                                <WhatToShow>
                                    <Uploader case_id=doc.id.clone() resume=doc.upload.clone()
                                        on_done=Callback::new(move |_| case.refetch()) />
                                </WhatToShow>
                            })}
                        }
                        .into_any()
                    }
                    Err(ApiError::Refused(p)) if p.code == Refusal::NotFound => view! { <UnknownCase /> }.into_any(),
                    Err(e) => view! { <RequestFailed error=e retry=Callback::new(move |_| case.refetch()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A link that leads to no case: what may be wrong, and where to go.
#[component]
fn UnknownCase() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" role="alert">
            <h2>{t!(i18n, case_unknown_title)}</h2>
            <p>{t!(i18n, case_unknown_text)}</p>
            <div class="actions">
                <a class="button" href="/verification">{t!(i18n, case_new)}</a>
                <a class="button secondary" href="/coverage">{t!(i18n, nav_coverage)}</a>
            </div>
        </section>
        <AskForLink />
    }
}

/// Whether the device of a well-formed serial needs a video now, by the rules: if not,
/// the way to activate or extend directly instead of a case nobody needs.
#[component]
fn VideoNeeded(device: DeviceDocument, #[prop(into)] now: Signal<Timestamp>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let product = Product::find(&device.product_id)?;
        let coverage = device
            .coverage
            .as_ref()
            .and_then(|c| Coverage::restore(c.terms.clone(), c.replacements.used));
        let rules = Device {
            product,
            activated_at: device.activated_at,
            coverage: coverage.as_ref(),
        };
        let activate = format!("/activate?serial={}", device.serial);
        match rules.eligibility(now.get()) {
            Eligibility::VideoRequired => Some(view! {
                <p class="status-line info">{t!(i18n, video_needed_yes, product = product.name)}</p>
            }.into_any()),
            Eligibility::Direct { .. } | Eligibility::Extension { .. } => Some(view! {
                <p class="status-line success">{t!(i18n, video_needed_no, product = product.name)}</p>
                <p><a class="button" href=activate>{t!(i18n, next_activate)}</a></p>
            }.into_any()),
            Eligibility::Refused(refusal) => Some(view! {
                <p class="status-line danger">{message(i18n, refusal, None)}</p>
            }.into_any()),
        }
    }
}
