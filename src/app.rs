//! The owners' app: its layout, and the list of its pages, one per route, grouped by
//! journey. Each journey is a bundle of its own (`care_rules::journey` says why and
//! which addresses are whose): `src/main.rs` starts the home bundle, `src/bundles/`
//! the others, each naming only its own pages so that the rest stays out of its Wasm.

use crate::activation::{Activate, Step};
use crate::claims::{ClaimPage, FileClaim};
use crate::coverage::{CertificatePage, CoverageLookup, CoveragePage};
use crate::home::{Home, Privacy, Terms};
use crate::i18n::*;
use crate::owner::{OwnerPage, SignedIn};
use crate::ui::chunk::{Load, later_page};
use crate::ui::language::{ChosenLanguage, LanguageSwitch};
use crate::ui::{Elsewhere, SkipLink};
use crate::verification::{CasePage, OpenCase};
use care_rules::Journey;
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// Mounts the bundle of `journey`, whose routes `pages` draws, in place of the page
/// `index.html` painted before the app ran.
pub fn start(journey: Journey, pages: fn() -> AnyView) {
    log_panics();
    crate::ui::arrived(journey);
    crate::unboot();
    leptos::mount::mount_to_body(move || view! { <App journey pages /> });
}

/// A panic's place and message on the console, for a bug report. (The owners' bundles do
/// without console_error_panic_hook: the JavaScript stack it adds names no function of
/// a release build's Wasm, and it costs 1 KB of every first visit.)
fn log_panics() {
    std::panic::set_hook(Box::new(|panic| leptos::logging::error!("{panic}")));
}

/// `/`, `/terms` and `/privacy`, and the "not found" page of every address no journey claims.
pub fn home_pages() -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/") view=Home />
            <Route path=path!("/terms") view=Terms />
            <Route path=path!("/privacy") view=Privacy />
        </Routes>
    }
    .into_any()
}

/// The proof of coverage is a part of its own (`certificate`, from
/// [`certificate_page`]): the lookup needs none of it.
pub fn coverage_pages(certificate: Load<fn() -> AnyView>) -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/coverage") view=CoverageLookup />
            <Route path=path!("/coverage/:serial") view=CoveragePage />
            <Route path=path!("/coverage/:serial/certificate") view=move || later_page(certificate) />
        </Routes>
    }
    .into_any()
}

pub fn certificate_page() -> AnyView {
    view! { <CertificatePage /> }.into_any()
}

/// The steps after the code are a part of their own (`later_steps`, from
/// [`crate::activation::after_code`]).
pub fn activation_pages(later_steps: Load<fn(Step) -> AnyView>) -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/activate") view=move || view! { <Activate later_steps /> } />
            <Route path=path!("/activate/:step") view=move || view! { <Activate later_steps /> } />
        </Routes>
    }
    .into_any()
}

/// A case's page, with the uploader, is a part of its own (`case`, from
/// [`case_page`]): opening a case needs none of it.
pub fn verification_pages(case: Load<fn() -> AnyView>) -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/verification") view=OpenCase />
            <Route path=path!("/verification/:id") view=move || later_page(case) />
        </Routes>
    }
    .into_any()
}

pub fn case_page() -> AnyView {
    view! { <CasePage /> }.into_any()
}

/// A claim's page, with its payment, is a part of its own (`claim`, from
/// [`claim_page`]): filing a claim needs none of it.
pub fn claim_pages(claim: Load<fn() -> AnyView>) -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/claims/new") view=FileClaim />
            <Route path=path!("/claims/:id") view=move || later_page(claim) />
        </Routes>
    }
    .into_any()
}

pub fn claim_page() -> AnyView {
    view! { <ClaimPage /> }.into_any()
}

/// What a signed-in owner sees is a part of its own (`signed_in`, from
/// [`crate::owner::signed_in`]): a first visit is signed out.
pub fn owner_pages(signed_in: Load<SignedIn>) -> AnyView {
    view! {
        <Routes fallback=Elsewhere>
            <Route path=path!("/me") view=move || view! { <OwnerPage signed_in /> } />
        </Routes>
    }
    .into_any()
}

/// One journey's app: language, layout, and its pages.
#[component]
fn App(journey: Journey, pages: fn() -> AnyView) -> impl IntoView {
    provide_context(journey);
    view! {
        <I18nContextProvider>
            <ChosenLanguage />
            <Router>
                <Layout pages />
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn Layout(pages: fn() -> AnyView) -> impl IntoView {
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
        <main id="main" tabindex="-1">{pages()}</main>
        <footer class="site-footer">
            <p>{t!(i18n, footer)}</p>
            <p><A href="/me">{t!(i18n, owner_link)}</A>" · "<A href="/privacy">{t!(i18n, privacy_title)}</A></p>
            // The console is another app (its own bundle): leave this one for it.
            <p><a href="/staff" rel="external">{t!(i18n, staff_link)}</a></p>
        </footer>
    }
}
