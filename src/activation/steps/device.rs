//! Step 2: the serial; the device is fetched once and the rules, in the browser, say
//! whether the plan activates directly, needs a video, extends the coverage, or why not.

use super::{StepActions, wizard};
use crate::activation::eligibility::EligibilityPanel;
use crate::activation::wizard::Step;
use crate::i18n::*;
use crate::refusal::api_message;
use crate::ui::{FormError, TextField};
use care_rules::{Refusal, Serial};
use leptos::prelude::*;

#[component]
pub fn DeviceStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let serial_error = Signal::derive(move || {
        if let Some(e) = w
            .refused_at(Step::Device)
            .filter(|e| e.refusal() != Some(Refusal::VerificationRequired))
        {
            return Some(api_message(i18n, &e));
        }
        (w.tried(Step::Device) && Serial::parse(&w.serial.get()).is_err())
            .then(|| t_string!(i18n, serial_invalid).to_string())
    });
    let video_required = Signal::derive(move || {
        w.refused
            .get()
            .filter(|e| e.refusal() == Some(Refusal::VerificationRequired))
            .map(|e| api_message(i18n, &e))
    });
    let pending = w.lookup.pending();
    view! {
        <TextField
            id="serial"
            label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
            hint=Signal::derive(move || t_string!(i18n, serial_hint).to_string())
            error=serial_error
            value=w.serial
        />
        <p>
            <button type="button" class="secondary" on:click=move |_| w.check_device()
                disabled=move || pending.get()>
                {move || if pending.get() { t!(i18n, checking).into_any() } else { t!(i18n, check_device).into_any() }}
            </button>
        </p>
        {move || w.device.get().map(|d| view! {
            <EligibilityPanel device=d plan=w.plan now=w.now verification_id=w.verification_id />
        })}
        <FormError error=video_required />
        <StepActions back=Step::Code
            next=Signal::derive(move || t_string!(i18n, next).to_string())
            disabled=Signal::derive(move || !w.preview().is_some_and(|p| p.can_continue())) />
    }
}
