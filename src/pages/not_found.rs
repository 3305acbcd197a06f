use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>"Nie ma takiej strony"</h1>
        <p><A href="/">"Wróć na stronę główną"</A></p>
    }
}
