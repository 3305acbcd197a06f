//! The reviewer's side: the videos waiting for review, and a case with its video, the
//! acceptance and the rejection with a reason.

use super::gate::StaffGate;
use super::{api, lang_now};
use crate::api::ApiError;
use crate::format::when;
use crate::i18n::*;
use crate::ui::{
    FieldNotes, FormError, Loading, RequestFailed, TextField, action_error, use_title,
};
use crate::verification::text;
use care_rules::api::{DecisionRequest, ReviewItem, VerificationDocument};
use care_rules::text::REJECT_NOTE;
use care_rules::{Product, RejectReason, Role, VerificationStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn VideoQueue() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_videos).to_string());
    view! {
        <h1>{t!(i18n, staff_videos)}</h1>
        <StaffGate role=Role::Reviewer>
            <VideoList />
        </StaffGate>
    }
}

/// The videos waiting for review, a page at a time.
#[component]
fn VideoList() -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<ReviewItem>::new());
    let next = RwSignal::new(None::<String>);
    let load = Action::new_local(move |cursor: &Option<String>| {
        let cursor = cursor.clone();
        async move {
            api::videos(
                VerificationStatus::PendingReview,
                cursor.as_deref(),
                lang_now(i18n),
            )
            .await
        }
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
                    view! { <p class="card empty">{t!(i18n, staff_videos_empty)}</p> }.into_any()
                }
                list if list.is_empty() => view! { <Loading /> }.into_any(),
                list => view! {
                    <ul class="queue">
                        {list.into_iter().map(|item| view! {
                            <li class="card">
                                <strong>{item.serial.clone()}</strong>" · "{product_name(item.product_id.as_deref())}
                                <br/>{item.email.clone()}" · "{t!(i18n, staff_submitted)}": "
                                {item.submitted_at.map(|t| when(t, lang)).unwrap_or_default()}
                                <br/><A href=format!("/staff/videos/{}", item.id)>{t!(i18n, staff_open)}</A>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
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

/// A product's name for a list (its id when the catalogue does not know it).
fn product_name(id: Option<&str>) -> String {
    id.map(|id| Product::find(id).map_or(id, |p| p.name).to_owned())
        .unwrap_or_default()
}

/// Rejecting a video: a reason must be chosen (none is preselected), a note written
/// when the reason is "other", and the rejection confirmed, since the owner is emailed
/// at once.
#[component]
fn RejectForm(
    decide: Action<DecisionRequest, Result<VerificationDocument, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(None::<RejectReason>);
    let note = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let reason_error = Signal::derive(move || {
        (tried.get() && reason.get().is_none())
            .then(|| t_string!(i18n, reject_reason_required).to_string())
    });
    let note_error = Signal::derive(move || {
        let needed = reason.get() == Some(RejectReason::Other);
        (tried.get() && needed && !REJECT_NOTE.accepts(&note.get()))
            .then(|| t_string!(i18n, reject_note_required).to_string())
    });
    view! {
        <form class="reject step" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tried.set(true);
            if reason_error.get_untracked().is_some() || note_error.get_untracked().is_some() {
                crate::activation::focus_first_error();
                return;
            }
            confirming.set(true);
        }>
            <div class="field">
                <label for="reject-reason">{t!(i18n, reject_reason_label)}</label>
                <select id="reject-reason" aria-describedby="reject-reason-error"
                    aria-invalid=move || if reason_error.get().is_some() { "true" } else { "false" }
                    on:change:target=move |ev| reason.set(RejectReason::parse(&ev.target().value()))>
                    <option value="" selected=true>{t!(i18n, reject_reason_choose)}</option>
                    {RejectReason::ALL.iter().map(|r| {
                        view! { <option value=r.as_str()>{text::reason(i18n, Some(*r))}</option> }
                    }).collect_view()}
                </select>
                <FieldNotes id="reject-reason" error=reason_error />
            </div>
            <TextField id="reject-note" label=Signal::derive(move || t_string!(i18n, reject_note_label).to_string())
                error=note_error value=note />
            {move || if confirming.get() {
                view! {
                    <div class="confirm" role="group" aria-labelledby="reject-confirm-title">
                        <p id="reject-confirm-title" class="status-line warning">{t!(i18n, reject_confirm_title)}</p>
                        <div class="actions">
                            <button type="button" disabled=move || decide.pending().get() on:click=move |_| {
                                let text = note.get_untracked();
                                decide.dispatch(DecisionRequest {
                                    accept: false,
                                    reason: reason.get_untracked(),
                                    note: Some(text).filter(|n| !n.trim().is_empty()),
                                });
                            }>{t!(i18n, reject_confirm)}</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t!(i18n, reject_back)}</button>
                        </div>
                    </div>
                }.into_any()
            } else {
                view! { <button type="submit" class="secondary">{t!(i18n, video_reject)}</button> }.into_any()
            }}
        </form>
    }
}

#[component]
pub fn VideoReview() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_videos).to_string());
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <h1>{t!(i18n, staff_videos)}</h1>
        <StaffGate role=Role::Reviewer>
            {move || {
                let id = id();
                let case = LocalResource::new({
                    let id = id.clone();
                    move || {
                        let id = id.clone();
                        async move { api::case(&id, lang_now(i18n)).await }
                    }
                });
                let decide = Action::new_local({
                    let id = id.clone();
                    move |request: &DecisionRequest| {
                        let (request, id) = (request.clone(), id.clone());
                        async move { api::decide(&id, &request, lang_now(i18n)).await }
                    }
                });
                Effect::new(move |_| {
                    if let Some(Ok(_)) = decide.value().get() {
                        case.refetch();
                    }
                });
                let error = action_error(decide);
                let video = api::video_url(&id);
                view! {
                    <Suspense fallback=Loading>
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
                                                <p class=text::status_class(doc.status) role="status">{text::status(i18n, doc.status)}</p>
                                                {pending.then(|| view! {
                                                    <div class="actions">
                                                        <button type="button" on:click=move |_| { decide.dispatch(DecisionRequest { accept: true, reason: None, note: None }); }>
                                                            {t!(i18n, video_accept)}
                                                        </button>
                                                    </div>
                                                    <RejectForm decide />
                                                })}
                                                <FormError error=error />
                                            </section>
                                        }.into_any()
                                    }
                                    Err(e) => view! { <RequestFailed error=e /> }.into_any(),
                                }
                            })
                        }}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}
