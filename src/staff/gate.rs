//! Who is signed in: the gate every console page stands behind, the sign-in form, and
//! the bar with the member's name, their queue and the sign-out.

use super::{api, lang_now};
use crate::api::ApiError;
use crate::i18n::*;
use crate::refusal::api_message;
use crate::ui::{Loading, TextField};
use care_rules::api::{LoginRequest, StaffMember};
use care_rules::{Email, Role};
use leptos::prelude::*;
use leptos_router::components::A;

/// Shows `children` to a signed-in member of `role` (any role when `None`), the
/// sign-in form to a stranger, and a clear message to the other role.
#[component]
pub fn StaffGate(#[prop(optional)] role: Option<Role>, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let me = LocalResource::new(move || async move { api::me(lang_now(i18n)).await });
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(member) if role.is_none_or(|r| r == member.role) => {
                        // The pages inside learn who is signed in (the landing page
                        // sends each role to its queue).
                        provide_context(member.clone());
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
    let role = match member.role {
        Role::Reviewer => t_string!(i18n, role_reviewer).to_string(),
        Role::Service => t_string!(i18n, role_service).to_string(),
    };
    let logout = Action::new_local(move |_: &()| async move { api::logout(lang_now(i18n)).await });
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            on_out.run(());
        }
    });
    let queue = match member.role {
        Role::Reviewer => view! { <A href="/staff/videos">{t!(i18n, staff_videos)}</A> }.into_any(),
        Role::Service => view! { <A href="/staff/claims">{t!(i18n, staff_claims)}</A> }.into_any(),
    };
    view! {
        <nav class="staff-nav" aria-label=move || t_string!(i18n, staff_title).to_string()>
            <span class="hint">{t!(i18n, staff_signed_in, email = member.email.clone(), role = role.clone())}</span>
            {queue}
            <A href="/staff/devices">{t!(i18n, staff_device)}</A>
            <A href="/staff/mail">{t!(i18n, staff_mail)}</A>
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
        async move { api::login(&request, lang_now(i18n)).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            on_in.run(());
        }
    });
    let tried = RwSignal::new(false);
    let email_error = Signal::derive(move || {
        (tried.get() && Email::parse(&email.get()).is_err())
            .then(|| t_string!(i18n, email_invalid).to_string())
    });
    let password_error = Signal::derive(move || {
        if tried.get() && password.get().is_empty() {
            return Some(t_string!(i18n, password_required).to_string());
        }
        login.value().get().and_then(Result::err).map(|e| match e {
            ApiError::Refused(p) if p.code == care_rules::Refusal::Unauthorized => {
                t_string!(i18n, login_failed).to_string()
            }
            other => api_message(i18n, &other),
        })
    });
    view! {
        <form class="card login" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tried.set(true);
            // Nothing is sent that the server could only refuse.
            if Email::parse(&email.get_untracked()).is_err() || password.get_untracked().is_empty() {
                crate::activation::focus_first_error();
                return;
            }
            login.dispatch(LoginRequest { email: email.get_untracked(), password: password.get_untracked() });
        }>
            <h2>{t!(i18n, staff_login_title)}</h2>
            <TextField id="staff-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
                error=email_error value=email input_type="email" autocomplete="username" required=true />
            <TextField id="staff-password" label=Signal::derive(move || t_string!(i18n, password_label).to_string())
                error=password_error value=password input_type="password" autocomplete="current-password" required=true />
            <button type="submit" disabled=move || login.pending().get()>{t!(i18n, login_submit)}</button>
        </form>
    }
}
