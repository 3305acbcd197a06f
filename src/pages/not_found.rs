use crate::i18n::*;
use crate::pages::use_title;
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

/// What a page shows when a request fails: the server's fault or no connection.
#[component]
pub fn ServerError(
    message: String,
    #[prop(optional)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="card error-card" role="alert">
            <h2>{t!(i18n, error_title)}</h2>
            <p>{message}</p>
            {retry.map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>{t!(i18n, retry)}</button>
            })}
        </div>
    }
}
