//! The home page: what the plan is, and what it costs, computed in the browser.

pub mod calculator;
mod privacy;
mod terms;

use crate::i18n::*;
use crate::ui::use_title;
use calculator::Calculator;
use leptos::prelude::*;
use leptos_router::components::A;
pub use privacy::Privacy;
pub use terms::Terms;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, home_title).to_string());
    view! {
        <h1>{t!(i18n, home_title)}</h1>
        <p class="lead">{t!(i18n, home_lead)}</p>
        <p class="actions">
            <A href="/activate" attr:class="button">{t!(i18n, home_cta_activate)}</A>
            <A href="/coverage" attr:class="button secondary">{t!(i18n, home_cta_coverage)}</A>
        </p>
        <Calculator />
    }
}
