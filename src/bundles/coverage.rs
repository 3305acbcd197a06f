//! The entry point of the coverage journey's bundle (`care_rules::journey`), and its
//! part fetched on first use (`care_portal::chunk`).

use leptos::prelude::AnyView;

care_portal::chunk! {
    /// The proof of coverage: the lookup needs none of it.
    fn certificate_page() -> fn() -> AnyView = care_portal::app::certificate_page;
}

fn main() {
    care_portal::start(care_rules::Journey::Coverage, || {
        care_portal::app::coverage_pages(certificate_page)
    });
}
