//! Property tests of the invariants that must hold over any history of activations,
//! extensions and replacements: remaining is within 0..=6, a chain never passes 36
//! months, and the browser's preview agrees with the server's decision.

use care_rules::time::{CAP_MONTHS, add_months};
use care_rules::verification::{VerificationCase, VerificationStatus};
use care_rules::{
    Activation, CodeFacts, Coverage, Device, Eligibility, Plan, Product, Refusal, Timestamp,
};
use jiff::SignedDuration;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// Time passes (up to about 15 months).
    Wait(i64),
    /// An owner brings a code of this plan, with an accepted video or without.
    Activate { plan: Plan, with_video: bool },
    /// A claim filed now is paid with Care Refresh.
    Replace,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..40_000_000).prop_map(Step::Wait),
        // Waits that land near the rule boundaries: a day, 15 days, 30 days, a year.
        prop::sample::select(vec![86_400i64, 15 * 86_400, 30 * 86_400, 365 * 86_400])
            .prop_map(Step::Wait),
        (prop::sample::select(Plan::ALL.to_vec()), any::<bool>())
            .prop_map(|(plan, with_video)| Step::Activate { plan, with_video }),
        Just(Step::Replace),
    ]
}

fn start() -> impl Strategy<Value = Timestamp> {
    // Any second between 2024 and 2032: leap days and month ends included.
    (1_704_067_200i64..1_956_528_000).prop_map(|s| Timestamp::from_second(s).expect("in range"))
}

fn check_chain(c: &Coverage, now: Timestamp) -> Result<(), TestCaseError> {
    prop_assert!(c.remaining(now) <= 6, "remaining {} > 6", c.remaining(now));
    prop_assert!(c.total() <= 6, "total {} > 6", c.total());
    prop_assert!(c.remaining(now) <= c.total());
    prop_assert!(c.ends_at() <= add_months(c.starts_at(), CAP_MONTHS));
    for pair in c.terms().windows(2) {
        prop_assert_eq!(pair[0].ends_at, pair[1].starts_at, "terms are continuous");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_history_keeps_the_chain_within_its_limits(
        origin in start(),
        sealed in any::<bool>(),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let product = Product::find("osmo-360").expect("in catalogue");
        let activated_at = (!sealed).then_some(origin);
        let mut now = origin;
        let mut coverage: Option<Coverage> = None;
        for step in steps {
            match step {
                Step::Wait(seconds) => now += SignedDuration::from_secs(seconds),
                Step::Activate { plan, with_video } => {
                    let device = Device { product, activated_at, coverage: coverage.as_ref() };
                    let video = VerificationCase {
                        status: VerificationStatus::Accepted,
                        opened_at: now,
                        accepted_at: Some(now),
                    };
                    let code = CodeFacts { product_id: product.id, plan, region: "PL", used: false };
                    match device.activate(code, with_video.then_some(&video), now) {
                        Ok(Activation::New { term, .. }) => coverage = Some(Coverage::begin(term)),
                        Ok(Activation::Extension { term }) => {
                            let c = coverage.as_mut().expect("an extension needs a chain");
                            prop_assert_eq!(term.plan, Plan::Annual);
                            c.extend(term);
                        }
                        Err(_) => {}
                    }
                }
                Step::Replace => {
                    if let Some(c) = coverage.as_mut() {
                        let before = c.remaining(now);
                        match c.use_replacement(product, now) {
                            Ok(_) => prop_assert_eq!(c.remaining(now), before - 1),
                            Err(r) => {
                                let expected =
                                    matches!(r, Refusal::NoReplacementsLeft | Refusal::CoverageNotActive);
                                prop_assert!(expected, "{:?}", r)
                            }
                        }
                    }
                }
            }
            if let Some(c) = &coverage {
                for probe in [now, c.ends_at() - SignedDuration::from_secs(1), c.ends_at()] {
                    check_chain(c, probe)?;
                }
            }
        }
    }

    #[test]
    fn the_preview_agrees_with_the_decision_for_an_annual_code(
        origin in start(),
        sealed in any::<bool>(),
        first in prop::sample::select(Plan::ALL.to_vec()),
        extensions in 0usize..3,
        later in 0i64..120_000_000,
    ) {
        let product = Product::find("rs-3").expect("in catalogue");
        let mut c = Coverage::begin(care_rules::Term::new(first, origin));
        for _ in 0..extensions {
            if let Ok(t) = c.extension(Plan::Annual, origin) {
                c.extend(t);
            }
        }
        let now = origin + SignedDuration::from_secs(later);
        let device = Device {
            product,
            activated_at: (!sealed).then_some(origin),
            coverage: Some(&c),
        };
        let code = CodeFacts { product_id: "rs-3", plan: Plan::Annual, region: "PL", used: false };
        let decision = device.activate(code, None, now);
        match device.eligibility(now) {
            Eligibility::Extension { term, .. } => {
                prop_assert_eq!(decision, Ok(Activation::Extension { term }))
            }
            Eligibility::Refused(refusal) => prop_assert_eq!(decision, Err(refusal)),
            Eligibility::Direct { .. } => {
                let direct = matches!(decision, Ok(Activation::New { verified: false, .. }));
                prop_assert!(direct, "{:?}", decision)
            }
            Eligibility::VideoRequired => {
                prop_assert_eq!(decision, Err(Refusal::VerificationRequired))
            }
        }
    }
}
