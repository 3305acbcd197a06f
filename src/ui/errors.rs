//! How failures look, one way everywhere: a refusal as a sentence where it happened, a
//! server or network failure as a card with a retry, and the page for an unknown URL.

use super::use_title;
use crate::api::ApiError;
use crate::i18n::*;
use crate::refusal::api_message;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, not_found_title).to_string());
    view! {
        <h1>{t!(i18n, not_found_title)}</h1>
        <p>{t!(i18n, not_found_text)}</p>
        <p><A href="/">{t!(i18n, back_home)}</A></p>
    }
}

/// A form's error line: empty until `error` holds a sentence. It is always in the page,
/// so that screen readers announce the sentence when it appears.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! { <p class="error-text" role="alert">{move || error.get()}</p> }
}

/// A failed request: a refusal as a sentence; a server or network failure as a card,
/// with a retry when one is given.
#[component]
pub fn RequestFailed(
    error: ApiError,
    #[prop(optional)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = api_message(i18n, &error);
    match error {
        ApiError::Refused(_) => {
            view! { <p class="error-text" role="alert">{message}</p> }.into_any()
        }
        ApiError::Server | ApiError::Network => view! {
            <div class="card error-card" role="alert">
                <h2>{t!(i18n, error_title)}</h2>
                <p>{message}</p>
                {retry.map(|retry| view! {
                    <button type="button" on:click=move |_| retry.run(())>{t!(i18n, retry)}</button>
                })}
            </div>
        }
        .into_any(),
    }
}

/// The error of the last run of an action, as a form's error line.
pub fn action_error<I, O>(action: Action<I, Result<O, ApiError>>) -> Signal<Option<String>>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| api_message(i18n, &e))
    })
}
