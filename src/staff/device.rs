//! A device as staff see it: its coverage, the replacements ledger, its claims and the
//! audit trail.

use super::claims::ClaimList;
use super::gate::StaffGate;
use super::{api, lang_now};
use crate::clock::use_ticking_now;
use crate::coverage::view::CoverageView;
use crate::format::when;
use crate::i18n::*;
use crate::ui::{Loading, RequestFailed, use_title};
use care_rules::ClaimStatus;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

/// An audit event in words; the stored action stays in the tooltip, and an action
/// this console does not know yet shows as stored.
fn audit_text(i18n: I18nContext<Locale>, action: &str) -> String {
    let claim = action
        .strip_prefix("claim.")
        .and_then(ClaimStatus::parse)
        .map(|status| crate::claims::status_text(i18n, status));
    if let Some(status) = claim {
        return t_string!(i18n, audit_claim, status).to_string();
    }
    match action {
        "coverage.activated" => t_string!(i18n, audit_coverage_activated),
        "coverage.extended" => t_string!(i18n, audit_coverage_extended),
        "coverage.transferred" => t_string!(i18n, audit_coverage_transferred),
        "verification.opened" => t_string!(i18n, audit_verification_opened),
        "verification.accepted" => t_string!(i18n, audit_verification_accepted),
        "verification.rejected" => t_string!(i18n, audit_verification_rejected),
        "devices.imported" => t_string!(i18n, audit_devices_imported),
        other => return other.to_owned(),
    }
    .to_string()
}

#[component]
pub fn StaffDevicePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, staff_device).to_string());
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let now = use_ticking_now();
    view! {
        <h1>{t!(i18n, staff_device)}</h1>
        <StaffGate>
            {move || {
                let serial = serial();
                let page = LocalResource::new(move || {
                    let serial = serial.clone();
                    async move { api::device(&serial, lang_now(i18n)).await }
                });
                view! {
                    <Suspense fallback=Loading>
                        {move || Suspend::new(async move {
                            let lang = lang_now(i18n);
                            match page.await {
                                Ok(page) => view! {
                                    {page.device.coverage.clone().map(|c| view! { <CoverageView coverage=c now=now /> })}
                                    <section class="card">
                                        <h2>{t!(i18n, staff_ledger)}</h2>
                                        <table class="fees">
                                            <thead><tr><th scope="col">"#"</th><th scope="col">{t!(i18n, staff_ledger_fee)}</th><th scope="col">{t!(i18n, staff_audit_when)}</th></tr></thead>
                                            <tbody>
                                                {page.ledger.iter().map(|e| view! {
                                                    <tr><th scope="row">{e.number}</th><td class="money">{e.fee_grosze.display(lang)}</td><td>{when(e.at, lang)}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </section>
                                    <section class="card">
                                        <h2>{t!(i18n, staff_claims)}</h2>
                                        <ClaimList items=page.claims.clone() lang />
                                    </section>
                                    <section class="card">
                                        <h2>{t!(i18n, staff_audit)}</h2>
                                        <ul class="audit">
                                            {page.audit.iter().map(|a| view! {
                                                <li><span class="when">{when(a.at, lang)}</span>" · "
                                                    <span title=a.action.clone()>{audit_text(i18n, &a.action)}</span>" · "{a.actor.clone()}</li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }.into_any(),
                                Err(e) => view! { <RequestFailed error=e /> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </StaffGate>
    }
}
