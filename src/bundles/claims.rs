//! The entry point of the claims journey's bundle (`care_rules::journey`), and its part
//! fetched on first use (`care_portal::chunk`).

use leptos::prelude::AnyView;

care_portal::chunk! {
    /// A claim's page, with its payment: filing a claim needs none of it.
    fn claim_page() -> fn() -> AnyView = care_portal::app::claim_page;
}

fn main() {
    care_portal::start(care_rules::Journey::Claims, || {
        care_portal::app::claim_pages(claim_page)
    });
}
