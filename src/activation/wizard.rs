//! The activation wizard's state and its moves between steps. Every check that can run
//! in the browser runs there first (the code's check character, the serial, the contact
//! details, the eligibility of the device by the rules); the server decides again, and
//! its refusals come back to the step and field they concern.

use super::api;
use super::eligibility::{Preview, preview};
use super::steps::{CodeStep, DetailsStep, DeviceStep, DoneStep, ReviewStep};
use crate::api::{ApiError, idempotency_key};
use crate::clock::use_ticking_now;
use crate::coverage::api as coverage_api;
use crate::format::lang;
use crate::i18n::*;
use crate::refusal::{api_message, message};
use crate::ui::use_title;
use care_rules::api::{ActivationRequest, CoverageDocument, CustomerInput, DeviceDocument};
use care_rules::{Code, Email, Lang, Name, Phone, Plan, Refusal, Serial, Timestamp};
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
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

/// What the owner entered so far and what the server said, shared by the steps.
#[derive(Clone, Copy)]
pub struct Wizard {
    pub step: RwSignal<Step>,
    pub code: RwSignal<String>,
    pub plan: RwSignal<Plan>,
    pub serial: RwSignal<String>,
    pub verification_id: RwSignal<String>,
    pub name: RwSignal<String>,
    pub email: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub terms: RwSignal<bool>,
    /// The step whose "next" the owner pressed, so its field errors show.
    pub tried: RwSignal<Option<Step>>,
    pub refused: RwSignal<Option<ApiError>>,
    pub device: RwSignal<Option<DeviceDocument>>,
    pub result: RwSignal<Option<CoverageDocument>>,
    pub now: ReadSignal<Timestamp>,
    pub i18n: leptos_i18n::I18nContext<Locale>,
    pub lookup: Action<(Serial, Lang), Result<DeviceDocument, ApiError>>,
    pub submit: Action<(ActivationRequest, String, Lang), Result<CoverageDocument, ApiError>>,
    key: StoredValue<String>,
}

impl Wizard {
    /// A server refusal about `field` (or about the code in general, for `code`).
    pub fn server_error_for(self, field: &'static str) -> Signal<Option<String>> {
        let i18n = self.i18n;
        Signal::derive(move || {
            self.refused
                .get()
                .filter(|e| {
                    e.field() == Some(field)
                        || (field == "code" && step_of(e) == Step::Code && e.field().is_none())
                })
                .map(|e| api_message(i18n, &e))
        })
    }

    /// The server's refusal, when it belongs to `step`.
    pub fn refused_at(self, step: Step) -> Option<ApiError> {
        self.refused.get().filter(|e| step_of(e) == step)
    }

    /// A refusal that belongs to `step`, as a sentence.
    pub fn step_error(self, step: Step) -> Signal<Option<String>> {
        let i18n = self.i18n;
        Signal::derive(move || self.refused_at(step).map(|e| api_message(i18n, &e)))
    }

    /// Whether the owner pressed "next" on `step` (its field errors show from then on).
    pub fn tried(self, step: Step) -> bool {
        self.tried.get() == Some(step)
    }

    /// The rules' preview of the device with a code of the chosen plan, now.
    pub fn preview(self) -> Option<Preview> {
        self.device
            .get()
            .map(|d| preview(&d, self.plan.get(), self.now.get()))
    }

    /// Fetches the device of the serial typed, for the eligibility preview.
    pub fn check_device(self) {
        self.tried.set(Some(Step::Device));
        self.refused.set(None);
        if let Ok(parsed) = Serial::parse(&self.serial.get_untracked()) {
            self.lookup.dispatch((parsed, self.lang()));
        }
    }

    /// Goes on from `from` when its fields are valid.
    fn next(self, from: Step) {
        self.tried.set(Some(from));
        let ok = match from {
            Step::Code => Code::parse(&self.code.get_untracked()).is_ok(),
            Step::Device => self.preview().is_some_and(|p| {
                p.can_continue()
                    && (p != Preview::Video || self.verification_id.get_untracked().len() == 32)
            }),
            Step::Details => {
                Name::parse(&self.name.get_untracked()).is_ok()
                    && Email::parse(&self.email.get_untracked()).is_ok()
                    && Phone::parse_optional(&self.phone.get_untracked()).is_ok()
                    && self.terms.get_untracked()
            }
            Step::Review | Step::Done => false,
        };
        if ok {
            self.tried.set(None);
            self.refused.set(None);
            self.step.set(match from {
                Step::Code => Step::Device,
                Step::Device => Step::Details,
                _ => {
                    self.key.set_value(idempotency_key());
                    Step::Review
                }
            });
        }
    }

    /// Sends the activation.
    fn send(self) {
        let request = ActivationRequest {
            code: self.code.get_untracked(),
            serial: self.serial.get_untracked(),
            customer: CustomerInput {
                name: self.name.get_untracked(),
                email: self.email.get_untracked(),
                phone: Some(self.phone.get_untracked()).filter(|p| !p.trim().is_empty()),
            },
            accept_terms: self.terms.get_untracked(),
            verification_id: Some(self.verification_id.get_untracked()).filter(|v| !v.is_empty()),
        };
        self.submit
            .dispatch((request, self.key.get_value(), self.lang()));
    }

    /// The language the owner reads now.
    pub fn lang(self) -> Lang {
        lang(self.i18n.get_locale_untracked())
    }

    /// Starts again with another code (the device and owner stay).
    pub fn start_over(self) {
        self.code.set(String::new());
        self.result.set(None);
        self.step.set(Step::Code);
    }
}

/// The step titles of the progress list and the headings.
pub fn step_title(i18n: leptos_i18n::I18nContext<Locale>, step: Step) -> String {
    match step {
        Step::Code => t_string!(i18n, step_code).to_string(),
        Step::Device => t_string!(i18n, step_device).to_string(),
        Step::Details => t_string!(i18n, step_details).to_string(),
        Step::Review => t_string!(i18n, step_review).to_string(),
        Step::Done => t_string!(i18n, done_title).to_string(),
    }
}

#[component]
pub fn Activate() -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, activate_title).to_string());
    let query = use_query_map();
    let prefilled = |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let lookup = Action::new_local(move |(serial, lang): &(Serial, Lang)| {
        let (serial, lang) = (serial.clone(), *lang);
        async move { coverage_api::device(&serial, lang).await }
    });
    let submit = Action::new_local(
        move |(request, key, lang): &(ActivationRequest, String, Lang)| {
            let (request, key, lang) = (request.clone(), key.clone(), *lang);
            async move { api::activate(&request, &key, lang).await }
        },
    );
    let wizard = Wizard {
        step: RwSignal::new(Step::Code),
        code: RwSignal::new(String::new()),
        plan: RwSignal::new(Plan::Annual),
        serial: RwSignal::new(prefilled("serial")),
        verification_id: RwSignal::new(prefilled("verification")),
        name: RwSignal::new(String::new()),
        email: RwSignal::new(String::new()),
        phone: RwSignal::new(String::new()),
        terms: RwSignal::new(false),
        tried: RwSignal::new(None),
        refused: RwSignal::new(None),
        device: RwSignal::new(None),
        result: RwSignal::new(None),
        now: use_ticking_now(),
        i18n,
        lookup,
        submit,
        key: StoredValue::new(idempotency_key()),
    };
    provide_context(wizard);
    Effect::new(move |_| {
        if let Some(outcome) = lookup.value().get() {
            match outcome {
                Ok(found) => {
                    wizard.refused.set(None);
                    wizard.device.set(Some(found));
                }
                Err(e) => {
                    wizard.device.set(None);
                    wizard.refused.set(Some(e));
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = submit.value().get() {
            match outcome {
                Ok(coverage) => {
                    wizard.refused.set(None);
                    wizard.result.set(Some(coverage));
                    wizard.step.set(Step::Done);
                }
                Err(e) => {
                    wizard.step.set(step_of(&e));
                    wizard.refused.set(Some(e));
                }
            }
        }
    });

    // Each step's heading takes the focus, so screen readers announce the step.
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |previous: Option<Step>| {
        let current = wizard.step.get();
        if previous.is_some_and(|p| p != current)
            && let Some(h) = heading.get()
        {
            let _ = h.focus();
        }
        current
    });
    let steps = move || {
        [Step::Code, Step::Device, Step::Details, Step::Review]
            .into_iter()
            .map(|s| {
                let current = move || {
                    let now = wizard.step.get();
                    now == s || (s == Step::Review && now == Step::Done)
                };
                view! {
                    <li class:current=current aria-current=move || current().then_some("step")>{step_title(i18n, s)}</li>
                }
            })
            .collect_view()
    };
    view! {
        <h1>{t!(i18n, activate_title)}</h1>
        <ol class="steps" aria-label=move || t_string!(i18n, activate_steps_label).to_string()>{steps}</ol>
        <form class="card wizard" novalidate on:submit=move |ev| {
            ev.prevent_default();
            match wizard.step.get_untracked() {
                Step::Review => wizard.send(),
                current => wizard.next(current),
            }
        }>
            <h2 node_ref=heading tabindex="-1">{move || step_title(i18n, wizard.step.get())}</h2>
            {move || match wizard.step.get() {
                Step::Code => view! { <CodeStep /> }.into_any(),
                Step::Device => view! { <DeviceStep /> }.into_any(),
                Step::Details => view! { <DetailsStep /> }.into_any(),
                Step::Review => view! { <ReviewStep /> }.into_any(),
                Step::Done => view! { <DoneStep /> }.into_any(),
            }}
        </form>
        {move || wizard.refused.get().and_then(|e| e.refusal()).map(|r| {
            // Announced once more for screen readers that missed the field's own message.
            view! { <p class="visually-hidden" aria-live="assertive">{message(i18n, r, None)}</p> }
        })}
    }
}
