//! Step 1: the code from the card, and the plan printed on it.

use super::{StepActions, wizard};
use crate::activation::code_field::CodeField;
use crate::activation::wizard::Step;
use crate::i18n::*;
use care_rules::{Code, Plan};
use leptos::prelude::*;

#[component]
pub fn CodeStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let required = Signal::derive(move || {
        (w.tried(Step::Code) && Code::parse(&w.code.get()).is_err())
            .then(|| t_string!(i18n, code_required).to_string())
    });
    let plan_choice = move |plan: Plan, label: String| {
        view! {
            <label>
                <input type="radio" name="plan" value=plan.as_str()
                    prop:checked=move || w.plan.get() == plan
                    on:change=move |_| w.plan.set(plan) />
                {label}
            </label>
        }
    };
    view! {
        <CodeField value=w.code server_error=w.server_error_for("code") required_error=required />
        <fieldset class="plan-choice">
            <legend>{t!(i18n, plan_question)}</legend>
            {plan_choice(Plan::Annual, t_string!(i18n, plan_annual).to_string())}
            {plan_choice(Plan::TwoYear, t_string!(i18n, plan_two_year).to_string())}
        </fieldset>
        <StepActions next=Signal::derive(move || t_string!(i18n, next).to_string()) />
    }
}
