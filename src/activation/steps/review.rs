//! Step 4: what will be sent, and the button that sends it.

use super::{StepActions, wizard};
use crate::activation::wizard::Step;
use crate::i18n::*;
use crate::ui::FormError;
use care_rules::Plan;
use leptos::prelude::*;

#[component]
pub fn ReviewStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let plan_text = move || match w.plan.get() {
        Plan::Annual => t_string!(i18n, plan_annual),
        Plan::TwoYear => t_string!(i18n, plan_two_year),
    };
    let pending = w.submit.pending();
    view! {
        <dl class="review">
            <dt>{t!(i18n, review_code)}</dt><dd class="code">{move || w.code.get()}</dd>
            <dt>{t!(i18n, review_plan)}</dt><dd>{plan_text}</dd>
            <dt>{t!(i18n, review_device)}</dt><dd>{move || w.serial.get()}</dd>
            <dt>{t!(i18n, review_owner)}</dt><dd>{move || w.name.get()}", "{move || w.email.get()}</dd>
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
