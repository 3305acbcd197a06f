//! The entry point of the owner's page's bundle (`care_rules::journey`), and its part
//! fetched on first use (`care_portal::chunk`).

use care_portal::owner::{SignedIn, signed_in};

care_portal::chunk! {
    /// What a signed-in owner sees: a first visit is signed out.
    fn signed_in_part() -> SignedIn = signed_in;
}

fn main() {
    care_portal::start(care_rules::Journey::Owner, || {
        care_portal::app::owner_pages(signed_in_part)
    });
}
