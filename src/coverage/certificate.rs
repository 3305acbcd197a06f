//! Proof of coverage (`/coverage/{serial}/certificate`): one printable A4 page for a
//! buyer of a used device, with the plan as it stands when printed and a QR code (drawn
//! by the server) that opens the public coverage page, where the buyer sees it as it
//! stands when they scan it. No personal data: only what the public page shows.
//!
//! Every fact is a pair of texts drawn by one row view: each distinct view type costs
//! its own rendering code in the Wasm (a view of one element per fact cost this bundle
//! 25 KB brotli, this one a few).

use super::api;
use super::view::{reward_text, status_text, term_text};
use crate::api::ApiError;
use crate::clock;
use crate::format::{lang, when};
use crate::i18n::*;
use crate::refusal::api_message;
use crate::ui::{Loading, RequestFailed, use_title};
use care_rules::api::{CoverageDocument, DeviceDocument};
use care_rules::{CoverageStatus, Lang, Product, Timestamp};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertificatePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, certificate_title).to_string());
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    // The device, as the coverage page asks for it: the same request and types keep
    // this page's share of the bundle small.
    let device = LocalResource::new(move || {
        let serial = serial();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::device_typed(&serial, lang).await }
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match device.await {
                    Ok(DeviceDocument { coverage: Some(coverage), .. }) if coverage.status != CoverageStatus::None || coverage.replaced_by.is_some() => {
                        view! { <Certificate coverage issued_at=clock::now() /> }.into_any()
                    }
                    Ok(doc) => {
                        let text = t_string!(i18n, certificate_no_plan, serial = doc.serial.clone()).to_string();
                        let back = (format!("/coverage/{}", doc.serial), t_string!(i18n, certificate_back));
                        view! { <NoCertificate text back /> }.into_any()
                    }
                    Err(e @ ApiError::Refused(_)) => {
                        let back = ("/coverage".to_owned(), t_string!(i18n, coverage_title));
                        view! { <NoCertificate text=api_message(i18n, &e) back /> }.into_any()
                    }
                    Err(e) => view! {
                        <h1>{t_string!(i18n, certificate_title)}</h1>
                        <RequestFailed error=e retry=Callback::new(move |_| device.refetch()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Why there is nothing to prove, and the way back.
#[component]
fn NoCertificate(text: String, back: (String, &'static str)) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t_string!(i18n, certificate_title)}</h1>
        <p class="card" role="alert">{text}</p>
        <p><a class="button" href=back.0>{back.1}</a></p>
    }
}

/// The page itself; what prints is this and nothing of the site around it.
#[component]
fn Certificate(coverage: CoverageDocument, issued_at: Timestamp) -> impl IntoView {
    let i18n = use_i18n();
    let serial = coverage.serial.clone();
    let public_page = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}/coverage/{serial}"))
        .unwrap_or_else(|| format!("/coverage/{serial}"));
    let qr = format!("/api/coverage/{serial}/qr.svg");
    let back = format!("/coverage/{serial}");
    let alt = t_string!(i18n, certificate_qr_alt, serial = serial.clone()).to_string();
    let rows = move || {
        facts(i18n, &coverage, issued_at, lang(i18n.get_locale()))
            .into_iter()
            .map(|(term, detail)| view! { <dt>{term}</dt><dd>{detail}</dd> })
            .collect_view()
    };
    view! {
        <article class="certificate card" aria-labelledby="certificate-heading">
            <p class="certificate-brand">"DJI Care Refresh"</p>
            <h1 id="certificate-heading">{t_string!(i18n, certificate_title)}</h1>
            <div class="certificate-body">
                <dl class="facts">{rows}</dl>
                <figure class="qr">
                    <img src=qr width="160" height="160" alt=alt />
                    <figcaption>{t_string!(i18n, certificate_qr_caption)}<br /><span class="address">{public_page}</span></figcaption>
                </figure>
            </div>
            <p class="hint">{t_string!(i18n, certificate_note)}" "{t_string!(i18n, warsaw_time)}</p>
        </article>
        <div class="actions no-print">
            <button type="button" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }>{t_string!(i18n, certificate_print)}</button>
            <a class="button secondary" href=back>{t_string!(i18n, certificate_back)}</a>
        </div>
    }
}

/// What the proof states, as (term, detail) texts in the order printed.
fn facts(
    i18n: I18nContext<Locale>,
    c: &CoverageDocument,
    issued_at: Timestamp,
    lang: Lang,
) -> Vec<(&'static str, String)> {
    let product = Product::find(&c.product_id).map_or(c.product_id.clone(), |p| p.name.to_owned());
    let mut status = status_text(i18n, c.status);
    if let (Some(from), Some(to)) = (c.starts_at, c.ends_at) {
        let period = t_string!(
            i18n,
            coverage_period,
            from = when(from, lang),
            to = when(to, lang)
        );
        status = format!("{status} · {period}");
    }
    // One line a term (the detail keeps its line breaks).
    let terms = c
        .terms
        .iter()
        .map(|t| term_text(i18n, t, lang))
        .collect::<Vec<_>>()
        .join("\n");
    let r = c.replacements;
    let mut replacements = t_string!(
        i18n,
        replacements_status,
        used = r.used,
        total = r.total,
        remaining = r.remaining
    )
    .to_string();
    if let Some(fee) = c.next_fee_grosze {
        let next = t_string!(i18n, next_fee, fee = fee.display(lang));
        replacements = format!("{replacements} {next}");
    }
    let mut facts = vec![
        (t_string!(i18n, certificate_product), product),
        (t_string!(i18n, certificate_serial), c.serial.clone()),
        (t_string!(i18n, certificate_status), status),
        (t_string!(i18n, terms_title), terms),
        (t_string!(i18n, replacements_title), replacements),
        (
            t_string!(i18n, certificate_reward),
            reward_text(i18n, c.warranty_reward, lang),
        ),
    ];
    if let Some(next) = &c.replaced_by {
        facts.push((
            t_string!(i18n, certificate_replaced),
            t_string!(i18n, replaced_by, serial = next.clone()).to_string(),
        ));
    }
    facts.push((t_string!(i18n, certificate_issued), when(issued_at, lang)));
    facts
}
