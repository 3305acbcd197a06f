//! The entry point of the activation journey's bundle (`care_rules::journey`).

fn main() {
    care_portal::start(
        care_rules::Journey::Activation,
        care_portal::app::activation_pages,
    );
}
