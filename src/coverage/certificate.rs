//! Proof of coverage (`/coverage/{serial}/certificate`): one printable A4 page for a
//! buyer of a used device, with the plan as it stands when printed and a QR code (drawn
//! by the server) that opens the public coverage page, where the buyer sees it as it
//! stands when they scan it. No personal data: only what the public page shows.

use super::api;
use super::view::{plan_name, reward_text, status_text};
use crate::clock;
use crate::format::{lang, when};
use crate::i18n::*;
use crate::refusal::api_message;
use crate::ui::{Loading, RequestFailed, use_title};
use care_rules::api::CoverageDocument;
use care_rules::{CoverageStatus, Product, Timestamp};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertificatePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, certificate_title).to_string());
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let coverage = LocalResource::new(move || {
        let serial = serial();
        let lang = lang(i18n.get_locale_untracked());
        async move { api::coverage(&serial, lang).await }
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match coverage.await {
                    Ok(doc) if doc.status != CoverageStatus::None || doc.replaced_by.is_some() => {
                        view! { <Certificate coverage=doc issued_at=clock::now() /> }.into_any()
                    }
                    Ok(doc) => view! {
                        <h1>{t!(i18n, certificate_title)}</h1>
                        <p class="card">{t!(i18n, certificate_no_plan, serial = doc.serial.clone())}</p>
                        <p><a class="button" href=format!("/coverage/{}", doc.serial)>{t!(i18n, certificate_back)}</a></p>
                    }
                    .into_any(),
                    Err(e @ crate::api::ApiError::Refused(_)) => view! {
                        <h1>{t!(i18n, certificate_title)}</h1>
                        <p class="card error" role="alert">{api_message(i18n, &e)}</p>
                        <p><a class="button" href="/coverage">{t!(i18n, coverage_title)}</a></p>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <h1>{t!(i18n, certificate_title)}</h1>
                        <RequestFailed error=e retry=Callback::new(move |_| coverage.refetch()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page itself; what prints is this and nothing of the site around it.
#[component]
fn Certificate(coverage: CoverageDocument, issued_at: Timestamp) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || lang(i18n.get_locale());
    let serial = coverage.serial.clone();
    let product = Product::find(&coverage.product_id)
        .map_or(coverage.product_id.clone(), |p| p.name.to_owned());
    let public_page = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}/coverage/{serial}"))
        .unwrap_or_else(|| format!("/coverage/{serial}"));
    let c = coverage.clone();
    let period = move || match (c.starts_at, c.ends_at) {
        (Some(from), Some(to)) => t_string!(
            i18n,
            coverage_period,
            from = when(from, lang()),
            to = when(to, lang())
        )
        .to_string(),
        _ => String::new(),
    };
    let c = coverage.clone();
    let terms = move || {
        c.terms
            .iter()
            .map(|t| {
                view! { <li>{plan_name(i18n, t.plan)}": "{when(t.starts_at, lang())}" – "{when(t.ends_at, lang())}</li> }
            })
            .collect_view()
    };
    let r = coverage.replacements;
    let fee = coverage.next_fee_grosze;
    let reward = coverage.warranty_reward;
    let status = coverage.status;
    let replaced_by = coverage.replaced_by.clone();
    let qr = format!("/api/coverage/{serial}/qr.svg");
    let back = format!("/coverage/{serial}");
    view! {
        <article class="certificate card" aria-labelledby="certificate-heading">
            <p class="certificate-brand">"DJI Care Refresh"</p>
            <h1 id="certificate-heading">{t!(i18n, certificate_title)}</h1>
            <div class="certificate-body">
                <dl class="facts">
                    <dt>{t!(i18n, certificate_product)}</dt>
                    <dd>{product}</dd>
                    <dt>{t!(i18n, certificate_serial)}</dt>
                    <dd class="serial">{serial.clone()}</dd>
                    <dt>{t!(i18n, certificate_status)}</dt>
                    <dd>{status_text(i18n, status)}" · "{period}</dd>
                    <dt>{t!(i18n, terms_title)}</dt>
                    <dd><ul class="terms">{terms}</ul></dd>
                    <dt>{t!(i18n, replacements_title)}</dt>
                    <dd>
                        {t!(i18n, replacements_status, used = r.used, total = r.total, remaining = r.remaining)}
                        {fee.map(|f| view! { " "{t!(i18n, next_fee, fee = f.display(lang()))} })}
                    </dd>
                    <dt>{t!(i18n, certificate_reward)}</dt>
                    <dd>{move || reward_text(i18n, reward, lang())}</dd>
                    {replaced_by.map(|next| view! {
                        <dt>{t!(i18n, certificate_replaced)}</dt>
                        <dd>{t!(i18n, replaced_by, serial = next)}</dd>
                    })}
                    <dt>{t!(i18n, certificate_issued)}</dt>
                    <dd>{move || when(issued_at, lang())}</dd>
                </dl>
                <figure class="qr">
                    <img src=qr width="160" height="160" alt=move || t_string!(i18n, certificate_qr_alt, serial = serial.clone()).to_string() />
                    <figcaption>{t!(i18n, certificate_qr_caption)}<br /><span class="address">{public_page}</span></figcaption>
                </figure>
            </div>
            <p class="hint">{t!(i18n, certificate_note)}" "{t!(i18n, warsaw_time)}</p>
        </article>
        <div class="actions no-print">
            <button type="button" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }>{t!(i18n, certificate_print)}</button>
            <a class="button secondary" href=back>{t!(i18n, certificate_back)}</a>
        </div>
    }
}
