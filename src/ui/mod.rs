//! What every page of both apps shares and that knows no feature: fields, the error
//! views, the page title, the language switch.

pub mod errors;
pub mod field;
pub mod language;

pub use errors::{FormError, NotFound, RequestFailed, action_error};
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

/// A page's loading line, for `<Suspense>` fallbacks.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! { <p class="loading" role="status">{crate::i18n::t!(i18n, loading)}</p> }
}
