//! What the owner can do next with a device, by its coverage and the rules: activate
//! (directly, or after a video), extend before the deadline, file a claim, keep the
//! dates in a calendar, print a proof of coverage.

use crate::format::{lang, left, when};
use crate::i18n::*;
use crate::ics;
use care_rules::api::DeviceDocument;
use care_rules::{Coverage, CoverageStatus, Device, Eligibility, Product, Timestamp};
use leptos::prelude::*;

#[component]
pub fn NextSteps(device: DeviceDocument, #[prop(into)] now: Signal<Timestamp>) -> impl IntoView {
    let i18n = use_i18n();
    let serial = device.serial.clone();
    let view = move || {
        let (now, lang) = (now.get(), lang(i18n.get_locale()));
        let product = Product::find(&device.product_id)?;
        let coverage = device
            .coverage
            .as_ref()
            .and_then(|c| Coverage::restore(c.terms.clone(), c.replacements.used));
        let rules = Device {
            product,
            activated_at: device.activated_at,
            coverage: coverage.as_ref(),
        };
        let status = coverage
            .as_ref()
            .map_or(CoverageStatus::None, |c| c.status(now));
        let activate = format!("/activate?serial={serial}");
        let mut steps = Vec::new();
        if device
            .coverage
            .as_ref()
            .is_some_and(|c| c.replaced_by.is_some())
        {
            return None;
        }
        // A claim while the coverage runs (and a replacement, if one is left).
        if matches!(status, CoverageStatus::Active | CoverageStatus::Exhausted) {
            steps.push(view! {
                <a class="button" href=format!("/claims/new?serial={serial}")>{t!(i18n, next_claim)}</a>
            }.into_any());
        }
        let text = match rules.eligibility(now) {
            Eligibility::Extension { deadline, .. } => {
                steps.push(view! {
                    <a class="button secondary" href=activate.clone()>{t!(i18n, next_extend)}</a>
                }.into_any());
                Some(
                    t_string!(
                        i18n,
                        next_extend_until,
                        deadline = when(deadline, lang),
                        left = left(now, deadline, lang)
                    )
                    .to_string(),
                )
            }
            Eligibility::Direct { window_closes_at } => {
                steps.push(
                    view! {
                        <a class="button" href=activate.clone()>{t!(i18n, next_activate)}</a>
                    }
                    .into_any(),
                );
                window_closes_at.map(|closes| {
                    t_string!(
                        i18n,
                        eligibility_direct_window,
                        when = when(closes, lang),
                        left = left(now, closes, lang)
                    )
                    .to_string()
                })
            }
            Eligibility::VideoRequired => {
                steps.push(view! {
                    <a class="button" href=format!("/verification?serial={serial}")>{t!(i18n, eligibility_video_start)}</a>
                }.into_any());
                Some(t_string!(i18n, next_video_first).to_string())
            }
            Eligibility::Refused(_) => None,
        };
        if let Some(c) = &coverage {
            let events = [
                (c.ends_at(), t_string!(i18n, ics_coverage_end).to_string()),
                (
                    c.extension_deadline(),
                    t_string!(i18n, ics_extension_deadline).to_string(),
                ),
            ];
            let calendar = ics::data_url(&ics::calendar(&events, &serial));
            steps.push(view! {
                <a class="button secondary" href=calendar download=format!("care-refresh-{serial}.ics")>{t!(i18n, ics_download)}</a>
            }.into_any());
            steps.push(view! {
                <a class="button secondary" href=format!("/coverage/{serial}/certificate")>{t!(i18n, certificate_link)}</a>
            }.into_any());
        }
        Some(view! {
            <section class="card next-steps" aria-labelledby="next-title">
                <h2 id="next-title">{t!(i18n, next_title)}</h2>
                {text.map(|t| view! { <p>{t}</p> })}
                <div class="actions">{steps}</div>
            </section>
        })
    };
    view! { {view} }
}
