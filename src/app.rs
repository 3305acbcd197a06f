//! The owners' app: its layout and the list of its pages, one per route.

use crate::activation::Activate;
use crate::claims::{ClaimPage, FileClaim};
use crate::coverage::{CoverageLookup, CoveragePage};
use crate::home::{Home, Terms};
use crate::i18n::*;
use crate::ui::language::{ChosenLanguage, LanguageSwitch};
use crate::ui::{NotFound, SkipLink};
use crate::verification::{CasePage, OpenCase};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// The whole app: language, layout, and one page per route.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <ChosenLanguage />
            <Router>
                <Layout />
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SkipLink />
        <header class="site-header">
            <A href="/" attr:class="brand">"Care Refresh"</A>
            <nav aria-label=move || t_string!(i18n, nav_label).to_string()>
                <A href="/activate">{t!(i18n, nav_activate)}</A>
                <A href="/coverage">{t!(i18n, nav_coverage)}</A>
                <A href="/verification">{t!(i18n, nav_video)}</A>
                <A href="/claims/new">{t!(i18n, nav_claim)}</A>
            </nav>
            <LanguageSwitch />
        </header>
        <main id="main" tabindex="-1">
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home />
                <Route path=path!("/activate") view=Activate />
                <Route path=path!("/activate/:step") view=Activate />
                <Route path=path!("/terms") view=Terms />
                <Route path=path!("/coverage") view=CoverageLookup />
                <Route path=path!("/coverage/:serial") view=CoveragePage />
                <Route path=path!("/verification") view=OpenCase />
                <Route path=path!("/verification/:id") view=CasePage />
                <Route path=path!("/claims/new") view=FileClaim />
                <Route path=path!("/claims/:id") view=ClaimPage />
            </Routes>
        </main>
        <footer class="site-footer">
            <p>{t!(i18n, footer)}</p>
            // The console is another app (its own bundle): leave this one for it.
            <p><a href="/staff" rel="external">{t!(i18n, staff_link)}</a></p>
        </footer>
    }
}
