//! The entry point of the claims journey's bundle (`care_rules::journey`).

fn main() {
    care_portal::start(care_rules::Journey::Claims, care_portal::app::claim_pages);
}
