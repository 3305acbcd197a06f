//! The entry point of the verification journey's bundle (`care_rules::journey`).

fn main() {
    care_portal::start(
        care_rules::Journey::Verification,
        care_portal::app::verification_pages,
    );
}
