//! The result: the coverage as it now stands, its deadlines as a calendar file, and
//! what the owner can do next.

use super::wizard;
use crate::coverage::view::CoverageView;
use crate::i18n::*;
use crate::ics;
use leptos::prelude::*;

#[component]
pub fn DoneStep() -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    move || {
        w.result.get().map(|coverage| {
            let mut events = Vec::new();
            if let Some(end) = coverage.ends_at {
                events.push((end, t_string!(i18n, ics_coverage_end).to_string()));
            }
            if let Some(deadline) = coverage.extension.deadline {
                events.push((deadline, t_string!(i18n, ics_extension_deadline).to_string()));
            }
            let calendar = ics::data_url(&ics::calendar(&events, &coverage.serial));
            let serial = coverage.serial.clone();
            view! {
                <p class="status-line success" role="status">{t!(i18n, done_email, email = w.email.get())}</p>
                <CoverageView coverage=coverage.clone() now=w.now />
                <div class="actions">
                    <a class="button secondary" href=calendar download=format!("care-refresh-{serial}.ics")>{t!(i18n, ics_download)}</a>
                    <a class="button secondary" href=format!("/coverage/{serial}")>{t!(i18n, done_see_coverage)}</a>
                </div>
                <p><a href="/activate/code" on:click=move |_| w.start_over()>{t!(i18n, activate_another)}</a></p>
            }
        })
    }
}
