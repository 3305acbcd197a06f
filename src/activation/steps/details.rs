//! Step 3: the owner's name, email and phone, and the terms (with the §5 5.6-5.7
//! notice beside the box).

use super::{StepActions, wizard};
use crate::activation::wizard::Step;
use crate::i18n::*;
use crate::ui::{FieldNotes, PrivacyNote, TextField};
use care_rules::{Email, Name, Phone};
use leptos::prelude::*;

#[component]
pub fn DetailsStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let tried = move || w.tried(Step::Details);
    let check = move |field: &'static str,
                      valid: fn(&str) -> bool,
                      value: RwSignal<String>,
                      message: fn(leptos_i18n::I18nContext<Locale>) -> String| {
        let server = w.server_error_for(field);
        Signal::derive(move || {
            server
                .get()
                .or_else(|| (tried() && !valid(&value.get())).then(|| message(i18n)))
        })
    };
    let name_error = check(
        "customer.name",
        |v| Name::parse(v).is_ok(),
        w.name,
        |i18n| t_string!(i18n, name_invalid).to_string(),
    );
    let email_error = check(
        "customer.email",
        |v| Email::parse(v).is_ok(),
        w.email,
        |i18n| t_string!(i18n, email_invalid).to_string(),
    );
    let phone_error = check(
        "customer.phone",
        |v| Phone::parse_optional(v).is_ok(),
        w.phone,
        |i18n| t_string!(i18n, phone_invalid).to_string(),
    );
    let terms_error = Signal::derive(move || {
        (tried() && !w.terms.get()).then(|| t_string!(i18n, terms_required).to_string())
    });
    view! {
        <TextField id="customer-name" label=Signal::derive(move || t_string!(i18n, name_label).to_string())
            error=name_error value=w.name autocomplete="name" required=true />
        <TextField id="customer-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
            hint=Signal::derive(move || t_string!(i18n, email_hint).to_string())
            error=email_error value=w.email input_type="email" autocomplete="email" inputmode="email" required=true />
        <TextField id="customer-phone" label=Signal::derive(move || t_string!(i18n, phone_label).to_string())
            hint=Signal::derive(move || t_string!(i18n, phone_hint).to_string())
            error=phone_error value=w.phone input_type="tel" autocomplete="tel" inputmode="tel" />
        <div class="field checkbox">
            <input id="accept-terms" type="checkbox" aria-describedby="accept-terms-error code-notice-repeat"
                aria-invalid=move || if terms_error.get().is_some() { "true" } else { "false" }
                prop:checked=move || w.terms.get()
                on:change:target=move |ev| w.terms.set(ev.target().checked()) />
            <label for="accept-terms">{t!(i18n, terms_label)}" "
                <a href="/terms" target="_blank" rel="noopener">{t!(i18n, terms_read)}</a></label>
            <FieldNotes id="accept-terms" error=terms_error />
            <p class="notice" id="code-notice-repeat">{t!(i18n, code_notice)}</p>
        </div>
        <PrivacyNote />
        <StepActions back=Step::Device next=Signal::derive(move || t_string!(i18n, next).to_string()) />
    }
}
