//! The code field: formats `XXXX-XXXX-XXXX-XXXX` while typing and says at once, from
//! the rules in the browser, when a character is not allowed or the check character
//! does not match (a typo), before anything is sent.

use crate::i18n::*;
use crate::ui::{FieldNotes, described_by};
use care_rules::code::{CodeInput, format_partial, inspect};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// What the field says about `text` (`error`, `status`), by the rules.
pub fn feedback(i18n: I18nContext<Locale>, text: &str) -> (Option<String>, Option<String>) {
    match inspect(text) {
        CodeInput::Empty => (None, None),
        CodeInput::Incomplete { len } => (
            None,
            Some(t_string!(i18n, code_incomplete, count = len).to_string()),
        ),
        CodeInput::BadCharacter { character, .. } => (
            Some(t_string!(i18n, code_bad_character, character).to_string()),
            None,
        ),
        CodeInput::TooLong { .. } => (Some(t_string!(i18n, code_too_long).to_string()), None),
        CodeInput::CheckMismatch => (Some(t_string!(i18n, code_typo).to_string()), None),
        CodeInput::Valid(_) => (None, Some(t_string!(i18n, code_valid).to_string())),
    }
}

#[component]
pub fn CodeField(
    /// The text as shown (formatted).
    value: RwSignal<String>,
    /// A refusal from the server about the code, shown like the field's own errors.
    #[prop(into)]
    server_error: Signal<Option<String>>,
    /// Set when the owner tries to go on with an empty or invalid code.
    #[prop(into)]
    required_error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let checked = Memo::new(move |_| feedback(i18n, &value.get()));
    let error = Signal::derive(move || {
        server_error
            .get()
            .or_else(|| checked.get().0)
            .or_else(|| required_error.get())
    });
    let status = Signal::derive(move || checked.get().1);
    let hint = Signal::derive(move || t_string!(i18n, code_hint).to_string());
    view! {
        <div class="field">
            <label for="code">{t!(i18n, code_label)}</label>
            <input
                id="code"
                name="code"
                class="code-input"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                aria-describedby=described_by("code", true) + " code-notice"
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || value.get()
                on:input:target=move |ev| {
                    let formatted = format_partial(&ev.target().value());
                    // Write the formatted text back even when the signal already holds it.
                    ev.target().set_value(&formatted);
                    value.set(formatted);
                }
            />
            <FieldNotes id="code" hint=Some(hint) error=error status=status />
            <p class="notice" id="code-notice">{t!(i18n, code_notice)}</p>
        </div>
    }
}
