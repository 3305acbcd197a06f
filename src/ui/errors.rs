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

/// Where `Elsewhere` notes the address it is loading another bundle's page for.
const LEAVING: &str = "care-leaving-for";

/// Called by every bundle as it starts: a bundle that serves its own address ends the
/// leaving that brought it there, so that a later link to the same address loads it
/// again. A bundle given an address of another journey (offline, that journey never
/// kept) leaves the note for `Elsewhere` to find.
pub fn arrived(journey: care_rules::Journey) {
    let here = window().location().pathname().unwrap_or_default();
    if care_rules::Journey::for_path(&here) == journey
        && let Ok(Some(storage)) = window().session_storage()
    {
        let _ = storage.remove_item(LEAVING);
    }
}

/// The fallback of every journey's routes. An address of another journey is that
/// bundle's page: the whole page is loaded from its address (the server, or offline
/// the worker, answers with the right bundle). Anything else is not found. Should the
/// same bundle come back for that address (offline, before the other bundle was ever
/// kept), it says so instead of loading again and again.
#[component]
pub fn Elsewhere() -> impl IntoView {
    let journey = expect_context::<care_rules::Journey>();
    // The router's address, not the window's: the router draws the new route before it
    // writes the address into the history.
    let location = leptos_router::hooks::use_location();
    let path = location.pathname.get_untracked();
    let (search, hash) = (
        location.search.get_untracked(),
        location.hash.get_untracked(),
    );
    let storage = window().session_storage().ok().flatten();
    let tried = storage
        .as_ref()
        .and_then(|s| s.get_item(LEAVING).ok().flatten())
        .is_some_and(|tried| tried == path);
    if let Some(storage) = &storage {
        let _ = storage.remove_item(LEAVING);
    }
    if care_rules::Journey::for_path(&path) == journey {
        return view! { <NotFound /> }.into_any();
    }
    if tried {
        let i18n = use_i18n();
        use_title(move || t_string!(i18n, unavailable_title).to_string());
        return view! {
            <h1>{t!(i18n, unavailable_title)}</h1>
            <p>{t!(i18n, unavailable_text)}</p>
            <p><A href="/">{t!(i18n, back_home)}</A></p>
        }
        .into_any();
    }
    if let Some(storage) = &storage {
        let _ = storage.set_item(LEAVING, &path);
    }
    let mut address = path;
    if !search.is_empty() {
        address.push('?');
        address.push_str(search.trim_start_matches('?'));
    }
    if !hash.is_empty() && !hash.starts_with('#') {
        address.push('#');
    }
    address.push_str(&hash);
    // `replace`: the router adds this address to the history as well, after it draws
    // this; the page is loaded once it has (the next task). Loaded at once, it raced
    // with the router's entry, and on a slow phone left a history that Back could not
    // leave (3 times in 6 under an 8x slower CPU, `e2e/smoke.test.mjs`).
    set_timeout(
        move || {
            let _ = window().location().replace(&address);
        },
        std::time::Duration::ZERO,
    );
    view! { <p class="skeleton skeleton-title" aria-busy="true"></p> }.into_any()
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
