//! A labelled input with its hint and its error, linked for screen readers
//! (`aria-describedby`, `aria-invalid`) and announced when the error changes
//! (`aria-live`).

use leptos::prelude::*;

/// The error and hint lines under a field. The error line is always in the page, so
/// that screen readers announce it when its text appears.
#[component]
pub fn FieldNotes(
    #[prop(into)] id: String,
    #[prop(optional_no_strip)] hint: Option<Signal<String>>,
    #[prop(into)] error: Signal<Option<String>>,
    /// A neutral status (not an error), e.g. how many characters are typed.
    #[prop(into, optional)]
    status: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    view! {
        {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
        <p class="field-error" id=error_id aria-live="polite">
            {move || error.get().map(|e| view! { <span class="icon" aria-hidden="true">"⚠ "</span>{e} })}
            {move || {
                if error.get().is_none() {
                    status.and_then(|s| s.get()).map(|s| view! { <span class="field-status">{s}</span> })
                } else {
                    None
                }
            }}
        </p>
    }
}

/// The ids an input is described by: its hint (if any) and its error line.
pub fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A text input with label, hint and error.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into, optional)] hint: Option<Signal<String>>,
    #[prop(into, optional)] error: Option<Signal<Option<String>>>,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=id.clone()
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-describedby=described
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
            />
            <FieldNotes id=id hint=hint error=error />
        </div>
    }
}
