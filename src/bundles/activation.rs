//! The entry point of the activation journey's bundle (`care_rules::journey`), and its
//! part fetched on first use (`care_portal::chunk`).

use care_portal::activation::{Step, after_code};
use leptos::prelude::AnyView;

care_portal::chunk! {
    /// The steps after the code: the first visit downloads only the code step.
    fn later_steps() -> fn(Step) -> AnyView = after_code;
}

fn main() {
    care_portal::start(care_rules::Journey::Activation, || {
        care_portal::app::activation_pages(later_steps)
    });
}
