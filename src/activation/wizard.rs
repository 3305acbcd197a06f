//! The activation wizard's state and its moves between steps. Each step has its own
//! address (`/activate/code`, `/activate/device`, …), so Back and Forward move between
//! steps, and the draft is kept for the tab ([`draft`]), so a reload resumes where the
//! owner was. Every check that can run in the browser runs there first (the code's
//! check character, the serial, the contact details, the device's eligibility by the
//! rules); at the device step the server checks the code on the device (nothing
//! written), so that a card for another product is refused before the owner types
//! their details; the activation itself decides once more.

use super::api;
use super::draft::{self, Checked, Draft};
use super::eligibility::{Preview, case_id_from, preview};
use super::steps::CodeStep;
use crate::api::{ApiError, idempotency_key};
use crate::clock::use_ticking_now;
use crate::coverage::api as coverage_api;
use crate::format::lang;
use crate::i18n::*;
use crate::refusal::{api_message, message};
use crate::ui::chunk::{Load, later};
use crate::ui::use_title;
use care_rules::api::{
    ActivationCheck, ActivationCheckRequest, ActivationRequest, CoverageDocument, CustomerInput,
    DeviceDocument,
};
use care_rules::{Code, Email, Lang, Name, Phone, Plan, Product, Refusal, Serial, Timestamp};
use leptos::html;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params, use_query_map};
use leptos_router::params::Params;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Code,
    Device,
    Details,
    Review,
    Done,
}

impl Step {
    /// The steps the progress list shows (the result is the last one's outcome).
    pub const LISTED: [Step; 4] = [Step::Code, Step::Device, Step::Details, Step::Review];

    fn slug(self) -> &'static str {
        match self {
            Step::Code => "code",
            Step::Device => "device",
            Step::Details => "details",
            Step::Review => "review",
            Step::Done => "done",
        }
    }

    /// The step's address.
    pub fn path(self) -> String {
        format!("/activate/{}", self.slug())
    }
}

/// A path segment that names no step.
#[derive(Debug, Clone)]
pub struct UnknownStep;

impl fmt::Display for UnknownStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no such step")
    }
}

impl std::error::Error for UnknownStep {}

impl FromStr for Step {
    type Err = UnknownStep;

    fn from_str(s: &str) -> Result<Step, UnknownStep> {
        [
            Step::Code,
            Step::Device,
            Step::Details,
            Step::Review,
            Step::Done,
        ]
        .into_iter()
        .find(|step| step.slug() == s)
        .ok_or(UnknownStep)
    }
}

#[derive(Params, Debug, Clone, PartialEq)]
struct StepParams {
    step: Option<Step>,
}

/// Refusals about the code itself: the owner fixes them at the code step.
pub fn is_about_code(refusal: Refusal) -> bool {
    use Refusal::*;
    matches!(
        refusal,
        InvalidCodeFormat | CodeNotFound | CodeAlreadyUsed | CodeRegionMismatch
    )
}

/// Which step a refusal of the activation itself belongs to.
fn step_of(error: &ApiError) -> Step {
    match (error.refusal(), error.field()) {
        (Some(r), _) if is_about_code(r) => Step::Code,
        (Some(_), Some(field)) if field.starts_with("customer") || field == "accept_terms" => {
            Step::Details
        }
        (Some(Refusal::RateLimited) | None, _) => Step::Review,
        (Some(_), _) => Step::Device,
    }
}

/// What the owner entered so far and what the server said, shared by the steps.
#[derive(Clone, Copy)]
pub struct Wizard {
    pub step: Memo<Step>,
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
    /// The server's latest refusal, and the step it is shown at.
    pub refused: RwSignal<Option<(Step, ApiError)>>,
    pub device: RwSignal<Option<DeviceDocument>>,
    pub checked: RwSignal<Option<Checked>>,
    pub result: RwSignal<Option<CoverageDocument>>,
    pub now: ReadSignal<Timestamp>,
    pub i18n: leptos_i18n::I18nContext<Locale>,
    pub lookup: Action<(Serial, Lang), Result<DeviceDocument, ApiError>>,
    pub check: Action<(ActivationCheckRequest, Lang), Result<ActivationCheck, ApiError>>,
    pub submit: Action<(ActivationRequest, String, Lang), Result<CoverageDocument, ApiError>>,
    key: RwSignal<String>,
    go: Callback<(Step, bool)>,
}

impl Wizard {
    /// The server's refusal shown at `step`, as a sentence.
    pub fn step_error(self, step: Step) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.refused
                .get()
                .filter(|(at, _)| *at == step)
                .map(|(_, e)| self.sentence(&e))
        })
    }

    /// A server refusal about `field`, wherever it was given (the code's refusals from
    /// the device step show on the code field too).
    pub fn server_error_for(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.refused
                .get()
                .map(|(_, e)| e)
                .filter(|e| {
                    e.field() == Some(field)
                        || (field == "code" && e.refusal().is_some_and(is_about_code))
                })
                .map(|e| self.sentence(&e))
        })
    }

    /// A refusal as the owner reads it; a card for another product names both.
    pub fn sentence(self, error: &ApiError) -> String {
        let i18n = self.i18n;
        if let ApiError::Refused(problem) = error
            && problem.code == Refusal::CodeProductMismatch
            && let (Some(code_product), Some(device_product)) = (
                problem.code_product_id.as_deref().and_then(Product::find),
                problem.device_product_id.as_deref().and_then(Product::find),
            )
        {
            return t_string!(
                i18n,
                refusal_code_product_mismatch_named,
                code_product = code_product.name,
                device_product = device_product.name
            )
            .to_string();
        }
        api_message(i18n, error)
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

    /// The server's check, if it was for the code, serial and case now entered.
    pub fn fresh_check(self) -> Option<ActivationCheck> {
        self.checked
            .get()
            .filter(|c| {
                c.code == self.code.get()
                    && c.serial == self.serial.get()
                    && c.verification_id == self.verification_id.get()
            })
            .map(|c| c.answer)
    }

    fn details_valid(self) -> bool {
        Name::parse(&self.name.get()).is_ok()
            && Email::parse(&self.email.get()).is_ok()
            && Phone::parse_optional(&self.phone.get()).is_ok()
            && self.terms.get()
    }

    /// The furthest step the owner may be at with what is entered.
    fn furthest(self) -> Step {
        if self.result.get().is_some() {
            Step::Done
        } else if Code::parse(&self.code.get()).is_err() {
            Step::Code
        } else if self.fresh_check().is_none() {
            Step::Device
        } else if !self.details_valid() {
            Step::Details
        } else {
            Step::Review
        }
    }

    /// Moves to `step` (a new history entry, or in place of this one).
    pub fn go(self, step: Step, replace: bool) {
        self.go.run((step, replace));
    }

    /// Fetches the device of the serial typed, for the eligibility preview.
    pub fn check_device(self) {
        self.refused.set(None);
        match Serial::parse(&self.serial.get_untracked()) {
            Ok(parsed) => {
                self.lookup.dispatch((parsed, self.lang()));
            }
            // Only a serial that cannot be looked up marks the step as tried: the
            // fields the lookup reveals (the case number) are not wrong before "Next".
            Err(_) => {
                self.tried.set(Some(Step::Device));
                focus_first_error();
            }
        }
    }

    /// "Next" on `from`: goes on when its fields are valid, or says at once why not.
    pub fn next(self, from: Step) {
        self.tried.set(Some(from));
        match from {
            Step::Code => {
                if Code::parse(&self.code.get_untracked()).is_ok() {
                    self.advance(Step::Device);
                } else {
                    focus_first_error();
                }
            }
            Step::Device => self.next_from_device(),
            Step::Details => {
                if self.details_valid() {
                    if self.key.get_untracked().is_empty() {
                        self.key.set(idempotency_key());
                    }
                    self.advance(Step::Review);
                } else {
                    focus_first_error();
                }
            }
            Step::Review => self.send(),
            Step::Done => {}
        }
    }

    fn advance(self, to: Step) {
        self.tried.set(None);
        self.refused.set(None);
        self.go(to, false);
    }

    /// The device step: look the device up first (Enter in the serial field does), then
    /// ask the server to check the code on it.
    fn next_from_device(self) {
        let Ok(serial) = Serial::parse(&self.serial.get_untracked()) else {
            focus_first_error();
            return;
        };
        let looked_up = self
            .device
            .get_untracked()
            .is_some_and(|d| d.serial == serial.as_str());
        if !looked_up {
            self.check_device();
            return;
        }
        match self.preview() {
            Some(Preview::Refused(_)) | None => {
                focus_first_error();
                return;
            }
            Some(Preview::Video)
                if case_id_from(&self.verification_id.get_untracked()).is_none() =>
            {
                focus_first_error();
                return;
            }
            _ => {}
        }
        self.refused.set(None);
        let request = ActivationCheckRequest {
            code: self.code.get_untracked(),
            serial: self.serial.get_untracked(),
            plan: Some(self.plan.get_untracked()),
            verification_id: case_id_from(&self.verification_id.get_untracked()),
        };
        self.check.dispatch((request, self.lang()));
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
            verification_id: case_id_from(&self.verification_id.get_untracked()),
        };
        if self.key.get_untracked().is_empty() {
            self.key.set(idempotency_key());
        }
        self.submit
            .dispatch((request, self.key.get_untracked(), self.lang()));
    }

    /// The language the owner reads now.
    pub fn lang(self) -> Lang {
        lang(self.i18n.get_locale_untracked())
    }

    /// Starts again with another code; the device and the owner's details stay.
    pub fn start_over(self) {
        self.code.set(String::new());
        self.checked.set(None);
        self.result.set(None);
        self.key.set(String::new());
        self.refused.set(None);
        self.tried.set(None);
    }

    fn draft(self) -> Draft {
        Draft {
            code: self.code.get(),
            plan: Some(self.plan.get()),
            serial: self.serial.get(),
            verification_id: self.verification_id.get(),
            name: self.name.get(),
            email: self.email.get(),
            phone: self.phone.get(),
            terms: self.terms.get(),
            check: self.checked.get(),
            key: self.key.get(),
            result: self.result.get(),
        }
    }
}

/// A step after the code.
pub fn after_code(step: Step) -> AnyView {
    use super::steps::{DetailsStep, DeviceStep, DoneStep, ReviewStep};
    match step {
        Step::Code => view! { <CodeStep /> }.into_any(),
        Step::Device => view! { <DeviceStep /> }.into_any(),
        Step::Details => view! { <DetailsStep /> }.into_any(),
        Step::Review => view! { <ReviewStep /> }.into_any(),
        Step::Done => view! { <DoneStep /> }.into_any(),
    }
}

/// Moves the focus to the first field marked invalid, once the page shows it.
pub fn focus_first_error() {
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let field = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector("main [aria-invalid=\"true\"]")
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = field {
            let _ = field.focus();
        }
    });
}

/// The step titles of the progress list and the headings.
pub fn step_title(w: Wizard, step: Step) -> String {
    let i18n = w.i18n;
    match step {
        Step::Code => t_string!(i18n, step_code).to_string(),
        Step::Device => t_string!(i18n, step_device).to_string(),
        Step::Details => t_string!(i18n, step_details).to_string(),
        Step::Review => t_string!(i18n, step_review).to_string(),
        Step::Done => {
            let extended = w.result.get().is_some_and(|r| r.terms.len() > 1);
            if extended {
                t_string!(i18n, done_extended_title).to_string()
            } else {
                t_string!(i18n, done_title).to_string()
            }
        }
    }
}

/// The wizard; `later_steps` gives the steps after the code ([`after_code`]), which
/// the release build fetches when the owner first gets past it.
#[component]
pub fn Activate(later_steps: Load<fn(Step) -> AnyView>) -> impl IntoView {
    let i18n = use_i18n();
    use_title(move || t_string!(i18n, activate_title).to_string());
    let params = use_params::<StepParams>();
    let query = use_query_map();
    let navigate = use_navigate();
    let go = Callback::new(move |(step, replace): (Step, bool)| {
        navigate(
            &step.path(),
            NavigateOptions {
                replace,
                ..Default::default()
            },
        );
    });

    let mut saved = draft::load();
    // A link from a video case (or the coverage page) names the device and the case.
    let prefilled = |name: &str| query.read_untracked().get(name).filter(|v| !v.is_empty());
    if let Some(serial) = prefilled("serial") {
        if serial != saved.serial {
            saved.check = None;
        }
        saved.serial = serial;
    }
    if let Some(case) = prefilled("verification") {
        saved.verification_id = case;
    }
    let lookup = Action::new_local(move |(serial, lang): &(Serial, Lang)| {
        let (serial, lang) = (serial.clone(), *lang);
        async move { coverage_api::device(&serial, lang).await }
    });
    let check = Action::new_local(move |(request, lang): &(ActivationCheckRequest, Lang)| {
        let (request, lang) = (request.clone(), *lang);
        async move { api::check(&request, lang).await }
    });
    let submit = Action::new_local(
        move |(request, key, lang): &(ActivationRequest, String, Lang)| {
            let (request, key, lang) = (request.clone(), key.clone(), *lang);
            async move { api::activate(&request, &key, lang).await }
        },
    );
    let wizard = Wizard {
        step: Memo::new(move |_| params.get().ok().and_then(|p| p.step).unwrap_or(Step::Code)),
        code: RwSignal::new(saved.code),
        plan: RwSignal::new(saved.plan.unwrap_or(Plan::Annual)),
        serial: RwSignal::new(saved.serial),
        verification_id: RwSignal::new(saved.verification_id),
        name: RwSignal::new(saved.name),
        email: RwSignal::new(saved.email),
        phone: RwSignal::new(saved.phone),
        terms: RwSignal::new(saved.terms),
        tried: RwSignal::new(None),
        refused: RwSignal::new(None),
        device: RwSignal::new(None),
        checked: RwSignal::new(saved.check),
        result: RwSignal::new(saved.result),
        now: use_ticking_now(),
        i18n,
        lookup,
        check,
        submit,
        key: RwSignal::new(saved.key),
        go,
    };
    provide_context(wizard);

    // The draft follows every change.
    Effect::new(move |_| draft::save(&wizard.draft()));
    // Another code or plan makes the server's last word about them stale.
    Effect::new(move |first: Option<()>| {
        wizard.code.track();
        wizard.plan.track();
        if first.is_some() {
            wizard.refused.set(None);
        }
    });

    // A step the entries do not reach yet (a reload, a link, Forward after a change)
    // shows the furthest one they do. With an activation done, its result is the
    // place to be; going back to the code or the device begins another activation.
    Effect::new(move |_| {
        let asked = params.get().ok().and_then(|p| p.step);
        if wizard.result.get().is_some() {
            match asked {
                Some(Step::Done) => return,
                // A bare `/activate` (the menu's link) begins another activation too.
                None | Some(Step::Code | Step::Device) => wizard.start_over(),
                _ => {
                    wizard.go(Step::Done, true);
                    return;
                }
            }
        }
        let furthest = wizard.furthest();
        if asked.is_none_or(|s| s > furthest) {
            wizard.go(furthest, true);
        }
    });

    // The device is fetched again after a reload, for the eligibility panel.
    Effect::new(move |_| {
        if wizard.step.get() >= Step::Device
            && wizard.device.get_untracked().is_none()
            && let Ok(serial) = Serial::parse(&wizard.serial.get_untracked())
        {
            lookup.dispatch((serial, wizard.lang()));
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = lookup.value().get() {
            match outcome {
                Ok(found) => {
                    wizard.refused.set(None);
                    wizard.device.set(Some(found));
                }
                Err(e) => {
                    wizard.device.set(None);
                    wizard.refused.set(Some((Step::Device, e)));
                    focus_first_error();
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = check.value().get() {
            match outcome {
                Ok(answer) => {
                    // The card's own plan, whatever was chosen at the first step.
                    wizard.plan.set(answer.plan);
                    wizard.checked.set(Some(Checked {
                        code: wizard.code.get_untracked(),
                        serial: wizard.serial.get_untracked(),
                        verification_id: wizard.verification_id.get_untracked(),
                        answer,
                    }));
                    wizard.advance(Step::Details);
                }
                Err(e) => wizard.refused.set(Some((Step::Device, e))),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = submit.value().get() {
            match outcome {
                Ok(coverage) => {
                    wizard.refused.set(None);
                    wizard.result.set(Some(coverage));
                    wizard.go(Step::Done, true);
                }
                Err(e) => {
                    let at = step_of(&e);
                    wizard.refused.set(Some((at, e)));
                    if at != Step::Review {
                        wizard.go(at, false);
                    }
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
        Step::LISTED
            .into_iter()
            .map(|s| {
                let current = move || wizard.step.get() == s;
                view! {
                    <li class:current=current aria-current=move || current().then_some("step")>{step_title(wizard, s)}</li>
                }
            })
            .collect_view()
    };
    view! {
        <h1>{t!(i18n, activate_title)}</h1>
        // Once activated the steps are behind the owner: the list goes.
        {move || (wizard.step.get() != Step::Done).then(|| view! {
            <ol class="steps" aria-label=move || t_string!(i18n, activate_steps_label).to_string()>{steps}</ol>
        })}
        <form class="card wizard" novalidate on:submit=move |ev| {
            ev.prevent_default();
            wizard.next(wizard.step.get_untracked());
        }>
            <h2 node_ref=heading tabindex="-1">{move || step_title(wizard, wizard.step.get())}</h2>
            {move || match wizard.step.get() {
                Step::Code => view! { <CodeStep /> }.into_any(),
                step => later(later_steps, move |after_code: fn(Step) -> AnyView| after_code(step)).into_any(),
            }}
        </form>
        {move || wizard.refused.get().and_then(|(_, e)| e.refusal()).map(|r| {
            // Announced once more for screen readers that missed the field's own message.
            view! { <p class="visually-hidden" aria-live="assertive">{message(i18n, r, None)}</p> }
        })}
    }
}
