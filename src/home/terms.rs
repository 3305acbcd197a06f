//! The terms the owner accepts when activating (`/terms`): the service's main points
//! as the rules apply them.

use crate::i18n::*;
use crate::ui::use_title;
use leptos::prelude::*;

#[component]
pub fn Terms() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, terms_page_title).to_string());
    view! {
        <h1>{t!(i18n, terms_page_title)}</h1>
        <p class="lead">{t!(i18n, terms_page_lead)}</p>
        <section class="card">
            <ol class="terms-list">
                <li>{t!(i18n, terms_page_plans)}</li>
                <li>{t!(i18n, terms_page_activation)}</li>
                <li>{t!(i18n, terms_page_extension)}</li>
                <li>{t!(i18n, terms_page_replacements)}</li>
                <li>{t!(i18n, terms_page_reward)}</li>
                <li>{t!(i18n, terms_page_returns)}</li>
                <li>{t!(i18n, terms_page_data)}</li>
            </ol>
        </section>
    }
}
