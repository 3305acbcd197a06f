//! "Lost your link?": an email address for a link to the owner's page. The answer is
//! the same whether the address is known or not, and the page says so.

use super::api;
use crate::format::lang;
use crate::i18n::*;
use crate::ui::{FormError, PrivacyNote, TextField, action_error};
use care_rules::Email;
use leptos::prelude::*;

#[component]
pub fn AskForLink(
    /// The heading: "Lost your link?" on another page, "Sign in" on the owner's own.
    #[prop(optional)]
    sign_in: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let ask = Action::new_local(move |email: &String| {
        let email = email.clone();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::ask_link(&email, lang).await }
    });
    let email_error = Signal::derive(move || {
        (tried.get() && Email::parse(&email.get()).is_err())
            .then(|| t_string!(i18n, email_invalid).to_string())
    });
    let sent = move || matches!(ask.value().get(), Some(Ok(_)));
    view! {
        <section class="card ask-link" aria-labelledby="ask-link-title">
            <h2 id="ask-link-title">
                {move || if sign_in { t_string!(i18n, owner_sign_in_title) } else { t_string!(i18n, owner_lost_link_title) }}
            </h2>
            <p>{t!(i18n, owner_ask_text)}</p>
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                tried.set(true);
                if Email::parse(&email.get_untracked()).is_ok() {
                    ask.dispatch(email.get_untracked());
                } else if let Some(field) = document().get_element_by_id("ask-link-email") {
                    let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(field).focus();
                }
            }>
                <TextField id="ask-link-email" label=Signal::derive(move || t_string!(i18n, owner_ask_email).to_string())
                    error=email_error value=email input_type="email" autocomplete="email" inputmode="email" />
                <FormError error=action_error(ask) />
                <PrivacyNote />
                <button type="submit" disabled=move || ask.pending().get()>{t!(i18n, owner_ask_button)}</button>
            </form>
            <p role="status" class="success-text">{move || sent().then(|| t_string!(i18n, owner_ask_sent).to_string())}</p>
        </section>
    }
}
