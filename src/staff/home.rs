//! The console's start: find a device by its serial.

use super::gate::StaffGate;
use crate::i18n::*;
use crate::ui::{TextField, use_title};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn StaffHome() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_title).to_string());
    let serial = RwSignal::new(String::new());
    let navigate = use_navigate();
    view! {
        <h1>{t!(i18n, staff_title)}</h1>
        <StaffGate>
            <form class="card" on:submit={
                let navigate = navigate.clone();
                move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Ok(s) = care_rules::Serial::parse(&serial.get_untracked()) {
                        navigate(&format!("/staff/devices/{s}"), Default::default());
                    }
                }
            }>
                <TextField id="staff-serial" label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                    value=serial />
                <button type="submit">{t!(i18n, staff_device_lookup)}</button>
            </form>
        </StaffGate>
    }
}
