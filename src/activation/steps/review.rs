//! Step 4: what the owner gets (from the server's check: the coverage's dates, its
//! replacements and their fees) and what will be sent, and the button that sends it.

use super::{StepActions, wizard};
use crate::activation::wizard::Step;
use crate::format::when;
use crate::i18n::*;
use crate::ui::FormError;
use care_rules::api::CheckOutcome;
use care_rules::{Plan, Product};
use leptos::prelude::*;

#[component]
pub fn ReviewStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let plan_text = move |plan: Plan| match plan {
        Plan::Annual => t_string!(i18n, plan_annual_full),
        Plan::TwoYear => t_string!(i18n, plan_two_year_full),
    };
    let pending = w.submit.pending();
    let summary = move || {
        let answer = w.fresh_check()?;
        let lang = w.lang();
        let product = Product::find(&answer.product_id)?;
        let r = answer.replacements;
        // The fee of each replacement still to come, by its number across the chain.
        let fees = (r.used + 1..=r.total)
            .map(|n| {
                view! { <li>{t!(i18n, review_fee_item, number = n, fee = product.fee(n).display(lang))}</li> }
            })
            .collect_view();
        let period = match answer.outcome {
            CheckOutcome::Activate => t_string!(
                i18n,
                review_period_new,
                from = when(answer.starts_at, lang),
                to = when(answer.ends_at, lang)
            )
            .to_string(),
            CheckOutcome::Extend => t_string!(
                i18n,
                review_period_extended,
                to = when(answer.ends_at, lang)
            )
            .to_string(),
        };
        Some(view! {
            <section class="summary" aria-labelledby="get-title">
                <h3 id="get-title">{t!(i18n, review_get_title)}</h3>
                <dl class="review">
                    <dt>{t!(i18n, review_device)}</dt><dd>{product.name}" · "{w.serial.get()}</dd>
                    <dt>{t!(i18n, review_plan)}</dt><dd>{plan_text(answer.plan)}</dd>
                    <dt>{t!(i18n, review_period)}</dt><dd>{period}</dd>
                    <dt>{t!(i18n, replacements_title)}</dt>
                    <dd>{t!(i18n, review_replacements, remaining = r.remaining, total = r.total)}</dd>
                </dl>
                <h3>{t!(i18n, review_fees_title)}</h3>
                <ul class="fees-list">{fees}</ul>
            </section>
        })
    };
    view! {
        {summary}
        <h3>{t!(i18n, review_sent_title)}</h3>
        <dl class="review">
            <dt>{t!(i18n, review_code)}</dt><dd class="code">{move || w.code.get()}</dd>
            <dt>{t!(i18n, review_owner)}</dt>
            <dd>{move || w.name.get()}<br />{move || w.email.get()}
                {move || Some(w.phone.get()).filter(|p| !p.trim().is_empty()).map(|p| view! { <br />{p} })}</dd>
        </dl>
        <FormError error=w.step_error(Step::Review) />
        <StepActions back=Step::Details
            next=Signal::derive(move || if pending.get() {
                t_string!(i18n, submitting).to_string()
            } else {
                t_string!(i18n, submit_activation).to_string()
            })
            disabled=Signal::derive(move || pending.get()) />
    }
}
