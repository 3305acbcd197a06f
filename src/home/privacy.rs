//! The privacy notice (`/privacy`): what the portal keeps about a person, why, for how
//! long, who sees it, and the owner's rights (RODO). Every form that takes personal
//! data links here (`crate::ui::PrivacyNote`).

use crate::i18n::*;
use crate::ui::use_title;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Privacy() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, privacy_title).to_string());
    view! {
        <h1>{t!(i18n, privacy_title)}</h1>
        <p class="lead">{t!(i18n, privacy_lead)}</p>
        <section class="card privacy">
            <h2>{t!(i18n, privacy_what_title)}</h2>
            <p>{t!(i18n, privacy_what)}</p>
            <h2>{t!(i18n, privacy_why_title)}</h2>
            <p>{t!(i18n, privacy_why)}</p>
            <h2>{t!(i18n, privacy_how_long_title)}</h2>
            <p>{t!(i18n, privacy_how_long)}</p>
            <h2>{t!(i18n, privacy_who_title)}</h2>
            <p>{t!(i18n, privacy_who)}</p>
            <h2>{t!(i18n, privacy_rights_title)}</h2>
            <p>{t!(i18n, privacy_rights)}</p>
            <p><A href="/me">{t!(i18n, owner_link)}</A></p>
        </section>
    }
}
