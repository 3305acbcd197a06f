//! A coverage document as an owner reads it: status, dates in Warsaw time with
//! countdowns, replacements used and left, the next fee, the extension, the warranty
//! reward, and where the coverage went after a replacement unit.

use crate::format::{lang, left, when};
use crate::i18n::*;
use crate::refusal::message;
use care_rules::api::{CoverageDocument, WarrantyRewardView};
use care_rules::{CoverageStatus, Lang, Plan, Product, Term, Timestamp, WarrantyReward};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub fn status_text(i18n: I18nContext<Locale>, status: CoverageStatus) -> String {
    match status {
        CoverageStatus::Active => t_string!(i18n, status_active),
        CoverageStatus::Exhausted => t_string!(i18n, status_exhausted),
        CoverageStatus::Grace => t_string!(i18n, status_grace),
        CoverageStatus::Expired => t_string!(i18n, status_expired),
        CoverageStatus::None => t_string!(i18n, status_none),
    }
    .to_string()
}

/// The badge's colour says what the status means: covered (success), covered but
/// with nothing left or about to lapse (warning), lapsed (danger), never had a plan
/// (information).
pub fn status_class(status: CoverageStatus) -> &'static str {
    match status {
        CoverageStatus::Active => "status success",
        CoverageStatus::Exhausted | CoverageStatus::Grace => "status warning",
        CoverageStatus::Expired => "status danger",
        CoverageStatus::None => "status info",
    }
}

/// The warranty reward's state in a sentence (R12).
pub fn reward_text(i18n: I18nContext<Locale>, w: WarrantyRewardView, lang: Lang) -> String {
    let until = w.warranty_until.map(|t| when(t, lang)).unwrap_or_default();
    match w.status {
        WarrantyReward::Projected => t_string!(i18n, reward_projected, until).to_string(),
        WarrantyReward::Granted => t_string!(i18n, reward_granted, until).to_string(),
        WarrantyReward::Forfeited => t_string!(i18n, reward_forfeited).to_string(),
        WarrantyReward::NotApplicable => t_string!(i18n, reward_not_applicable).to_string(),
    }
}

/// A term of the plan on one line: `Annual plan: 30 Nov 2026, 12:00 – 30 Nov 2027, 12:00`.
pub fn term_text(i18n: I18nContext<Locale>, term: &Term, lang: Lang) -> String {
    let plan = match term.plan {
        Plan::Annual => t_string!(i18n, plan_annual),
        Plan::TwoYear => t_string!(i18n, plan_two_year),
    };
    format!(
        "{plan}: {} – {}",
        when(term.starts_at, lang),
        when(term.ends_at, lang)
    )
}

#[component]
pub fn CoverageView(
    #[prop(into)] coverage: Signal<CoverageDocument>,
    #[prop(into)] now: Signal<Timestamp>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || lang(i18n.get_locale());
    let product = move || {
        let c = coverage.get();
        Product::find(&c.product_id).map_or(c.product_id, |p| p.name.to_owned())
    };
    let period = move || {
        let c = coverage.get();
        let (Some(from), Some(to)) = (c.starts_at, c.ends_at) else {
            return None;
        };
        let (lang, now) = (lang(), now.get());
        let remaining = if now < to {
            t_string!(i18n, coverage_ends_in, left = left(now, to, lang)).to_string()
        } else {
            t_string!(i18n, coverage_ended, when = when(to, lang)).to_string()
        };
        Some(view! {
            <p class="period">{t!(i18n, coverage_period, from = when(from, lang), to = when(to, lang))}</p>
            <p>{remaining}</p>
        })
    };
    let replacements = move || {
        let r = coverage.get().replacements;
        if r.total == 0 {
            return None;
        }
        let boxes = (0..r.total)
            .map(|i| {
                let used = i < r.used;
                view! {
                    <li class=if used { "slot used" } else { "slot" }>
                        <span class="visually-hidden">
                            {if used { t_string!(i18n, replacement_used) } else { t_string!(i18n, replacement_left) }}
                        </span>
                    </li>
                }
            })
            .collect_view();
        let fee = coverage.get().next_fee_grosze.map(|f| f.display(lang()));
        Some(view! {
            <section aria-labelledby="replacements-title">
                <h3 id="replacements-title">{t!(i18n, replacements_title)}</h3>
                <ul class="slots" aria-hidden="true">{boxes}</ul>
                <p>{t!(i18n, replacements_status, used = r.used, total = r.total, remaining = r.remaining)}</p>
                <p>
                    {match fee {
                        Some(fee) => view! { {t!(i18n, next_fee, fee = view! { <span class="money">{fee}</span> })} }.into_any(),
                        None => t!(i18n, no_next_fee).into_any(),
                    }}
                </p>
            </section>
        })
    };
    let extension = move || {
        let c = coverage.get();
        if c.status == CoverageStatus::None {
            return None;
        }
        let (lang, now) = (lang(), now.get());
        Some(
            match (
                c.extension.allowed,
                c.extension.deadline,
                c.extension.refusal,
            ) {
                (true, Some(deadline), _) => t_string!(
                    i18n,
                    extension_allowed,
                    deadline = when(deadline, lang),
                    left = left(now, deadline, lang)
                )
                .to_string(),
                (_, _, Some(refusal)) => t_string!(
                    i18n,
                    extension_refused,
                    reason = message(i18n, refusal, None)
                )
                .to_string(),
                _ => String::new(),
            },
        )
        .map(|text| view! { <p class="extension">{text}</p> })
    };
    let reward = move || {
        let w = coverage.get().warranty_reward;
        let text = reward_text(i18n, w, lang());
        // Green only for a reward the owner has or can still earn.
        let class = match w.status {
            WarrantyReward::Projected | WarrantyReward::Granted => "reward",
            WarrantyReward::Forfeited | WarrantyReward::NotApplicable => "reward none",
        };
        (coverage.get().status != CoverageStatus::None).then(|| view! { <p class=class>{text}</p> })
    };
    let replaced = move || {
        coverage.get().replaced_by.map(|serial| {
            let href = format!("/coverage/{serial}");
            view! {
                <p class="replaced">{t!(i18n, replaced_by, serial = serial.clone())}</p>
                <p><a href=href>{t!(i18n, show_replacement)}</a></p>
            }
        })
    };
    let terms = move || {
        let c = coverage.get();
        (c.terms.len() > 1).then(|| {
            let lang = lang();
            let items = c
                .terms
                .iter()
                .map(|t| {
                    view! { <li>{term_text(i18n, t, lang)}</li> }
                })
                .collect_view();
            view! {
                <h3>{t!(i18n, terms_title)}</h3>
                <ul class="terms">{items}</ul>
            }
        })
    };
    view! {
        <article class="card coverage" aria-labelledby="coverage-heading">
            <h2 id="coverage-heading" tabindex="-1">{move || t!(i18n, coverage_for, serial = coverage.get().serial)}</h2>
            <p class="product">{product}</p>
            <p class=move || status_class(coverage.get().status)>{move || status_text(i18n, coverage.get().status)}</p>
            {period}
            {replacements}
            {extension}
            {reward}
            {replaced}
            {terms}
            <p class="hint">{t!(i18n, warsaw_time)}</p>
        </article>
    }
}
