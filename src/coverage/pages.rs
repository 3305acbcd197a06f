//! Coverage check: enter a serial, see its coverage (`/coverage/{serial}`).

use super::api;
use super::next::NextSteps;
use super::view::CoverageView;
use crate::activation::focus_first_error;
use crate::api::ApiError;
use crate::clock::use_ticking_now;
use crate::format::lang;
use crate::i18n::*;
use crate::owner::AskForLink;
use crate::refusal::api_message;
use crate::ui::{Loading, RequestFailed, TextField, use_title};
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{Product, Serial};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The form: a serial number, checked in the browser, then the coverage page.
#[component]
fn LookupForm(
    #[prop(into)] initial: String,
    #[prop(into)] server_error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let serial = RwSignal::new(initial);
    let tried = RwSignal::new(false);
    let navigate = use_navigate();
    let error = Signal::derive(move || {
        if tried.get() && Serial::parse(&serial.get()).is_err() {
            Some(t_string!(i18n, serial_invalid).to_string())
        } else {
            server_error.get()
        }
    });
    view! {
        <form class="card lookup" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tried.set(true);
            if let Ok(parsed) = Serial::parse(&serial.get_untracked()) {
                navigate(&format!("/coverage/{parsed}"), Default::default());
            }
        }>
            <TextField
                id="coverage-serial"
                label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, serial_hint).to_string())
                error=error
                value=serial
            />
            <button type="submit">{t!(i18n, coverage_lookup)}</button>
        </form>
    }
}

#[component]
pub fn CoverageLookup() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, coverage_title).to_string());
    view! {
        <h1>{t!(i18n, coverage_title)}</h1>
        <LookupForm initial="" server_error=Signal::derive(|| None::<String>) />
        <AskForLink />
    }
}

#[component]
pub fn CoveragePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, coverage_title).to_string());
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let now = use_ticking_now();
    // The device, not only its coverage: what comes next depends on when it was
    // activated too.
    let device = LocalResource::new(move || {
        let serial = serial();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::device_typed(&serial, lang).await }
    });
    view! {
        <h1>{t!(i18n, coverage_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match device.await {
                    Ok(doc) => {
                        let coverage = doc.coverage.clone().or_else(|| empty_coverage(&doc, now.get_untracked()));
                        focus_result();
                        view! {
                            <LookupForm initial=doc.serial.clone() server_error=Signal::derive(|| None::<String>) />
                            {coverage.map(|c| view! { <CoverageView coverage=c now=now /> })}
                            <NextSteps device=doc now=now />
                        }
                        .into_any()
                    }
                    // Unknown or malformed serials belong next to the field.
                    Err(e @ ApiError::Refused(_)) => {
                        let text = api_message(i18n, &e);
                        focus_first_error();
                        view! { <LookupForm initial=serial() server_error=Signal::derive(move || Some(text.clone())) /> }
                            .into_any()
                    }
                    Err(e) => view! {
                        <LookupForm initial=serial() server_error=Signal::derive(|| None::<String>) />
                        <RequestFailed error=e retry=Callback::new(move |_| device.refetch()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The coverage document of a device that never had a plan.
fn empty_coverage(device: &DeviceDocument, now: care_rules::Timestamp) -> Option<CoverageDocument> {
    let serial = Serial::parse(&device.serial).ok()?;
    let product = Product::find(&device.product_id)?;
    Some(CoverageDocument::build(&serial, product, None, None, now))
}

/// Once the coverage shows, its heading takes the focus (the answer to the lookup).
fn focus_result() {
    request_animation_frame(|| {
        if let Some(heading) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("coverage-heading"))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = heading.focus();
        }
    });
}
