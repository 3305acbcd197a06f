//! The owners' app comes as one bundle per journey, so that a first visit downloads only
//! the pages it can show: the landing page does not carry the wizard, the uploader or
//! the claim pages. Both shells map a path to its journey here: the server to answer
//! each address with its bundle's page, the app to load another bundle's page when a
//! link leaves its own.

/// A part of the owners' app built as its own bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Journey {
    /// `/`, `/terms` and every address no other journey claims (its "not found" page).
    Home,
    /// `/coverage` and `/coverage/{serial}`.
    Coverage,
    /// `/activate` and its steps.
    Activation,
    /// `/verification` and `/verification/{id}`.
    Verification,
    /// `/claims/new` and `/claims/{id}`.
    Claims,
    /// `/me`, the owner's page behind an emailed link.
    Owner,
}

crate::wire_names!(Journey {
    Home => "home",
    Coverage => "coverage",
    Activation => "activation",
    Verification => "verification",
    Claims => "claims",
    Owner => "owner",
});

impl Journey {
    /// The journey an address belongs to, by its first path segment.
    pub fn for_path(path: &str) -> Journey {
        let first = path.trim_start_matches('/').split(['/', '?', '#']).next();
        match first.unwrap_or_default() {
            "coverage" => Journey::Coverage,
            "activate" => Journey::Activation,
            "verification" => Journey::Verification,
            "claims" => Journey::Claims,
            "me" => Journey::Owner,
            _ => Journey::Home,
        }
    }

    /// Where `cargo xtask` builds the journey's page, under the web folder: the home
    /// bundle at the root (it also carries the icon, manifest and offline worker), the
    /// others under `bundle/`, a prefix no address of the app uses.
    pub fn page(self) -> String {
        match self {
            Journey::Home => "index.html".to_owned(),
            other => format!("bundle/{}/index.html", other.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Journey;

    #[test]
    fn each_address_belongs_to_its_journey() {
        for (path, journey) in [
            ("/", Journey::Home),
            ("/terms", Journey::Home),
            ("/no-such-page", Journey::Home),
            ("/coverage", Journey::Coverage),
            ("/coverage/SN0000000001", Journey::Coverage),
            ("/activate", Journey::Activation),
            ("/activate/review", Journey::Activation),
            ("/activate?serial=SN1", Journey::Activation),
            ("/verification", Journey::Verification),
            ("/verification/7f0c", Journey::Verification),
            ("/me", Journey::Owner),
            ("/me#token=abc", Journey::Owner),
            ("/mee", Journey::Home),
            ("/claims/new", Journey::Claims),
            ("/claims/CR-ABCD2345", Journey::Claims),
            // A prefix of a segment is not the segment.
            ("/coverages", Journey::Home),
            ("/activated", Journey::Home),
        ] {
            assert_eq!(Journey::for_path(path), journey, "{path}");
        }
    }

    #[test]
    fn pages_of_other_journeys_live_under_a_prefix_no_address_uses() {
        assert_eq!(Journey::Home.page(), "index.html");
        for journey in &Journey::ALL[1..] {
            let page = journey.page();
            assert!(page.starts_with("bundle/"), "{page}");
            assert_eq!(Journey::for_path(&format!("/{page}")), Journey::Home);
        }
    }
}
