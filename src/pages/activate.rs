//! The activation wizard: code → device → details → review → done. Every check that
//! can run in the browser runs there first (the code's check character, the serial,
//! the contact details, the eligibility of the device by the rules); the server
//! decides again, and its refusals come back to the step and field they concern.

use crate::api::{self, ApiError};
use crate::clock::use_ticking_now;
use crate::components::code_field::CodeField;
use crate::components::coverage_view::CoverageView;
use crate::components::eligibility::{EligibilityPanel, Preview, preview};
use crate::components::field::{FieldNotes, TextField};
use crate::format::lang;
use crate::i18n::*;
use crate::ics;
use crate::pages::use_title;
use crate::refusal::{api_message, message};
use care_rules::api::{ActivationRequest, CoverageDocument, CustomerInput, DeviceDocument};
use care_rules::{Code, Email, Lang, Name, Phone, Plan, Refusal, Serial};
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Code,
    Device,
    Details,
    Review,
    Done,
}

/// Which step and field a server refusal belongs to.
fn step_of(error: &ApiError) -> Step {
    use Refusal::*;
    match (error.refusal(), error.field()) {
        (
            Some(
                InvalidCodeFormat | CodeNotFound | CodeAlreadyUsed | CodeProductMismatch
                | CodeRegionMismatch,
            ),
            _,
        ) => Step::Code,
        (Some(ExtensionRequiresAnnualPlan), _) => Step::Code,
        (Some(_), Some(field)) if field.starts_with("customer") || field == "accept_terms" => {
            Step::Details
        }
        (
            Some(
                InvalidSerial
                | DeviceNotFound
                | VerificationRequired
                | VerificationNotAccepted
                | VerificationWindowClosed
                | ExtensionWindowClosed
                | CoverageCapExceeded,
            ),
            _,
        ) => Step::Device,
        (Some(InvalidRequest), Some("verification_id")) => Step::Device,
        _ => Step::Review,
    }
}

#[component]
pub fn Activate() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, activate_title).to_string());
    let query = use_query_map();
    let now = use_ticking_now();
    let lang_now = move || lang(i18n.get_locale());

    let step = RwSignal::new(Step::Code);
    let code = RwSignal::new(String::new());
    let plan = RwSignal::new(Plan::Annual);
    let serial = RwSignal::new(query.read_untracked().get("serial").unwrap_or_default());
    let verification_id = RwSignal::new(
        query
            .read_untracked()
            .get("verification")
            .unwrap_or_default(),
    );
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let terms = RwSignal::new(false);
    let tried = RwSignal::new(None::<Step>);
    let refused = RwSignal::new(None::<ApiError>);
    let device = RwSignal::new(None::<DeviceDocument>);
    let result = RwSignal::new(None::<CoverageDocument>);
    let key = StoredValue::new(api::idempotency_key());

    // Errors of each field: local checks once the owner tried to go on, and the server's.
    let server_error_for = move |field: &'static str| {
        Signal::derive(move || {
            refused
                .get()
                .filter(|e| {
                    e.field() == Some(field)
                        || (field == "code" && step_of(e) == Step::Code && e.field().is_none())
                })
                .map(|e| api_message(i18n, &e))
        })
    };
    let code_required = Signal::derive(move || {
        (tried.get() == Some(Step::Code) && Code::parse(&code.get()).is_err())
            .then(|| t_string!(i18n, code_required).to_string())
    });
    let serial_error = Signal::derive(move || {
        if let Some(e) = refused.get().filter(|e| {
            step_of(e) == Step::Device && e.refusal() != Some(Refusal::VerificationRequired)
        }) {
            return Some(api_message(i18n, &e));
        }
        (tried.get() == Some(Step::Device) && Serial::parse(&serial.get()).is_err())
            .then(|| t_string!(i18n, serial_invalid).to_string())
    });
    let details_tried = move || tried.get() == Some(Step::Details);
    let name_error = Signal::derive(move || {
        server_error_for("customer.name").get().or_else(|| {
            (details_tried() && Name::parse(&name.get()).is_err())
                .then(|| t_string!(i18n, name_invalid).to_string())
        })
    });
    let email_error = Signal::derive(move || {
        server_error_for("customer.email").get().or_else(|| {
            (details_tried() && Email::parse(&email.get()).is_err())
                .then(|| t_string!(i18n, email_invalid).to_string())
        })
    });
    let phone_error = Signal::derive(move || {
        server_error_for("customer.phone").get().or_else(|| {
            (details_tried() && Phone::parse_optional(&phone.get()).is_err())
                .then(|| t_string!(i18n, phone_invalid).to_string())
        })
    });
    let terms_error = Signal::derive(move || {
        (details_tried() && !terms.get()).then(|| t_string!(i18n, terms_required).to_string())
    });
    let review_error = Signal::derive(move || {
        refused
            .get()
            .filter(|e| step_of(e) == Step::Review)
            .map(|e| api_message(i18n, &e))
    });

    let lookup = Action::new_local(move |(serial, lang): &(Serial, Lang)| {
        let path = format!("/api/devices/{serial}");
        let lang = *lang;
        async move { api::get::<DeviceDocument>(&path, lang).await }
    });
    Effect::new(move |_| {
        if let Some(outcome) = lookup.value().get() {
            match outcome {
                Ok(found) => {
                    refused.set(None);
                    device.set(Some(found));
                }
                Err(e) => {
                    device.set(None);
                    refused.set(Some(e));
                }
            }
        }
    });

    let submit = Action::new_local(
        move |(request, key, lang): &(ActivationRequest, String, Lang)| {
            let (request, key, lang) = (request.clone(), key.clone(), *lang);
            async move {
                api::post::<_, CoverageDocument>("/api/activations", &request, lang, Some(&key))
                    .await
            }
        },
    );
    Effect::new(move |_| {
        if let Some(outcome) = submit.value().get() {
            match outcome {
                Ok(coverage) => {
                    refused.set(None);
                    result.set(Some(coverage));
                    step.set(Step::Done);
                }
                Err(e) => {
                    step.set(step_of(&e));
                    refused.set(Some(e));
                }
            }
        }
    });

    let preview_now = move || device.get().map(|d| preview(&d, plan.get(), now.get()));
    let next = move |from: Step| {
        tried.set(Some(from));
        let ok = match from {
            Step::Code => Code::parse(&code.get_untracked()).is_ok(),
            Step::Device => preview_now().is_some_and(|p| {
                p.can_continue()
                    && (p != Preview::Video || verification_id.get_untracked().len() == 32)
            }),
            Step::Details => {
                Name::parse(&name.get_untracked()).is_ok()
                    && Email::parse(&email.get_untracked()).is_ok()
                    && Phone::parse_optional(&phone.get_untracked()).is_ok()
                    && terms.get_untracked()
            }
            Step::Review | Step::Done => false,
        };
        if ok {
            tried.set(None);
            refused.set(None);
            step.set(match from {
                Step::Code => Step::Device,
                Step::Device => Step::Details,
                _ => {
                    key.set_value(api::idempotency_key());
                    Step::Review
                }
            });
        }
    };
    let check_device = move || {
        tried.set(Some(Step::Device));
        refused.set(None);
        if let Ok(parsed) = Serial::parse(&serial.get_untracked()) {
            lookup.dispatch((parsed, lang_now()));
        }
    };
    let send = move || {
        let request = ActivationRequest {
            code: code.get_untracked(),
            serial: serial.get_untracked(),
            customer: CustomerInput {
                name: name.get_untracked(),
                email: email.get_untracked(),
                phone: Some(phone.get_untracked()).filter(|p| !p.trim().is_empty()),
            },
            accept_terms: terms.get_untracked(),
            verification_id: Some(verification_id.get_untracked()).filter(|v| !v.is_empty()),
        };
        submit.dispatch((request, key.get_value(), lang_now()));
    };

    // Each step's heading takes the focus, so screen readers announce the step.
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |previous: Option<Step>| {
        let current = step.get();
        if previous.is_some_and(|p| p != current)
            && let Some(h) = heading.get()
        {
            let _ = h.focus();
        }
        current
    });

    let step_title = move |s: Step| match s {
        Step::Code => t_string!(i18n, step_code).to_string(),
        Step::Device => t_string!(i18n, step_device).to_string(),
        Step::Details => t_string!(i18n, step_details).to_string(),
        Step::Review | Step::Done => t_string!(i18n, step_review).to_string(),
    };
    let steps = move || {
        [Step::Code, Step::Device, Step::Details, Step::Review]
            .into_iter()
            .map(|s| {
                let current = move || step.get() == s || (s == Step::Review && step.get() == Step::Done);
                view! {
                    <li class:current=current aria-current=move || current().then_some("step")>{step_title(s)}</li>
                }
            })
            .collect_view()
    };

    let code_step = move || {
        view! {
            <CodeField value=code server_error=server_error_for("code") required_error=code_required />
            <fieldset class="plan-choice">
                <legend>{t!(i18n, plan_question)}</legend>
                <label>
                    <input type="radio" name="plan" value="annual"
                        prop:checked=move || plan.get() == Plan::Annual
                        on:change=move |_| plan.set(Plan::Annual) />
                    {t!(i18n, plan_annual)}
                </label>
                <label>
                    <input type="radio" name="plan" value="two-year"
                        prop:checked=move || plan.get() == Plan::TwoYear
                        on:change=move |_| plan.set(Plan::TwoYear) />
                    {t!(i18n, plan_two_year)}
                </label>
            </fieldset>
            <div class="wizard-actions">
                <button type="submit">{t!(i18n, next)}</button>
            </div>
        }
    };
    let device_step = move || {
        view! {
            <TextField
                id="serial"
                label=Signal::derive(move || t_string!(i18n, serial_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, serial_hint).to_string())
                error=serial_error
                value=serial
                autocomplete="off"
            />
            <p>
                <button type="button" class="secondary" on:click=move |_| check_device()
                    disabled=move || lookup.pending().get()>
                    {move || if lookup.pending().get() { t!(i18n, checking).into_any() } else { t!(i18n, check_device).into_any() }}
                </button>
            </p>
            {move || device.get().map(|d| view! {
                <EligibilityPanel device=d plan=plan now=now verification_id=verification_id />
            })}
            {move || refused.get().filter(|e| e.refusal() == Some(Refusal::VerificationRequired)).map(|e| view! {
                <p class="error-text" role="alert">{api_message(i18n, &e)}</p>
            })}
            <div class="wizard-actions">
                <button type="button" class="secondary" on:click=move |_| step.set(Step::Code)>{t!(i18n, back)}</button>
                <button type="submit" disabled=move || !preview_now().is_some_and(|p| p.can_continue())>{t!(i18n, next)}</button>
            </div>
        }
    };
    let details_step = move || {
        view! {
            <TextField id="customer-name" label=Signal::derive(move || t_string!(i18n, name_label).to_string())
                error=name_error value=name autocomplete="name" required=true />
            <TextField id="customer-email" label=Signal::derive(move || t_string!(i18n, email_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, email_hint).to_string())
                error=email_error value=email input_type="email" autocomplete="email" inputmode="email" required=true />
            <TextField id="customer-phone" label=Signal::derive(move || t_string!(i18n, phone_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, phone_hint).to_string())
                error=phone_error value=phone input_type="tel" autocomplete="tel" inputmode="tel" />
            <div class="field checkbox">
                <input id="accept-terms" type="checkbox" aria-describedby="accept-terms-error code-notice-repeat"
                    aria-invalid=move || if terms_error.get().is_some() { "true" } else { "false" }
                    prop:checked=move || terms.get()
                    on:change:target=move |ev| terms.set(ev.target().checked()) />
                <label for="accept-terms">{t!(i18n, terms_label)}</label>
                <FieldNotes id="accept-terms" error=terms_error />
                <p class="notice" id="code-notice-repeat">{t!(i18n, code_notice)}</p>
            </div>
            <div class="wizard-actions">
                <button type="button" class="secondary" on:click=move |_| step.set(Step::Device)>{t!(i18n, back)}</button>
                <button type="submit">{t!(i18n, next)}</button>
            </div>
        }
    };
    let review_step = move || {
        let plan_text = match plan.get() {
            Plan::Annual => t_string!(i18n, plan_annual),
            Plan::TwoYear => t_string!(i18n, plan_two_year),
        };
        view! {
            <dl class="review">
                <dt>{t!(i18n, review_code)}</dt><dd class="code">{code.get()}</dd>
                <dt>{t!(i18n, review_plan)}</dt><dd>{plan_text}</dd>
                <dt>{t!(i18n, review_device)}</dt><dd>{serial.get()}</dd>
                <dt>{t!(i18n, review_owner)}</dt><dd>{name.get()}", "{email.get()}</dd>
            </dl>
            <p class="error-text" role="alert">{review_error}</p>
            <div class="wizard-actions">
                <button type="button" class="secondary" on:click=move |_| step.set(Step::Details)>{t!(i18n, back)}</button>
                <button type="submit" disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { t!(i18n, submitting).into_any() } else { t!(i18n, submit_activation).into_any() }}
                </button>
            </div>
        }
    };
    let done_step = move || {
        result.get().map(|coverage| {
            let lang = lang_now();
            let mut events = Vec::new();
            if let Some(end) = coverage.ends_at {
                events.push((end, t_string!(i18n, ics_coverage_end).to_string()));
            }
            if let Some(deadline) = coverage.extension.deadline {
                events.push((deadline, t_string!(i18n, ics_extension_deadline).to_string()));
            }
            let calendar = ics::data_url(&ics::calendar(&events, &coverage.serial));
            let extended = coverage.terms.len() > 1;
            let _ = lang;
            view! {
                <p class="ok" role="status">
                    {if extended { t!(i18n, done_extended_title).into_any() } else { t!(i18n, done_title).into_any() }}
                </p>
                <p>{t!(i18n, done_email, email = email.get())}</p>
                <CoverageView coverage=coverage.clone() now=now />
                <p><a class="button secondary" href=calendar download=format!("care-refresh-{}.ics", coverage.serial)>{t!(i18n, ics_download)}</a></p>
                <p><a href="/activate" on:click=move |_| {
                    code.set(String::new());
                    result.set(None);
                    step.set(Step::Code);
                }>{t!(i18n, activate_another)}</a></p>
            }
        })
    };

    view! {
        <h1>{t!(i18n, activate_title)}</h1>
        <ol class="steps" aria-label=move || t_string!(i18n, activate_steps_label).to_string()>{steps}</ol>
        <form class="card wizard" novalidate on:submit=move |ev| {
            ev.prevent_default();
            match step.get_untracked() {
                Step::Review => send(),
                current => next(current),
            }
        }>
            <h2 node_ref=heading tabindex="-1">
                {move || if step.get() == Step::Done {
                    t_string!(i18n, done_title).to_string()
                } else {
                    step_title(step.get())
                }}
            </h2>
            {move || match step.get() {
                Step::Code => code_step().into_any(),
                Step::Device => device_step().into_any(),
                Step::Details => details_step().into_any(),
                Step::Review => review_step().into_any(),
                Step::Done => done_step().into_any(),
            }}
        </form>
        {move || refused.get().and_then(|e| e.refusal()).map(|r| {
            // Announced once more for screen readers that missed the field's own message.
            view! { <p class="visually-hidden" aria-live="assertive">{message(i18n, r, None)}</p> }
        })}
    }
}
