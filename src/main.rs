//! The entry point of the home bundle: `/`, `/terms` and "not found"; the other
//! journeys are bundles of their own (`src/bundles/`).

fn main() {
    care_portal::start(care_rules::Journey::Home, care_portal::app::home_pages);
}
