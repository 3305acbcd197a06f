//! The entry point of the coverage journey's bundle (`care_rules::journey`).

fn main() {
    care_portal::start(
        care_rules::Journey::Coverage,
        care_portal::app::coverage_pages,
    );
}
