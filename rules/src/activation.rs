//! Activating and extending a plan (R2, R5, R6, R12, R13): what the browser previews
//! before a code is known, and the decision once the code's facts are.

use crate::catalog::{Plan, Product, REGION};
use crate::coverage::Coverage;
use crate::refusal::Refusal;
use crate::term::Term;
use crate::time::{DIRECT_ACTIVATION_WINDOW, Timestamp, after};
use crate::verification::VerificationCase;

/// What the rules need to know of a device.
#[derive(Debug, Clone, Copy)]
pub struct Device<'a> {
    pub product: &'static Product,
    /// When the owner activated the device itself; `None` for a sealed, new device.
    pub activated_at: Option<Timestamp>,
    /// Its latest coverage chain, if it ever had one.
    pub coverage: Option<&'a Coverage>,
}

/// What the code on a card is, as the server's records say.
#[derive(Debug, Clone, Copy)]
pub struct CodeFacts<'a> {
    pub product_id: &'a str,
    pub plan: Plan,
    pub region: &'a str,
    pub used: bool,
}

/// What an owner can do with a device now, before a code is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    /// A plan can be activated without a video; the window closes at this instant
    /// (`None` for a device never activated).
    Direct { window_closes_at: Option<Timestamp> },
    /// The device is older than 30 days: a verification video comes first.
    VideoRequired,
    /// The coverage can be extended with an annual code until `deadline`; `term` is
    /// what one would add and `remaining_after` the replacements left then.
    Extension {
        deadline: Timestamp,
        term: Term,
        remaining_after: u32,
    },
    /// The coverage is still open to extension but an annual code would pass the cap.
    Refused(Refusal),
}

/// What an activation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// A new chain; `verified` when an accepted video was needed and is used up by it.
    New { term: Term, verified: bool },
    /// A term added to the open chain.
    Extension { term: Term },
}

impl Activation {
    pub fn term(&self) -> Term {
        match self {
            Activation::New { term, .. } | Activation::Extension { term } => *term,
        }
    }
}

impl Device<'_> {
    /// The chain an activation now would extend: one that has not passed its
    /// extension deadline. After that, a code starts a new chain (R13).
    pub fn open_coverage(&self, now: Timestamp) -> Option<&Coverage> {
        self.coverage.filter(|c| now < c.extension_deadline())
    }

    /// When the device was first in use. A device recorded as sealed but which already
    /// had a plan was in use from that plan's start **[decision]**, so R13 can apply.
    fn in_use_since(&self) -> Option<Timestamp> {
        let plan_start = self.coverage.map(Coverage::starts_at);
        match (self.activated_at, plan_start) {
            (Some(a), Some(p)) => Some(a.min(p)),
            (a, p) => a.or(p),
        }
    }

    /// The instant the 30-day direct window closes (R2); `None` for a sealed device.
    pub fn direct_window_closes_at(&self) -> Option<Timestamp> {
        self.in_use_since()
            .map(|t| after(t, DIRECT_ACTIVATION_WINDOW))
    }

    fn needs_video(&self, now: Timestamp) -> bool {
        self.direct_window_closes_at()
            .is_some_and(|closes| now >= closes)
    }

    /// The preview: what happens if the owner brings a code for this device now.
    pub fn eligibility(&self, now: Timestamp) -> Eligibility {
        if let Some(c) = self.open_coverage(now) {
            return match c.extension(Plan::Annual, now) {
                Ok(term) => Eligibility::Extension {
                    deadline: c.extension_deadline(),
                    term,
                    remaining_after: (c.total() + term.replacements).saturating_sub(c.used()),
                },
                Err(refusal) => Eligibility::Refused(refusal),
            };
        }
        if self.needs_video(now) {
            Eligibility::VideoRequired
        } else {
            Eligibility::Direct {
                window_closes_at: self.direct_window_closes_at(),
            }
        }
    }

    /// The decision on an activation with this code (and, when one was sent, this
    /// verification case) at `now`.
    pub fn activate(
        &self,
        code: CodeFacts<'_>,
        verification: Option<&VerificationCase>,
        now: Timestamp,
    ) -> Result<Activation, Refusal> {
        if code.used {
            return Err(Refusal::CodeAlreadyUsed);
        }
        if code.region != REGION {
            return Err(Refusal::CodeRegionMismatch);
        }
        if code.product_id != self.product.id {
            return Err(Refusal::CodeProductMismatch);
        }
        if let Some(c) = self.open_coverage(now) {
            return c
                .extension(code.plan, now)
                .map(|term| Activation::Extension { term });
        }
        let verified = self.needs_video(now);
        if verified {
            verification
                .ok_or(Refusal::VerificationRequired)?
                .admit(now)?;
        }
        Ok(Activation::New {
            term: Term::new(code.plan, now),
            verified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::tests::at;
    use crate::verification::VerificationStatus;
    use jiff::SignedDuration;

    const SECOND: SignedDuration = SignedDuration::from_secs(1);

    fn osmo_360() -> &'static Product {
        Product::find("osmo-360").expect("in catalogue")
    }

    fn device<'a>(activated_at: Option<&str>, coverage: Option<&'a Coverage>) -> Device<'a> {
        Device {
            product: osmo_360(),
            activated_at: activated_at.map(at),
            coverage,
        }
    }

    fn code(plan: Plan) -> CodeFacts<'static> {
        CodeFacts {
            product_id: "osmo-360",
            plan,
            region: "PL",
            used: false,
        }
    }

    fn accepted(at_: Timestamp) -> VerificationCase {
        VerificationCase {
            opened_at: at_,
            status: VerificationStatus::Accepted,
            accepted_at: Some(at_),
        }
    }

    #[test]
    fn a_sealed_device_activates_directly_with_no_window() {
        let d = device(None, None);
        let now = at("2026-11-24T10:00:00Z");
        assert_eq!(
            d.eligibility(now),
            Eligibility::Direct {
                window_closes_at: None
            }
        );
        let a = d.activate(code(Plan::Annual), None, now).expect("direct");
        assert_eq!(
            a,
            Activation::New {
                term: Term::new(Plan::Annual, now),
                verified: false
            }
        );
    }

    #[test]
    fn the_direct_window_closes_exactly_30_days_after_device_activation() {
        let d = device(Some("2026-10-25T10:00:00Z"), None);
        let closes = at("2026-11-24T10:00:00Z");
        assert_eq!(
            d.eligibility(closes - SECOND),
            Eligibility::Direct {
                window_closes_at: Some(closes)
            }
        );
        assert_eq!(d.eligibility(closes), Eligibility::VideoRequired);
        assert_eq!(d.eligibility(closes + SECOND), Eligibility::VideoRequired);
        assert!(
            d.activate(code(Plan::Annual), None, closes - SECOND)
                .is_ok()
        );
        assert_eq!(
            d.activate(code(Plan::Annual), None, closes),
            Err(Refusal::VerificationRequired)
        );
        assert_eq!(
            d.activate(code(Plan::Annual), None, closes + SECOND),
            Err(Refusal::VerificationRequired)
        );
    }

    #[test]
    fn an_old_device_activates_with_a_video_inside_its_72_hours() {
        let d = device(Some("2025-01-01T00:00:00Z"), None);
        let accepted_at = at("2026-11-24T10:00:00Z");
        let case = accepted(accepted_at);
        let deadline = accepted_at + SignedDuration::from_hours(72);
        let a = d
            .activate(code(Plan::TwoYear), Some(&case), deadline - SECOND)
            .expect("inside the window");
        assert_eq!(
            a,
            Activation::New {
                term: Term::new(Plan::TwoYear, deadline - SECOND),
                verified: true
            }
        );
        assert_eq!(
            d.activate(code(Plan::TwoYear), Some(&case), deadline),
            Err(Refusal::VerificationWindowClosed)
        );
        let pending = VerificationCase {
            opened_at: accepted_at,
            status: VerificationStatus::PendingReview,
            accepted_at: None,
        };
        assert_eq!(
            d.activate(code(Plan::Annual), Some(&pending), accepted_at),
            Err(Refusal::VerificationNotAccepted)
        );
    }

    #[test]
    fn a_video_sent_when_none_is_needed_is_not_used_up() {
        let d = device(None, None);
        let now = at("2026-11-24T10:00:00Z");
        let a = d
            .activate(code(Plan::Annual), Some(&accepted(now)), now)
            .expect("direct");
        assert!(matches!(
            a,
            Activation::New {
                verified: false,
                ..
            }
        ));
    }

    #[test]
    fn the_code_must_be_unused_for_this_product_and_region() {
        let d = device(None, None);
        let now = at("2026-11-24T10:00:00Z");
        let used = CodeFacts {
            used: true,
            ..code(Plan::Annual)
        };
        assert_eq!(d.activate(used, None, now), Err(Refusal::CodeAlreadyUsed));
        let de = CodeFacts {
            region: "DE",
            ..code(Plan::Annual)
        };
        assert_eq!(d.activate(de, None, now), Err(Refusal::CodeRegionMismatch));
        let rs3 = CodeFacts {
            product_id: "rs-3",
            ..code(Plan::Annual)
        };
        assert_eq!(
            d.activate(rs3, None, now),
            Err(Refusal::CodeProductMismatch)
        );
    }

    #[test]
    fn a_running_coverage_is_extended_not_restarted() {
        let start = at("2026-01-10T12:00:00Z");
        let c = Coverage::begin(Term::new(Plan::Annual, start));
        let d = device(Some("2026-01-01T00:00:00Z"), Some(&c));
        let now = at("2026-06-01T00:00:00Z");
        let expected_term = Term::new(Plan::Annual, at("2027-01-10T12:00:00Z"));
        assert_eq!(
            d.eligibility(now),
            Eligibility::Extension {
                deadline: at("2027-01-25T12:00:00Z"),
                term: expected_term,
                remaining_after: 4
            }
        );
        assert_eq!(
            d.activate(code(Plan::Annual), None, now),
            Ok(Activation::Extension {
                term: expected_term
            })
        );
        assert_eq!(
            d.activate(code(Plan::TwoYear), None, now),
            Err(Refusal::ExtensionRequiresAnnualPlan)
        );
    }

    #[test]
    fn the_extension_window_closes_15_days_after_the_end_then_r13_applies() {
        let c = Coverage::begin(Term::new(Plan::Annual, at("2026-01-10T12:00:00Z")));
        let d = device(Some("2026-01-01T00:00:00Z"), Some(&c));
        let deadline = at("2027-01-25T12:00:00Z");
        assert!(matches!(
            d.eligibility(deadline - SECOND),
            Eligibility::Extension { .. }
        ));
        assert!(matches!(
            d.activate(code(Plan::Annual), None, deadline - SECOND),
            Ok(Activation::Extension { .. })
        ));
        // At the deadline the chain has lapsed: a new chain, and the old device needs a video.
        assert_eq!(d.eligibility(deadline), Eligibility::VideoRequired);
        assert_eq!(
            d.activate(code(Plan::Annual), None, deadline),
            Err(Refusal::VerificationRequired)
        );
        let a = d
            .activate(
                code(Plan::TwoYear),
                Some(&accepted(deadline)),
                deadline + SECOND,
            )
            .expect("new chain with a video");
        assert_eq!(
            a,
            Activation::New {
                term: Term::new(Plan::TwoYear, deadline + SECOND),
                verified: true
            }
        );
    }

    #[test]
    fn a_sealed_device_with_a_lapsed_plan_needs_a_video() {
        let c = Coverage::begin(Term::new(Plan::Annual, at("2026-01-10T12:00:00Z")));
        let d = device(None, Some(&c));
        assert_eq!(
            d.eligibility(at("2027-03-01T00:00:00Z")),
            Eligibility::VideoRequired
        );
    }

    #[test]
    fn the_preview_refuses_an_extension_past_the_cap() {
        let start = at("2026-01-10T12:00:00Z");
        let now = at("2026-02-01T00:00:00Z");
        let mut c = Coverage::begin(Term::new(Plan::TwoYear, start));
        let t = c.extension(Plan::Annual, now).expect("allowed");
        c.extend(t);
        let d = device(None, Some(&c));
        assert_eq!(
            d.eligibility(now),
            Eligibility::Refused(Refusal::CoverageCapExceeded)
        );
        assert_eq!(
            d.activate(code(Plan::Annual), None, now),
            Err(Refusal::CoverageCapExceeded)
        );
    }
}
