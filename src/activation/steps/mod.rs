//! The wizard's steps, one component each; they share the [`Wizard`] in context.

mod code;
mod details;
mod device;
mod done;
mod review;

pub use code::CodeStep;
pub use details::DetailsStep;
pub use device::DeviceStep;
pub use done::DoneStep;
pub use review::ReviewStep;

use super::wizard::{Step, Wizard};
use leptos::prelude::*;

fn wizard() -> Wizard {
    expect_context::<Wizard>()
}

/// The back and next buttons of a step. "Back" is the previous step's address, as the
/// browser's Back button would go.
#[component]
fn StepActions(
    /// The step "back" returns to; none on the first.
    #[prop(optional)]
    back: Option<Step>,
    /// The submit button's label.
    #[prop(into)]
    next: Signal<String>,
    #[prop(into, optional)] disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let w = wizard();
    let i18n = w.i18n;
    let disabled = disabled.unwrap_or_else(|| Signal::derive(|| false));
    view! {
        <div class="wizard-actions">
            {back.map(|to| view! {
                <button type="button" class="secondary" on:click=move |_| w.go(to, false)>
                    {crate::i18n::t!(i18n, back)}
                </button>
            })}
            <button type="submit" disabled=move || disabled.get()>{move || next.get()}</button>
        </div>
    }
}
