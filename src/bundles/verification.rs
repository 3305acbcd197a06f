//! The entry point of the verification journey's bundle (`care_rules::journey`), and
//! its part fetched on first use (`care_portal::chunk`).

use leptos::prelude::AnyView;

care_portal::chunk! {
    /// A case's page, with the uploader: opening a case needs none of it.
    fn case_page() -> fn() -> AnyView = care_portal::app::case_page;
}

fn main() {
    care_portal::start(care_rules::Journey::Verification, || {
        care_portal::app::verification_pages(case_page)
    });
}
