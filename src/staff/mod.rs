//! The staff console under `/staff`: a separate app and bundle, so that owners never
//! download it. Sign-in, the video queue with the player and the decision, the claim
//! queue by state, a claim with the steps its state allows, a device with its
//! coverage, ledger, claims and audit trail, and the mail that could not be delivered. The server checks the role of every
//! request; the console only hides what the role cannot do.

pub mod api;
mod claims;
mod device;
mod gate;
mod home;
mod mail;
mod videos;

use crate::i18n::*;
use crate::ui::language::{ChosenLanguage, LanguageSwitch};
use crate::ui::{NotFound, SkipLink};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

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
        <SkipLink />
        <header class="site-header">
            <a href="/" rel="external" class="brand">"Care Refresh"</a>
            <nav aria-label=move || t_string!(i18n, nav_label).to_string()>
                <A href="/staff">{t!(i18n, staff_title)}</A>
            </nav>
            <LanguageSwitch />
        </header>
        <main id="main" tabindex="-1">
            <Routes fallback=NotFound>
                <Route path=path!("/staff") view=home::StaffHome />
                <Route path=path!("/staff/videos") view=videos::VideoQueue />
                <Route path=path!("/staff/videos/:id") view=videos::VideoReview />
                <Route path=path!("/staff/claims") view=claims::ClaimQueue />
                <Route path=path!("/staff/claims/:id") view=claims::StaffClaimPage />
                <Route path=path!("/staff/devices") view=home::DeviceLookup />
                <Route path=path!("/staff/devices/:serial") view=device::StaffDevicePage />
                <Route path=path!("/staff/mail") view=mail::FailedMailPage />
            </Routes>
        </main>
    }
}

fn lang_now(i18n: leptos_i18n::I18nContext<Locale>) -> care_rules::Lang {
    crate::format::lang(i18n.get_locale_untracked())
}
