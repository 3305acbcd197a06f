//! Step 2: the serial; the device is fetched (the button, or Enter in the field) and
//! the rules, in the browser, say whether the plan activates directly, needs a video,
//! extends the coverage, or why not. "Next" then has the server check the code on the
//! device, so that a card for another product is named here, before any personal
//! details.

use super::{StepActions, wizard};
use crate::activation::eligibility::{EligibilityPanel, Preview};
use crate::activation::wizard::{Step, is_about_code};
use crate::i18n::*;
use crate::ui::{FormError, TextField};
use care_rules::Serial;
use leptos::prelude::*;

#[component]
pub fn DeviceStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let at_device = move || {
        w.refused
            .get()
            .filter(|(at, _)| *at == Step::Device)
            .map(|(_, e)| e)
    };
    // Unknown devices and malformed serials belong next to the field.
    let serial_error = Signal::derive(move || {
        if w.tried(Step::Device) && Serial::parse(&w.serial.get()).is_err() {
            return Some(t_string!(i18n, serial_invalid).to_string());
        }
        at_device()
            .filter(|e| {
                e.field() == Some("serial")
                    || e.refusal() == Some(care_rules::Refusal::DeviceNotFound)
            })
            .map(|e| w.sentence(&e))
    });
    // Everything else the server said about this code on this device.
    let other_error = Signal::derive(move || {
        at_device()
            .filter(|e| {
                e.field() != Some("serial")
                    && e.refusal() != Some(care_rules::Refusal::DeviceNotFound)
            })
            .map(|e| w.sentence(&e))
    });
    let about_code = move || {
        at_device()
            .and_then(|e| e.refusal())
            .is_some_and(|r| is_about_code(r) || r == care_rules::Refusal::CodeProductMismatch)
    };
    let used_code =
        move || at_device().and_then(|e| e.refusal()) == Some(care_rules::Refusal::CodeAlreadyUsed);
    let looking = w.lookup.pending();
    let checking = w.check.pending();
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
                disabled=move || looking.get()>
                {move || if looking.get() { t!(i18n, checking).into_any() } else { t!(i18n, check_device).into_any() }}
            </button>
        </p>
        // A refused code hides the device's good news: the two would contradict.
        {move || w.device.get().filter(|d| !about_code() && Serial::parse(&w.serial.get()).is_ok_and(|s| s.as_str() == d.serial)).map(|d| view! {
            <EligibilityPanel device=d plan=w.plan now=w.now verification_id=w.verification_id
                tried=Signal::derive(move || w.tried(Step::Device)) />
        })}
        <FormError error=other_error />
        {move || about_code().then(|| view! {
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| w.go(Step::Code, false)>
                    {t!(i18n, change_code)}
                </button>
                // A used code may be the owner's own earlier activation.
                {used_code().then(|| view! {
                    <a class="button secondary" href=format!("/coverage/{}", w.serial.get_untracked())>
                        {t!(i18n, check_this_coverage)}
                    </a>
                })}
            </div>
        })}
        <StepActions back=Step::Code
            next=Signal::derive(move || if checking.get() {
                t_string!(i18n, checking).to_string()
            } else {
                t_string!(i18n, next).to_string()
            })
            disabled=Signal::derive(move || {
                checking.get()
                    || looking.get()
                    || about_code()
                    || matches!(w.preview(), Some(Preview::Refused(_)))
            }) />
    }
}
