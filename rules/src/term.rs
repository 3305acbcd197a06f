//! A term: one plan's stretch of coverage (R1, R4).

use crate::catalog::Plan;
use crate::time::{Timestamp, add_months};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub plan: Plan,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub ends_at: Timestamp,
    pub replacements: u32,
}

impl Term {
    /// The term a plan gives from `starts_at`: its calendar months and replacements.
    pub fn new(plan: Plan, starts_at: Timestamp) -> Term {
        Term {
            plan,
            starts_at,
            ends_at: add_months(starts_at, plan.months()),
            replacements: plan.replacements(),
        }
    }

    /// Whether `now` falls inside the term (`starts_at <= now < ends_at`).
    pub fn covers(&self, now: Timestamp) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::tests::at;

    #[test]
    fn annual_is_12_months_and_2_replacements() {
        let t = Term::new(Plan::Annual, at("2026-11-24T09:00:00Z"));
        assert_eq!(t.ends_at, at("2027-11-24T09:00:00Z"));
        assert_eq!(t.replacements, 2);
    }

    #[test]
    fn two_year_is_24_months_and_4_replacements() {
        let t = Term::new(Plan::TwoYear, at("2026-11-24T09:00:00Z"));
        assert_eq!(t.ends_at, at("2028-11-24T09:00:00Z"));
        assert_eq!(t.replacements, 4);
    }

    #[test]
    fn a_term_started_on_a_leap_day_ends_on_28_february() {
        let t = Term::new(Plan::Annual, at("2028-02-29T23:00:00Z"));
        assert_eq!(t.ends_at, at("2029-02-28T23:00:00Z"));
    }

    #[test]
    fn covers_is_half_open() {
        let t = Term::new(Plan::Annual, at("2026-01-01T00:00:00Z"));
        assert!(!t.covers(at("2025-12-31T23:59:59Z")));
        assert!(t.covers(at("2026-01-01T00:00:00Z")));
        assert!(t.covers(at("2026-12-31T23:59:59Z")));
        assert!(!t.covers(at("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn serialises_as_in_the_coverage_document() {
        let t = Term::new(Plan::Annual, at("2026-01-01T00:00:00Z"));
        let json = serde_json::to_value(t).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "plan": "annual",
                "starts_at": "2026-01-01T00:00:00Z",
                "ends_at": "2027-01-01T00:00:00Z",
                "replacements": 2
            })
        );
    }
}
