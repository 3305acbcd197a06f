//! The entry point of the owner's page's bundle (`care_rules::journey`).

fn main() {
    care_portal::start(care_rules::Journey::Owner, care_portal::app::owner_pages);
}
