//! What every page of both apps shares and that knows no feature: fields, the error
//! views, the page title, the language switch.

pub mod chunk;
pub mod errors;
pub mod field;
pub mod language;

pub use errors::{Elsewhere, FormError, NotFound, RequestFailed, action_error, arrived};
pub use field::{FieldNotes, TextField, described_by};

use leptos::prelude::*;

/// Sets the document's title for the page (WCAG 2.4.2), in the current language.
pub fn use_title(title: impl Fn() -> String + 'static) {
    Effect::new(move |_| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{} · Care Refresh", title()));
        }
    });
}

/// The line every form that takes personal data carries: where the privacy notice
/// is, opened in a new tab so that nothing typed is lost.
#[component]
pub fn PrivacyNote() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <p class="hint privacy-note">
            <a href="/privacy" target="_blank" rel="noopener">{crate::i18n::t!(i18n, privacy_link)}</a>
        </p>
    }
}

/// The first link of every page: straight to its content. It moves the focus itself,
/// because the router would otherwise take `#main` for a navigation.
#[component]
pub fn SkipLink() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <a class="skip-link" href="#main" on:click=|ev| {
            ev.prevent_default();
            let main = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("main"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
            if let Some(main) = main {
                let _ = main.focus();
            }
        }>{crate::i18n::t!(i18n, skip_to_content)}</a>
    }
}

/// A page's loading line, for `<Suspense>` fallbacks.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! { <p class="loading" role="status">{crate::i18n::t!(i18n, loading)}</p> }
}
