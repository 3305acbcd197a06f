//! Mail that failed every attempt: to whom (masked), what about, what the mail server
//! last answered, and a button that gives it a new round of attempts once the address
//! or the mail server has been fixed. Any member sees it: a lost receipt or decision
//! mail is everyone's problem.

use super::gate::StaffGate;
use super::{api, lang_now};
use crate::format::when;
use crate::i18n::*;
use crate::ui::{FormError, Loading, RequestFailed, action_error, use_title};
use care_rules::api::FailedMail;
use leptos::prelude::*;

#[component]
pub fn FailedMailPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_mail).to_string());
    view! {
        <h1>{t!(i18n, staff_mail)}</h1>
        <StaffGate>
            <FailedMailList />
        </StaffGate>
    }
}

#[component]
fn FailedMailList() -> impl IntoView {
    let i18n = use_i18n();
    let failed = LocalResource::new(move || async move { api::failed_mail(lang_now(i18n)).await });
    view! {
        <p class="hint">{t!(i18n, staff_mail_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match failed.await {
                    Err(error) => view! {
                        <RequestFailed error retry=Callback::new(move |_| failed.refetch()) />
                    }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <p class="card empty">{t!(i18n, staff_mail_empty)}</p> }.into_any()
                    }
                    Ok(list) => view! {
                        <ul class="queue">
                            {list.into_iter().map(|mail| view! { <FailedMailItem mail /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One message, with its resend button; once queued again it says so and offers
/// nothing more (the outbox sends it within seconds, or lists it here again).
#[component]
fn FailedMailItem(mail: FailedMail) -> impl IntoView {
    let i18n = use_i18n();
    let id = mail.id;
    let resend =
        Action::new_local(move |_: &()| async move { api::resend_mail(id, lang_now(i18n)).await });
    let error = action_error(resend);
    let queued = move || matches!(resend.value().get(), Some(Ok(())));
    let lang = lang_now(i18n);
    view! {
        <li class="card">
            <strong>{mail.subject}</strong>
            <br/>{mail.to}" · "{t!(i18n, staff_mail_queued)}": "{when(mail.queued_at, lang)}
            " · "{t!(i18n, staff_mail_attempts, count = mail.attempts)}
            <br/>{t!(i18n, staff_mail_answer)}": "
            <code>{mail.last_error.unwrap_or_else(|| "—".to_owned())}</code>
            <Show when=queued fallback=move || view! {
                <FormError error />
                <button type="button" class="secondary" disabled=move || resend.pending().get()
                    on:click=move |_| { resend.dispatch(()); }>
                    {t!(i18n, staff_mail_resend)}
                </button>
            }>
                <p class="status-line success" role="status">{t!(i18n, staff_mail_requeued)}</p>
            </Show>
        </li>
    }
}
