use crate::i18n::*;
use crate::pages::{
    Activate, CasePage, ClaimPage, ClaimQueue, CoverageLookup, CoveragePage, FileClaim, Home,
    NotFound, OpenCase, StaffClaimPage, StaffDevicePage, StaffHome, VideoQueue, VideoReview,
};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// Where the language switch keeps the owner's choice.
const LANG_KEY: &str = "care-lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

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

/// The staff console: a separate app and bundle under `/staff`, so that owners never
/// download it.
#[component]
pub fn StaffApp() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <ChosenLanguage />
            <Router>
                <StaffLayout />
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn StaffLayout() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <a href="/" rel="external" class="brand">"Care Refresh"</a>
            <nav aria-label=move || t_string!(i18n, nav_label).to_string()>
                <A href="/staff">{t!(i18n, staff_title)}</A>
            </nav>
            <LanguageSwitch />
        </header>
        <main id="main" tabindex="-1">
            <Routes fallback=NotFound>
                <Route path=path!("/staff") view=StaffHome />
                <Route path=path!("/staff/videos") view=VideoQueue />
                <Route path=path!("/staff/videos/:id") view=VideoReview />
                <Route path=path!("/staff/claims") view=ClaimQueue />
                <Route path=path!("/staff/claims/:id") view=StaffClaimPage />
                <Route path=path!("/staff/devices/:serial") view=StaffDevicePage />
            </Routes>
        </main>
    }
}

/// Polish unless the owner chose English with the switch: the browser's own languages
/// are not asked (the provider would follow them). This effect runs after the
/// provider's, so it wins.
#[component]
fn ChosenLanguage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            let chosen = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
            let locale = if chosen.as_deref() == Some("en") {
                Locale::en
            } else {
                Locale::pl
            };
            i18n.set_locale(locale);
        }
    });
}

#[component]
fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
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

/// Polish by default; one click to English and back. The button speaks the language
/// it switches to.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || match i18n.get_locale() {
        Locale::pl => Locale::en,
        Locale::en => Locale::pl,
    };
    view! {
        <button
            type="button"
            class="lang-switch"
            lang=move || other().as_str()
            aria-label=move || t_string!(i18n, switch_language_label).to_string()
            on:click=move |_| {
                let locale = other();
                if let Some(s) = storage() {
                    let _ = s.set_item(LANG_KEY, locale.as_str());
                }
                i18n.set_locale(locale);
            }
        >
            {t!(i18n, switch_language)}
        </button>
    }
}
