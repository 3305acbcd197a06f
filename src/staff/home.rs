//! The console's start: each role lands on its queue; any member can open a device
//! by its serial (`/staff/devices`).

use super::gate::StaffGate;
use crate::i18n::*;
use crate::ui::{TextField, use_title};
use care_rules::Role;
use care_rules::api::StaffMember;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

#[component]
pub fn StaffHome() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_title).to_string());
    view! {
        <h1>{t!(i18n, staff_title)}</h1>
        <StaffGate>
            <Landing />
        </StaffGate>
    }
}

/// Sends the signed-in member to their role's queue.
#[component]
fn Landing() -> impl IntoView {
    let navigate = use_navigate();
    if let Some(member) = use_context::<StaffMember>() {
        let queue = match member.role {
            Role::Reviewer => "/staff/videos",
            Role::Service => "/staff/claims",
        };
        request_animation_frame(move || {
            navigate(
                queue,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        });
    }
}

/// Any member: find a device by its serial.
#[component]
pub fn DeviceLookup() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_device).to_string());
    let serial = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let navigate = use_navigate();
    let error = Signal::derive(move || {
        (tried.get() && care_rules::Serial::parse(&serial.get()).is_err())
            .then(|| t_string!(i18n, serial_invalid).to_string())
    });
    view! {
        <h1>{t!(i18n, staff_device)}</h1>
        <StaffGate>
            <form class="card" novalidate on:submit={
                let navigate = navigate.clone();
                move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    tried.set(true);
                    if let Ok(s) = care_rules::Serial::parse(&serial.get_untracked()) {
                        navigate(&format!("/staff/devices/{s}"), Default::default());
                    }
                }
            }>
                <TextField id="staff-serial" label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                    error=error value=serial />
                <button type="submit">{t!(i18n, staff_device_lookup)}</button>
            </form>
        </StaffGate>
    }
}
